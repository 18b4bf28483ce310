#pragma once
// The validation dashboard: every chart of the reports of `neuromosaic-cli validate …` for the
// atlas in the browser (ValidationModel.hpp parses them), drawn with Qt 6 Charts — axes with
// units, a legend, the value under the cursor in a tooltip — one chart at a time from a chooser,
// each exportable as PNG, SVG or PDF. Qt Charts rather than VTK's charts: the dashboard is a 2-D
// widget among Qt widgets (no render window per chart), its hover and legend come built in, and
// it prints to QPdfWriter/QSvgGenerator as vectors.
#include "ValidationModel.hpp"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;

QT_BEGIN_NAMESPACE
class QChartView;
class QChart;
QT_END_NAMESPACE

namespace nm::widgets {

class ValidationPanel : public QWidget {
    Q_OBJECT
public:
    explicit ValidationPanel(QWidget* parent = nullptr);
    /// Clears the panel and loads the reports cached next to `bundle` (none: an invitation to validate).
    void setBundle(const QString& bundle);
    [[nodiscard]] const QString& bundle() const { return bundle_; }
    /// Adds (or replaces, by kind) the reports of a file (several for `validate all`). On error
    /// emits reportFailed and returns false.
    bool loadReport(const QString& file);
    /// The readings listed (each figure with its baseline, one line each).
    [[nodiscard]] QStringList readings() const;
    void clear();

    [[nodiscard]] int chartCount() const { return int(specs_.size()); }
    [[nodiscard]] const ChartSpec& spec(int index) const { return specs_[std::size_t(index)]; }
    [[nodiscard]] QChartView* chartView(int index) const { return views_[std::size_t(index)]; }
    [[nodiscard]] int currentChart() const;
    void showChart(int index);
    /// Index of the chart with this id, −1 if absent.
    [[nodiscard]] int chartIndex(const QString& id) const;
    [[nodiscard]] const std::vector<ValidationReportData>& reports() const { return reports_; }
    /// Writes a chart by the extension: .png (2× resolution), .svg, .pdf. Returns false on failure.
    bool exportChart(int index, const QString& file) const;
    /// The text the tooltip shows for point `i` of series `s` of a chart (hover values).
    [[nodiscard]] QString hoverText(int chart, int series, int point) const;

signals:
    void reportFailed(const QString& file, const QString& message);
    void reportsChanged();
    void validateRequested();

private:
    void rebuild();
    void add(std::vector<ValidationReportData> reports);
    QChart* makeChart(const ChartSpec& spec, int index);
    void exportCurrent();

    QString bundle_;
    std::vector<ValidationReportData> reports_;
    std::vector<ChartSpec> specs_;
    std::vector<QChartView*> views_;
    QLabel* summary_;
    QListWidget* readings_;
    QComboBox* chooser_;
    QStackedWidget* stack_;
    QPushButton *export_, *validate_;
};

} // namespace nm::widgets
