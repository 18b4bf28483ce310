// Readings and charts of validation reports (validate/Summary.hpp): one line per figure with its
// baseline, grouped bar charts, their long table.
#include "validate/Summary.hpp"

#include "validate/LeaveStudyOut.hpp"
#include "validate/ReportFields.hpp"

#include <set>

namespace nm::validate {

using namespace report;

namespace {

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
    const auto ev = byMethod(j.contains("held_out_runs") ? arr(j["held_out_runs"], "summary") : json::array(), "explained_variance");
    for (int k : atlasScales(ev, "fugw")) {
        const double f = lookup(ev, "fugw", k), id = lookup(ev, "identity", k);
        out.push_back({"personalization", "held-out run explained variance", k, f, id, "identity",
                       "a run the personalization did not see: the personalized maps at k = " + std::to_string(k) +
                           " explain " + fmt(100 * f, 1) + " % of its variance vs " + fmt(100 * id, 1) + " % for the group maps"});
    }
    if (j.contains("contrasts")) {
        std::map<std::string, json> by;
        for (const auto& c : arr(j["contrasts"], "scores")) by[str(c, "method")] = c;
        if (by.count("fugw") && by.count("identity")) {
            const auto &f = by["fugw"], &id = by["identity"];
            out.push_back({"personalization", "between-subject r of contrast maps", 0, num(f, "between_subject_r"),
                           num(id, "between_subject_r"), "identity",
                           "contrast maps of " + std::to_string(int(num(f, "subjects"))) + " subjects: between-subject r " +
                               fmt(num(f, "between_subject_r"), 3) + " after FUGW vs " + fmt(num(id, "between_subject_r"), 3) +
                               " without; cross-subject decoding " + pct(num(f, "decoding_accuracy")) + " vs " +
                               pct(num(id, "decoding_accuracy")) + " (chance " + pct(num(f, "chance")) + ")"});
        }
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
        if (j.contains("held_out_runs") && !arr(j["held_out_runs"], "summary").empty())
            out.push_back(methodChart(kind, "Personalization: explained variance of a held-out run", "explained variance (%)",
                                      byMethod(arr(j["held_out_runs"], "summary"), "explained_variance"), 100.0,
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

} // namespace nm::validate
