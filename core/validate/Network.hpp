#pragma once
// Recovery of the simulator's true sparse network (derivatives/ground_truth/network_scale-<k>_precision.npy)
// by the sparse graphical models of an atlas scale: learned components matched to the true ones
// (Hungarian on map correlations), the support of each estimate compared with the true support on
// the matched pairs, along an α grid: precision, recall, F1 and the ROC AUC of the edge scores, for
// the group-sparse covariance, the graphical lasso of the mean correlation, and — at the same
// number of edges — thresholded Ledoit–Wolf partial correlations (the bundle's dense network).
#include "io/AtlasBundle.hpp"
#include "io/Table.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::validate {

struct NetworkValidationOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> datasets;   ///< default: the atlas's
    std::optional<std::filesystem::path> truth;     ///< default: <dataset>/derivatives/ground_truth
    std::filesystem::path cacheDir;
    double minMatch = 0.5;                          ///< matched pairs below this map correlation are left out
    int gridSize = 8;
    double lowFraction = 0.02;
};

struct RecoveryPoint {
    double alpha = 0.0;              ///< NaN for the threshold baseline
    std::int64_t edges = 0;          ///< among the matched pairs
    double precision = 0.0, recall = 0.0, f1 = 0.0;
    double auc = 0.0;                ///< ROC AUC of the edge scores (|partial correlation|; zeros tie)
};

struct RecoveryCurve {
    std::string method;              ///< group-sparse | graphical-lasso | ledoit-wolf-threshold
    std::vector<RecoveryPoint> points;
    [[nodiscard]] const RecoveryPoint& bestF1() const;
};

struct NetworkValidationScale {
    int components = 0;
    int matched = 0;                 ///< learned components matched with r ≥ minMatch
    double meanMatch = 0.0;
    std::int64_t pairs = 0, trueEdges = 0;
    std::vector<RecoveryCurve> curves;
    std::optional<RecoveryPoint> stored;  ///< the bundle's own sparse network (its α), when present
    double storedAlpha = 0.0;
};

struct NetworkValidationReport {
    std::filesystem::path truth;
    std::vector<NetworkValidationScale> scales;
    double seconds = 0.0;
    [[nodiscard]] nlohmann::json toJson() const;
    /// Long format: components, method, alpha, edges, precision, recall, f1, auc.
    [[nodiscard]] io::Table toTable() const;
};

NetworkValidationReport validateNetwork(const NetworkValidationOptions& options, jobs::Progress& progress);

/// Support scores against the true support over pairs (i < j): precision, recall, F1 of `score != 0`
/// and the ROC AUC of |score| (Mann–Whitney with mid-ranks). Exposed for tests.
RecoveryPoint supportRecovery(const std::vector<double>& score, const std::vector<bool>& truth);

} // namespace nm::validate
