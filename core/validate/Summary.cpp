#include "validate/Summary.hpp"

#include "common/Error.hpp"
#include "common/Xml.hpp"
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "jobs/Progress.hpp"
#include "validate/Decoding.hpp"
#include "validate/LeaveStudyOut.hpp"
#include "validate/Network.hpp"
#include "validate/Personalization.hpp"
#include "validate/Reconstruction.hpp"
#include "validate/Representation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace nm::validate {

namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double num(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return kNaN;
    return j[key].get<double>();
}
std::string str(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
const json& arr(const json& j, const char* key) {
    static const json empty = json::array();
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : empty;
}

std::string fmt(double v, int digits) {
    if (!std::isfinite(v)) return "n/a";
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}
std::string pct(double fraction) { return fmt(100.0 * fraction, 1) + " %"; }
/// "+14.5 points" / "−2.0 points" between two fractions.
std::string points(double a, double b) {
    const double d = 100.0 * (a - b);
    return (d >= 0 ? "+" : "−") + fmt(std::abs(d), 1) + " points";
}
std::string prettyMethod(const std::string& m) {
    if (m == "pca") return "PCA";
    if (m == "aal") return "AAL";
    if (m == "harvard-oxford") return "Harvard–Oxford";
    return m;
}

/// (method, components) → value of an array of entries.
std::map<std::pair<std::string, int>, double> byMethod(const json& entries, const char* value) {
    std::map<std::pair<std::string, int>, double> out;
    for (const auto& e : entries) out[{str(e, "method"), int(num(e, "components"))}] = num(e, value);
    return out;
}
double lookup(const std::map<std::pair<std::string, int>, double>& m, const std::string& method, int k) {
    const auto it = m.find({method, k});
    return it == m.end() ? kNaN : it->second;
}
std::vector<int> atlasScales(const std::map<std::pair<std::string, int>, double>& m, const std::string& atlasMethod = "atlas") {
    std::vector<int> ks;
    for (const auto& [key, v] : m)
        if (key.first == atlasMethod) ks.push_back(key.second);
    std::sort(ks.begin(), ks.end());
    return ks;
}
/// "AAL (116 regions) 9.8 %, Harvard–Oxford (96 regions) 8.1 %" for the parcellations in `m`.
std::string parcellations(const std::map<std::pair<std::string, int>, double>& m, bool asPercent) {
    std::string out;
    for (const auto& [key, v] : m)
        if (key.first == "aal" || key.first == "harvard-oxford")
            out += (out.empty() ? "" : ", ") + prettyMethod(key.first) + " (" + std::to_string(key.second) + " regions) " + (asPercent ? pct(v) : fmt(v, 3));
    return out;
}

void reconstructionReadings(const json& j, std::vector<Reading>& out) {
    const auto ev = byMethod(arr(j, "explained_variance"), "held_out_explained_variance");
    const std::string parcels = parcellations(ev, true);
    for (int k : atlasScales(ev)) {
        const double a = lookup(ev, "atlas", k), p = lookup(ev, "pca", k);
        std::string t = "held-out explained variance at k = " + std::to_string(k) + ": atlas " + pct(a);
        if (std::isfinite(p)) t += ", PCA " + pct(p) + " (" + points(a, p) + ")";
        if (const double tr = lookup(ev, "truth", k); std::isfinite(tr)) t += ", true maps " + pct(tr);
        if (!parcels.empty()) t += "; " + parcels;
        out.push_back({"reconstruction", "held-out explained variance", k, a, p, std::isfinite(p) ? "pca" : "", t});
    }
    for (const auto& r : arr(j, "recovery")) {
        const int k = int(num(r, "components"));
        out.push_back({"reconstruction", "recovery of the true maps", k, num(r, "mean_correlation"), kNaN, "",
                       "the maps at k = " + std::to_string(k) + " match the simulated true maps (k = " + std::to_string(int(num(r, "truth_components"))) +
                           ") with mean r " + fmt(num(r, "mean_correlation"), 3) + ", " + pct(num(r, "fraction_above_0.5")) + " above 0.5"});
    }
    for (const auto& s : arr(j, "stability")) {
        const int k = int(num(s, "components"));
        out.push_back({"reconstruction", "stability across seeds", k, num(s, "mean_correlation"), kNaN, "",
                       "stability at k = " + std::to_string(k) + " against " + str(s, "other") + ": mean r " + fmt(num(s, "mean_correlation"), 3)});
    }
}

void representationReadings(const json& j, std::vector<Reading>& out) {
    std::map<std::string, std::size_t> counts;
    for (const auto& s : arr(j, "sources")) counts[str(s, "source")] = arr(s, "maps").size();
    std::map<std::string, json> bySource;
    for (const auto& s : arr(j, "scores")) bySource[str(s, "source")].push_back(s);
    for (const auto& [source, scores] : bySource) {
        const auto m = byMethod(scores, "mean");
        const std::string parcels = parcellations(m, true);
        for (int k : atlasScales(m)) {
            const double a = lookup(m, "atlas", k), p = lookup(m, "pca", k);
            std::string t = "the atlas explains " + pct(a) + " of the energy of " + std::to_string(counts[source]) + " unseen " + source +
                            " maps at k = " + std::to_string(k);
            if (std::isfinite(p)) t += ", " + points(a, p) + " against PCA (" + pct(p) + ")";
            if (!parcels.empty()) t += "; " + parcels;
            out.push_back({"representation", "mean explained energy: " + source, k, a, p, std::isfinite(p) ? "pca" : "", t});
        }
    }
}

void decodingReadings(const json& j, std::vector<Reading>& out) {
    for (const auto& r : arr(j, "recovery")) {
        const int k = int(num(r, "components"));
        out.push_back({"decoding", "label recovery AUC", k, num(r, "auc"), 0.5, "chance",
                       "the labels at k = " + std::to_string(k) + " recover the simulated concept–component pairs with AUC " + fmt(num(r, "auc"), 3) +
                           " (chance 0.5; forward t " + fmt(num(r, "auc_forward"), 3) + "), precision " + fmt(num(r, "precision"), 2) +
                           ", recall " + fmt(num(r, "recall"), 2)});
    }
    for (const auto& l : arr(j, "literature_agreement")) {
        const int k = int(num(l, "components"));
        out.push_back({"decoding", "literature agreement", k, num(l, "mean_agreement"), kNaN, "",
                       "labels at k = " + std::to_string(k) + " agree with the literature's term maps at " + fmt(num(l, "mean_agreement"), 3) +
                           " over " + std::to_string(int(num(l, "compared"))) + " components"});
    }
    if (j.contains("decoding") && j["decoding"].is_object()) {
        const auto& d = j["decoding"];
        double multi = 0, comp = 0, vox = 0, chance = 0;
        int n = 0, nv = 0;
        for (const auto& s : arr(d, "studies")) {
            multi += num(s, "multi_study");
            comp += num(s, "components");
            chance += num(s, "chance");
            if (std::isfinite(num(s, "voxels"))) {
                vox += num(s, "voxels");
                ++nv;
            }
            ++n;
        }
        if (n) {
            const int k = int(num(d, "components"));
            std::string t = "decoding " + std::to_string(n) + " studies from k = " + std::to_string(k) + " components: multi-study " + fmt(multi / n, 3) +
                            " vs per-study " + fmt(comp / n, 3) + " (" + points(multi / n, comp / n) + ", " +
                            pct(num(d, "fraction_improved_over_components")) + " of studies improved)";
            if (nv) t += ", voxels " + fmt(vox / nv, 3);
            t += ", chance " + fmt(chance / n, 3);
            out.push_back({"decoding", "mean decoding accuracy", k, multi / n, comp / n, "per-study decoder", t});
        }
    }
}

void networkReadings(const json& j, std::vector<Reading>& out) {
    for (const auto& s : arr(j, "scales")) {
        const int k = int(num(s, "components"));
        std::map<std::string, double> best;
        for (const auto& c : arr(s, "curves"))
            if (c.contains("best_f1")) best[str(c, "method")] = num(c["best_f1"], "f1");
        std::string ours, baseline;
        double ourF1 = kNaN, baseF1 = kNaN;
        for (const auto& [m, f1] : best) {
            if (m.find("ledoit") != std::string::npos || m.find("threshold") != std::string::npos) {
                baseline = m;
                baseF1 = f1;
            } else if (!std::isfinite(ourF1) || f1 > ourF1) {
                ours = m;
                ourF1 = f1;
            }
        }
        std::string t = "sparse network at k = " + std::to_string(k) + " (" + std::to_string(int(num(s, "true_edges"))) + " true edges): best F1 " +
                        fmt(ourF1, 3) + " (" + ours + ")";
        if (!baseline.empty()) t += " vs " + fmt(baseF1, 3) + " (" + baseline + ")";
        if (s.contains("stored_network") && s["stored_network"].is_object())
            t += "; the stored network: F1 " + fmt(num(s["stored_network"], "f1"), 3) + ", AUC " + fmt(num(s["stored_network"], "auc"), 3);
        out.push_back({"network", "support F1", k, ourF1, baseF1, baseline, t});
    }
}

void personalizationReadings(const json& j, std::vector<Reading>& out) {
    const auto m = byMethod(arr(j, "summary"), "mean_r");
    for (int k : atlasScales(m, "fugw")) {
        const double f = lookup(m, "fugw", k), id = lookup(m, "identity", k), dr = lookup(m, "dual regression", k);
        std::string t = "personalized maps at k = " + std::to_string(k) + " correlate r " + fmt(f, 3) + " with the " +
                        std::to_string(arr(j, "subjects").size()) + (arr(j, "subjects").size() == 1 ? " held-out subject's" : " held-out subjects'") + " true maps vs " + fmt(id, 3) + " for the group maps";
        if (std::isfinite(dr)) t += " and " + fmt(dr, 3) + " for dual regression";
        out.push_back({"personalization", "mean r with the true subject maps", k, f, id, "identity", t});
    }
}

void leaveOutReadings(const json& j, std::vector<Reading>& out) {
    for (const auto& s : arr(j, "studies")) {
        const std::string study = str(s, "study");
        const auto ev = byMethod(arr(s, "explained_variance"), "explained_variance");
        const auto con = byMethod(arr(s, "contrasts"), "mean");
        std::map<std::pair<std::string, int>, std::pair<double, int>> acc;
        double chance = 0, voxels = kNaN;
        int chances = 0;
        for (const auto& d : arr(s, "decoding")) {
            auto& a = acc[{str(d, "method"), int(num(d, "components"))}];
            a.first += num(d, "accuracy");
            a.second += 1;
            chance += num(d, "chance");
            ++chances;
            if (str(d, "method") == "voxels") voxels = num(d, "accuracy");
        }
        auto accuracy = [&](const std::string& m, int k) {
            const auto it = acc.find({m, k});
            return it == acc.end() ? kNaN : it->second.first / it->second.second;
        };
        for (int k : atlasScales(ev)) {
            const double a = lookup(ev, kAtlasWithoutStudy, k), w = lookup(ev, kAtlasWithStudy, k), p = lookup(ev, "pca", k);
            out.push_back({"leave-one-study-out", "explained variance of the left-out study", k, a, p, "pca",
                           "learned without " + study + ", the atlas explains " + pct(a) + " of its variance at k = " + std::to_string(k) +
                               " (the atlas that saw it " + pct(w) + ", PCA without it " + pct(p) + ")"});
            const double ca = lookup(con, kAtlasWithoutStudy, k), cw = lookup(con, kAtlasWithStudy, k), cp = lookup(con, "pca", k);
            out.push_back({"leave-one-study-out", "representation of the left-out study's contrast maps", k, ca, cp, "pca",
                           "its contrast maps: " + pct(ca) + " of their energy explained at k = " + std::to_string(k) + " (with the study " + pct(cw) +
                               ", PCA " + pct(cp) + ")"});
            const double da = accuracy(kAtlasWithoutStudy, k), dw = accuracy(kAtlasWithStudy, k);
            std::string t = "its conditions decode at " + fmt(da, 3) + " from the k = " + std::to_string(k) + " components learned without it (with it " +
                            fmt(dw, 3);
            if (std::isfinite(voxels)) t += ", voxels " + fmt(voxels, 3);
            t += ", chance " + fmt(chances ? chance / chances : kNaN, 3) + ")";
            out.push_back({"leave-one-study-out", "decoding accuracy of the left-out study", k, da, dw, kAtlasWithStudy, t});
        }
    }
}

/// A grouped bar chart of (method, components) → value: categories are the numbers of components.
SummaryChart methodChart(const std::string& section, const std::string& title, const std::string& yLabel,
                         const std::map<std::pair<std::string, int>, double>& values, double scale, const std::vector<std::string>& order = {}) {
    SummaryChart c;
    c.section = section;
    c.title = title;
    c.yLabel = yLabel;
    c.xLabel = "components";
    std::set<int> ks;
    std::vector<std::string> methods = order;
    for (const auto& [key, v] : values) {
        ks.insert(key.second);
        if (std::find(methods.begin(), methods.end(), key.first) == methods.end()) methods.push_back(key.first);
    }
    // A category only one method has (a parcellation's regions, the voxels) is named after it.
    for (int k : ks) {
        std::vector<std::string> at;
        for (const auto& [key, v] : values)
            if (key.second == k && std::isfinite(v)) at.push_back(key.first);
        bool alone = at.size() == 1;
        if (alone)
            for (const auto& [key, v] : values)
                if (key.first == at[0] && key.second != k && std::isfinite(v)) alone = false;
        c.categories.push_back(!alone ? std::to_string(k) : k == 0 ? prettyMethod(at[0]) : prettyMethod(at[0]) + " (" + std::to_string(k) + ")");
    }
    for (const auto& m : methods) {
        std::vector<double> v;
        bool any = false;
        for (int k : ks) {
            const double x = lookup(values, m, k);
            any = any || std::isfinite(x);
            v.push_back(std::isfinite(x) ? scale * x : kNaN);
        }
        if (any) c.series.emplace_back(prettyMethod(m), v);
    }
    return c;
}

const std::vector<std::string> kMethodOrder{"atlas", "pca", "aal", "harvard-oxford", "truth"};

void chartsFor(const json& j, std::vector<SummaryChart>& out) {
    const std::string kind = str(j, "kind");
    if (kind == "reconstruction") {
        out.push_back(methodChart(kind, "Held-out explained variance", "explained variance (%)",
                                  byMethod(arr(j, "explained_variance"), "held_out_explained_variance"), 100.0, kMethodOrder));
    } else if (kind == "representation") {
        std::map<std::string, json> bySource;
        for (const auto& s : arr(j, "scores")) bySource[str(s, "source")].push_back(s);
        for (const auto& [source, scores] : bySource)
            out.push_back(methodChart(kind, "Representation of unseen maps: " + source, "mean explained energy (%)", byMethod(scores, "mean"), 100.0,
                                      kMethodOrder));
    } else if (kind == "decoding") {
        std::map<std::pair<std::string, int>, double> auc;
        for (const auto& r : arr(j, "recovery")) auc[{"labels", int(num(r, "components"))}] = num(r, "auc");
        if (!auc.empty()) out.push_back(methodChart(kind, "Label recovery (AUC)", "AUC", auc, 1.0));
        if (j.contains("decoding") && j["decoding"].is_object()) {
            SummaryChart c;
            c.section = kind;
            c.title = "Decoding accuracy per study";
            c.yLabel = "accuracy";
            c.xLabel = "study";
            std::vector<double> multi, comp, vox, chance;
            for (const auto& s : arr(j["decoding"], "studies")) {
                c.categories.push_back(str(s, "study"));
                multi.push_back(num(s, "multi_study"));
                comp.push_back(num(s, "components"));
                vox.push_back(num(s, "voxels"));
                chance.push_back(num(s, "chance"));
            }
            c.series = {{"multi-study", multi}, {"per-study (components)", comp}, {"voxels", vox}, {"chance", chance}};
            out.push_back(c);
        }
    } else if (kind == "network") {
        std::map<std::pair<std::string, int>, double> f1;
        for (const auto& s : arr(j, "scales"))
            for (const auto& c : arr(s, "curves"))
                if (c.contains("best_f1")) f1[{str(c, "method"), int(num(s, "components"))}] = num(c["best_f1"], "f1");
        out.push_back(methodChart(kind, "Recovery of the true network (best F1)", "F1", f1, 1.0));
    } else if (kind == "personalization") {
        out.push_back(methodChart(kind, "Personalization: r with the true subject maps", "mean r", byMethod(arr(j, "summary"), "mean_r"), 1.0,
                                  {"identity", "dual regression", "procrustes", "fugw"}));
    } else if (kind == "leave-one-study-out") {
        const std::vector<std::string> order{kAtlasWithoutStudy, kAtlasWithStudy, "pca", "aal", "harvard-oxford", "voxels"};
        for (const auto& s : arr(j, "studies")) {
            const std::string study = str(s, "study");
            out.push_back(methodChart(kind, "Left out " + study + ": explained variance of its runs", "explained variance (%)",
                                      byMethod(arr(s, "explained_variance"), "explained_variance"), 100.0, order));
            out.push_back(methodChart(kind, "Left out " + study + ": its contrast maps", "mean explained energy (%)", byMethod(arr(s, "contrasts"), "mean"),
                                      100.0, order));
            std::map<std::pair<std::string, int>, std::pair<double, int>> acc;
            for (const auto& d : arr(s, "decoding")) {
                auto& a = acc[{str(d, "method"), int(num(d, "components"))}];
                a.first += num(d, "accuracy");
                a.second += 1;
            }
            std::map<std::pair<std::string, int>, double> mean;
            for (const auto& [key, a] : acc) mean[key] = a.first / a.second;
            out.push_back(methodChart(kind, "Left out " + study + ": decoding its conditions", "accuracy", mean, 1.0, order));
        }
    }
}


} // namespace

