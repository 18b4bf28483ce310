#pragma once
// The application log: messages from jobs, VTK and the application, with a level filter.
#include <QWidget>

class QPlainTextEdit;
class QComboBox;

namespace nm::widgets {

class LogPanel : public QWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    /// level: nm::jobs::LogLevel as int (0 debug, 1 info, 2 warning, 3 error).
    void append(int level, const QString& source, const QString& text);
    [[nodiscard]] QString text() const;

private:
    QPlainTextEdit* view_;
    QComboBox* filter_;
    struct Entry {
        int level;
        QString line;
    };
    QList<Entry> entries_;
    void rebuild();
};

} // namespace nm::widgets
