#pragma once
// The jobs panel: one row per job (title, status, progress bar, ETA, Cancel) and the log of the
// selected job. It only displays JobManager's state; it never computes anything itself.
#include <QWidget>

#include <map>

class QTreeWidget;
class QTreeWidgetItem;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTimer;

namespace nm::widgets {

class JobManager;

class JobsPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobsPanel(JobManager* manager, QWidget* parent = nullptr);

    /// For tests and automation: the Cancel button and progress bar of a job.
    [[nodiscard]] QPushButton* cancelButton(int id) const;
    [[nodiscard]] QProgressBar* progressBar(int id) const;
    [[nodiscard]] QString statusText(int id) const;
    [[nodiscard]] QString logText() const;
    void selectJob(int id);

private:
    struct Row {
        QTreeWidgetItem* item = nullptr;
        QProgressBar* bar = nullptr;
        QPushButton* cancel = nullptr;
    };
    void addJob(int id);
    void refresh(int id);
    void showLog(int id);
    void tick();

    JobManager* manager_;
    QTreeWidget* tree_;
    QPlainTextEdit* log_;
    QTimer* timer_;
    std::map<int, Row> rows_;
    int shownLogJob_ = -1;
};

} // namespace nm::widgets