std::vector<Reading> readingsOf(const json& j) {
    std::vector<Reading> out;
    const std::string kind = str(j, "kind");
    if (kind == "all") {
        for (const auto& s : arr(j, "sections"))
            if (str(s, "status") == "done" && s.contains("report")) {
                auto r = readingsOf(s["report"]);
                out.insert(out.end(), r.begin(), r.end());
            }
    } else if (kind == "reconstruction") reconstructionReadings(j, out);
    else if (kind == "representation") representationReadings(j, out);
    else if (kind == "decoding") decodingReadings(j, out);
    else if (kind == "network") networkReadings(j, out);
    else if (kind == "personalization") personalizationReadings(j, out);
    else if (kind == "leave-one-study-out") leaveOutReadings(j, out);
    return out;
}

std::vector<SummaryChart> chartsOf(const json& j) {
    std::vector<SummaryChart> out;
    if (str(j, "kind") == "all") {
        for (const auto& s : arr(j, "sections"))
            if (str(s, "status") == "done" && s.contains("report")) chartsFor(s["report"], out);
    } else {
        chartsFor(j, out);
    }
    out.erase(std::remove_if(out.begin(), out.end(), [](const SummaryChart& c) { return c.series.empty() || c.categories.empty(); }), out.end());
    return out;
}

