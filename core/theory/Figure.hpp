#pragma once
// A line chart as SVG for the theory commands' figures (predicted and simulated curves with the
// predicted transition marked). Hand-written like validate/Summary's bar charts: the core is
// Qt-free and the CLI runs on headless machines; Debian has no C++ plotting library without Qt.
#include <string>
#include <vector>

namespace nm::theory {

struct LineSeries {
    std::string name;
    std::vector<double> x, y;      ///< NaN y: a gap
    bool dashed = false;
};

struct LineChart {
    std::string title, xLabel, yLabel;
    std::vector<LineSeries> series{};
    std::vector<std::pair<double, std::string>> markers{};  ///< vertical lines at x, labelled
    bool logX = false;             ///< logarithmic x axis (x > 0; others are gaps)
};

std::string svgLineChart(const LineChart& chart, int width = 640, int height = 360);

} // namespace nm::theory
