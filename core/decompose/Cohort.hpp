#pragma once
// The cohort a learning or validation job reads: the subjects of one or more BIDS datasets, their
// held-out split, and a disk cache of preprocessed subjects (volumes × mask voxels, float32), so
// that each run is masked, filtered and cleaned once however many passes read it.
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "signal/Preprocess.hpp"

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace nm::decompose {

struct CohortSubject {
    std::string key;                      ///< "<dataset directory name>/sub-<label>"
    std::vector<signal::RunFiles> runs;
    int volumes = 0;
};

/// Subjects of the datasets (runs grouped per subject, sorted by key). Throws nm::InputError when
/// no functional run is found.
std::vector<CohortSubject> discoverCohort(const std::vector<std::filesystem::path>& datasets, const io::BidsFilter& filter);

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