io::Table chartTable(const std::vector<SummaryChart>& charts) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : charts)
        for (const auto& [name, values] : c.series)
            for (std::size_t i = 0; i < values.size() && i < c.categories.size(); ++i)
                if (std::isfinite(values[i])) rows.push_back({c.section, c.title, name, c.categories[i], fmt(values[i], 6)});
    return io::Table({"section", "chart", "series", "category", "value"}, rows);
}

// Hand-written SVG: the charts must live in a self-contained HTML file written by the Qt-free
// core (the CLI runs on headless machines), and Debian offers no C++ charting library without Qt.
std::string svgBarChart(const SummaryChart& c, int width, int height) {
    static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    const double left = 56, right = 12, top = 30, bottom = 46;
    const double plotW = width - left - right, plotH = height - top - bottom;
    double vmax = 0;
    for (const auto& [n, v] : c.series)
        for (double x : v)
            if (std::isfinite(x)) vmax = std::max(vmax, x);
    if (vmax <= 0) vmax = 1;
    // A "nice" axis maximum: 1, 2 or 5 times a power of ten.
    const double mag = std::pow(10.0, std::floor(std::log10(vmax)));
    double axisMax = mag;
    for (double f : {1.0, 2.0, 5.0, 10.0})
        if (f * mag >= vmax) {
            axisMax = f * mag;
            break;
        }
    std::ostringstream s;
    s << std::fixed << std::setprecision(1);
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    s << "<text x=\"" << left << "\" y=\"16\" font-size=\"13\" font-weight=\"bold\">" << xmlEscape(c.title) << "</text>\n";
    for (int t = 0; t <= 5; ++t) {
        const double v = axisMax * t / 5.0, y = top + plotH * (1 - v / axisMax);
        s << "<line x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\"" << y << "\" y2=\"" << y << "\" stroke=\"#ddd\"/>";
        s << "<text x=\"" << left - 4 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << fmt(v, axisMax < 1 ? 2 : (axisMax < 10 ? 1 : 0)) << "</text>\n";
    }
    s << "<text transform=\"translate(12," << top + plotH / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << xmlEscape(c.yLabel) << "</text>\n";
    const std::size_t nc = c.categories.size(), ns = c.series.size();
    // Each category's bars side by side, centred; a series without a value there takes no room.
    std::size_t widest = 1;
    for (std::size_t i = 0; i < nc; ++i) {
        std::size_t n = 0;
        for (std::size_t k = 0; k < ns; ++k) n += std::isfinite(c.series[k].second[i]);
        widest = std::max(widest, n);
    }
    const double groupW = plotW / double(std::max<std::size_t>(1, nc)), barW = groupW * 0.8 / double(widest);
    for (std::size_t i = 0; i < nc; ++i) {
        std::size_t present = 0;
        for (std::size_t k = 0; k < ns; ++k) present += std::isfinite(c.series[k].second[i]);
        const double gx = left + groupW * double(i) + (groupW - barW * double(present)) / 2;
        std::size_t slot = 0;
        for (std::size_t k = 0; k < ns; ++k) {
            const double v = c.series[k].second[i];
            if (!std::isfinite(v)) continue;
            const double h = plotH * std::clamp(v / axisMax, 0.0, 1.0);
            s << "<rect x=\"" << gx + barW * double(slot++) << "\" y=\"" << top + plotH - h << "\" width=\"" << barW * 0.92 << "\" height=\"" << h
              << "\" fill=\"" << palette[k % 8] << "\"><title>" << xmlEscape(c.series[k].first) << ", " << xmlEscape(c.categories[i]) << ": " << fmt(v, 3)
              << "</title></rect>";
        }
        s << "<text x=\"" << left + groupW * (double(i) + 0.5) << "\" y=\"" << top + plotH + 14 << "\" text-anchor=\"middle\">" << xmlEscape(c.categories[i]) << "</text>\n";
    }
    s << "<text x=\"" << left + plotW / 2 << "\" y=\"" << height - 18 << "\" text-anchor=\"middle\">" << xmlEscape(c.xLabel) << "</text>\n";
    double lx = left;
    for (std::size_t k = 0; k < ns; ++k) {
        s << "<rect x=\"" << lx << "\" y=\"" << height - 11 << "\" width=\"9\" height=\"9\" fill=\"" << palette[k % 8] << "\"/>";
        s << "<text x=\"" << lx + 12 << "\" y=\"" << height - 3 << "\">" << xmlEscape(c.series[k].first) << "</text>";
        lx += 24 + 6.5 * double(c.series[k].first.size());
    }
    s << "\n<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + plotH << "\" stroke=\"#333\"/>";
    s << "<line x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\"" << top + plotH << "\" y2=\"" << top + plotH << "\" stroke=\"#333\"/>\n</svg>\n";
    return s.str();
}

