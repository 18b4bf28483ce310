#pragma once
// Fitting generative models to a connectome: energies of many (rule, η, γ) points with
// repetitions, in parallel; the grid search of BCT's examples and the adaptive Voronoi refinement
// of Betzel et al. (2016): sample the parameter box, then repeatedly sample new points inside the
// Voronoi cells of the evaluated ones with probability ∝ (cell energy)^−power, so that the search
// concentrates where the energy is low. Two energies: BCT's (max KS of degree, clustering,
// betweenness, edge length) and a topographical one (1 − correlation of spatially smoothed node
// maps of the same four properties; worst of the four), for targets whose *where* matters.
#include "generative/GenerativeModel.hpp"

#include <functional>

namespace nm::generative {

/// The topographical target: node maps smoothed with a Gaussian kernel over node distances.
struct TopographicalTarget {
    Matrix kernel;                                  ///< n × n, rows sum to 1
    Eigen::VectorXd degree, clustering, betweenness, edgeLength;  ///< smoothed maps of the target
};
/// σ ≤ 0: twice the median nearest-neighbour distance.
TopographicalTarget topographicalTarget(const Matrix& A, const Matrix& D, double sigma = 0.0);
/// Energy parts as 1 − Pearson r of the smoothed maps (0 = same topography, 2 = inverted).
Energy topographicalEnergy(const TopographicalTarget& target, const Matrix& synthetic, const Matrix& D);

struct FitPoint {
    Rule rule = Rule::Spatial;
    double eta = 0, gamma = 0;
    Energy parts;          ///< mean of each part over repetitions
    double energy = 0;     ///< mean over repetitions of the max of the parts
    int step = 0;          ///< Voronoi step that sampled it (0 = initial / grid)
};

struct FitOptions {
    Form form = Form::PowerLaw;
    int repetitions = 1;
    std::uint64_t seed = 1;
    bool topographical = false;           ///< use topographicalEnergy instead of BCT's
    double smoothing = 0.0;               ///< σ of the topographical kernel (≤ 0: automatic)
    Eigen::VectorXd birth;                ///< non-empty: networks grow developmentally (develop) with these birth times
    Matrix seedNetwork;                   ///< non-empty: growth starts from these edges (BCT's seed, e.g. edges common to all subjects)
    std::function<void(std::size_t done, std::size_t total)> progress;
};

class Fitter {
public:
    /// A: the target (binary, undirected), D: distances; networks get A's number of edges.
    Fitter(const Matrix& A, const Matrix& D, FitOptions options);
    /// Fills in energies of the points (parallel over points).
    void evaluate(std::vector<FitPoint>& points) const;
    /// Betzel et al. (2016): `initial` uniform points in [eta0, eta1] × [gamma0, gamma1], then
    /// `steps` rounds of `perStep` points drawn inside Voronoi cells with P(cell) ∝ E^−power.
    /// Returns every evaluated point. Deterministic for the seed. (The spatial rule: η only.)
    std::vector<FitPoint> voronoi(Rule rule, double eta0, double eta1, double gamma0, double gamma1, int initial, int steps, int perStep, double power = 2.0) const;

private:
    Matrix A_, D_;
    Eigen::Index edges_ = 0;
    FitOptions o_;
    TargetStatistics target_;
    TopographicalTarget topo_;
};

} // namespace nm::generative
