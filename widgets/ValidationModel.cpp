#include "ValidationModel.hpp"

#include "common/Error.hpp"
#include "decompose/Cohort.hpp"
#include "validate/LeaveStudyOut.hpp"
#include "validate/Summary.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace nm::widgets {

std::size_t ChartSpec::pointCount() const {
    std::size_t n = 0;
    for (const auto& s : series) n += kind == Kind::Box ? s.boxes.size() : s.y.size();
    return n;
}

namespace {

using nlohmann::json;

/// Field access that names the file and the path in its error.
class Reader {
public:
    explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}
    const json& at(const json& j, const std::string& key, const std::string& where) const {
        if (!j.is_object() || !j.contains(key)) fail(where + "/" + key, "is missing");
        return j.at(key);
    }
    const json& array(const json& j, const std::string& key, const std::string& where) const {
        const json& a = at(j, key, where);
        if (!a.is_array()) fail(where + "/" + key, "must be an array");
        return a;
    }
    double number(const json& j, const std::string& key, const std::string& where) const {
        const json& v = at(j, key, where);
        if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
        if (!v.is_number()) fail(where + "/" + key, "must be a number");
        return v.get<double>();
    }
    std::string text(const json& j, const std::string& key, const std::string& where) const {
        const json& v = at(j, key, where);
        if (!v.is_string()) fail(where + "/" + key, "must be a string");
        return v.get<std::string>();
    }
    std::vector<double> numbers(const json& j, const std::string& key, const std::string& where) const {
        std::vector<double> out;
        for (const auto& v : array(j, key, where)) {
            if (!v.is_null() && !v.is_number()) fail(where + "/" + key, "must hold numbers");
            out.push_back(v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>());
        }
        return out;
    }
    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw InputError(file_.string() + ": field " + field + " " + what);
    }

private:
    std::filesystem::path file_;
};

std::string fixed(double v, int digits = 3) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

/// One series per method of an array of {method, components, <value>} entries, in the order the
/// methods first appear, each sorted by components; values multiplied by `scale`.
std::vector<ChartSeries> seriesByMethod(const json& j, const std::string& key, const std::string& value, double scale, const Reader& r) {
    std::map<std::string, ChartSeries> byMethod;
    std::vector<std::string> order;
    const auto& entries = r.array(j, key, "");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string w = "/" + key + "/" + std::to_string(i);
        const std::string m = r.text(entries[i], "method", w);
        if (!byMethod.count(m)) order.push_back(m);
        auto& s = byMethod[m];
        s.name = m;
        s.x.push_back(r.number(entries[i], "components", w));
        s.y.push_back(scale * r.number(entries[i], value, w));
    }
    std::vector<ChartSeries> out;
    for (const auto& m : order) {
        const auto& s = byMethod[m];
        std::vector<std::size_t> idx(s.x.size());
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return s.x[a] < s.x[b]; });
        ChartSeries sorted{s.name, {}, {}, {}};
        for (auto i : idx) {
            sorted.x.push_back(s.x[i]);
            sorted.y.push_back(s.y[i]);
        }
        out.push_back(sorted);
    }
    return out;
}

const ChartSeries* findSeries(const std::vector<ChartSeries>& all, const std::string& name) {
    for (const auto& s : all)
        if (s.name == name) return &s;
    return nullptr;
}

