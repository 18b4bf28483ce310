#include "signal/Confounds.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace nm::signal {

namespace {
const char* const kTermNames[] = {"none", "basic", "power2", "derivatives", "full"};
const std::vector<std::string> kCompcor = {"anat_combined", "anat_separated", "temporal", "temporal_anat_combined",
                                           "temporal_anat_separated"};

/// fMRIPrep's column names of a family: the base names, then the suffixes nilearn's
/// `_add_suffix` adds for the model.
std::vector<std::string> familyColumns(const std::vector<std::string>& base, ConfoundTerms t) {
    std::vector<std::string> out = base;
    if (t == ConfoundTerms::None) return {};
    std::vector<std::string> suffixes;
    if (t == ConfoundTerms::Derivatives || t == ConfoundTerms::Full) suffixes.push_back("_derivative1");
    if (t == ConfoundTerms::Power2 || t == ConfoundTerms::Full) suffixes.push_back("_power2");
    if (t == ConfoundTerms::Full) suffixes.push_back("_derivative1_power2");
    for (const auto& s : suffixes)
        for (const auto& b : base) out.push_back(b + s);
    return out;
}

bool isOutlierColumn(const std::string& c) {
    return c.find("motion_outlier") != std::string::npos || c.find("non_steady_state") != std::string::npos;
}

/// CompCor columns as nilearn's `_find_compcor` selects them: by prefix (a/t), the anatomical
/// ones by the Mask of their JSON entry (combined, or WM then CSF), in the JSON's order, the first
/// n of each.
std::vector<std::string> compcorColumns(const std::filesystem::path& table, const nlohmann::ordered_json& meta,
                                        const std::vector<std::string>& tableColumns, const ConfoundStrategy& s) {
    std::vector<std::string> prefixes;
    if (s.compcor.rfind("temporal", 0) == 0) prefixes.push_back("t");
    if (s.compcor.find("anat") != std::string::npos) prefixes.push_back("a");
    std::vector<std::string> masks;
    if (s.compcor.find("combined") != std::string::npos) masks = {"combined"};
    else if (s.compcor.find("separated") != std::string::npos) masks = {"WM", "CSF"};
    auto take = [&](std::vector<std::string> cols) {
        if (s.compcorComponents >= 0 && int(cols.size()) > s.compcorComponents) cols.resize(std::size_t(s.compcorComponents));
        return cols;
    };
    // By component number, as nilearn enumerates them (a string sort would put a_comp_cor_100
    // before a_comp_cor_57).
    auto numeric = [](std::vector<std::string>& names) {
        auto number = [](const std::string& n) {
            const auto u = n.find_last_of('_');
            try {
                return std::stol(n.substr(u + 1));
            } catch (const std::exception&) {
                return -1L;
            }
        };
        std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) { return number(a) < number(b); });
    };
    std::vector<std::string> out;
    for (const auto& p : prefixes) {
        std::vector<std::string> names;
        if (p == "t") {
            // Temporal CompCor needs no mask: the table's columns suffice when there is no JSON.
            for (const auto& c : tableColumns)
                if (c.rfind("t_comp_cor_", 0) == 0) names.push_back(c);
            numeric(names);
            auto t = take(names);
            out.insert(out.end(), t.begin(), t.end());
            continue;
        }
        if (!meta.is_object())
            throw fileError(table, "sidecar JSON", "anatomical CompCor needs the confounds JSON beside the table (its components' masks); "
                                                   "none was found — fMRIPrep ≥ 1.4 writes it");
        for (const auto& m : masks) {
            std::vector<std::string> cols;
            for (const auto& [key, value] : meta.items()) {
                if (key.rfind("a_comp_cor_", 0) != 0 || !value.is_object()) continue;
                if (value.contains("Mask") && value["Mask"].is_string() && value["Mask"].get<std::string>() == m) cols.push_back(key);
            }
            numeric(cols);
            auto t = take(cols);
            out.insert(out.end(), t.begin(), t.end());
        }
    }
    return out;
}
} // namespace

std::string toString(ConfoundTerms t) { return kTermNames[int(t)]; }

ConfoundTerms parseConfoundTerms(const std::string& text, const std::string& option) {
    for (int i = 0; i < 5; ++i)
        if (text == kTermNames[i]) return ConfoundTerms(i);
    throw InputError(option + ": '" + text + "': expected none, basic, power2, derivatives or full");
}

bool ConfoundStrategy::empty() const {
    return motion == ConfoundTerms::None && wmCsf == ConfoundTerms::None && globalSignal == ConfoundTerms::None &&
           compcor.empty() && !scrub && !nonSteadyState && columns.empty();
}

