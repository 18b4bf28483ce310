#pragma once
// Leave-one-study-out validation (issue 21, "the honest test of a foundation model"): the atlas is
// learned again, with the same recipe (its provenance), the same voxels and the same held-out
// subjects, but without one study; then that study — data the new atlas never saw — is measured
// three ways against the same dictionaries: (1) the explained variance of its runs (every subject's)
// by least squares on each scale's maps; (2) the cross-validated decoding of its conditions from the
// component effects (per-study multinomial logistic regression, leave-subjects-out folds), against
// the voxels themselves and the parcels of AAL / Harvard–Oxford; (3) the representation of its
// contrast maps (each run's GLM effect of each condition at the voxels). The reference dictionaries
// are the atlas learned *with* the study (what a model that saw it achieves), PCA of the training
// data without the study, AAL and Harvard–Oxford.
#include "io/Table.hpp"
#include "validate/Reconstruction.hpp"
#include "validate/Representation.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::validate {

struct LeaveStudyOutOptions {
    std::filesystem::path bundle;                   ///< the atlas learned with every study (its provenance is the recipe)
    std::vector<std::filesystem::path> datasets;    ///< default: the atlas's
    /// Studies to leave out, one at a time: "<dataset directory>/<task>", "<task>" or "<dataset directory>".
    std::vector<std::string> studies;
    std::filesystem::path workDir;                  ///< atlases without each study ("": <bundle>.validation/leave-out)
    std::filesystem::path cacheDir;                 ///< preprocessed subjects ("": the one learn uses)
    std::vector<std::string> baselines{"pca", "aal", "harvard-oxford"};
    int powerIterations = 2;
    int folds = 5;                                  ///< leave-subjects-out folds of the decoders
    bool voxels = true;                             ///< the voxel-level decoder
    bool relearn = false;                           ///< learn again even when an atlas without the study is in workDir
    int maxIterations = 0;                          ///< cap on the relearning's iterations (0: the recipe's epochs)
    std::uint64_t seed = 0;                         ///< decoders' folds and PCA
};

struct LeftOutDecoding {
    std::string task;                               ///< "<dataset>/<task>"
    std::string method;                             ///< atlas, "atlas (study seen)", aal, harvard-oxford, voxels
    int components = 0;                             ///< features (0 for voxels)
    double accuracy = 0.0, chance = 0.0;
    int classes = 0, samples = 0, subjects = 0;
    std::string scheme;
};

struct LeftOutStudy {
    std::string study;                              ///< the entry as given
    std::vector<std::string> tasks;                 ///< the "<dataset>/<task>" it matched
    std::vector<std::string> conditions;            ///< "<task>/<trial_type>"
    int subjects = 0, runs = 0;
    std::int64_t volumes = 0;
    std::int64_t trainVolumes = 0;                  ///< of the atlas without the study
    std::filesystem::path atlas;                    ///< the atlas learned without it
    bool reused = false;                            ///< found in the work directory (same recipe)
    double learnSeconds = 0.0;
    std::vector<ExplainedVarianceScore> explainedVariance;  ///< of the study's runs, per dictionary
    std::vector<LeftOutDecoding> decoding;
    std::vector<RepresentationScore> contrasts;     ///< source "contrasts": one map per run and condition
    [[nodiscard]] double ev(const std::string& method, int components) const;           ///< NaN if absent
    [[nodiscard]] double contrast(const std::string& method, int components) const;     ///< mean; NaN if absent
    [[nodiscard]] double decodingAccuracy(const std::string& method, int components) const;  ///< mean over tasks; NaN if absent
};

struct LeaveStudyOutReport {
    std::vector<LeftOutStudy> studies;
    std::vector<int> scales;                        ///< of the atlas
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: study, measure, method, components, value.
    [[nodiscard]] io::Table toTable() const;
};

/// Names of the atlas methods in the report.
inline constexpr const char* kAtlasWithoutStudy = "atlas";
inline constexpr const char* kAtlasWithStudy = "atlas (study seen)";

LeaveStudyOutReport validateLeaveStudyOut(const LeaveStudyOutOptions& options, jobs::Progress& progress);

} // namespace nm::validate
