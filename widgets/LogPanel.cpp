#include "LogPanel.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace nm::widgets {

namespace {
constexpr int kMaxEntries = 10000;
const char* levelName(int level) {
    switch (level) {
    case 0: return "debug";
    case 2: return "warning";
    case 3: return "error";
    default: return "info";
    }
}
} // namespace

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
    view_ = new QPlainTextEdit(this);
    view_->setObjectName("applicationLog");
    view_->setReadOnly(true);
    view_->setMaximumBlockCount(kMaxEntries);
    view_->setFont(QFont(QStringLiteral("monospace")));
    filter_ = new QComboBox(this);
    filter_->addItems({tr("Debug and above"), tr("Info and above"), tr("Warnings and errors"), tr("Errors only")});
    filter_->setCurrentIndex(1);
    connect(filter_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    auto* clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, this, [this] {
        entries_.clear();
        rebuild();
    });
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show:"), this));
    top->addWidget(filter_);
    top->addStretch(1);
    top->addWidget(clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(view_);
}

void LogPanel::append(int level, const QString& source, const QString& text) {
    const QString line = QStringLiteral("%1 %2 [%3] %4")
                             .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")),
                                  QString::fromLatin1(levelName(level)).leftJustified(7), source, text.trimmed());
    entries_.push_back({level, line});
    if (entries_.size() > kMaxEntries) entries_.removeFirst();
    if (level >= filter_->currentIndex()) view_->appendPlainText(line);
}

QString LogPanel::text() const { return view_->toPlainText(); }

void LogPanel::rebuild() {
    view_->clear();
    QStringList lines;
    for (const auto& e : entries_)
        if (e.level >= filter_->currentIndex()) lines.push_back(e.line);
    view_->setPlainText(lines.join('\n'));
}

} // namespace nm::widgets