void reconstruction(const json& j, const Reader& r, ValidationReportData& d) {
    // Held-out explained variance per scale and method.
    ChartSpec ev;
    ev.id = "reconstruction/explained-variance";
    ev.title = "Held-out explained variance";
    ev.xLabel = "components";
    ev.yLabel = "held-out EV (%)";
    ev.logX = true;
    ev.series = seriesByMethod(j, "explained_variance", "held_out_explained_variance", 100.0, r);
    ev.yMin = 0.0;
    d.charts.push_back(ev);
    std::string atlasEv;
    if (const auto* atlas = findSeries(ev.series, "atlas"))
        for (std::size_t i = 0; i < atlas->x.size(); ++i)
            atlasEv += (atlasEv.empty() ? "" : ", ") + std::to_string(int(atlas->x[i])) + ": " + fixed(atlas->y[i], 1) + " %";
    d.summary = "Reconstruction — held-out EV " + (atlasEv.empty() ? std::string("n/a") : atlasEv);
    // Recovery of the truth: the distribution of matched correlations per scale.
    if (j.contains("recovery") && !r.array(j, "recovery", "").empty()) {
        ChartSpec rec;
        rec.id = "reconstruction/recovery";
        rec.title = "Recovery of the ground truth";
        rec.xLabel = "components";
        rec.yLabel = "r with the matched true map";
        rec.kind = ChartSpec::Kind::Box;
        rec.yMin = -0.1;
        rec.yMax = 1.0;
        ChartSeries box{"atlas", {}, {}, {}};
        std::vector<std::pair<int, std::vector<double>>> perComponent;
        const auto& recs = r.array(j, "recovery", "");
        for (std::size_t i = 0; i < recs.size(); ++i) {
            const std::string w = "/recovery/" + std::to_string(i);
            const int k = int(r.number(recs[i], "components", w));
            rec.categories.push_back(std::to_string(k) + " vs " + std::to_string(int(r.number(recs[i], "truth_components", w))));
            box.boxes.push_back(recs[i].contains("correlations") ? r.numbers(recs[i], "correlations", w)
                                                                  : std::vector<double>{r.number(recs[i], "mean_correlation", w)});
            if (recs[i].contains("component_correlation")) perComponent.emplace_back(k, r.numbers(recs[i], "component_correlation", w));
        }
        rec.series.push_back(box);
        d.charts.push_back(rec);
        if (!perComponent.empty()) d.componentColumns.emplace_back("Recovery r", perComponent);
    }
    // Stability across seeds: mean matched correlation per scale and other run.
    if (j.contains("stability") && !r.array(j, "stability", "").empty()) {
        ChartSpec st;
        st.id = "reconstruction/stability";
        st.title = "Stability across runs";
        st.xLabel = "components";
        st.yLabel = "mean r with the other run";
        st.logX = true;
        st.yMin = 0.0;
        st.yMax = 1.0;
        std::map<std::string, ChartSeries> byOther;
        std::vector<std::pair<int, std::vector<double>>> perComponent;
        const auto& sts = r.array(j, "stability", "");
        for (std::size_t i = 0; i < sts.size(); ++i) {
            const std::string w = "/stability/" + std::to_string(i);
            const std::string other = std::filesystem::path(r.text(sts[i], "other", w)).filename().string();
            auto& s = byOther[other];
            s.name = "vs " + other;
            s.x.push_back(r.number(sts[i], "components", w));
            s.y.push_back(r.number(sts[i], "mean_correlation", w));
            if (sts[i].contains("component_correlation") && perComponent.size() < sts.size())
                perComponent.emplace_back(int(s.x.back()), r.numbers(sts[i], "component_correlation", w));
        }
        for (auto& [o, s] : byOther) st.series.push_back(s);
        d.charts.push_back(st);
        if (!perComponent.empty()) d.componentColumns.emplace_back("Stability r", perComponent);
    }
}

