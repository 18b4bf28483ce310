#include "decompose/Cohort.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "io/Table.hpp"
#include "jobs/Checkpoint.hpp"
#include "jobs/Progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <numeric>
#include <sstream>

namespace nm::decompose {

std::mt19937_64 seededRng(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
    std::seed_seq seq{std::uint32_t(seed), std::uint32_t(seed >> 32), std::uint32_t(purpose), std::uint32_t(index)};
    return std::mt19937_64(seq);
}

std::string toString(CohortUnit unit) {
    return unit == CohortUnit::Subject ? "subjects" : unit == CohortUnit::Session ? "sessions" : "runs";
}

CohortUnit parseCohortUnit(const std::string& t) {
    if (t == "subjects") return CohortUnit::Subject;
    if (t == "sessions") return CohortUnit::Session;
    if (t == "runs") return CohortUnit::Run;
    throw InputError("held-out unit '" + t + "': expected subjects, sessions or runs");
}

std::vector<CohortSubject> discoverCohort(const std::vector<std::filesystem::path>& datasets, const io::BidsFilter& filter,
                                          CohortUnit unit, std::vector<io::BidsDataset>* found, const StudyMap* studies) {
    std::map<std::string, CohortSubject> subjects;
    std::map<std::string, std::string> nameOwner;
    for (const auto& root : datasets) {
        const StudyOptions* study = nullptr;
        if (studies)
            if (const auto it = studies->find(root.string()); it != studies->end()) study = &it->second;
        auto ds = io::readBidsDataset(root, study && study->filter ? *study->filter : filter);
        const std::string name = std::filesystem::absolute(ds.root).lexically_normal().filename().string();
        if (const auto [it, fresh] = nameOwner.emplace(name, ds.root.string()); !fresh && it->second != ds.root.string())
            throw fileError(root, "dataset", "its folder name '" + name + "' is also the name of " + it->second +
                                                 "; subjects are keyed by folder name: rename one of them");
        for (const auto& run : ds.runs) {
            std::string key = (name.empty() ? std::string("dataset") : name) + "/sub-" + run.subject;
            if (unit == CohortUnit::Session) {
                key += "/ses-" + (run.session.empty() ? std::string("none") : run.session);
            } else if (unit == CohortUnit::Run) {
                key += "/" + (run.session.empty() ? std::string() : "ses-" + run.session + "_") + "task-" + run.task;
                if (!run.acquisition.empty()) key += "_acq-" + run.acquisition;
                if (!run.run.empty()) key += "_run-" + run.run;
            }
            auto& s = subjects[key];
            s.key = key;
            signal::RunFiles f;
            f.bold = run.bold;
            f.confounds = run.confounds;
            f.repetitionTime = run.repetitionTime;
            f.brainMask = run.brainMask;
            s.runs.push_back(f);
            s.volumes += io::readNiftiInfo(run.bold).frames;
            s.weight = study ? study->weight : 1.0;
        }
        if (found) found->push_back(std::move(ds));
    }
    std::vector<CohortSubject> out;
    for (auto& [k, s] : subjects) out.push_back(std::move(s));
    if (out.empty()) throw InputError("no functional runs found in the datasets (check the BIDS layout and the filters)");
    return out;
}

nlohmann::json toJson(const io::BidsFilter& f) {
    return {{"subjects", f.subjects}, {"sessions", f.sessions}, {"tasks", f.tasks},         {"runs", f.runs},
            {"exclude_studies", f.excludeStudies}, {"space", f.space}, {"resolution", f.resolution}};
}

namespace {
std::vector<std::string> stringList(const nlohmann::json& j, const char* key);
}

io::BidsFilter filterFromJson(const nlohmann::json& j) {
    io::BidsFilter f;
    if (!j.is_object()) return f;
    f.subjects = stringList(j, "subjects");
    f.sessions = stringList(j, "sessions");
    f.tasks = stringList(j, "tasks");
    f.runs = stringList(j, "runs");
    f.excludeStudies = stringList(j, "exclude_studies");
    if (j.contains("space") && j["space"].is_string()) f.space = j["space"].get<std::string>();
    if (j.contains("resolution") && j["resolution"].is_string()) f.resolution = j["resolution"].get<std::string>();
    return f;
}

std::vector<std::pair<std::filesystem::path, StudyOptions>> readStudyList(const std::filesystem::path& file) {
    const io::Table t = io::readTable(file, {'\t', true, '#'});
    if (!t.hasColumn("path")) throw fileError(file, "column 'path'", "missing: a study list needs a path per study");
    for (const auto& c : t.columns())
        if (c != "path" && c != "weight" && c != "subjects" && c != "sessions" && c != "tasks" && c != "runs" && c != "space" && c != "res" &&
            c != "name")
            throw fileError(file, "column '" + c + "'", "unknown (expected path, weight, subjects, sessions, tasks, runs, space, res, name)");
    std::vector<std::pair<std::filesystem::path, StudyOptions>> out;
    auto list = [](const std::string& cell) {
        std::vector<std::string> v;
        std::string cur;
        for (char ch : cell + ",") {
            if (ch == ',') {
                while (!cur.empty() && cur.back() == ' ') cur.pop_back();
                if (!cur.empty()) v.push_back(cur);
                cur.clear();
            } else if (!(cur.empty() && ch == ' ')) {
                cur += ch;
            }
        }
        return v;
    };
    for (std::size_t r = 0; r < t.rowCount(); ++r) {
        const std::string where = "row " + std::to_string(r + 2);
        std::filesystem::path p = t.cell(r, "path");
        if (p.empty()) throw fileError(file, where + ", column 'path'", "empty");
        if (p.is_relative()) p = file.parent_path() / p;
        if (!std::filesystem::is_directory(p)) throw fileError(file, where + ", column 'path'", "'" + p.string() + "' is not a directory");
        StudyOptions s;
        if (t.hasColumn("weight") && !t.cell(r, "weight").empty() && t.cell(r, "weight") != "n/a") {
            double w = 0;
            try {
                w = io::parseNumber(t.cell(r, "weight"));
            } catch (const std::exception&) {
                w = -1;
            }
            if (!(w > 0) || !std::isfinite(w)) throw fileError(file, where + ", column 'weight'", "expected a positive number, got '" + t.cell(r, "weight") + "'");
            s.weight = w;
        }
        io::BidsFilter f;
        bool any = false;
        auto take = [&](const char* col, std::vector<std::string>& into) {
            if (t.hasColumn(col) && !t.cell(r, col).empty() && t.cell(r, col) != "n/a") {
                into = list(t.cell(r, col));
                any = true;
            }
        };
        take("subjects", f.subjects);
        take("sessions", f.sessions);
        take("tasks", f.tasks);
        take("runs", f.runs);
        for (const auto& [col, into] : {std::pair<const char*, std::string*>{"space", &f.space}, {"res", &f.resolution}})
            if (t.hasColumn(col) && !t.cell(r, col).empty() && t.cell(r, col) != "n/a") {
                *into = t.cell(r, col);
                any = true;
            }
        if (any) s.filter = f;
        out.emplace_back(p, s);
    }
    if (out.empty()) throw fileError(file, "rows", "no study listed");
    return out;
}

void checkConfounds(const std::vector<CohortSubject>& subjects, const signal::ConfoundStrategy& strategy, jobs::Progress& progress) {
    if (strategy.empty()) return;
    int without = 0, runs = 0;
    std::filesystem::path first;
    for (const auto& s : subjects)
        for (const auto& r : s.runs) {
            ++runs;
            if (!r.confounds) {
                if (first.empty()) first = r.bold;
                ++without;
            }
        }
    if (without == 0) return;
    if (strategy.required)
        throw fileError(first, "confounds", "no confounds table (*_desc-confounds_timeseries.tsv in derivatives/) for this run" +
                                                std::string(without > 1 ? " and " + std::to_string(without - 1) + " others" : "") +
                                                ", and the denoising strategy '" + strategy.describe() +
                                                "' needs one; pass --no-confounds to learn without");
    progress.warn(std::to_string(without) + " of " + std::to_string(runs) +
                  " runs have no confounds table (raw BIDS without fMRIPrep derivatives, e.g. " + first.filename().string() +
                  "): they are cleaned without confounds (trend and high-pass only)");
}

namespace {
std::vector<std::string> stringList(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (j.contains(key) && j[key].is_array())
        for (const auto& v : j[key])
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}
} // namespace

BundleInputs bundleInputs(const io::AtlasBundle& b, const std::filesystem::path& file) {
    BundleInputs in;
    if (!b.provenance.contains("parameters") || !b.provenance["parameters"].is_object())
        throw InputError(file.string() + ": provenance/parameters missing; the bundle was not written by neuromosaic-cli learn");
    const auto& p = b.provenance["parameters"];
    try {
        in.preprocess.detrend = p.value("detrend", in.preprocess.detrend);
        in.preprocess.highPassSeconds = p.value("high_pass_seconds", in.preprocess.highPassSeconds);
        in.preprocess.smoothingFwhmMm = p.value("smoothing_fwhm_mm", in.preprocess.smoothingFwhmMm);
        in.preprocess.standardize = p.value("standardize", in.preprocess.standardize);
        if (p.contains("denoise")) {
            in.preprocess.confounds = signal::ConfoundStrategy::fromJson(p["denoise"], file.string() + ": provenance/parameters/denoise");
        } else if (p.contains("confounds")) {
            // Bundles written before the denoising strategies: a list of exact column names.
            in.preprocess.confounds = signal::ConfoundStrategy::none();
            in.preprocess.confounds.columns = p["confounds"].get<std::vector<std::string>>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string() + ": provenance/parameters: " + e.what());
    }
    const auto& inputs = b.provenance.contains("inputs") ? b.provenance["inputs"] : nlohmann::json::object();
    for (const auto& d : stringList(inputs, "datasets")) in.datasets.emplace_back(d);
    if (inputs.contains("filter") && inputs["filter"].is_object()) in.filter = filterFromJson(inputs["filter"]);
    in.trainSubjects = stringList(inputs, "train_subjects");
    if (inputs.contains("studies") && inputs["studies"].is_array())
        for (const auto& st : inputs["studies"]) {
            if (!st.is_object() || !st.contains("path") || !st["path"].is_string()) continue;
            StudyOptions so;
            so.weight = st.value("weight", 1.0);
            if (st.contains("filter") && st["filter"].is_object()) so.filter = filterFromJson(st["filter"]);
            in.studies[st["path"].get<std::string>()] = so;
        }
    if (inputs.contains("held_out_unit") && inputs["held_out_unit"].is_string())
        in.unit = parseCohortUnit(inputs["held_out_unit"].get<std::string>());
    in.heldOutSubjects = stringList(inputs, "held_out_subjects");
    return in;
}

namespace {
void sortByKey(CohortSplit& split) {
    auto byKey = [](const CohortSubject& a, const CohortSubject& b) { return a.key < b.key; };
    std::sort(split.train.begin(), split.train.end(), byKey);
    std::sort(split.heldOut.begin(), split.heldOut.end(), byKey);
}
} // namespace

CohortSplit splitCohort(const std::vector<CohortSubject>& all, const std::vector<std::string>& heldOutKeys) {
    const std::set<std::string> keys(heldOutKeys.begin(), heldOutKeys.end());
    CohortSplit split;
    for (const auto& s : all) (keys.count(s.key) ? split.heldOut : split.train).push_back(s);
    sortByKey(split);
    return split;
}

CohortSplit splitCohort(const std::vector<CohortSubject>& all, double heldOutFraction, std::uint64_t seed) {
    std::vector<int> order(all.size());
    std::iota(order.begin(), order.end(), 0);
    auto rng = seededRng(seed, 10);
    std::shuffle(order.begin(), order.end(), rng);
    const int held = all.size() >= 3 && heldOutFraction > 0
                         ? std::max(1, int(std::lround(heldOutFraction * double(all.size()))))
                         : 0;
    CohortSplit split;
    for (std::size_t i = 0; i < order.size(); ++i) (int(i) < held ? split.heldOut : split.train).push_back(all[std::size_t(order[i])]);
    sortByKey(split);
    return split;
}

std::string preprocessKey(const signal::PreprocessOptions& o, const signal::BrainMask& mask) {
    std::ostringstream s;
    s << "pre-v2 " << o.detrend << ' ' << o.highPassSeconds << ' ' << o.smoothingFwhmMm << ' ' << o.standardize << ' ';
    nlohmann::json denoise = o.confounds.toJson();
    denoise.erase("required");  // whether a missing table is an error does not change the data
    s << denoise.dump();
    s << ' ' << mask.voxels.size() << ' ' << mask.geometry.dims[0] << 'x' << mask.geometry.dims[1] << 'x' << mask.geometry.dims[2];
    for (int i = 0; i < 16; ++i) s << ' ' << mask.geometry.affine(i / 4, i % 4);
    std::uint64_t h = 0;
    for (auto v : mask.voxels) h = h * 1099511628211ull + std::uint64_t(v);
    s << ' ' << h;
    return s.str();
}

namespace {
std::string identity(const std::filesystem::path& f) {
    std::error_code ec;
    return std::filesystem::absolute(f).string() + ":" + std::to_string(std::filesystem::file_size(f, ec)) + ":" +
           std::to_string(std::filesystem::last_write_time(f, ec).time_since_epoch().count());
}
constexpr char kMagic[] = "NMDATA01";
} // namespace

SubjectStore::SubjectStore(const std::filesystem::path& cacheRoot, signal::BrainMask mask, signal::PreprocessOptions options)
    : mask_(std::move(mask)), options_(std::move(options)), key_(preprocessKey(options_, mask_)) {
    dir_ = cacheRoot / jobs::fingerprintOf(key_);
    paths::ensureDirectory(dir_);
}

signal::RowMatrixF SubjectStore::load(const CohortSubject& s) const {
    std::string id = key_;
    for (const auto& r : s.runs) id += "|" + identity(r.bold) + (r.confounds ? "|" + identity(*r.confounds) : std::string());
    const auto file = dir_ / (jobs::fingerprintOf(id) + ".nmdata");
    if (std::filesystem::exists(file)) {
        // A damaged cache entry is recomputed, never trusted.
        try {
            const std::string bytes = readFileBytes(file);
            std::int64_t rows = 0, cols = 0;
            if (bytes.size() >= 24 && bytes.compare(0, 8, kMagic) == 0) {
                std::memcpy(&rows, bytes.data() + 8, 8);
                std::memcpy(&cols, bytes.data() + 16, 8);
                if (rows >= 0 && cols == mask_.size() && bytes.size() == 24 + std::size_t(rows * cols) * 4) {
                    signal::RowMatrixF m(rows, cols);
                    std::memcpy(m.data(), bytes.data() + 24, std::size_t(rows * cols) * 4);
                    return m;
                }
            }
        } catch (const Error&) {
        }
    }
    std::vector<signal::RowMatrixF> parts;
    Eigen::Index rows = 0;
    for (const auto& r : s.runs) {
        parts.push_back(signal::preprocessRun(r, mask_, options_));
        rows += parts.back().rows();
    }
    signal::RowMatrixF m(rows, mask_.size());
    Eigen::Index at = 0;
    for (const auto& p : parts) {
        m.middleRows(at, p.rows()) = p;
        at += p.rows();
    }
    std::string bytes(kMagic, 8);
    const std::int64_t r = m.rows(), c = m.cols();
    bytes.append(reinterpret_cast<const char*>(&r), 8);
    bytes.append(reinterpret_cast<const char*>(&c), 8);
    bytes.append(reinterpret_cast<const char*>(m.data()), std::size_t(m.size()) * 4);
    writeFileAtomic(file, bytes);
    return m;
}

} // namespace nm::decompose

namespace nm::decompose {

void warmCache(const SubjectStore& store, const std::vector<const CohortSubject*>& subjects, jobs::Progress& progress) {
    std::vector<std::exception_ptr> errors(subjects.size());
    int done = 0;
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < int(subjects.size()); ++i) {
        try {
            (void)store.load(*subjects[std::size_t(i)]);
        } catch (...) {
            errors[std::size_t(i)] = std::current_exception();
        }
#pragma omp critical(nm_warm_cache_progress)
        {
            ++done;
            try {
                progress.update(std::size_t(done), subjects.size(), "subject " + std::to_string(done) + "/" + std::to_string(subjects.size()));
            } catch (...) {
                // A failing progress sink must not abort the other threads; errors surface below.
            }
        }
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    progress.checkCancelled();
}

} // namespace nm::decompose
