#include "generative/Fit.hpp"

#include "common/Error.hpp"
#include "graph/Metrics.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <random>

namespace nm::generative {

namespace {
struct NodeMaps {
    Eigen::VectorXd degree, clustering, betweenness, edgeLength;
};
NodeMaps nodeMaps(const Matrix& A, const Matrix& D) {
    NodeMaps m;
    m.degree = graph::degree(A);
    m.clustering = graph::clusteringBU(A);
    m.betweenness = graph::betweennessBin(A);
    m.edgeLength = Eigen::VectorXd::Zero(A.rows());
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        if (m.degree[i] > 0) m.edgeLength[i] = A.row(i).dot(D.row(i)) / m.degree[i];  // mean length of the node's edges
    return m;
}
double oneMinusR(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const Eigen::VectorXd x = a.array() - a.mean(), y = b.array() - b.mean();
    const double den = x.norm() * y.norm();
    return den > 0 ? 1.0 - x.dot(y) / den : 1.0;  // a flat map carries no topography: r = 0
}
} // namespace

TopographicalTarget topographicalTarget(const Matrix& A, const Matrix& D, double sigma) {
    const Eigen::Index n = A.rows();
    if (D.rows() != n || D.cols() != n) throw InputError("topographical energy: distances must be " + std::to_string(n) + " × " + std::to_string(n));
    if (sigma <= 0) {
        std::vector<double> nearest;
        for (Eigen::Index i = 0; i < n; ++i) {
            double best = std::numeric_limits<double>::infinity();
            for (Eigen::Index j = 0; j < n; ++j)
                if (j != i && D(i, j) > 0) best = std::min(best, D(i, j));
            if (std::isfinite(best)) nearest.push_back(best);
        }
        if (nearest.empty()) throw InputError("topographical energy: all node distances are 0");
        std::nth_element(nearest.begin(), nearest.begin() + std::ptrdiff_t(nearest.size() / 2), nearest.end());
        sigma = 2.0 * nearest[nearest.size() / 2];
    }
    TopographicalTarget t;
    t.kernel = (-D.array().square() / (2 * sigma * sigma)).exp().matrix();
    t.kernel = t.kernel.array().colwise() / t.kernel.rowwise().sum().array();
    const auto m = nodeMaps(A, D);
    t.degree = t.kernel * m.degree;
    t.clustering = t.kernel * m.clustering;
    t.betweenness = t.kernel * m.betweenness;
    t.edgeLength = t.kernel * m.edgeLength;
    return t;
}

Energy topographicalEnergy(const TopographicalTarget& t, const Matrix& synthetic, const Matrix& D) {
    const auto m = nodeMaps(synthetic, D);
    return {oneMinusR(t.degree, t.kernel * m.degree), oneMinusR(t.clustering, t.kernel * m.clustering),
            oneMinusR(t.betweenness, t.kernel * m.betweenness), oneMinusR(t.edgeLength, t.kernel * m.edgeLength)};
}

Fitter::Fitter(const Matrix& A, const Matrix& D, FitOptions options) : A_(graph::binarize(A)), D_(D), o_(std::move(options)) {
    if (A_.rows() != A_.cols() || D_.rows() != A_.rows() || D_.cols() != A_.rows())
        throw InputError("generative fit: the network and the distances must be square and of the same size");
    if (o_.repetitions < 1) throw InputError("generative fit: repetitions must be >= 1");
    edges_ = graph::edgeCount(A_, false);
    target_ = targetStatistics(A_, D_);
    if (o_.topographical) topo_ = topographicalTarget(A_, D_, o_.smoothing);
    if (o_.seedNetwork.size()) {
        if (o_.seedNetwork.rows() != A_.rows() || o_.seedNetwork.cols() != A_.rows())
            throw InputError("generative fit: the seed network must be " + std::to_string(A_.rows()) + " × " + std::to_string(A_.rows()));
        if (o_.birth.size()) throw InputError("generative fit: a seed network and developmental growth exclude each other");
        if (graph::edgeCount(graph::binarize(graph::symmetrize(o_.seedNetwork)), false) > edges_)
            throw InputError("generative fit: the seed network has more edges than the target");
    }
}

void Fitter::evaluate(std::vector<FitPoint>& points) const {
    const Eigen::Index n = A_.rows();
    const Matrix seed = o_.seedNetwork.size() ? Matrix(graph::binarize(o_.seedNetwork)) : Matrix(Matrix::Zero(n, n));
    std::atomic<std::size_t> done{0};
    std::string failure;
    // Distance terms shared by the points of one η (a grid has few η values), when they fit in
    // about 80 MB; otherwise each point computes its own.
    std::map<double, std::vector<double>> shared;
    for (const auto& p : points) shared.emplace(p.eta, std::vector<double>{});
    const double pairs = double(n) * double(n - 1) / 2;
    const bool useShared = o_.birth.size() == 0 && shared.size() * 2 <= points.size() * std::size_t(o_.repetitions) && double(shared.size()) * pairs <= 1e7;
    if (useShared) {
        std::vector<double> etas;
        for (const auto& [e, v] : shared) etas.push_back(e);
        std::vector<std::vector<double>> terms(etas.size());
#pragma omp parallel for schedule(dynamic)
        for (std::size_t k = 0; k < etas.size(); ++k) {
            try {
                ModelSpec s;
                s.eta = etas[k];
                s.distanceForm = o_.form;
                terms[k] = distanceTerms(D_, s);
            } catch (const std::exception& e) {
#pragma omp critical
                failure = e.what();
            }
        }
        if (!failure.empty()) throw InputError(failure);
        for (std::size_t k = 0; k < etas.size(); ++k) shared[etas[k]] = std::move(terms[k]);
    }
#pragma omp parallel for schedule(dynamic)
    for (std::size_t p = 0; p < points.size(); ++p) {
        try {
            ModelSpec s;
            s.rule = points[p].rule;
            s.eta = points[p].eta;
            s.gamma = points[p].gamma;
            s.distanceForm = s.topologyForm = o_.form;
            Energy sum;
            double emax = 0;
            const double R = o_.repetitions;
            // Seeds from the parameters, so a point gets the same networks in any search.
            const std::uint64_t base = o_.seed * 1000003ull + std::uint64_t(int(s.rule)) * 7919ull + std::uint64_t(std::llround(s.eta * 1e6)) * 31ull +
                                       std::uint64_t(std::llround(s.gamma * 1e6)) * 131ull;
            for (int r = 0; r < o_.repetitions; ++r) {
                const Matrix G = o_.birth.size() ? develop(D_, o_.birth, A_, {s, s, 0}, base + std::uint64_t(r)).network
                                                 : generate(seed, D_, edges_, s, base + std::uint64_t(r), useShared ? &shared.at(s.eta) : nullptr);
                const Energy e = o_.topographical ? topographicalEnergy(topo_, G, D_) : energy(target_, G, D_);
                sum.degree += e.degree / R;
                sum.clustering += e.clustering / R;
                sum.betweenness += e.betweenness / R;
                sum.edgeLength += e.edgeLength / R;
                emax += e.max() / R;
            }
            points[p].parts = sum;
            points[p].energy = emax;
        } catch (const std::exception& e) {
#pragma omp critical
            failure = e.what();
        }
        const auto d = ++done;
        if (o_.progress) {
#pragma omp critical
            o_.progress(d, points.size());
        }
    }
    if (!failure.empty()) throw InputError(failure);
}

std::vector<FitPoint> Fitter::voronoi(Rule rule, double eta0, double eta1, double gamma0, double gamma1, int initial, int steps, int perStep, double power) const {
    if (initial < 1 || steps < 0 || perStep < 1) throw InputError("Voronoi search: needs initial >= 1, steps >= 0, points per step >= 1");
    if (!(eta1 >= eta0) || !(gamma1 >= gamma0)) throw InputError("Voronoi search: parameter ranges must be FROM <= TO");
    const bool spatial = rule == Rule::Spatial;
    std::mt19937_64 rng(o_.seed * 2654435761ull + std::uint64_t(int(rule)));
    std::uniform_real_distribution<double> ue(eta0, eta1), ug(gamma0, gamma1), u01(0.0, 1.0);
    std::vector<FitPoint> all;
    std::vector<FitPoint> batch;
    for (int i = 0; i < initial; ++i) batch.push_back({rule, ue(rng), spatial ? 0.0 : ug(rng), {}, 0, 0});
    evaluate(batch);
    all = batch;
    // Distances in the unit square, so that η and γ count alike.
    const double se = eta1 > eta0 ? eta1 - eta0 : 1.0, sg = gamma1 > gamma0 ? gamma1 - gamma0 : 1.0;
    for (int step = 1; step <= steps; ++step) {
        // Cell weights: E^−power, relative to the best (energies are in (0, 1] for KS, (0, 2] topographical).
        std::vector<double> w(all.size());
        double wmax = 0;
        for (std::size_t i = 0; i < all.size(); ++i) {
            w[i] = std::pow(std::max(all[i].energy, 1e-6), -power);
            wmax = std::max(wmax, w[i]);
        }
        batch.clear();
        // Rejection sampling: a uniform candidate belongs to the cell of its nearest evaluated
        // point and is kept with probability w(cell)/max w — exactly sampling the cells with
        // P ∝ w and uniformly inside them, without building the tessellation.
        for (std::size_t guard = 0; int(batch.size()) < perStep && guard < std::size_t(perStep) * 100000; ++guard) {
            const double e = ue(rng), g = spatial ? 0.0 : ug(rng);
            std::size_t cell = 0;
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < all.size(); ++i) {
                const double de = (all[i].eta - e) / se, dg = (all[i].gamma - g) / sg, d2 = de * de + dg * dg;
                if (d2 < best) best = d2, cell = i;
            }
            if (u01(rng) * wmax <= w[cell]) batch.push_back({rule, e, g, {}, 0, step});
        }
        evaluate(batch);
        all.insert(all.end(), batch.begin(), batch.end());
    }
    return all;
}

} // namespace nm::generative
