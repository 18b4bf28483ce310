#include "decompose/Cohort.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "jobs/Checkpoint.hpp"
#include "jobs/Progress.hpp"

#include <algorithm>
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

std::vector<CohortSubject> discoverCohort(const std::vector<std::filesystem::path>& datasets, const io::BidsFilter& filter) {
    std::map<std::string, CohortSubject> subjects;
    for (const auto& root : datasets) {
        const auto ds = io::readBidsDataset(root, filter);
        const std::string name = std::filesystem::absolute(ds.root).lexically_normal().filename().string();
        for (const auto& run : ds.runs) {
            const std::string key = (name.empty() ? std::string("dataset") : name) + "/sub-" + run.subject;
            auto& s = subjects[key];
            s.key = key;
            signal::RunFiles f;
            f.bold = run.bold;
            f.confounds = run.confounds;
            f.repetitionTime = run.repetitionTime;
            s.runs.push_back(f);
            s.volumes += io::readNiftiInfo(run.bold).frames;
        }
    }
    std::vector<CohortSubject> out;
    for (auto& [k, s] : subjects) out.push_back(std::move(s));
    if (out.empty()) throw InputError("no functional runs found in the datasets (check the BIDS layout and the filters)");
    return out;
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
        if (p.contains("confounds")) in.preprocess.confounds = p["confounds"].get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file.string() + ": provenance/parameters: " + e.what());
    }
    const auto& inputs = b.provenance.contains("inputs") ? b.provenance["inputs"] : nlohmann::json::object();
    for (const auto& d : stringList(inputs, "datasets")) in.datasets.emplace_back(d);
    if (inputs.contains("filter") && inputs["filter"].is_object()) {
        in.filter.subjects = stringList(inputs["filter"], "subjects");
        in.filter.sessions = stringList(inputs["filter"], "sessions");
        in.filter.tasks = stringList(inputs["filter"], "tasks");
        in.filter.runs = stringList(inputs["filter"], "runs");
        in.filter.excludeStudies = stringList(inputs["filter"], "exclude_studies");
    }
    in.trainSubjects = stringList(inputs, "train_subjects");
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
    s << "pre-v1 " << o.detrend << ' ' << o.highPassSeconds << ' ' << o.smoothingFwhmMm << ' ' << o.standardize << ' ';
    for (const auto& c : o.confounds) s << c << ',';
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
