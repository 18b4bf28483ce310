#pragma once
// Learning a multiscale atlas from many fMRI datasets: discovery (BIDS), held-out split, the
// preprocessing stream (cached per subject), one pass of SOMF per scale on the same minibatches,
// checkpoints, MPI scale-out, then the hierarchy between scales, held-out explained variance, the
// component network and the surface projections — all written to an atlas bundle.
#include "decompose/Cohort.hpp"
#include "decompose/Communicator.hpp"
#include "decompose/OnlineDictionaryLearner.hpp"
#include "connectivity/SparseNetwork.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "jobs/Progress.hpp"
#include "signal/Preprocess.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::decompose {

struct LearnOptions {
    std::vector<std::filesystem::path> datasets;  ///< BIDS roots
    io::BidsFilter filter;
    std::vector<int> scales{64, 256, 1024};
    double alpha = 0.3;          ///< ridge on the codes, relative to the atoms' energy
    int reduction = 4;           ///< voxels sampled per iteration = p / reduction
    double beta = 0.7;           ///< forgetting exponent
    bool positive = true;
    double gamma = 0.0;          ///< elastic-net weight (0: L1 ball)
    SomfOptions::Codes codes = SomfOptions::Codes::Full;
    SomfOptions::Statistics statistics = SomfOptions::Statistics::Full;
    int batchSize = 128;         ///< volumes per minibatch (all streams together)
    int epochs = 2;
    int streams = 1;             ///< parallel data streams; MPI ranks share them round-robin
    double heldOutFraction = 0.15;
    /// When not empty: exactly these subjects (cohort keys) are held out, whatever the fraction —
    /// the split of another atlas, kept by leave-one-study-out validation.
    std::vector<std::string> heldOutSubjects;
    /// What `heldOutSubjects` names, and what the split keeps apart. With a fraction (no keys):
    /// subjects when there are three or more, else sessions, else runs (single-subject datasets).
    std::optional<CohortUnit> heldOutUnit;
    /// Study lists (`--studies`): per-dataset filters and weights, keyed by the path in `datasets`.
    StudyMap studies;
    signal::PreprocessOptions preprocess;
    /// auto (fMRIPrep's brain masks when every training run ships one, else epi), derivatives
    /// (those masks, required), epi (from the data), template, or a NIfTI mask file
    std::string mask = "auto";
    int initVolumes = 600;       ///< volumes used to initialise the maps
    std::string init = "cluster";  ///< cluster (k-means of voxel time courses), volumes (random |volumes|), svd
    std::optional<std::filesystem::path> checkpointDir;
    int checkpointEvery = 20;    ///< iterations between checkpoints
    std::uint64_t seed = 0;
    std::filesystem::path cacheDir;  ///< preprocessed runs ("": <cache>/learn)
    bool network = true;
    /// With the network stage: the sparse graphical model of every scale (core/connectivity),
    /// group-sparse with α by cross-validation unless set in sparseNetworkOptions.
    bool sparseNetwork = true;
    connectivity::SparseNetworkOptions sparseNetworkOptions;
    bool surfaces = true;
    int maxIterations = 0;       ///< stop after this many iterations (0: all epochs)
    int stopAfterIterations = 0; ///< testing: return (with checkpoint) after this many, unfinished
    /// Benchmarks: write the preprocessed training and held-out volumes as train.npy and
    /// held_out.npy (float32, volumes × mask voxels) and subjects.json there, then return (unfinished).
    std::optional<std::filesystem::path> dumpData;
};

struct ScaleSummary {
    int components = 0;
    double heldOutExplainedVariance = 0.0;
    double seconds = 0.0;        ///< learning time of this scale (its share of the iterations)
    double gflops = 0.0;         ///< achieved in partialFit
};

/// One study (dataset) of a learning run.
struct StudySummary {
    std::string name;                  ///< the dataset's folder name (the cohort keys' prefix)
    double weight = 1.0;
    int trainSubjects = 0, heldOutSubjects = 0;
    long long trainVolumes = 0, heldOutVolumes = 0;
    long long volumesPerEpoch = 0;     ///< training volumes read per epoch (weight × volumes)
    std::vector<double> heldOutExplainedVariance;  ///< per scale; empty when none of it is held out
};

struct LearnSummary {
    io::AtlasBundle bundle;
    std::vector<ScaleSummary> scales;
    int iterations = 0, resumedFromIteration = 0;
    std::vector<std::string> trainSubjects, heldOutSubjects;  ///< cohort keys (of `heldOutUnit`)
    CohortUnit heldOutUnit = CohortUnit::Subject;
    std::vector<StudySummary> studies;
    double seconds = 0.0, learnSeconds = 0.0;
    double initSeconds = 0.0;    ///< initialisation of the maps (clustering of voxels)
    bool finished = true;
};

/// The hierarchy between consecutive scales: fine.overlap (cosine of the absolute maps, entries ≥
/// 0.01) and fine.parent (the coarse map of largest overlap; −1 if none overlaps).
void linkScales(io::AtlasScale& fine, const io::AtlasScale& coarse);

/// The options that learned a bundle, from its provenance (datasets, filter, held-out subjects,
/// parameters, preprocessing, seed): relearning with them, changed where wanted, repeats the recipe.
/// The mask is the recorded choice (epi, template or a file): a caller that needs the very same
/// voxels writes the bundle's mask and points `mask` at it. Throws nm::InputError naming `file`
/// and the field when the provenance lacks the parameters or holds a wrong type.
LearnOptions learnOptionsOf(const io::AtlasBundle& bundle, const std::filesystem::path& file);

/// Every rank returns the same maps; only rank 0 fills the network and surfaces.
LearnSummary learnAtlas(const LearnOptions& options, jobs::Progress& progress, Communicator& comm);

} // namespace nm::decompose
