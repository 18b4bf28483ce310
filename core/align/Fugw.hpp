#pragma once
// Fused unbalanced Gromov-Wasserstein transport (Thual et al. 2022), dense solver.
//
//   min_{P ≥ 0}  (1−α) ⟨C, P⟩ + α Σ_{i,j,k,l} (Ds_ik − Dt_jl)² P_ij P_kl
//              + ρs KL⊗(P1 | ws) + ρt KL⊗(Pᵀ1 | wt) + ε KL⊗(P | ws wtᵀ)
//
// solved, as Séjourné, Vialard & Peyré 2021 do for unbalanced GW, by block-coordinate descent on
// the lower bound in a pair (P, Q) with Q = P at the optimum: each block is an unbalanced
// entropic OT problem (Sinkhorn in the log domain, majorisation-minimisation after Chapel et al.
// 2021, or inexact Bregman proximal points after Xie et al. 2020) whose cost is the "local
// biconvex cost" of the other block; after each block the masses of P and Q are equalised.
// KL⊗ is the KL divergence of product measures (so that ρ scales with the mass); with the L2
// divergence the blocks are solved by the MM-L2 update of Chapel et al. 2021.
//
// Matrices of the size of the plan are float (n × m); vectors and sums are double.
#include <Eigen/Core>

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::align {

/// A geometry kernel D (n × n, symmetric, ≥ 0, divided by its maximum), stored dense or as an
/// exact low-rank product D = U Vᵀ (then D∘D = U₂ V₂ᵀ by Khatri-Rao products of the rows), so
/// that D P D' is computed in O(n m r) without any n × n matrix.
class Geometry {
public:
    Geometry() = default;
    /// Pairwise distances (or any symmetric non-negative kernel); divided by its maximum.
    static Geometry fromMatrix(Eigen::MatrixXf kernel);
    /// Squared Euclidean distances of an embedding (n × d): D_ik = ‖x_i − x_k‖² / max, exactly of
    /// rank d + 2 (as fugw's coarse-to-fine solver: Landmark-MDS embeddings of geodesics, or the
    /// voxel coordinates of a volume). `scale` = the maximum (computed when ≤ 0).
    static Geometry fromEmbedding(const Eigen::MatrixXd& points, double scale = 0.0);

    [[nodiscard]] Eigen::Index size() const { return n_; }
    [[nodiscard]] bool lowRank() const { return dense_.size() == 0 && n_ > 0; }
    /// The divisor that normalised the kernel (its maximum before normalisation).
    [[nodiscard]] double scale() const { return scale_; }
    [[nodiscard]] const Eigen::MatrixXf& matrix() const { return dense_; }
    [[nodiscard]] const Eigen::MatrixXf& factorU() const { return u_; }
    [[nodiscard]] const Eigen::MatrixXf& factorV() const { return v_; }
    /// D_ik (dense or from the factors).
    [[nodiscard]] float entry(Eigen::Index i, Eigen::Index k) const;
    /// (D∘D) x.
    [[nodiscard]] Eigen::VectorXd applySquared(const Eigen::VectorXd& x) const;
    /// The dense matrix (for small problems and tests).
    [[nodiscard]] Eigen::MatrixXf toDense() const;
    /// Rows `rows` and columns `rows` (a sub-geometry, not renormalised).
    [[nodiscard]] Geometry subset(const std::vector<Eigen::Index>& rows) const;

private:
    Eigen::Index n_ = 0;
    double scale_ = 1.0;
    Eigen::MatrixXf dense_;
    Eigen::MatrixXf u_, v_;    // D = u vᵀ
    Eigen::MatrixXf u2_, v2_;  // D∘D = u2 v2ᵀ
};

enum class InnerSolver { Sinkhorn, MM, IBPP };
enum class Divergence { KL, L2 };
std::string toString(InnerSolver s);
InnerSolver innerSolverFromString(const std::string& s);  // throws InputError naming the choices

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct FugwOptions {
    double alpha = 0.5;     ///< weight of the GW (geometry) term, 1 − α of the feature term
    double rhoSource = 1.0; ///< KL penalty on the source marginal (∞ = balanced)
    double rhoTarget = 1.0;
    double eps = 1e-4;      ///< entropic regularisation (0 allowed for MM and IBPP)
    InnerSolver solver = InnerSolver::Sinkhorn;  // fugw's default; MM sharpens slowly at small ε
    Divergence divergence = Divergence::KL;
    int bcdIterations = 10;
    int innerIterations = 100;
    double tolBcd = 1e-7;     ///< stop when ‖P − P_prev‖₁ falls below
    double tolLoss = 0.0;     ///< stop when |Δ loss| falls below (0: off)
    double tolInner = 1e-7;   ///< inner stop on the change of the marginals (or duals)
    /// ε-scaling: when > 0, BCD iteration k uses max(eps, epsStart · epsDecay^k), so the plan
    /// sharpens progressively (a large ε first finds the basin, the target ε ends); 0: off.
    double epsStart = 0.0;
    double epsDecay = 0.3;
    int ibppSinkhornIterations = 5;
    double ibppEpsBase = 1.0; ///< the proximal weight of IBPP
};

/// The FUGW loss and its unweighted terms, as fugw reports them.
struct FugwLoss {
    double wasserstein = 0, gromovWasserstein = 0, marginalSource = 0, marginalTarget = 0,
           regularization = 0, total = 0;
};

struct FugwResult {
    Eigen::MatrixXf plan;       ///< P (n × m)
    Eigen::MatrixXf gamma;      ///< Q, the other block (equal to P at convergence)
    std::vector<FugwLoss> loss; ///< at the start and after every BCD iteration
    std::vector<double> seconds;
    std::vector<int> innerIterations;  ///< per half-step
    int iterations = 0;
    bool converged = false;
};

/// Called after every BCD iteration (iteration, loss so far); returning false stops the descent.
using FugwCallback = std::function<bool(int, const FugwLoss&)>;

/// Squared Euclidean distance between the feature vectors of source (n × d) and target (m × d)
/// vertices, C_ij = ‖f_i − g_j‖² (fugw's feature cost), divided by its maximum when `normalise`.
Eigen::MatrixXf featureCost(const Eigen::MatrixXf& source, const Eigen::MatrixXf& target, bool normalise = true);
/// Each column (feature) standardised to mean 0 and unit norm over vertices, as fugw's examples do.
Eigen::MatrixXf normaliseFeatures(const Eigen::MatrixXf& features);

/// The dense solver. `cost` is C (n × m); ws, wt are the vertex weights (uniform 1/n, 1/m if
/// empty); `init` a starting plan (ws wtᵀ if empty). Throws InputError on inconsistent sizes or
/// invalid parameters.
FugwResult solveFugw(const Eigen::MatrixXf& cost, const Geometry& source, const Geometry& target,
                     const FugwOptions& options, Eigen::VectorXd ws = {}, Eigen::VectorXd wt = {},
                     const Eigen::MatrixXf* init = nullptr, jobs::Progress* progress = nullptr,
                     const FugwCallback& callback = {});

/// The FUGW loss of the pair (P, Q).
FugwLoss fugwLoss(const Eigen::MatrixXf& cost, const Geometry& source, const Geometry& target,
                  const FugwOptions& options, const Eigen::VectorXd& ws, const Eigen::VectorXd& wt,
                  const Eigen::MatrixXf& p, const Eigen::MatrixXf& q);

// ---- inner unbalanced OT solvers (exposed for tests against POT) ----
// min ⟨c, P⟩ + ρs KL(P1|ws) + ρt KL(Pᵀ1|wt) + ε KL(P|ws wtᵀ); the plan is written into `plan`
// (which holds the starting plan for MM/IBPP). Returns the iterations done.
struct Duals {
    Eigen::VectorXd u, v;
};
int sinkhornUnbalanced(const Eigen::MatrixXf& c, const Eigen::VectorXd& ws, const Eigen::VectorXd& wt,
                       double rhoS, double rhoT, double eps, int iterations, double tol, Duals& duals,
                       Eigen::MatrixXf& plan);
int mmUnbalanced(const Eigen::MatrixXf& c, const Eigen::VectorXd& ws, const Eigen::VectorXd& wt, double rhoS,
                 double rhoT, double eps, int iterations, double tol, Eigen::MatrixXf& plan);
int ibppUnbalanced(const Eigen::MatrixXf& c, const Eigen::VectorXd& ws, const Eigen::VectorXd& wt, double rhoS,
                   double rhoT, double eps, double epsBase, int iterations, int sinkhornIterations, double tol,
                   Eigen::MatrixXf& plan);
/// MM for the L2 divergence (Chapel et al. 2021): min ⟨c,P⟩ + ρs/2‖P1−a‖² + ρt/2‖Pᵀ1−b‖²
/// + ε/2‖P − ra rbᵀ‖² (the reference plan is the outer product ra rbᵀ).
int mmUnbalancedL2(const Eigen::MatrixXf& c, const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                   const Eigen::VectorXd& ra, const Eigen::VectorXd& rb, double rhoS, double rhoT, double eps, int iterations, double tol, Eigen::MatrixXf& plan);

// ---- transport of maps ----
/// Barycentric projection of source maps (n × k) onto the target: row j = Σ_i P_ij x_i / Σ_i P_ij
/// (a weighted mean of the source values sent to j, so an unbalanced plan does not rescale maps;
/// fugw's `transform`). `identityBlend` ∈ [0, 1] mixes in the source maps themselves (same mesh
/// only). Target vertices that receive no mass get the identity value when the meshes agree, else 0.
Eigen::MatrixXf transportToTarget(const Eigen::MatrixXf& plan, const Eigen::MatrixXf& sourceMaps,
                                  double identityBlend = 0.0);
/// The inverse direction: row i = Σ_j P_ij y_j / Σ_j P_ij.
Eigen::MatrixXf transportToSource(const Eigen::MatrixXf& plan, const Eigen::MatrixXf& targetMaps,
                                  double identityBlend = 0.0);

struct Match {
    Eigen::Index target = -1;
    double mass = 0.0;
};
/// For every source vertex, the target vertex receiving most of its mass.
std::vector<Match> bestMatches(const Eigen::MatrixXf& plan);

} // namespace nm::align
