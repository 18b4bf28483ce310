#include "generative/CrossSpecies.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Xml.hpp"
#include "graph/Metrics.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace nm::generative {

NetworkReport reportNetwork(const std::string& name, const Matrix& Win, const Matrix& coordinates, const ReportOptions& o) {
    auto stage = [&](const std::string& s) {
        if (o.progress) o.progress(name + ": " + s);
    };
    NetworkReport r;
    r.name = name;
    Matrix W = graph::symmetrize(Win.cwiseAbs());
    W.diagonal().setZero();
    if (o.density) W = graph::thresholdDensity(W, *o.density);
    const Matrix A = graph::binarize(W);
    const Eigen::Index n = A.rows();
    stage("measures and nulls");
    graph::SummaryOptions so;
    so.runs = o.communityRuns;
    so.nulls = o.nulls;
    so.nullIterations = o.nullIterations;
    so.seed = o.seed;
    r.summary = graph::summarize(A, so);
    if (r.summary.richClub) {
        const auto& rc = r.summary.richClub->normalized;
        for (Eigen::Index k = 0; k < rc.size(); ++k)
            if (std::isfinite(rc[k]) && r.summary.richClub->coefficient[k] > 0 && rc[k] > r.maxNormalizedRichClub) {
                // Only degrees with at least 5 rich nodes: the tail of few nodes is noise.
                if ((graph::degree(A).array() > double(k + 1)).count() >= 5) r.maxNormalizedRichClub = rc[k], r.richClubK = int(k + 1);
            }
    }
    stage("consensus partition");
    graph::CommunityOptions co;
    co.runs = o.communityRuns;
    co.seed = o.seed;
    const auto cons = graph::consensusPartition(A, co, o.consensusRuns, 10);
    r.consensusQ = cons.partition.q;
    r.consensusModules = *std::max_element(cons.partition.module.begin(), cons.partition.module.end());
    // Modularity of degree-preserving nulls: is the network more modular than its degrees make it?
    std::vector<double> qn(static_cast<std::size_t>(std::max(o.nulls, 2)));
#pragma omp parallel for schedule(dynamic)
    for (int k = 0; k < int(qn.size()); ++k) {
        graph::CommunityOptions one = co;
        one.runs = std::max(1, o.communityRuns / 4);
        qn[std::size_t(k)] = graph::communities(graph::randmioUnd(A, o.nullIterations, o.seed * 7919ull + std::uint64_t(k)).network, one).q;
    }
    for (double q : qn) r.nullQ += q / double(qn.size());
    for (double q : qn) r.nullQSd += (q - r.nullQ) * (q - r.nullQ) / double(qn.size() - 1);
    r.nullQSd = std::sqrt(r.nullQSd);
    r.qZ = r.nullQSd > 0 ? (r.summary.q - r.nullQ) / r.nullQSd : std::nan("");
    // Generative models on the node positions.
    r.hasCoordinates = coordinates.rows() == n && coordinates.cols() >= 2;
    if (r.hasCoordinates) {
        stage("generative models");
        const Matrix D = graph::euclideanDistances(coordinates);
        FitOptions fo;
        fo.repetitions = o.repetitions;
        fo.seed = o.seed;
        const Fitter fitter(A, D, fo);
        const auto etas = o.etas.empty() ? std::vector<double>{-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0} : o.etas;
        const auto gammas = o.gammas.empty() ? std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5, 2} : o.gammas;
        std::vector<FitPoint> pts;
        for (auto rule : o.rules)
            for (double e : etas)
                for (double g : (rule == Rule::Spatial ? std::vector<double>{0.0} : gammas)) pts.push_back({rule, e, g, {}, 0, 0});
        fitter.evaluate(pts);
        for (auto rule : o.rules) {
            const FitPoint* b = nullptr;
            for (const auto& p : pts)
                if (p.rule == rule && (!b || p.energy < b->energy)) b = &p;
            r.fits.push_back({rule, b->energy, b->eta, b->gamma});
            if (!r.best || b->energy < r.best->energy) r.best = r.fits.back();
        }
    }
    return r;
}

namespace {
std::string num(double v, int prec = 3) {
    std::ostringstream s;
    s << std::setprecision(prec) << v;
    return s.str();
}
} // namespace

