#pragma once
// Component signals of task runs and their effects per condition: each run is preprocessed as
// learning does (the same cache), projected on each scale's maps by least squares (the learner's
// own projection, decompose::LeastSquaresProjector) into component time courses, and a GLM per run
// (canonical HRF regressors per condition, the preprocessing's nuisance regressors and a constant,
// AR(1) prewhitening — core/signal) gives each component's effect of each condition. These effects
// (one sample per run and condition) feed the labels and the decoders.
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Annotations.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::semantics {

struct EffectSample {
    int subject = 0;      ///< into ConditionEffects::subjects
    int study = 0;        ///< into ConditionEffects::studies ("<dataset>/<task>")
    int condition = 0;    ///< into ConditionEffects::conditions
    int run = 0;          ///< into ConditionEffects::runs
    int event = -1;       ///< index of the event in its run's events table (Samples::Events), −1 for a condition
};

struct ConditionEffects {
    std::vector<std::string> subjects;            ///< cohort keys ("<dataset>/sub-<label>")
    std::vector<std::string> studies;             ///< "<dataset>/<task>"
    std::vector<std::pair<std::string, std::string>> conditions;  ///< (task, trial_type)
    std::vector<std::string> runs;                ///< BOLD file of each run
    std::vector<EffectSample> samples;
    std::vector<int> scales;                      ///< components of each entry of `effects`
    std::vector<Eigen::MatrixXf> effects;         ///< per scale: samples × k GLM effects (β)
    std::vector<Eigen::MatrixXf> tValues;         ///< per scale: samples × k t statistics
    std::optional<Eigen::MatrixXf> voxelEffects;  ///< samples × p, when asked (voxel-level decoders)
    int taskRuns = 0, skippedRuns = 0;            ///< runs with events; runs without (rest)
    double seconds = 0.0;
};

struct EffectOptions {
    signal::PreprocessOptions preprocess;         ///< as the atlas was learned (decompose::bundleInputs)
    std::filesystem::path cacheDir;               ///< preprocessed subjects ("": <cache>/learn, shared with learn)
    bool ar1 = true;
    bool voxels = false;                          ///< also the voxel-level effects (on the bundle's mask)
    std::vector<int> scales;                      ///< components of the scales to use (empty: all)
    /// One sample per run and condition (the condition's GLM effect), or per event/block too: each
    /// event's own effect by "least squares, separate" (Mumford et al. 2012: the event, the other
    /// events of its condition, the other conditions, the nuisance; OLS).
    enum class Samples { Conditions, Events } samples = Samples::Conditions;
};

/// The effects of every (run, condition) of the subjects' task runs. `runs` gives each BOLD file's
/// BIDS entry (its events and task); conditions without a concept are kept (the caller decides).
ConditionEffects componentEffects(const io::AtlasBundle& bundle, const std::vector<decompose::CohortSubject>& subjects,
                                  const std::vector<io::BidsDataset>& datasets, const EffectOptions& options, jobs::Progress& progress);

} // namespace nm::semantics