std::string htmlSummary(const json& all) {
    std::ostringstream h;
    const std::string atlas = str(all, "atlas");
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Validation of " << xmlEscape(atlas) << "</title>\n"
      << "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}h2{border-bottom:1px solid #ccc}"
         "td,th{padding:2px 8px;text-align:left}.skipped{color:#888}.failed{color:#b00}li{margin:2px 0}</style></head><body>\n";
    h << "<h1>Validation of " << xmlEscape(std::filesystem::path(atlas).filename().string()) << "</h1>\n<p>" << xmlEscape(atlas) << " — "
      << xmlEscape(str(all, "software")) << ", " << fmt(num(all, "seconds"), 0) << " s</p>\n";
    h << "<h2>Sections</h2>\n<table><tr><th>section</th><th>status</th><th>seconds</th><th>note</th></tr>\n";
    for (const auto& s : arr(all, "sections"))
        h << "<tr class=\"" << xmlEscape(str(s, "status")) << "\"><td>" << xmlEscape(str(s, "name")) << "</td><td>" << xmlEscape(str(s, "status")) << "</td><td>"
          << (std::isfinite(num(s, "seconds")) ? fmt(num(s, "seconds"), 1) : "") << "</td><td>" << xmlEscape(str(s, "reason")) << "</td></tr>\n";
    h << "</table>\n";
    const auto readings = readingsOf(all);
    const auto charts = chartsOf(all);
    for (const auto& section : validationSections()) {
        bool any = false;
        for (const auto& r : readings) any = any || r.section == section;
        for (const auto& c : charts) any = any || c.section == section;
        if (!any) continue;
        h << "<h2>" << xmlEscape(section) << "</h2>\n<ul>\n";
        for (const auto& r : readings)
            if (r.section == section) h << "<li>" << xmlEscape(r.text) << "</li>\n";
        h << "</ul>\n";
        for (const auto& c : charts)
            if (c.section == section) h << "<figure>" << svgBarChart(c) << "</figure>\n";
    }
    h << "</body></html>\n";
    return h.str();
}