std::string ConfoundStrategy::describe() const {
    std::vector<std::string> parts;
    if (motion != ConfoundTerms::None) parts.push_back("motion " + toString(motion));
    if (wmCsf != ConfoundTerms::None) parts.push_back("wm_csf " + toString(wmCsf));
    if (globalSignal != ConfoundTerms::None) parts.push_back("global_signal " + toString(globalSignal));
    if (!compcor.empty())
        parts.push_back("compcor " + compcor + " (" + (compcorComponents < 0 ? std::string("all") : std::to_string(compcorComponents)) + ")");
    if (scrub) {
        std::ostringstream s;
        s << "scrub (FD > " << fdThreshold << " mm, std DVARS > " << stdDvarsThreshold << ", segments < " << scrubMinSegment << ")";
        parts.push_back(s.str());
    }
    for (const auto& c : columns) parts.push_back(c);
    if (nonSteadyState) parts.push_back("non-steady-state volumes censored");
    if (parts.empty()) return "none";
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " + ") + p;
    return out;
}

nlohmann::json ConfoundStrategy::toJson() const {
    return {{"motion", toString(motion)},       {"wm_csf", toString(wmCsf)},
            {"global_signal", toString(globalSignal)}, {"compcor", compcor},
            {"n_compcor", compcorComponents}, {"scrub", scrub},
            {"fd_threshold", fdThreshold},    {"std_dvars_threshold", stdDvarsThreshold},
            {"scrub_min_segment", scrubMinSegment}, {"non_steady_state", nonSteadyState},
            {"columns", columns},             {"required", required}};
}

ConfoundStrategy ConfoundStrategy::fromJson(const nlohmann::json& j, const std::string& where) {
    ConfoundStrategy s;
    if (!j.is_object()) throw InputError(where + ": expected an object");
    try {
        s.motion = parseConfoundTerms(j.value("motion", toString(s.motion)), where + "/motion");
        s.wmCsf = parseConfoundTerms(j.value("wm_csf", toString(s.wmCsf)), where + "/wm_csf");
        s.globalSignal = parseConfoundTerms(j.value("global_signal", toString(s.globalSignal)), where + "/global_signal");
        s.compcor = j.value("compcor", s.compcor);
        s.compcorComponents = j.value("n_compcor", s.compcorComponents);
        s.scrub = j.value("scrub", s.scrub);
        s.fdThreshold = j.value("fd_threshold", s.fdThreshold);
        s.stdDvarsThreshold = j.value("std_dvars_threshold", s.stdDvarsThreshold);
        s.scrubMinSegment = j.value("scrub_min_segment", s.scrubMinSegment);
        s.nonSteadyState = j.value("non_steady_state", s.nonSteadyState);
        s.columns = j.value("columns", s.columns);
        s.required = j.value("required", s.required);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(where + ": " + e.what());
    }
    if (!s.compcor.empty() && std::find(kCompcor.begin(), kCompcor.end(), s.compcor) == kCompcor.end())
        throw InputError(where + "/compcor: '" + s.compcor + "': expected anat_combined, anat_separated, temporal, "
                                                             "temporal_anat_combined or temporal_anat_separated");
    return s;
}

ConfoundStrategy ConfoundStrategy::none() {
    ConfoundStrategy s;
    s.motion = ConfoundTerms::None;
    s.nonSteadyState = false;
    return s;
}

ConfoundStrategy ConfoundStrategy::preset(const std::string& name) {
    ConfoundStrategy s;
    s.required = true;
    s.motion = ConfoundTerms::Full;
    if (name == "simple") {
        s.wmCsf = ConfoundTerms::Basic;
    } else if (name == "scrubbing") {
        s.wmCsf = ConfoundTerms::Full;
        s.scrub = true;
    } else if (name == "compcor") {
        s.compcor = "anat_combined";
    } else if (name == "motion6") {
        s.motion = ConfoundTerms::Basic;
    } else if (name == "motion24") {
    } else if (name == "none") {
        s = none();
    } else {
        throw InputError("--denoise: '" + name + "': expected simple, scrubbing, compcor (nilearn's load_confounds_strategy "
                                                 "presets), motion6, motion24 or none");
    }
    return s;
}

std::vector<int> scrubVolumes(const std::vector<double>& fd, const std::vector<double>& dvars, double fdThreshold,
                              double dvarsThreshold, int minSegment) {
    const int n = int(fd.size());
    std::vector<bool> out(std::size_t(n), false);
    bool any = false;
    for (int t = 0; t < n; ++t) {
        // NaN (the first volume's n/a) is never an outlier, as in pandas' comparison.
        const bool o = (fd[std::size_t(t)] > fdThreshold) || (std::size_t(t) < dvars.size() && dvars[std::size_t(t)] > dvarsThreshold);
        out[std::size_t(t)] = o;
        any = any || o;
    }
    if (any && minSegment > 0) {
        // Runs of kept volumes shorter than minSegment — at the start, at the end, between
        // outliers — are censored.
        int t = 0;
        while (t < n) {
            if (out[std::size_t(t)]) { ++t; continue; }
            int e = t;
            while (e < n && !out[std::size_t(e)]) ++e;
            if (e - t < minSegment) std::fill(out.begin() + t, out.begin() + e, true);
            t = e;
        }
    }
    std::vector<int> idx;
    for (int t = 0; t < n; ++t)
        if (out[std::size_t(t)]) idx.push_back(t);
    return idx;
}

