#pragma once
// File ▸ Decode Map…: the result of semantics::decodeMap for one map — its concepts (from the open
// labelled atlas) and its literature terms, best first. Non-modal; the map itself is shown as a
// layer by the main window.
#include "semantics/Decode.hpp"

#include <QDialog>

class QLabel;
class QTableWidget;

namespace nm::widgets {

class DecodeDialog : public QDialog {
    Q_OBJECT
public:
    explicit DecodeDialog(QWidget* parent = nullptr);
    void setResult(const QString& map, const semantics::DecodeResult& result);
    [[nodiscard]] QTableWidget* conceptTable() const { return concepts_; }
    [[nodiscard]] QTableWidget* termTable() const { return terms_; }

private:
    QLabel* title_;
    QTableWidget* concepts_;
    QTableWidget* terms_;
};

} // namespace nm::widgets