void network(const json& j, const Reader& r, ValidationReportData& d) {
    const auto& scales = r.array(j, "scales", "");
    std::string summary;
    for (std::size_t si = 0; si < scales.size(); ++si) {
        const std::string w = "/scales/" + std::to_string(si);
        const int k = int(r.number(scales[si], "components", w));
        ChartSpec pr;
        pr.id = "network/precision-recall/" + std::to_string(k);
        pr.title = "Network recovery (" + std::to_string(k) + " components): precision–recall";
        pr.xLabel = "recall (true edges found)";
        pr.yLabel = "precision (edges true)";
        pr.yMin = 0.0;
        pr.yMax = 1.0;
        pr.xMin = 0.0;
        pr.xMax = 1.0;
        ChartSpec f1;
        f1.id = "network/f1/" + std::to_string(k);
        f1.title = "Network recovery (" + std::to_string(k) + " components): F1";
        f1.xLabel = "edges (matched components)";
        f1.yLabel = "F1 of the support";
        f1.yMin = 0.0;
        f1.yMax = 1.0;
        const auto& curves = r.array(scales[si], "curves", w);
        for (std::size_t c = 0; c < curves.size(); ++c) {
            const std::string wc = w + "/curves/" + std::to_string(c);
            ChartSeries a{r.text(curves[c], "method", wc), {}, {}, {}}, b = a;
            const auto& pts = r.array(curves[c], "points", wc);
            for (std::size_t p = 0; p < pts.size(); ++p) {
                const std::string wp = wc + "/points/" + std::to_string(p);
                const double edges = r.number(pts[p], "edges", wp);
                if (edges <= 0) continue;
                a.x.push_back(r.number(pts[p], "recall", wp));
                a.y.push_back(r.number(pts[p], "precision", wp));
                b.x.push_back(edges);
                b.y.push_back(r.number(pts[p], "f1", wp));
            }
            pr.series.push_back(a);
            f1.series.push_back(b);
            const auto& best = r.at(curves[c], "best_f1", wc);
            summary += (summary.empty() ? "" : ", ") + a.name + " F1 " + fixed(r.number(best, "f1", wc + "/best_f1"), 2);
        }
        d.charts.push_back(pr);
        d.charts.push_back(f1);
    }
    d.summary = "Network recovery — best " + summary;
}

void decoding(const json& j, const Reader& r, ValidationReportData& d) {
    d.summary = "Decoding";
    if (j.contains("recovery") && !r.array(j, "recovery", "").empty()) {
        ChartSpec rec;
        rec.id = "decoding/labels";
        rec.title = "Labels against the true concept–component pairs";
        rec.xLabel = "components";
        rec.yLabel = "score";
        rec.kind = ChartSpec::Kind::Bar;
        rec.yMin = 0.0;
        rec.yMax = 1.0;
        ChartSeries auc{"AUC", {}, {}, {}}, prec{"precision", {}, {}, {}}, recall{"recall", {}, {}, {}},
            aucForward{"AUC (forward t)", {}, {}, {}};
        const auto& recs = r.array(j, "recovery", "");
        for (std::size_t i = 0; i < recs.size(); ++i) {
            const std::string w = "/recovery/" + std::to_string(i);
            rec.categories.push_back(std::to_string(int(r.number(recs[i], "components", w))));
            auc.y.push_back(r.number(recs[i], "auc", w));
            prec.y.push_back(r.number(recs[i], "precision", w));
            recall.y.push_back(r.number(recs[i], "recall", w));
            // Reports before the forward view lack it: no bars.
            aucForward.y.push_back(recs[i].contains("auc_forward") ? r.number(recs[i], "auc_forward", w) : std::nan(""));
        }
        rec.series = {auc, prec, recall};
        if (std::any_of(aucForward.y.begin(), aucForward.y.end(), [](double v) { return std::isfinite(v); })) rec.series.push_back(aucForward);
        d.charts.push_back(rec);
        d.summary += " — label AUC " + fixed(auc.y.back(), 2) + " at " + rec.categories.back();
    }
    if (j.contains("decoding") && j["decoding"].is_object()) {
        const auto& dec = j["decoding"];
        ChartSpec acc;
        acc.id = "decoding/studies";
        acc.title = "Decoding accuracy per study (" + std::to_string(int(r.number(dec, "components", "/decoding"))) + " components)";
        acc.xLabel = "study";
        acc.yLabel = "accuracy (held-out maps)";
        acc.kind = ChartSpec::Kind::Bar;
        acc.yMin = 0.0;
        acc.yMax = 1.0;
        ChartSeries multi{"multi-study", {}, {}, {}}, comp{"components", {}, {}, {}}, vox{"voxels", {}, {}, {}}, chance{"chance", {}, {}, {}};
        const auto& studies = r.array(dec, "studies", "/decoding");
        for (std::size_t i = 0; i < studies.size(); ++i) {
            const std::string w = "/decoding/studies/" + std::to_string(i);
            acc.categories.push_back(r.text(studies[i], "study", w));
            multi.y.push_back(r.number(studies[i], "multi_study", w));
            comp.y.push_back(r.number(studies[i], "components", w));
            vox.y.push_back(r.number(studies[i], "voxels", w));
            chance.y.push_back(r.number(studies[i], "chance", w));
        }
        acc.series.clear();
        // A decoder the report did not run (null accuracies) gets no bars rather than zeros.
        for (const auto& series : {multi, comp, vox, chance})
            if (std::any_of(series.y.begin(), series.y.end(), [](double v) { return std::isfinite(v); })) acc.series.push_back(series);
        d.charts.push_back(acc);
        d.summary += ", multi-study gain " + fixed(100.0 * r.number(dec, "mean_gain_over_components", "/decoding"), 1) + " points";
    }
}

