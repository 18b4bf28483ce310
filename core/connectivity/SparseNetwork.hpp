#pragma once
// The sparse network of one atlas scale from its subjects' component time courses: the
// group-sparse covariance (default) or the graphical lasso of the mean correlation, α by
// cross-validation unless given, the modules of the graph of positive partial correlations
// (consensus clustering, graph/ComponentGraph), and how a scale's network relates to its parent's.
#include "io/AtlasBundle.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nm::connectivity {

enum class SparseNetworkMethod { GroupSparse, GraphicalLasso };
std::string methodName(SparseNetworkMethod method);  ///< "group-sparse" | "graphical-lasso"

struct SparseNetworkOptions {
    SparseNetworkMethod method = SparseNetworkMethod::GroupSparse;
    std::optional<double> alpha;     ///< none: cross-validated
    int folds = 3;                   ///< over samples (group) or subjects (graphical lasso)
    int gridSize = 6;                ///< α grid, log-spaced from lowFraction·αmax to αmax
    double lowFraction = 0.02;
    double tolerance = 1e-4;         ///< final fit: duality gap relative to the objective
    int maxIterations = 50;
    double cvTolerance = 1e-3;       ///< fits along the cross-validation grid (looser, as nilearn's tol_cv)
    int cvMaxIterations = 15;
    int consensusRuns = 50;
    std::uint64_t seed = 1;
    /// Scales above this many components take the α of the finest cross-validated scale instead of
    /// their own cross-validation (at 1024 components one fit takes about 2 min on 2 cores; a
    /// 3-fold grid ten times that). `neuromosaic-cli network ATLAS --cv` lifts the limit.
    int cvMaxComponents = 256;
};

/// `series`: per subject, samples × k component time courses (standardised inside). `subjects`:
/// their names (stored with the per-subject precisions). Throws nm::InputError for fewer than 2
/// subjects (group) or mismatched widths.
io::ScaleSparseNetwork estimateSparseNetwork(const std::vector<Eigen::MatrixXd>& series, const std::vector<std::string>& subjects,
                                             const SparseNetworkOptions& options);

/// Fills fine.parentCorrelation and fine.parentSupportRecall from `parent` (fine component → coarse
/// component, −1 none) and the coarse scale's network.
void relateToParent(io::ScaleSparseNetwork& fine, const std::vector<int>& parent, const io::ScaleSparseNetwork& coarse);

/// A dense k × k copy of a stored sparse matrix.
Eigen::MatrixXd denseNetwork(const io::SparseMapsF& m);
/// Entries of |m| > 0 as a float sparse matrix.
io::SparseMapsF sparseNetworkMatrix(const Eigen::MatrixXd& m);

/// The networks of a scale a viewer can draw (ComponentGraph weights, k × k, zero diagonal).
enum class NetworkKind {
    Correlation,         ///< the bundle's Ledoit–Wolf group correlation
    PartialCorrelation,  ///< its Ledoit–Wolf partial correlation
    GraphicalLasso,      ///< partial correlations of the graphical lasso of the group correlation at α
    Stored,              ///< the bundle's sparse model (learned: group-sparse, or graphical lasso)
};
/// Throws nm::InputError naming what the scale lacks. `alpha`: for GraphicalLasso only (≤ 0:
/// 0.1 αmax, about 5–15 % of the edges on component correlations).
Eigen::MatrixXd scaleNetworkMatrix(const io::AtlasScale& scale, NetworkKind kind, double alpha = 0.0);

/// Report fields (method, α and its selection, cross-validation curve, diagnostics, modules,
/// parent relation).
nlohmann::json networkReport(const io::ScaleSparseNetwork& network, int components);

} // namespace nm::connectivity