void writeReportSvg(const std::filesystem::path& file, const std::vector<NetworkReport>& reports, const std::string& title) {
    if (reports.empty()) throw InputError("report figure: no networks");
    struct Panel {
        std::string title, ref;  // ref: reference line label
        double refValue;
        std::function<double(const NetworkReport&)> value, marker;
        std::function<std::string(const NetworkReport&)> label = nullptr;  ///< inside the bar
    };
    auto sw = [](const NetworkReport& r, auto f) { return r.summary.smallWorld ? f(*r.summary.smallWorld) : std::nan(""); };
    const std::vector<Panel> panels = {
        {"Clustering C / C_null (- - - null)", "null", 1.0, [&](const auto& r) { return sw(r, [](const auto& s) { return s.clustering / s.nullClustering; }); }, nullptr},
        {"Path length L / L_null (- - - null)", "null", 1.0, [&](const auto& r) { return sw(r, [](const auto& s) { return s.pathLength / s.nullPathLength; }); }, nullptr},
        {"Small-world σ", "σ = 1", 1.0, [&](const auto& r) { return sw(r, [](const auto& s) { return s.sigma; }); }, nullptr},
        {"Small-world ω (−1 lattice, +1 random)", "ω = 0", 0.0, [&](const auto& r) { return sw(r, [](const auto& s) { return s.omega; }); }, nullptr},
        {"Modularity Q (○ degree-preserving nulls)", "", std::nan(""), [](const auto& r) { return r.summary.q; }, [](const auto& r) { return r.nullQ; }},
        {"Best generative energy (lower = better)", "", std::nan(""), [](const auto& r) { return r.best ? r.best->energy : std::nan(""); }, nullptr,
         [](const auto& r) { return r.best ? ruleName(r.best->rule) : std::string(); }},
    };
    const int cols = 3, rows = 2, pw = 360, ph = 270, ml = 62, mt = 50, mb = 80;
    const int W = cols * pw, H = rows * ph + mt;
    static const char* colours[] = {"#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB", "#332288"};
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s << "<text x=\"" << W / 2 << "\" y=\"30\" font-size=\"18\" font-weight=\"bold\" text-anchor=\"middle\">" << xmlEscape(title) << "</text>\n";
    for (std::size_t p = 0; p < panels.size(); ++p) {
        const auto& P = panels[p];
        const int x0 = int(p % cols) * pw, y0 = mt + int(p / cols) * ph;
        const int plotW = pw - ml - 14, plotH = ph - 34 - mb;
        const int px = x0 + ml, py = y0 + 28;
        double lo = 0, hi = 0;
        for (const auto& r : reports) {
            for (double v : {P.value(r), P.marker ? P.marker(r) : std::nan("")})
                if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
        if (std::isfinite(P.refValue)) lo = std::min(lo, P.refValue), hi = std::max(hi, P.refValue);
        if (hi - lo <= 0) hi = lo + 1;
        const double pad = 0.08 * (hi - lo);
        hi += pad;
        if (lo < 0) lo -= pad;
        auto Y = [&](double v) { return py + plotH * (hi - v) / (hi - lo); };
        s << "<text x=\"" << x0 + pw / 2 << "\" y=\"" << y0 + 16 << "\" font-size=\"13\" text-anchor=\"middle\">" << xmlEscape(P.title) << "</text>\n";
        s << "<line x1=\"" << px << "\" y1=\"" << py << "\" x2=\"" << px << "\" y2=\"" << py + plotH << "\" stroke=\"black\"/>\n";
        // Nice ticks: steps of 1, 2, 2.5 or 5 × 10^k, about five of them.
        const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
        double step = mag;
        for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
            if (f * mag >= raw) {
                step = f * mag;
                break;
            }
        for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
            const double tv = std::abs(v) < 1e-9 * step ? 0.0 : v;
            s << "<line x1=\"" << px - 4 << "\" y1=\"" << Y(tv) << "\" x2=\"" << px << "\" y2=\"" << Y(tv) << "\" stroke=\"black\"/>"
              << "<text x=\"" << px - 6 << "\" y=\"" << Y(tv) + 4 << "\" font-size=\"10\" text-anchor=\"end\">" << num(tv, 3) << "</text>\n";
        }
        s << "<line x1=\"" << px << "\" y1=\"" << Y(0) << "\" x2=\"" << px + plotW << "\" y2=\"" << Y(0) << "\" stroke=\"black\"/>\n";
        if (std::isfinite(P.refValue) && P.refValue != 0.0)
            s << "<line x1=\"" << px << "\" y1=\"" << Y(P.refValue) << "\" x2=\"" << px + plotW << "\" y2=\"" << Y(P.refValue)
              << "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n";
        const double slot = double(plotW) / double(reports.size());
        for (std::size_t k = 0; k < reports.size(); ++k) {
            const double v = P.value(reports[k]);
            const double cx = px + slot * (double(k) + 0.5), bw = slot * 0.6;
            if (std::isfinite(v)) {
                const double top = std::min(Y(v), Y(0)), h = std::abs(Y(v) - Y(0));
                s << "<rect x=\"" << cx - bw / 2 << "\" y=\"" << top << "\" width=\"" << bw << "\" height=\"" << h << "\" fill=\"" << colours[k % 8] << "\"/>"
                  << "<text x=\"" << cx << "\" y=\"" << (v >= 0 ? top - 3 : top + h + 11) << "\" font-size=\"9\" text-anchor=\"middle\">" << num(v) << "</text>\n";
            } else {
                s << "<text x=\"" << cx << "\" y=\"" << Y(0) - 4 << "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#777\">n/a</text>\n";
            }
            if (P.marker && std::isfinite(P.marker(reports[k])))
                s << "<circle cx=\"" << cx << "\" cy=\"" << Y(P.marker(reports[k])) << "\" r=\"4\" fill=\"white\" stroke=\"black\"/>\n";
            s << "<text transform=\"translate(" << cx + 3 << "," << py + plotH + 12 << ") rotate(-30)\" font-size=\"10\" text-anchor=\"end\">" << xmlEscape(reports[k].name)
              << "</text>\n";
            if (P.label && std::isfinite(v))
                s << "<text x=\"" << cx << "\" y=\"" << std::min(Y(v), Y(0)) + 12 << "\" font-size=\"9\" text-anchor=\"middle\" fill=\"white\">" << xmlEscape(P.label(reports[k]))
                  << "</text>\n";
        }
    }
    s << "</svg>\n";
    writeFileAtomic(file, s.str());
}

} // namespace nm::generative
