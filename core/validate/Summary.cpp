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
#include "validate/ReportFields.hpp"
#include "validate/Representation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace nm::validate {

using namespace report;

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
        // The fields every section's options share, where it has them.
        auto common = [&](auto v) {
            v.bundle = o.bundle;
            v.datasets = o.datasets;
            if constexpr (requires { v.truth; }) v.truth = o.truth;
            if constexpr (requires { v.cacheDir; }) v.cacheDir = o.cacheDir;
            return v;
        };
        try {
            if (name == "reconstruction") {
                auto v = common(ReconstructionOptions{});
                v.seed = o.seed;
                section["report"] = validateReconstruction(v, child).toJson();
            } else if (name == "representation") {
                auto v = common(RepresentationOptions{});
                v.maps = o.maps;
                v.literature = o.literature;
                v.maxTerms = o.maxTerms;
                v.seed = o.seed;
                if (!provenanceProblem.empty()) v.baselines = {"aal", "harvard-oxford"};
                section["report"] = validateRepresentation(v, child).toJson();
            } else if (name == "decoding") {
                auto v = common(DecodingValidationOptions{});
                v.decoder.seed = o.seed;
                section["report"] = validateDecoding(v, child).toJson();
            } else if (name == "network") {
                section["report"] = validateNetwork(common(NetworkValidationOptions{}), child).toJson();
            } else if (name == "personalization") {
                auto v = common(PersonalizationOptions{});
                v.personalize = o.personalize;
                v.personalize.cacheDir = o.cacheDir;
                v.maxSubjects = o.personalizationSubjects;
                v.variant = false;
                section["report"] = validatePersonalization(v, child).toJson();
            } else if (name == "leave-one-study-out") {
                auto v = common(LeaveStudyOutOptions{});
                v.studies = o.leaveOut;
                v.workDir = o.workDir;
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