void personalization(const json& j, const Reader& r, ValidationReportData& d) {
    ChartSpec g;
    g.id = "personalization/correlation";
    g.title = "Personalization: r with the subjects' true maps";
    g.xLabel = "components";
    g.yLabel = "mean r with the true map";
    g.logX = true;
    g.series = seriesByMethod(j, "summary", "mean_r", 1.0, r);
    d.charts.push_back(g);
    d.summary = "Personalization of " + std::to_string(r.array(j, "subjects", "").size()) + " held-out subjects";
    const auto *fugw = findSeries(g.series, "fugw"), *identity = findSeries(g.series, "identity");
    if (fugw && identity && !fugw->y.empty() && !identity->y.empty())
        d.summary += " — FUGW r " + fixed(fugw->y.back(), 3) + " vs identity " + fixed(identity->y.back(), 3) + " at " + std::to_string(int(fugw->x.back()));
}

void representation(const json& j, const Reader& r, ValidationReportData& d) {
    // One chart per source: the mean explained fraction per method and number of components.
    std::map<std::string, nlohmann::json> bySource;
    const auto& scores = r.array(j, "scores", "");
    std::vector<std::string> sources;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const std::string src = r.text(scores[i], "source", "/scores/" + std::to_string(i));
        if (!bySource.count(src)) {
            sources.push_back(src);
            bySource[src] = {{"scores", json::array()}};
        }
        json e = scores[i];
        e["mean_percent"] = 100.0 * r.number(scores[i], "mean", "/scores/" + std::to_string(i));
        bySource[src]["scores"].push_back(e);
    }
    std::string summary;
    for (const auto& src : sources) {
        ChartSpec c;
        c.id = "representation/" + src;
        c.title = "Representation of unseen maps: " + src;
        c.xLabel = "components";
        c.yLabel = "explained (%)";
        c.logX = true;
        c.yMin = 0.0;
        c.series = seriesByMethod(bySource[src], "scores", "mean_percent", 1.0, r);
        d.charts.push_back(c);
        if (const auto* atlas = findSeries(c.series, "atlas"); atlas && !atlas->y.empty()) {
            summary += (summary.empty() ? "" : "; ") + src + " " + fixed(atlas->y.back(), 1) + " % at " + std::to_string(int(atlas->x.back()));
            if (const auto* pca = findSeries(c.series, "pca"); pca && !pca->y.empty())
                summary += " (PCA " + fixed(pca->y.back(), 1) + " %)";
        }
    }
    d.summary = "Representation of unseen maps — " + summary;
}

