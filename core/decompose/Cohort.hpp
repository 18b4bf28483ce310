#pragma once
// The cohort a learning or validation job reads: the subjects of one or more BIDS datasets, their
// held-out split, and a disk cache of preprocessed subjects (volumes × mask voxels, float32), so
// that each run is masked, filtered and cleaned once however many passes read it.
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "signal/Preprocess.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::decompose {

struct CohortSubject {
    std::string key;                      ///< "<dataset directory name>/sub-<label>"
    std::vector<signal::RunFiles> runs;
    int volumes = 0;
    double weight = 1.0;                  ///< its study's weight: volumes read per epoch = weight × volumes
};

/// A study of a study list: its own BIDS filter (else the command line's) and weight.
struct StudyOptions {
    std::optional<io::BidsFilter> filter;
    double weight = 1.0;
};
/// Keyed by the dataset path as given.
using StudyMap = std::map<std::string, StudyOptions>;

/// Reads a study list (TSV: path, and optionally weight, subjects, sessions, tasks, runs, space,
/// res; paths relative to the file). Throws nm::InputError naming the file, row and column.
std::vector<std::pair<std::filesystem::path, StudyOptions>> readStudyList(const std::filesystem::path& file);
nlohmann::json toJson(const io::BidsFilter& filter);
io::BidsFilter filterFromJson(const nlohmann::json& j);

/// What a cohort entry groups — and so what a held-out split keeps apart: subjects (the
/// default), or, for single- and few-subject datasets, sessions or single runs.
enum class CohortUnit { Subject, Session, Run };
std::string toString(CohortUnit unit);              ///< "subjects", "sessions", "runs"
CohortUnit parseCohortUnit(const std::string& text); ///< throws nm::InputError

/// Entries of the datasets (runs grouped per subject — or per session, or one per run — sorted
/// by key: "<dataset>/sub-<label>", "…/ses-<label>", "…/<ses-…_>task-…[_acq-…][_run-…]").
/// Throws nm::InputError when no functional run is found. `found` receives the datasets read.
std::vector<CohortSubject> discoverCohort(const std::vector<std::filesystem::path>& datasets, const io::BidsFilter& filter,
                                          CohortUnit unit = CohortUnit::Subject, std::vector<io::BidsDataset>* found = nullptr,
                                          const StudyMap* studies = nullptr);

/// Runs without a confounds table: an error naming the first when the strategy is required,
/// else one warning (how many, which strategy is skipped) on `progress`.
void checkConfounds(const std::vector<CohortSubject>& subjects, const signal::ConfoundStrategy& strategy, jobs::Progress& progress);

struct CohortSplit {
    std::vector<CohortSubject> train, heldOut;   ///< each sorted by key
};
/// Seeded shuffle; at least one held-out subject when there are three or more subjects and the
/// fraction is positive.
CohortSplit splitCohort(const std::vector<CohortSubject>& subjects, double heldOutFraction, std::uint64_t seed);
/// The split another atlas used: exactly the subjects whose keys are listed are held out.
CohortSplit splitCohort(const std::vector<CohortSubject>& subjects, const std::vector<std::string>& heldOutKeys);

/// What a learned bundle's provenance says about its data: the datasets and BIDS filter, the
/// training and held-out subjects, the preprocessing. Throws nm::InputError naming `file` when the
/// provenance lacks the parameters (a bundle not written by `learn`).
struct BundleInputs {
    std::vector<std::filesystem::path> datasets;
    io::BidsFilter filter;
    std::vector<std::string> trainSubjects, heldOutSubjects;
    CohortUnit unit = CohortUnit::Subject;  ///< what the keys name
    StudyMap studies;                       ///< per-dataset filters and weights (study lists)
    signal::PreprocessOptions preprocess;
};
BundleInputs bundleInputs(const io::AtlasBundle& bundle, const std::filesystem::path& file);

/// A generator seeded from (seed, purpose, index): independent, reproducible streams.
std::mt19937_64 seededRng(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index = 0);

/// Text identifying the preprocessing (options and mask): cache key and part of job fingerprints.
std::string preprocessKey(const signal::PreprocessOptions& options, const signal::BrainMask& mask);

/// Preprocessed subjects, computed on first use and cached on disk (keyed by the preprocessing,
/// the mask and each input file's path, size and modification time). Safe to call from several
/// threads for different subjects.
class SubjectStore {
public:
    SubjectStore(const std::filesystem::path& cacheRoot, signal::BrainMask mask, signal::PreprocessOptions options);
    [[nodiscard]] signal::RowMatrixF load(const CohortSubject& subject) const;
    [[nodiscard]] const signal::BrainMask& mask() const { return mask_; }
    [[nodiscard]] const std::string& key() const { return key_; }

private:
    std::filesystem::path dir_;
    signal::BrainMask mask_;
    signal::PreprocessOptions options_;
    std::string key_;
};

} // namespace nm::decompose

namespace nm::jobs {
class Progress;
}

namespace nm::decompose {
/// Preprocesses (or finds in the cache) the subjects in parallel (OpenMP), reporting progress on
/// the current stage. Rethrows the first error after all finished.
void warmCache(const SubjectStore& store, const std::vector<const CohortSubject*>& subjects, jobs::Progress& progress);
} // namespace nm::decompose
