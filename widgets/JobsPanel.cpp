#include "JobsPanel.hpp"

#include "JobManager.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

namespace nm::widgets {

namespace {
enum Column { kTitle, kStatus, kProgress, kEta, kElapsed, kAction, kColumns };

QString formatSeconds(double s) {
    if (s < 0) return QStringLiteral("–");
    if (s < 60) return QStringLiteral("%1 s").arg(int(std::ceil(s)));
    if (s < 3600) return QStringLiteral("%1 min %2 s").arg(int(s) / 60).arg(int(s) % 60);
    return QStringLiteral("%1 h %2 min").arg(int(s) / 3600).arg((int(s) % 3600) / 60);
}
} // namespace

JobsPanel::JobsPanel(JobManager* manager, QWidget* parent) : QWidget(parent), manager_(manager) {
    tree_ = new QTreeWidget(this);
    tree_->setObjectName("jobsTree");
    tree_->setColumnCount(kColumns);
    tree_->setHeaderLabels({tr("Job"), tr("Status"), tr("Progress"), tr("ETA"), tr("Elapsed"), QString()});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(true);
    tree_->header()->setSectionResizeMode(kTitle, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(kProgress, QHeaderView::Fixed);
    tree_->header()->resizeSection(kProgress, 180);
    tree_->header()->setStretchLastSection(false);
    log_ = new QPlainTextEdit(this);
    log_->setObjectName("jobLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setPlaceholderText(tr("Select a job to see its log."));
    log_->setFont(QFont(QStringLiteral("monospace")));

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(tree_);
    splitter->addWidget(log_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(splitter);

    connect(manager_, &JobManager::jobAdded, this, &JobsPanel::addJob);
    connect(manager_, &JobManager::jobUpdated, this, &JobsPanel::refresh);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item) showLog(item->data(kTitle, Qt::UserRole).toInt());
    });
    // Elapsed times and ETAs move even when a job is silent.
    timer_ = new QTimer(this);
    timer_->setInterval(1000);
    connect(timer_, &QTimer::timeout, this, &JobsPanel::tick);
    timer_->start();
    for (int id : manager_->jobIds()) addJob(id);
}

void JobsPanel::addJob(int id) {
    Row row;
    row.item = new QTreeWidgetItem(tree_);
    row.item->setText(kTitle, manager_->title(id));
    row.item->setToolTip(kTitle, QStringLiteral("neuromosaic-cli %1").arg(manager_->arguments(id).join(' ')));
    row.item->setData(kTitle, Qt::UserRole, id);
    row.bar = new QProgressBar(tree_);
    row.bar->setRange(0, 1000);
    row.bar->setTextVisible(true);
    row.bar->setFormat(QStringLiteral("%p%"));
    tree_->setItemWidget(row.item, kProgress, row.bar);
    row.cancel = new QPushButton(tr("Cancel"), tree_);
    row.cancel->setToolTip(tr("Stop this job (its child process is terminated cleanly)"));
    connect(row.cancel, &QPushButton::clicked, this, [this, id] { manager_->cancel(id); });
    tree_->setItemWidget(row.item, kAction, row.cancel);
    rows_[id] = row;
    tree_->setCurrentItem(row.item);
    refresh(id);
}

void JobsPanel::refresh(int id) {
    auto it = rows_.find(id);
    if (it == rows_.end() || !manager_->contains(id)) return;
    const auto& snap = manager_->snapshot(id);
    auto& row = it->second;
    const bool running = manager_->isRunning(id);
    QString status = running ? (snap.stage.empty() ? tr("starting") : QString::fromStdString(snap.stage))
                             : QString::fromUtf8(nm::jobs::toString(snap.status).data());
    row.item->setText(kStatus, status);
    QString tip = QString::fromStdString(snap.message);
    if (snap.status == nm::jobs::JobSnapshot::Status::Failed && !snap.lastError.empty())
        tip = QString::fromStdString(snap.lastError);
    row.item->setToolTip(kStatus, tip);
    row.bar->setValue(int(std::lround(snap.fraction * 1000)));
    row.item->setText(kEta, running ? formatSeconds(snap.etaSeconds) : QString());
    row.item->setText(kElapsed, formatSeconds(manager_->elapsedSeconds(id)));
    row.cancel->setEnabled(running);
    if (!running) {
        const QColor color = snap.status == nm::jobs::JobSnapshot::Status::Succeeded ? QColor(0x2e, 0x7d, 0x32)
                             : snap.status == nm::jobs::JobSnapshot::Status::Cancelled ? QColor(0x8d, 0x6e, 0x00)
                                                                                       : QColor(0xc6, 0x28, 0x28);
        row.item->setForeground(kStatus, color);
        if (snap.status == nm::jobs::JobSnapshot::Status::Failed && !snap.lastError.empty())
            row.item->setText(kStatus, tr("failed: %1").arg(QString::fromStdString(snap.lastError)));
    }
    if (id == shownLogJob_) showLog(id);
}

void JobsPanel::showLog(int id) {
    if (!manager_->contains(id)) return;
    const auto& log = manager_->snapshot(id).log;
    QString text;
    for (const auto& line : log) {
        if (line.level == nm::jobs::LogLevel::Error) text += QStringLiteral("error: ");
        else if (line.level == nm::jobs::LogLevel::Warning) text += QStringLiteral("warning: ");
        text += QString::fromStdString(line.text);
        text += '\n';
    }
    if (id != shownLogJob_ || log_->toPlainText() != text) {
        log_->setPlainText(text);
        log_->moveCursor(QTextCursor::End);
    }
    shownLogJob_ = id;
}

void JobsPanel::tick() {
    for (const auto& [id, row] : rows_)
        if (manager_->contains(id) && manager_->isRunning(id))
            row.item->setText(kElapsed, formatSeconds(manager_->elapsedSeconds(id)));
}

QPushButton* JobsPanel::cancelButton(int id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? nullptr : it->second.cancel;
}

QProgressBar* JobsPanel::progressBar(int id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? nullptr : it->second.bar;
}

QString JobsPanel::statusText(int id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? QString() : it->second.item->text(kStatus);
}

QString JobsPanel::logText() const { return log_->toPlainText(); }

void JobsPanel::selectJob(int id) {
    auto it = rows_.find(id);
    if (it != rows_.end()) tree_->setCurrentItem(it->second.item);
}

} // namespace nm::widgets
