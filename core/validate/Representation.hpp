#pragma once
// Representation of brain maps the atlas never saw (issue 21, criterion i of the seed): for each
// map of a collection — NIfTI contrast or statistical maps (3-D or 4-D files, or folders of them),
// the literature's term maps (NeuroQuery / Neurosynth, core/semantics) — the fraction of its energy
// over the mask that each scale explains by least squares on the components, against the same
// dictionaries as `validate reconstruction` (PCA of the training data with the same k, AAL,
// Harvard–Oxford) and, optionally, the atlases of other seeds; the distribution over maps and the
// maps represented worst.
#include "io/Table.hpp"

#include <Eigen/Core>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::validate {

struct RepresentationOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> maps;        ///< NIfTI files or folders of them
    std::optional<std::filesystem::path> literature; ///< a literature folder (term maps)
    std::vector<std::string> databases{"neuroquery", "neurosynth"};
    int maxTerms = 0;                               ///< 0: every term map
    std::vector<std::string> baselines{"pca", "aal", "harvard-oxford"};
    std::vector<std::filesystem::path> compare;     ///< atlases learned with other seeds
    std::vector<std::filesystem::path> datasets;    ///< default: the atlas's (PCA's training data)
    std::filesystem::path cacheDir;
    int powerIterations = 2;
    std::uint64_t seed = 0;
    int worst = 20;                                 ///< maps listed as represented worst (finest atlas scale)
};

struct RepresentationScore {
    std::string source;                             ///< "maps" or the literature database
    std::string method;                             ///< atlas, pca, aal, harvard-oxford, or "seed: <file>"
    int components = 0;
    std::vector<double> explained;                  ///< per map
    double mean = 0.0, median = 0.0;
};

struct RepresentationReport {
    std::vector<std::pair<std::string, std::vector<std::string>>> sources;  ///< source → map names
    std::vector<RepresentationScore> scores;
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> worst;  ///< source → (map, EV) at the finest scale
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: source, method, components, mean, median.
    [[nodiscard]] io::Table toTable() const;
    [[nodiscard]] double meanOf(const std::string& source, const std::string& method, int components) const;
};

RepresentationReport validateRepresentation(const RepresentationOptions& options, jobs::Progress& progress);

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// 1 − ‖y − Dᵀc‖² / ‖y‖² of each row y of `maps` (n × p) with least-squares codes c on the rows of
/// `dictionary` (k × p); 0 for a zero map.
std::vector<double> explainedFraction(const RowMatrixF& maps, const RowMatrixF& dictionary);
/// Median of the values (NaN when empty).
double medianOf(std::vector<double> values);
/// The score of one dictionary on one collection of maps (explained fractions, mean, median).
RepresentationScore representationScore(const std::string& source, const std::string& method, const RowMatrixF& maps,
                                        const RowMatrixF& dictionary);

} // namespace nm::validate
