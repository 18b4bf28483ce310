#include "ValidationPanel.hpp"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QScatterSeries>
#include <QStackedWidget>
#include <QSvgGenerator>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace nm::widgets {

namespace {

QString label(const std::string& s) { return QString::fromStdString(s); }

/// Five-number summary (Tukey's hinges) of the finite values.
QBoxSet* boxOf(const std::vector<double>& values, const QString& name) {
    std::vector<double> v;
    for (const double x : values)
        if (std::isfinite(x)) v.push_back(x);
    auto* b = new QBoxSet(name);
    if (v.empty()) return b;
    std::sort(v.begin(), v.end());
    auto quantile = [&](double q) {
        const double pos = q * double(v.size() - 1);
        const auto i = std::size_t(pos);
        const double f = pos - double(i);
        return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
    };
    b->setValue(QBoxSet::LowerExtreme, v.front());
    b->setValue(QBoxSet::LowerQuartile, quantile(0.25));
    b->setValue(QBoxSet::Median, quantile(0.5));
    b->setValue(QBoxSet::UpperQuartile, quantile(0.75));
    b->setValue(QBoxSet::UpperExtreme, v.back());
    return b;
}

} // namespace

ValidationPanel::ValidationPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("validationPanel");
    // Wide and short (the bottom dock area): the chooser and the reports' summaries on the left,
    // the chart on the right.
    auto* layout = new QHBoxLayout(this);
    auto* side = new QVBoxLayout;
    summary_ = new QLabel(this);
    summary_->setObjectName("validationSummary");
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    chooser_ = new QComboBox(this);
    chooser_->setObjectName("validationChooser");
    chooser_->setToolTip(tr("The charts of the reports of this atlas"));
    export_ = new QPushButton(tr("Export…"), this);
    export_->setObjectName("validationExport");
    export_->setToolTip(tr("Save the chart as PNG, SVG or PDF"));
    validate_ = new QPushButton(tr("Validate…"), this);
    validate_->setObjectName("validationRun");
    validate_->setToolTip(tr("Run the validation of this atlas as background jobs (Jobs ▸ Validate Atlas…)"));
    row->addWidget(export_);
    row->addWidget(validate_);
    stack_ = new QStackedWidget(this);
    side->addWidget(chooser_);
    side->addLayout(row);
    side->addWidget(summary_);
    readings_ = new QListWidget(this);
    readings_->setObjectName("validationReadings");
    readings_->setWordWrap(true);
    readings_->setToolTip(tr("Each figure with its baseline"));
    readings_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    side->addWidget(readings_, 1);
    auto* sideWidget = new QWidget(this);
    sideWidget->setLayout(side);
    sideWidget->setMaximumWidth(340);
    layout->addWidget(sideWidget);
    layout->addWidget(stack_, 1);
    connect(chooser_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && i < stack_->count()) stack_->setCurrentIndex(i);
    });
    connect(export_, &QPushButton::clicked, this, &ValidationPanel::exportCurrent);
    connect(validate_, &QPushButton::clicked, this, &ValidationPanel::validateRequested);
    rebuild();
}

void ValidationPanel::clear() {
    reports_.clear();
    rebuild();
}

void ValidationPanel::setBundle(const QString& bundle) {
    bundle_ = bundle;
    reports_.clear();
    // Oldest first, so that a newer file's report of a kind (e.g. a section of all.json written
    // after reconstruction.json) replaces the older one.
    auto files = cachedReports(bundle.toStdString());
    std::error_code ec;
    std::stable_sort(files.begin(), files.end(),
                     [&](const auto& a, const auto& b) { return std::filesystem::last_write_time(a, ec) < std::filesystem::last_write_time(b, ec); });
    for (const auto& f : files) {
        try {
            add(readValidationReports(f));
        } catch (const std::exception& e) {
            emit reportFailed(QString::fromStdString(f.string()), QString::fromUtf8(e.what()));
        }
    }
    rebuild();
}

