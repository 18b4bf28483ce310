#include "theory/Figure.hpp"

#include "common/Xml.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace nm::theory {

namespace {
std::string number(double v) {
    std::ostringstream s;
    if (std::abs(v) >= 1000 && std::abs(v) < 1e7) s << std::llround(v);  // sizes on a log axis: 1260, not 1.26e+03
    else s << std::setprecision(3) << v;
    return s.str();
}
} // namespace

std::string svgLineChart(const LineChart& c, int width, int height) {
    static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto tx = [&](double x) { return c.logX ? (x > 0 ? std::log10(x) : nan) : x; };
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = 0.0, y1 = -x0;
    for (const auto& s : c.series)
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
            if (std::isfinite(tx(s.x[i])) && std::isfinite(s.y[i])) {
                x0 = std::min(x0, tx(s.x[i]));
                x1 = std::max(x1, tx(s.x[i]));
                y0 = std::min(y0, s.y[i]);
                y1 = std::max(y1, s.y[i]);
            }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1;
    y1 += 0.05 * (y1 - y0);
    // The legend wraps onto as many rows as it needs below the plot (the figure grows, the plot keeps its size).
    const double left = 58, right = 14, top = 30;
    auto entryWidth = [&](std::size_t k) { return 34 + 6.2 * double(c.series[k].name.size()); };
    std::vector<std::pair<double, int>> legendAt;  // x, row
    {
        double lx = left;
        int row = 0;
        for (std::size_t k = 0; k < c.series.size(); ++k) {
            if (lx > left && lx + entryWidth(k) > width - right) lx = left, ++row;
            legendAt.emplace_back(lx, row);
            lx += entryWidth(k);
        }
    }
    const int legendRows = legendAt.empty() ? 1 : legendAt.back().second + 1;
    const double bottom = 62;
    height += 16 * (legendRows - 1);
    const double W = width - left - right, H = height - top - bottom - 16 * (legendRows - 1);
    auto px = [&](double x) { return left + W * (tx(x) - x0) / (x1 - x0); };  // x in data units
    auto py = [&](double y) { return top + H * (1 - (y - y0) / (y1 - y0)); };
    std::ostringstream s;
    s << std::fixed << std::setprecision(1);
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    s << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s << "<text x=\"" << left << "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" << xmlEscape(c.title) << "</text>\n";
    for (int t = 0; t <= 5; ++t) {
        const double yv = y0 + (y1 - y0) * t / 5.0, xv = x0 + (x1 - x0) * t / 5.0;
        s << "<line x1=\"" << left << "\" x2=\"" << left + W << "\" y1=\"" << py(yv) << "\" y2=\"" << py(yv) << "\" stroke=\"#e5e5e5\"/>";
        s << "<text x=\"" << left - 5 << "\" y=\"" << py(yv) + 4 << "\" text-anchor=\"end\">" << number(yv) << "</text>";
        const double xd = c.logX ? std::pow(10.0, xv) : xv;
        s << "<text x=\"" << px(xd) << "\" y=\"" << top + H + 15 << "\" text-anchor=\"middle\">" << number(xd) << "</text>\n";
    }
    for (std::size_t k = 0; k < c.markers.size(); ++k) {
        const auto& [x, label] = c.markers[k];
        if (!std::isfinite(tx(x)) || tx(x) < x0 || tx(x) > x1) continue;
        s << "<line x1=\"" << px(x) << "\" x2=\"" << px(x) << "\" y1=\"" << top << "\" y2=\"" << top + H << "\" stroke=\"#555\" stroke-dasharray=\"4,3\"/>";
        s << "<text x=\"" << px(x) + 3 << "\" y=\"" << top + 12 + 13 * double(k) << "\" fill=\"#555\">" << xmlEscape(label) << "</text>\n";
    }
    for (std::size_t k = 0; k < c.series.size(); ++k) {
        const auto& se = c.series[k];
        std::string path;
        bool pen = false;
        for (std::size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
            if (!std::isfinite(se.y[i]) || !std::isfinite(tx(se.x[i]))) {
                pen = false;
                continue;
            }
            std::ostringstream p;
            p << std::fixed << std::setprecision(1) << (pen ? " L" : " M") << px(se.x[i]) << "," << py(se.y[i]);
            path += p.str();
            pen = true;
        }
        s << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << palette[k % 8] << "\" stroke-width=\"2\"" << (se.dashed ? " stroke-dasharray=\"6,4\"" : "")
          << "/>\n";
    }
    s << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + H << "\" stroke=\"#333\"/>";
    s << "<line x1=\"" << left << "\" x2=\"" << left + W << "\" y1=\"" << top + H << "\" y2=\"" << top + H << "\" stroke=\"#333\"/>\n";
    s << "<text x=\"" << left + W / 2 << "\" y=\"" << top + H + 32 << "\" text-anchor=\"middle\">" << xmlEscape(c.xLabel) << "</text>\n";
    s << "<text transform=\"translate(14," << top + H / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << xmlEscape(c.yLabel) << "</text>\n";
    for (std::size_t k = 0; k < c.series.size(); ++k) {
        const auto [lx, row] = legendAt[k];
        const double ly = top + H + 52 + 16 * row;
        s << "<line x1=\"" << lx << "\" x2=\"" << lx + 16 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke=\"" << palette[k % 8]
          << "\" stroke-width=\"2\"" << (c.series[k].dashed ? " stroke-dasharray=\"6,4\"" : "") << "/>";
        s << "<text x=\"" << lx + 20 << "\" y=\"" << ly + 4 << "\">" << xmlEscape(c.series[k].name) << "</text>";
    }
    s << "\n</svg>\n";
    return s.str();
}

} // namespace nm::theory