RunConfounds loadConfounds(const std::filesystem::path& file, int volumes, const ConfoundStrategy& s) {
    const io::Table table = io::readTable(file);
    if (int(table.rowCount()) != volumes)
        throw fileError(file, "rows", std::to_string(table.rowCount()) + " rows for a run of " + std::to_string(volumes) + " volumes");
    const auto& cols = table.columns();
    auto has = [&](const std::string& c) { return std::find(cols.begin(), cols.end(), c) != cols.end(); };

    std::vector<std::string> wanted, missing;
    auto want = [&](const std::vector<std::string>& names) {
        for (const auto& c : names) (has(c) ? wanted : missing).push_back(c);
    };
    want(familyColumns({"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"}, s.motion));
    want(familyColumns({"csf", "white_matter"}, s.wmCsf));
    want(familyColumns({"global_signal"}, s.globalSignal));
    if (!s.compcor.empty()) {
        auto json = file;
        json.replace_extension(".json");
        std::string name = file.filename().string();
        if (name.size() > 7 && name.substr(name.size() - 7) == ".tsv.gz") json = file.parent_path() / (name.substr(0, name.size() - 7) + ".json");
        nlohmann::ordered_json meta;
        if (std::filesystem::exists(json)) {
            try {
                meta = nlohmann::ordered_json::parse(readFileBytes(json));
            } catch (const nlohmann::json::exception& e) {
                throw fileError(json, "not valid JSON (" + std::string(e.what()) + ")");
            }
        }
        const auto cc = compcorColumns(file, meta, cols, s);
        if (cc.empty()) missing.push_back("compcor (" + s.compcor + ")");
        want(cc);
    }
    for (const auto& pattern : s.columns) {
        if (!pattern.empty() && pattern.back() == '*') {
            const std::string prefix = pattern.substr(0, pattern.size() - 1);
            bool found = false;
            for (const auto& c : cols)
                if (c.rfind(prefix, 0) == 0 && !isOutlierColumn(c)) {
                    wanted.push_back(c);
                    found = true;
                }
            if (!found) missing.push_back(pattern);
        } else {
            want({pattern});
        }
    }
    if (s.scrub) {
        if (!has("framewise_displacement")) missing.push_back("framewise_displacement");
        if (!has("std_dvars")) missing.push_back("std_dvars");
    }
    if (!missing.empty()) {
        std::string m;
        for (const auto& c : missing) m += (m.empty() ? "" : ", ") + c;
        throw fileError(file, "columns", "missing " + m + " (asked by the denoising strategy '" + s.describe() +
                                             "'); you may want another strategy (--denoise, --motion, --wm-csf …)");
    }
    // Each column once, in the order asked.
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& c : wanted)
        if (seen.insert(c).second) names.push_back(c);

    RunConfounds out;
    out.names = names;
    out.regressors.resize(volumes, Eigen::Index(names.size()));
    for (std::size_t c = 0; c < names.size(); ++c) {
        const auto v = table.numbers(names[c]);
        for (int t = 0; t < volumes; ++t) {
            double x = v[std::size_t(t)];
            // Derivatives have n/a on the first row: nilearn takes the second row's value.
            if (!std::isfinite(x) && t == 0 && volumes > 1 && std::isfinite(v[1])) x = v[1];
            out.regressors(t, Eigen::Index(c)) = std::isfinite(x) ? x : 0.0;
        }
    }
    std::set<int> censored;
    if (s.nonSteadyState)
        for (const auto& c : cols)
            if (c.find("non_steady_state") != std::string::npos) {
                const auto v = table.numbers(c);
                for (int t = 0; t < volumes; ++t)
                    if (v[std::size_t(t)] > 0.5) censored.insert(t);
            }
    if (s.scrub) {
        if (!(s.fdThreshold > 0)) throw InputError("--fd-threshold: expected a positive number of mm");
        for (int t : scrubVolumes(table.numbers("framewise_displacement"), table.numbers("std_dvars"), s.fdThreshold,
                                  s.stdDvarsThreshold, s.scrubMinSegment))
            censored.insert(t);
    }
    out.censored.assign(censored.begin(), censored.end());
    if (int(out.censored.size()) >= volumes - 2)
        throw fileError(file, "censored volumes", std::to_string(out.censored.size()) + " of " + std::to_string(volumes) +
                                                      " volumes censored (non-steady-state and scrubbing): nothing left to analyse; "
                                                      "raise --fd-threshold or leave the run out");
    return out;
}

} // namespace nm::signal