void ValidationPanel::add(std::vector<ValidationReportData> reports) {
    for (auto& r : reports) {
        auto it = std::find_if(reports_.begin(), reports_.end(), [&](const auto& x) { return x.kind == r.kind; });
        if (it != reports_.end()) *it = std::move(r);
        else reports_.push_back(std::move(r));
    }
}

bool ValidationPanel::loadReport(const QString& file) {
    try {
        add(readValidationReports(file.toStdString()));
    } catch (const std::exception& e) {
        emit reportFailed(file, QString::fromUtf8(e.what()));
        return false;
    }
    rebuild();
    return true;
}

QStringList ValidationPanel::readings() const {
    QStringList out;
    for (int i = 0; i < readings_->count(); ++i) out << readings_->item(i)->text();
    return out;
}

int ValidationPanel::currentChart() const { return chooser_->currentIndex(); }

void ValidationPanel::showChart(int index) { chooser_->setCurrentIndex(index); }

int ValidationPanel::chartIndex(const QString& id) const {
    for (std::size_t i = 0; i < specs_.size(); ++i)
        if (label(specs_[i].id) == id) return int(i);
    return -1;
}

void ValidationPanel::rebuild() {
    const QString current = chooser_->currentIndex() >= 0 ? chooser_->currentData().toString() : QString();
    while (stack_->count() > 0) {
        QWidget* w = stack_->widget(0);
        stack_->removeWidget(w);
        delete w;
    }
    views_.clear();
    specs_.clear();
    chooser_->blockSignals(true);
    chooser_->clear();
    QStringList lines;
    // Reports in a fixed order: the summary of validate all, then the sections.
    std::vector<const ValidationReportData*> ordered;
    for (const std::string kind : {"summary", "reconstruction", "representation", "network", "decoding", "personalization", "leave-one-study-out"})
        for (const auto& r : reports_)
            if (r.kind == kind) ordered.push_back(&r);
    readings_->clear();
    for (const auto* r : ordered) {
        lines << label(r->summary);
        if (r->kind != "summary")  // the summary's readings are its sections'
            for (const auto& t : r->readings) {
                auto* item = new QListWidgetItem(label(t), readings_);
                item->setToolTip(label(t));
            }
        for (const auto& c : r->charts) {
            const int index = int(specs_.size());
            specs_.push_back(c);
            auto* view = new QChartView(makeChart(c, index), stack_);
            view->setObjectName(QStringLiteral("validationChart%1").arg(index));
            view->setRenderHint(QPainter::Antialiasing);
            view->setMinimumSize(420, 260);
            views_.push_back(view);
            stack_->addWidget(view);
            chooser_->addItem(label(c.title), label(c.id));
        }
    }
    chooser_->blockSignals(false);
    const int again = chooser_->findData(current);
    chooser_->setCurrentIndex(again >= 0 ? again : (chooser_->count() > 0 ? 0 : -1));
    if (chooser_->currentIndex() >= 0) stack_->setCurrentIndex(chooser_->currentIndex());
    export_->setEnabled(!specs_.empty());
    validate_->setEnabled(!bundle_.isEmpty());
    if (lines.isEmpty())
        summary_->setText(bundle_.isEmpty() ? tr("Open an atlas to see its validation.")
                                            : tr("No validation report for %1 yet: Validate… runs them as background jobs.")
                                                  .arg(QFileInfo(bundle_).fileName()));
    else
        summary_->setText(lines.join("\n"));
    emit reportsChanged();
}