void leaveStudyOut(const json& j, const Reader& r, ValidationReportData& d) {
    const auto& studies = r.array(j, "studies", "");
    std::string summary;
    for (std::size_t i = 0; i < studies.size(); ++i) {
        const std::string w = "/studies/" + std::to_string(i);
        const std::string study = r.text(studies[i], "study", w);
        auto chart = [&](const std::string& id, const std::string& title, const std::string& y, const json& entries, const std::string& value, double scale) {
            ChartSpec c;
            c.id = "leave-one-study-out/" + study + "/" + id;
            c.title = "Left out " + study + ": " + title;
            c.xLabel = "components";
            c.yLabel = y;
            c.logX = true;
            c.yMin = 0.0;
            c.series = seriesByMethod(json{{"entries", entries}}, "entries", value, scale, r);
            d.charts.push_back(c);
            return c;
        };
        const auto ev = chart("explained-variance", "explained variance of its runs", "explained variance (%)", r.array(studies[i], "explained_variance", w),
                              "explained_variance", 100.0);
        chart("contrasts", "its contrast maps", "explained energy (%)", r.array(studies[i], "contrasts", w), "mean", 100.0);
        // Accuracy per (method, components), averaged over the study's tasks; the voxels (no
        // components) stay in the readings.
        std::map<std::pair<std::string, double>, std::pair<double, int>> acc;
        const auto& dec = r.array(studies[i], "decoding", w);
        for (std::size_t k = 0; k < dec.size(); ++k) {
            const std::string dw = w + "/decoding/" + std::to_string(k);
            const std::string m = r.text(dec[k], "method", dw);
            if (m == "voxels") continue;
            auto& a = acc[{m, r.number(dec[k], "components", dw)}];
            a.first += r.number(dec[k], "accuracy", dw);
            a.second += 1;
        }
        json mean = json::array();
        for (const auto& [key, a] : acc) mean.push_back({{"method", key.first}, {"components", key.second}, {"accuracy", a.first / a.second}});
        chart("decoding", "decoding its conditions", "accuracy", mean, "accuracy", 1.0);
        if (const auto* a = findSeries(ev.series, validate::kAtlasWithoutStudy); a && !a->y.empty()) {
            summary += (summary.empty() ? "" : "; ") + study + ": EV " + fixed(a->y.back(), 1) + " % at " + std::to_string(int(a->x.back()));
            if (const auto* w2 = findSeries(ev.series, validate::kAtlasWithStudy); w2 && !w2->y.empty()) summary += " (seen: " + fixed(w2->y.back(), 1) + " %)";
        }
    }
    d.summary = "Leave-one-study-out — " + summary;
}

} // namespace

std::vector<ValidationReportData> parseValidationReports(const nlohmann::json& j, const std::filesystem::path& file) {
    const Reader r(file);
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string() || j["kind"] != "all") return {parseValidationReport(j, file)};
    std::vector<ValidationReportData> out;
    ValidationReportData summary;
    summary.kind = "summary";
    summary.file = file;
    const auto& sections = r.array(j, "sections", "");
    int done = 0;
    std::string skipped;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const std::string w = "/sections/" + std::to_string(i);
        const std::string status = r.text(sections[i], "status", w), name = r.text(sections[i], "name", w);
        if (status == "done") {
            ++done;
            auto d = parseValidationReport(r.at(sections[i], "report", w), file);
            out.push_back(std::move(d));
        } else {
            skipped += (skipped.empty() ? "" : ", ") + name + (status == "failed" ? " (failed)" : "");
        }
    }
    summary.summary = "Summary (" + file.filename().string() + "): " + std::to_string(done) + " of " + std::to_string(sections.size()) + " sections" +
                      (skipped.empty() ? "" : "; not run: " + skipped);
    for (const auto& x : validate::readingsOf(j)) summary.readings.push_back(x.text);
    out.insert(out.begin(), std::move(summary));
    return out;
}

ValidationReportData parseValidationReport(const nlohmann::json& j, const std::filesystem::path& file) {
    const Reader r(file);
    if (!j.is_object()) r.fail("/", "must be a JSON object (a report of neuromosaic-cli validate)");
    ValidationReportData d;
    d.file = file;
    if (j.contains("kind")) d.kind = r.text(j, "kind", "");
    else if (j.contains("explained_variance")) d.kind = "reconstruction";  // reports written before "kind"
    else if (j.contains("displacement")) d.kind = "personalization";
    else if (j.contains("decoding") || j.contains("literature")) d.kind = "decoding";
    if (d.kind == "reconstruction") reconstruction(j, r, d);
    else if (d.kind == "network") network(j, r, d);
    else if (d.kind == "decoding") decoding(j, r, d);
    else if (d.kind == "personalization") personalization(j, r, d);
    else if (d.kind == "representation") representation(j, r, d);
    else if (d.kind == "leave-one-study-out") leaveStudyOut(j, r, d);
    else
        r.fail("/kind", "must be reconstruction, network, decoding, personalization, representation or leave-one-study-out (got '" + d.kind +
                            "'; a report of validate all holds several: readValidationReports)");
    for (const auto& x : validate::readingsOf(j)) d.readings.push_back(x.text);
    return d;
}

