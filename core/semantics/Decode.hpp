#pragma once
// Decoding one brain map (`neuromosaic-cli decode`, File ▸ Decode Map…): a contrast, a component,
// a NeuroVault image in MNI space → its literature terms ranked by Pearson r with the association
// z-maps of every term (NiMARE's correlation decoder, on cached term maps: one matrix-vector
// product), and, with a labelled atlas, its concepts: each labelled component weighs in with the
// positive part of its correlation with the map, a concept scoring the weighted mean of its π.
#include "io/AtlasBundle.hpp"
#include "io/Volume.hpp"
#include "jobs/Progress.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::semantics {

struct DecodeOptions {
    std::optional<std::filesystem::path> atlas;           ///< labelled bundle (its grid, mask and labels)
    std::optional<std::filesystem::path> literature;      ///< Neurosynth / NeuroQuery folder
    std::vector<std::string> databases{"neuroquery"};
    int frame = 0;                                        ///< of a 4-D map
    int top = 20;                                         ///< terms and concepts reported
    /// The map as correlated: signed (NiMARE's decoder), its positive part (a contrast's "A > B"
    /// side), or its absolute value.
    enum class Mode { Signed, Positive, Absolute } mode = Mode::Signed;
};

struct DecodedTerm {
    std::string term, concept_;                           ///< concept_: the Cognitive Atlas concept the term names, or ""
    double r = 0.0;
};
struct DecodedConcept {
    std::string name;
    double score = 0.0;
    std::vector<int> components;                          ///< the components carrying it, most correlated first
};

struct DecodeResult {
    std::vector<DecodedTerm> terms;                       ///< best first
    std::vector<DecodedConcept> concepts;                 ///< best first (with an atlas)
    std::string database, literatureStatus;
    int scale = 0;                                        ///< the atlas scale the concepts come from
    int voxels = 0;                                       ///< map voxels inside the mask
    bool resampled = false, termMapsCached = false;
    double seconds = 0.0, termMapSeconds = 0.0;
    std::vector<std::string> warnings;
    [[nodiscard]] nlohmann::json toJson() const;
};

/// The components of a scale that carry a concept (π at or above the threshold with a positive
/// coefficient), strongest first.
std::vector<int> componentsCarrying(const io::ScaleLabels& labels, int concept_);

/// A concept as one map on the atlas's grid: Σ π_j · map_j over the components that carry it
/// (frames = 1). Throws nm::InputError when the scale has no labels or the concept index is out of range.
Volume conceptMap(const io::AtlasBundle& bundle, int components, int concept_);

/// Checks the map (a 3-D volume in MNI space, finite where it matters, not empty), resamples it to
/// the grid of the atlas or of the default literature grid, and decodes it. Throws
/// nm::InputError naming the file and the problem.
DecodeResult decodeMap(const std::filesystem::path& map, const DecodeOptions& options, jobs::Progress& progress);

} // namespace nm::semantics