json validateAll(const AllValidationOptions& o, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& s : o.skip)
        if (std::find(validationSections().begin(), validationSections().end(), s) == validationSections().end()) {
            std::string list;
            for (const auto& n : validationSections()) list += (list.empty() ? "" : ", ") + n;
            throw InputError("--skip: unknown section '" + s + "' (expected " + list + ")");
        }
    std::vector<std::pair<std::string, double>> plan{{"read", 1}};
    for (const auto& s : validationSections()) plan.emplace_back(s, s == "leave-one-study-out" ? 20 : (s == "personalization" ? 8 : 4));
    progress.plan(plan);
    progress.begin("read", o.bundle.string());
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    decompose::BundleInputs inputs;
    std::string provenanceProblem;
    try {
        inputs = decompose::bundleInputs(bundle, o.bundle);
    } catch (const InputError& e) {
        provenanceProblem = e.what();
    }
    const auto datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    bool labelled = false;
    for (const auto& s : bundle.scales) labelled = labelled || s.labels.has_value();
    const auto truth = findGroundTruth(o.truth, datasets);
    bool truthNetwork = false;
    if (truth)
        for (const auto& s : bundle.scales)
            truthNetwork = truthNetwork || std::filesystem::exists(*truth / ("network_scale-" + std::to_string(s.components) + "_precision.npy"));

    json sections = json::array();
    for (const auto& name : validationSections()) {
        progress.begin(name);
        json section = {{"name", name}};
        std::string why;
        if (std::find(o.skip.begin(), o.skip.end(), name) != o.skip.end()) why = "skipped on request (--skip)";
        else if (!provenanceProblem.empty() && name != "representation") why = provenanceProblem;
        else if (name == "reconstruction" && inputs.heldOutSubjects.empty()) why = "the atlas holds no held-out subjects (learn with --held-out > 0)";
        else if (name == "representation" && !o.literature && o.maps.empty()) why = "no maps to represent: give --literature and/or --maps";
        else if (name == "decoding" && !labelled) why = "the atlas has no labels (run neuromosaic-cli label on it)";
        else if (name == "network" && !truthNetwork) why = "no true network to recover (a simulated cohort's network_scale-<k>_precision.npy)";
        else if (name == "personalization" && (!truth || inputs.heldOutSubjects.empty()))
            why = !truth ? "no ground truth (personalization is scored on a simulated cohort's true subject maps)" : "the atlas holds no held-out subjects";
        else if (name == "leave-one-study-out" && o.leaveOut.empty()) why = "no study to leave out: give --leave-out <dataset>/<task>";
        if (!why.empty()) {
            section["status"] = "skipped";
            section["reason"] = why;
            progress.info(name + ": skipped — " + why);
            sections.push_back(section);
            continue;
        }
        const auto s0 = std::chrono::steady_clock::now();
        auto child = progress.child();
        try {
            if (name == "reconstruction") {
                ReconstructionOptions v;
                v.bundle = o.bundle;
                v.datasets = o.datasets;
                v.truth = o.truth;
                v.cacheDir = o.cacheDir;
                v.seed = o.seed;
                section["report"] = validateReconstruction(v, child).toJson();
            } else if (name == "representation") {
                RepresentationOptions v;
                v.bundle = o.bundle;
                v.maps = o.maps;
                v.literature = o.literature;
                v.maxTerms = o.maxTerms;
                v.datasets = o.datasets;
                v.cacheDir = o.cacheDir;
                v.seed = o.seed;
                if (!provenanceProblem.empty()) v.baselines = {"aal", "harvard-oxford"};
                section["report"] = validateRepresentation(v, child).toJson();
            } else if (name == "decoding") {
                DecodingValidationOptions v;
                v.bundle = o.bundle;
                v.datasets = o.datasets;
                v.truth = o.truth;
                v.cacheDir = o.cacheDir;
                v.decoder.seed = o.seed;
                section["report"] = validateDecoding(v, child).toJson();
            } else if (name == "network") {
                NetworkValidationOptions v;
                v.bundle = o.bundle;
                v.datasets = o.datasets;
                v.truth = o.truth;
                v.cacheDir = o.cacheDir;
                section["report"] = validateNetwork(v, child).toJson();
            } else if (name == "personalization") {
                PersonalizationOptions v;
                v.bundle = o.bundle;
                v.datasets = o.datasets;
                v.truth = o.truth;
                v.personalize = o.personalize;
                v.personalize.cacheDir = o.cacheDir;
                v.maxSubjects = o.personalizationSubjects;
                v.variant = false;
                section["report"] = validatePersonalization(v, child).toJson();
            } else if (name == "leave-one-study-out") {
                LeaveStudyOutOptions v;
                v.bundle = o.bundle;
                v.datasets = o.datasets;
                v.studies = o.leaveOut;
                v.workDir = o.workDir;
                v.cacheDir = o.cacheDir;
                v.maxIterations = o.leaveOutMaxIterations;
                v.seed = o.seed;
                section["report"] = validateLeaveStudyOut(v, child).toJson();
            }
            section["status"] = "done";
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            section["status"] = "failed";
            section["reason"] = e.what();
            progress.warn(name + " failed: " + e.what());
        }
        section["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
        sections.push_back(section);
    }
    json out = {{"kind", "all"},
                {"atlas", std::filesystem::absolute(o.bundle).string()},
                {"software", bundle.provenance.contains("software") ? bundle.provenance["software"] : json("")},
                {"sections", sections}};
    json readings = json::array();
    for (const auto& r : readingsOf(out))
        readings.push_back({{"section", r.section},
                            {"measure", r.measure},
                            {"components", r.components},
                            {"value", std::isfinite(r.value) ? json(r.value) : json()},
                            {"baseline", std::isfinite(r.baseline) ? json(r.baseline) : json()},
                            {"baseline_method", r.baselineMethod},
                            {"text", r.text}});
    out["readings"] = readings;
    out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish("validation written");
    return out;
}

} // namespace nm::validate