namespace {
nlohmann::json readReportJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw InputError(file.string() + ": cannot open the report");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string() + ": not valid JSON (" + e.what() + ")");
    }
    return j;
}
} // namespace

ValidationReportData readValidationReport(const std::filesystem::path& file) { return parseValidationReport(readReportJson(file), file); }

std::vector<ValidationReportData> readValidationReports(const std::filesystem::path& file) {
    return parseValidationReports(readReportJson(file), file);
}

std::filesystem::path validationDirectory(const std::filesystem::path& bundle) {
    std::string name = bundle.filename().string();
    for (const std::string ext : {".nmatlas.h5", ".h5"})
        if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
            name.resize(name.size() - ext.size());
            break;
        }
    return bundle.parent_path() / (name + ".validation");
}

std::vector<std::filesystem::path> cachedReports(const std::filesystem::path& bundle) {
    std::vector<std::filesystem::path> out;
    const auto dir = validationDirectory(bundle);
    for (const std::string n : {"reconstruction", "network", "decoding", "personalization", "representation", "leave-one-study-out", "all"})
        if (std::filesystem::is_regular_file(dir / (n + ".json"))) out.push_back(dir / (n + ".json"));
    return out;
}

std::vector<ValidationJob> validationJobs(const std::filesystem::path& bundle, bool truthNetwork, bool labelled,
                                          const std::filesystem::path& literature) {
    const auto dir = validationDirectory(bundle);
    std::vector<ValidationJob> jobs;
    auto add = [&](const std::string& what, const std::string& title) {
        const auto report = dir / (what + ".json");
        jobs.push_back({title + " of " + bundle.filename().string(),
                        {"validate", what, bundle.string(), "-o", report.string(), "--tsv", (dir / (what + ".tsv")).string()},
                        report});
    };
    add("reconstruction", "Validate reconstruction");
    if (truthNetwork) add("network", "Validate network");
    if (labelled) add("decoding", "Validate decoding");
    if (!literature.empty()) {
        add("representation", "Validate representation");
        jobs.back().arguments.insert(jobs.back().arguments.end(), {"--literature", literature.string()});
    }
    return jobs;
}

ValidationJob validateAllJob(const std::filesystem::path& bundle, const std::filesystem::path& literature) {
    const auto report = validationDirectory(bundle) / "all.json";
    ValidationJob j{"Validate everything (one report) of " + bundle.filename().string(), {"validate", "all", bundle.string(), "-o", report.string()}, report};
    if (!literature.empty()) j.arguments.insert(j.arguments.end(), {"--literature", literature.string()});
    return j;
}

std::vector<ValidationJob> validationJobsFor(const std::filesystem::path& file, const io::AtlasBundle* bundle,
                                             const std::filesystem::path& literature) {
    bool labelled = false, truthNetwork = false;
    if (bundle) {
        for (const auto& s : bundle->scales) labelled = labelled || s.labels.has_value();
        try {
            for (const auto& d : decompose::bundleInputs(*bundle, file).datasets)
                for (const auto& s : bundle->scales)
                    truthNetwork = truthNetwork || std::filesystem::exists(d / "derivatives" / "ground_truth" /
                                                                           ("network_scale-" + std::to_string(s.components) + "_precision.npy"));
        } catch (const InputError&) {
            // not written by learn (no provenance): no datasets to look in
        }
    }
    return validationJobs(file, truthNetwork, labelled, literature);
}

} // namespace nm::widgets
