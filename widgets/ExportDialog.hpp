#pragma once
// Export Figure dialog: the current view, or a montage (views × hemispheres with colour bar and
// title), as PNG at a chosen scale and DPI.
#include "io/Session.hpp"

#include <QDialog>

class QCheckBox;
class QDoubleSpinBox;
class QLineEdit;
class QRadioButton;
class QSpinBox;

namespace nm::widgets {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const io::FigureSettings& settings, QWidget* parent = nullptr);
    [[nodiscard]] bool montage() const;
    [[nodiscard]] io::FigureSettings settings() const;
    [[nodiscard]] QString path() const;

private:
    QRadioButton *current_, *montage_;
    QSpinBox* scale_;
    QDoubleSpinBox* dpi_;
    QLineEdit *title_, *path_;
    std::vector<std::pair<std::string, QCheckBox*>> views_;
    io::FigureSettings base_;
};

} // namespace nm::widgets