QString ValidationPanel::hoverText(int chart, int series, int point) const {
    if (chart < 0 || chart >= chartCount()) return {};
    const auto& c = specs_[std::size_t(chart)];
    if (series < 0 || series >= int(c.series.size())) return {};
    const auto& s = c.series[std::size_t(series)];
    if (c.kind == ChartSpec::Kind::Box) {
        if (point < 0 || point >= int(s.boxes.size())) return {};
        std::vector<double> v;
        for (const double x : s.boxes[std::size_t(point)])
            if (std::isfinite(x)) v.push_back(x);
        std::sort(v.begin(), v.end());
        const double median = v.empty() ? NAN : (v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]));
        return tr("%1, %2: median %3 (%4 values, %5 … %6)")
            .arg(label(s.name), label(c.categories[std::size_t(point)]))
            .arg(median, 0, 'f', 3)
            .arg(v.size())
            .arg(v.empty() ? NAN : v.front(), 0, 'f', 3)
            .arg(v.empty() ? NAN : v.back(), 0, 'f', 3);
    }
    if (point < 0 || point >= int(s.y.size())) return {};
    if (c.kind == ChartSpec::Kind::Bar)
        return tr("%1, %2: %3").arg(label(s.name), label(c.categories[std::size_t(point)])).arg(s.y[std::size_t(point)], 0, 'g', 4);
    return tr("%1: %2 = %3, %4 = %5")
        .arg(label(s.name), label(c.xLabel))
        .arg(s.x[std::size_t(point)], 0, 'g', 4)
        .arg(label(c.yLabel))
        .arg(s.y[std::size_t(point)], 0, 'g', 4);
}

QChart* ValidationPanel::makeChart(const ChartSpec& c, int index) {
    auto* chart = new QChart;
    chart->setTitle(label(c.title));
    chart->legend()->setVisible(true);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation);
    auto tip = [this, index](int series, int point) { QToolTip::showText(QCursor::pos(), hoverText(index, series, point)); };
    auto* yAxis = new QValueAxis;
    yAxis->setTitleText(label(c.yLabel));
    yAxis->setLabelFormat("%.3g");
    double lo = INFINITY, hi = -INFINITY;
    if (c.kind == ChartSpec::Kind::Bar || c.kind == ChartSpec::Kind::Box) {
        auto* xAxis = new QBarCategoryAxis;
        xAxis->setTitleText(label(c.xLabel));
        for (const auto& cat : c.categories) xAxis->append(label(cat));
        chart->addAxis(xAxis, Qt::AlignBottom);
        chart->addAxis(yAxis, Qt::AlignLeft);
        if (c.kind == ChartSpec::Kind::Bar) {
            auto* bars = new QBarSeries;
            for (std::size_t si = 0; si < c.series.size(); ++si) {
                auto* set = new QBarSet(label(c.series[si].name));
                for (const double y : c.series[si].y) {
                    *set << (std::isfinite(y) ? y : 0.0);
                    if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
                }
                connect(set, &QBarSet::hovered, this, [tip, si](bool on, int i) {
                    if (on) tip(int(si), i);
                });
                bars->append(set);
            }
            chart->addSeries(bars);
            bars->attachAxis(xAxis);
            bars->attachAxis(yAxis);
        } else {
            for (std::size_t si = 0; si < c.series.size(); ++si) {
                auto* boxes = new QBoxPlotSeries;
                boxes->setName(label(c.series[si].name));
                for (std::size_t b = 0; b < c.series[si].boxes.size(); ++b) {
                    auto* set = boxOf(c.series[si].boxes[b], label(c.categories[b]));
                    for (const double y : c.series[si].boxes[b])
                        if (std::isfinite(y)) lo = std::min(lo, y), hi = std::max(hi, y);
                    connect(set, &QBoxSet::hovered, this, [tip, si, b](bool on) {
                        if (on) tip(int(si), int(b));
                    });
                    boxes->append(set);
                }
                chart->addSeries(boxes);
                boxes->attachAxis(xAxis);
                boxes->attachAxis(yAxis);
            }
        }
    } else {
        QAbstractAxis* xAxis = nullptr;
        if (c.logX) {
            auto* a = new QLogValueAxis;
            a->setBase(2.0);
            a->setLabelFormat("%g");
            xAxis = a;
        } else {
            auto* a = new QValueAxis;
            a->setLabelFormat("%.3g");
            xAxis = a;
        }
        xAxis->setTitleText(label(c.xLabel));
        chart->addAxis(xAxis, Qt::AlignBottom);
        chart->addAxis(yAxis, Qt::AlignLeft);
        double xlo = INFINITY, xhi = -INFINITY;
        for (std::size_t si = 0; si < c.series.size(); ++si) {
            const auto& s = c.series[si];
            QXYSeries* series = c.kind == ChartSpec::Kind::Scatter ? static_cast<QXYSeries*>(new QScatterSeries) : new QLineSeries;
            series->setName(label(s.name));
            series->setPointsVisible(true);
            for (std::size_t i = 0; i < s.x.size(); ++i) {
                if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
                series->append(s.x[i], s.y[i]);
                lo = std::min(lo, s.y[i]), hi = std::max(hi, s.y[i]);
                xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]);
            }
            connect(series, &QXYSeries::hovered, this, [this, tip, index, si, series](const QPointF& p, bool on) {
                if (!on) return;
                // The nearest stored point.
                int best = 0;
                double bd = INFINITY;
                for (int i = 0; i < series->count(); ++i) {
                    const QPointF q = series->at(i);
                    const double d = std::abs(q.x() - p.x()) + std::abs(q.y() - p.y());
                    if (d < bd) bd = d, best = i;
                }
                // Map back to the spec's index (non-finite points were skipped).
                const auto& s = specs_[std::size_t(index)].series[si];
                int seen = -1;
                for (std::size_t i = 0; i < s.x.size(); ++i)
                    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]) && ++seen == best) {
                        tip(int(si), int(i));
                        break;
                    }
            });
            chart->addSeries(series);
            series->attachAxis(xAxis);
            series->attachAxis(yAxis);
        }
        if (std::isfinite(c.xMin) && std::isfinite(c.xMax)) {
            xAxis->setRange(c.xMin, c.xMax);
        } else if (std::isfinite(xlo)) {
            if (c.logX) xAxis->setRange(xlo / 1.5, xhi * 1.5);
            else if (xhi > xlo) xAxis->setRange(xlo - 0.05 * (xhi - xlo), xhi + 0.05 * (xhi - xlo));
        }
        if (auto* v = qobject_cast<QValueAxis*>(xAxis)) v->applyNiceNumbers();
    }
    if (std::isfinite(lo)) {
        const double a = std::isfinite(c.yMin) ? std::min(c.yMin, lo) : lo - 0.05 * std::max(hi - lo, 1e-9);
        const double b = std::isfinite(c.yMax) ? std::max(c.yMax, hi) : hi + 0.05 * std::max(hi - lo, 1e-9);
        yAxis->setRange(a, b);
        yAxis->applyNiceNumbers();
    }
    return chart;
}

