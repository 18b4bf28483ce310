#pragma once
// Online dictionary learning with subsampling (SOMF; Mensch, Mairal, Thirion & Varoquaux,
// "Dictionary learning for massive matrix factorization", ICML 2016, and "Stochastic subsampling
// for factorizing huge matrices", IEEE TSP 2018).
//
//   min_{D ∈ C, α} Σ_t ½‖x_t − Dᵀα_t‖² + λ/2 ‖α_t‖²,   C = {d_j : ‖d_j‖₁ (+ γ/2‖d_j‖²) ≤ R, d_j ≥ 0}
//
// Samples x_t are fMRI volumes (p voxels); the dictionary rows d_j are spatial maps; codes α_t are
// the maps' time courses. Each iteration takes a minibatch X (b × p) and a random subset M of p/r
// voxels:
//  1. codes by ridge regression, α = (G + λ' I)⁻¹ D x, λ' = λ · tr(G)/k (the ridge is relative to
//     the atoms' energy, so λ is scale-free). Codes::Masked uses only the sampled voxels
//     (G = D_M D_Mᵀ, D_M x_M: SOMF's "masked" estimators, cost O(k m b)); Codes::Full uses all
//     voxels with G = D Dᵀ kept up to date incrementally (modl's "full"/"dictionary only" method);
//  2. surrogate statistics with forgetting weight w_t = t^(−β): A ← (1−w_t)A + w_t ααᵀ/b and
//     B ← (1−w_t)B + w_t αXᵀ/b — on all voxels (Statistics::Full, as modl's DictFact) or on the
//     sampled voxels with per-voxel counts n_j (Statistics::Subset, the asynchronous variant of
//     the TSP paper: w_{n_j} per voxel, O(k m b));
//  3. block coordinate descent over the atoms in random order, on the sampled voxels:
//     d_j[M] ← Π( d_j[M] + (B[j,M] − A[j,:]D[:,M]) / A_jj ), Π the exact projection onto the part
//     of the ball left by d_j outside M (BallProjection.hpp).
// Sparse maps make large k affordable: the learner keeps, beside the dense maps, each voxel's list
// of non-zero atoms, so that D x, D Dᵀ (kept up to date column by column) and the residuals
// A D_M of the sweep cost O(nnz) instead of O(k p). The sweep is blocked: the residuals of a block
// of atoms come from one sparse pass and are corrected inside the block, which is the same
// computation as the atom-by-atom sweep. What stays dense is the statistic B (k × p GEMM).
// A Communicator sums the statistics over MPI ranks, so that every rank holds the same dictionary.
#include "decompose/Communicator.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nm::decompose {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct SomfOptions {
    enum class Codes { Masked, Full };
    enum class Statistics { Subset, Full };
    int components = 64;
    double alpha = 0.3;       ///< ridge penalty λ on the codes, relative to the mean atom energy
    int reduction = 4;        ///< r: voxels sampled per iteration = p / r
    double beta = 0.7;        ///< learning-rate exponent, w_t = t^(−β), β ∈ (0.5, 1]
    double radius = 1.0;      ///< R of the constraint ball
    double gamma = 0.0;       ///< elastic-net weight (0: L1 ball)
    bool positive = true;     ///< non-negative maps
    Codes codes = Codes::Full;
    Statistics statistics = Statistics::Full;
    std::uint64_t seed = 0;
    void validate() const;
};

class OnlineDictionaryLearner {
public:
    OnlineDictionaryLearner(Eigen::Index voxels, const SomfOptions& options);

    /// Starting maps (k × p), projected onto the constraint set.
    void initialize(const RowMatrixF& maps);
    /// One iteration on a minibatch of volumes (b × p; b may be 0 on a rank without data this
    /// round). Every rank must call it the same number of times (the statistics are summed).
    void partialFit(const RowMatrixF& batch, Communicator* comm = nullptr);

    [[nodiscard]] const RowMatrixF& maps() const { return D_; }
    [[nodiscard]] const SomfOptions& options() const { return options_; }
    [[nodiscard]] std::int64_t iterations() const { return iteration_; }
    [[nodiscard]] Eigen::Index voxels() const { return D_.cols(); }

    /// Codes of full volumes by ridge regression on all voxels (b × k).
    [[nodiscard]] Eigen::MatrixXf transform(const RowMatrixF& batch) const;

    /// The whole state (maps, statistics, counters, random generator) for checkpoints.
    [[nodiscard]] std::string serialize() const;
    void deserialize(const std::string& bytes);

    /// Surrogate statistics A (k × k) and B (k × p; Statistics::Subset: only the sampled entries
    /// are current), the voxels sampled and the atom order of the last partialFit (for tests).
    [[nodiscard]] const Eigen::MatrixXd& statisticA() const { return A_; }
    [[nodiscard]] const RowMatrixF& statisticB() const { return B_; }
    [[nodiscard]] const std::vector<std::int32_t>& lastSubset() const { return subset_; }
    [[nodiscard]] const std::vector<std::int32_t>& lastOrder() const { return order_; }

    /// Floating-point operations of the last partialFit (for GFLOP/s reports).
    [[nodiscard]] double lastFlops() const { return lastFlops_; }

private:
    void drawSubset();
    void recomputeGram();
    void rebuildSparse();           ///< columns_ and atomNorm_ from D_
    void setColumn(Eigen::Index voxel);

    SomfOptions options_;
    RowMatrixF D_;                  ///< k × p maps
    Eigen::MatrixXd A_;             ///< k × k
    RowMatrixF B_;                  ///< k × p
    Eigen::MatrixXd G_;             ///< k × k, D Dᵀ (Codes::Full)
    std::int64_t gramAge_ = 0;      ///< updates since G_ was recomputed from D
    /// Non-zeros of each voxel's column of D: (atom, value), atoms increasing.
    std::vector<std::vector<std::pair<std::int32_t, float>>> columns_;
    std::vector<double> atomNorm_;  ///< ‖d_j‖₁ + γ/2‖d_j‖², kept up to date with D
    std::vector<std::int64_t> featureCounts_;
    std::vector<std::int32_t> permutation_;  ///< voxel order for subset draws
    std::vector<std::int32_t> subset_;
    std::vector<std::int32_t> order_;  ///< atom order of the last sweep
    std::int64_t iteration_ = 0;
    std::mt19937_64 rng_;
    double lastFlops_ = 0.0;
    RowMatrixF transposed_;         ///< work buffer (not state)
};

} // namespace nm::decompose
