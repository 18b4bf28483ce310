#pragma once
// Coarse-to-fine FUGW for problems too large for a dense plan (Thual et al. 2022, §3; fugw's
// `coarse_to_fine`): a dense problem on ~1,000 samples of each side, a sparsity mask from its
// matches dilated by a radius on both sides, then the fine problem on that mask only. Memory is
// O(nnz + n r) — the geometry is a low-rank kernel (Landmark MDS or voxel coordinates), the
// feature cost is computed per mask entry, no n × m matrix exists.
#include "align/Fugw.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::align {

/// A plan on a fixed sparsity pattern, CSR (rows = source), with the column-major order of its
/// entries for column operations.
struct SparsePlan {
    Eigen::Index rows = 0, cols = 0;
    std::vector<std::int64_t> rowStart;    ///< rows + 1
    std::vector<std::int32_t> col;         ///< nnz, sorted within each row
    Eigen::VectorXf value;                 ///< nnz
    std::vector<std::int64_t> colStart;    ///< cols + 1
    std::vector<std::int64_t> byColumn;    ///< nnz entry ids ordered by column

    [[nodiscard]] std::int64_t nonZeros() const { return std::int64_t(col.size()); }
    /// Fills colStart/byColumn from rowStart/col.
    void indexColumns();
    [[nodiscard]] Eigen::VectorXd rowSums() const;
    [[nodiscard]] Eigen::VectorXd colSums() const;
    /// P · M (rows × k) for a cols × k matrix M.
    [[nodiscard]] Eigen::MatrixXf times(const Eigen::MatrixXf& m) const;
    /// Pᵀ · M (cols × k) for a rows × k matrix M.
    [[nodiscard]] Eigen::MatrixXf transposeTimes(const Eigen::MatrixXf& m) const;
};

/// FUGW on a sparsity pattern: the same BCD as solveFugw (Sinkhorn in the log domain over each
/// row's and column's entries), both geometries low rank. Features are the standardised vertex
/// features (n × d, m × d); the feature cost of an entry is ‖f_i − g_j‖² / costScale.
FugwResult solveSparseFugw(const Eigen::MatrixXf& sourceFeatures, const Eigen::MatrixXf& targetFeatures,
                           double costScale, const Geometry& source, const Geometry& target, SparsePlan& plan,
                           const FugwOptions& options, jobs::Progress* progress = nullptr);

struct CoarseToFineOptions {
    FugwOptions coarse, fine;
    int coarseSamples = 1000;     ///< per side, farthest-point samples of the coordinates
    double radiusFactor = 1.0;    ///< dilation radius = factor × the samples' mean spacing
    double keepFraction = 0.3;    ///< coarse targets kept per sample: mass ≥ this × the row's maximum
};

struct CoarseToFineResult {
    SparsePlan plan;
    FugwResult coarse, fine;      ///< fine.plan / fine.gamma are empty (the plan is `plan`)
    std::vector<Eigen::Index> sourceSamples, targetSamples;
    double radiusMm = 0.0;
};

/// Coarse-to-fine alignment. `xs`, `xt` are coordinates (mm) used for sampling and dilation
/// (voxel centres, or vertex positions: Euclidean radius as an approximation of the geodesic one).
CoarseToFineResult alignCoarseToFine(const Eigen::MatrixXf& sourceFeatures, const Eigen::MatrixXf& targetFeatures,
                                     const Eigen::MatrixXd& xs, const Eigen::MatrixXd& xt, const Geometry& source,
                                     const Geometry& target, const CoarseToFineOptions& options,
                                     jobs::Progress* progress = nullptr);

/// Farthest-point samples of a point cloud (Euclidean), starting from point 0.
std::vector<Eigen::Index> farthestPoints(const Eigen::MatrixXd& points, int count);

/// Barycentric transport with a sparse plan (same convention as transportToTarget).
Eigen::MatrixXf transportToTarget(const SparsePlan& plan, const Eigen::MatrixXf& sourceMaps, double identityBlend = 0.0);
/// The inverse direction with a sparse plan: row i = Σ_j P_ij y_j / Σ_j P_ij.
Eigen::MatrixXf transportToSource(const SparsePlan& plan, const Eigen::MatrixXf& targetMaps);
std::vector<Match> bestMatches(const SparsePlan& plan);

} // namespace nm::align