bool ValidationPanel::exportChart(int index, const QString& file) const {
    if (index < 0 || index >= chartCount()) return false;
    QChartView* view = views_[std::size_t(index)];
    const QSize size = view->size().isValid() && view->width() > 100 ? view->size() : QSize(900, 560);
    const QString ext = QFileInfo(file).suffix().toLower();
    const QRect target(QPoint(0, 0), size);
    if (ext == "svg") {
        QSvgGenerator svg;
        svg.setFileName(file);
        svg.setSize(size);
        svg.setViewBox(target);
        svg.setTitle(label(specs_[std::size_t(index)].title));
        QPainter p;
        if (!p.begin(&svg)) return false;
        view->render(&p, target, view->rect());
        return p.end() && QFileInfo(file).size() > 0;
    }
    if (ext == "pdf") {
        QPdfWriter pdf(file);
        pdf.setTitle(label(specs_[std::size_t(index)].title));
        pdf.setPageSize(QPageSize(QSizeF(size.width() * 0.75, size.height() * 0.75), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p;
        if (!p.begin(&pdf)) return false;
        view->render(&p, QRect(0, 0, pdf.width(), pdf.height()), view->rect());
        return p.end() && QFileInfo(file).size() > 0;
    }
    QImage img(size * 2, QImage::Format_ARGB32);
    img.fill(Qt::white);
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        view->render(&p, QRect(QPoint(0, 0), size * 2), view->rect());
    }
    return img.save(file);
}

void ValidationPanel::exportCurrent() {
    const int i = currentChart();
    if (i < 0) return;
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Chart"), QString::fromStdString(specs_[std::size_t(i)].id).replace('/', '-') + ".pdf",
                                                      tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
    if (file.isEmpty()) return;
    if (!exportChart(i, file)) emit reportFailed(file, tr("could not write the chart"));
}

} // namespace nm::widgets
