#include "connectivity/SparseNetwork.hpp"

#include "common/Error.hpp"
#include "connectivity/Covariance.hpp"
#include "connectivity/GraphicalLasso.hpp"
#include "graph/ComponentGraph.hpp"

#include <chrono>
#include <cmath>
#include <limits>

namespace nm::connectivity {

std::string methodName(SparseNetworkMethod m) { return m == SparseNetworkMethod::GroupSparse ? "group-sparse" : "graphical-lasso"; }

Eigen::MatrixXd denseNetwork(const io::SparseMapsF& m) { return Eigen::MatrixXf(m).cast<double>(); }

io::SparseMapsF sparseNetworkMatrix(const Eigen::MatrixXd& m) {
    std::vector<Eigen::Triplet<float, std::int64_t>> t;
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            if (m(i, j) != 0.0) t.emplace_back(i, j, float(m(i, j)));
    io::SparseMapsF s(m.rows(), m.cols());
    s.setFromTriplets(t.begin(), t.end());
    return s;
}

io::ScaleSparseNetwork estimateSparseNetwork(const std::vector<Eigen::MatrixXd>& series, const std::vector<std::string>& subjects,
                                             const SparseNetworkOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    if (series.empty()) throw InputError("sparse network: no subject time courses");
    if (subjects.size() != series.size()) throw InputError("sparse network: one name per subject is needed");
    const Eigen::Index k = series.front().cols();
    std::vector<Eigen::MatrixXd> covs;
    std::vector<double> samples;
    for (std::size_t s = 0; s < series.size(); ++s) {
        if (series[s].cols() != k)
            throw InputError("sparse network: subject " + subjects[s] + " has " + std::to_string(series[s].cols()) + " components, expected " +
                             std::to_string(k));
        covs.push_back(empiricalCovariance(series[s], true));
        samples.push_back(double(series[s].rows()));
    }
    io::ScaleSparseNetwork n;
    n.method = methodName(o.method);
    Eigen::MatrixXd precision, partial;
    if (o.method == SparseNetworkMethod::GroupSparse) {
        if (series.size() < 2) throw InputError("sparse network: the group-sparse model needs at least 2 subjects (use the graphical lasso)");
        GroupSparseOptions gs;
        gs.tolerance = o.tolerance;
        gs.maxIterations = o.maxIterations;
        gs.what = "component time courses";
        if (o.alpha) {
            n.alpha = *o.alpha;
            n.alphaSelection = "given";
        } else {
            n.alphaSelection = "cv";
            GroupSparseOptions cvo = gs;
            cvo.tolerance = o.cvTolerance;
            cvo.maxIterations = o.cvMaxIterations;
            const auto cv = crossValidateGroupSparse(foldsOverSamples(series, o.folds, true),
                                                     alphaGrid(groupSparseAlphaMax(covs, samples), o.gridSize, o.lowFraction), cvo);
            n.alpha = cv.bestAlpha;
            n.crossValidated = true;
            n.cvAlphas = cv.alphas;
            n.cvScores.assign(cv.meanScore.data(), cv.meanScore.data() + cv.meanScore.size());
        }
        gs.alpha = n.alpha;
        const auto r = groupSparseCovariance(covs, samples, gs);
        precision = Eigen::MatrixXd::Zero(k, k);
        for (std::size_t s = 0; s < covs.size(); ++s) precision += r.weights[Eigen::Index(s)] * r.precisions[s];
        partial = r.meanPartialCorrelation();
        partial.diagonal().setZero();
        const Eigen::MatrixXd support = r.groupNorm();
        partial = (support.array() > 0).select(partial, 0.0);
        n.subjects = subjects;
        for (const auto& t : r.precisions) n.subjectPrecisions.push_back(sparseNetworkMatrix(t));
        n.objective = r.objective;
        n.dualityGap = r.dualityGap;
        n.iterations = r.iterations;
        n.converged = r.converged;
        n.edges = r.edges;
    } else {
        const Eigen::MatrixXd mean = weightedMeanCovariance(covs, samples);
        GraphicalLassoOptions go;
        go.tolerance = std::min(o.tolerance, 1e-4);
        go.maxIterations = std::max(o.maxIterations, 100);
        go.what = "mean component correlation";
        if (o.alpha) {
            n.alpha = *o.alpha;
            n.alphaSelection = "given";
        } else {
            n.alphaSelection = "cv";
            const auto folds = series.size() >= 2 ? foldsOverSubjects(covs, samples, std::min<int>(o.folds, int(series.size())))
                                                  : foldsOverSamples(series, o.folds, true);
            const auto cv = crossValidateGraphicalLasso(folds, alphaGrid(graphicalLassoAlphaMax(mean), o.gridSize, o.lowFraction), go);
            n.alpha = cv.bestAlpha;
            n.crossValidated = true;
            n.cvAlphas = cv.alphas;
            n.cvScores.assign(cv.meanScore.data(), cv.meanScore.data() + cv.meanScore.size());
        }
        go.alpha = n.alpha;
        const auto r = graphicalLasso(mean, go);
        precision = r.precision;
        partial = partialCorrelationFromPrecision(r.precision);
        n.objective = r.objective;
        n.dualityGap = r.dualityGap;
        n.iterations = r.iterations;
        n.converged = r.converged;
        n.edges = r.edges;
    }
    n.precision = sparseNetworkMatrix(precision);
    n.partialCorrelation = sparseNetworkMatrix(partial);
    // Modules of the positive partial-correlation graph (every edge, consensus clustering).
    graph::ComponentGraphOptions go;
    go.threshold = 1e-12;
    go.consensusRuns = o.consensusRuns;
    go.seed = o.seed;
    const auto g = graph::buildComponentGraph(partial, go);
    n.module = g.module;
    n.modularity = g.q;
    n.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return n;
}

void relateToParent(io::ScaleSparseNetwork& fine, const std::vector<int>& parent, const io::ScaleSparseNetwork& coarse) {
    const Eigen::MatrixXd F = denseNetwork(fine.partialCorrelation), C = denseNetwork(coarse.partialCorrelation);
    const Eigen::Index kc = C.rows();
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(kc, kc), count = Eigen::MatrixXd::Zero(kc, kc);
    Eigen::MatrixXi edge = Eigen::MatrixXi::Zero(kc, kc);
    for (Eigen::Index i = 0; i < F.rows(); ++i)
        for (Eigen::Index j = 0; j < F.cols(); ++j) {
            const int a = parent[std::size_t(i)], b = parent[std::size_t(j)];
            if (i == j || a < 0 || b < 0 || a == b) continue;
            sum(a, b) += F(i, j);
            count(a, b) += 1;
            edge(a, b) |= F(i, j) != 0.0;
        }
    std::vector<double> x, y;
    int parentEdges = 0, recalled = 0;
    for (Eigen::Index b = 0; b < kc; ++b)
        for (Eigen::Index a = 0; a < b; ++a) {
            if (count(a, b) == 0) continue;
            x.push_back(C(a, b));
            y.push_back(sum(a, b) / count(a, b));
            if (C(a, b) != 0.0) {
                ++parentEdges;
                recalled += edge(a, b);
            }
        }
    fine.parentSupportRecall = parentEdges > 0 ? double(recalled) / parentEdges : std::numeric_limits<double>::quiet_NaN();
    fine.parentCorrelation = std::numeric_limits<double>::quiet_NaN();
    if (x.size() >= 3) {
        const auto n = Eigen::Index(x.size());
        const Eigen::Map<const Eigen::VectorXd> X(x.data(), n), Y(y.data(), n);
        const Eigen::VectorXd xc = X.array() - X.mean(), yc = Y.array() - Y.mean();
        const double den = xc.norm() * yc.norm();
        if (den > 0) fine.parentCorrelation = xc.dot(yc) / den;
    }
}

Eigen::MatrixXd scaleNetworkMatrix(const io::AtlasScale& scale, NetworkKind kind, double alpha) {
    const std::string what = "scale " + std::to_string(scale.components);
    switch (kind) {
    case NetworkKind::Stored:
        if (!scale.sparseNetwork) throw InputError(what + " has no sparse network (run neuromosaic-cli network on the atlas)");
        return denseNetwork(scale.sparseNetwork->partialCorrelation);
    case NetworkKind::PartialCorrelation:
        if (scale.partialCorrelation.size() == 0) throw InputError(what + " has no partial-correlation network");
        {
            Eigen::MatrixXd m = scale.partialCorrelation.cast<double>();
            m.diagonal().setZero();
            return m;
        }
    case NetworkKind::GraphicalLasso: {
        if (scale.correlation.size() == 0) throw InputError(what + " has no correlation network");
        Eigen::MatrixXd c = scale.correlation.cast<double>();
        c = 0.5 * (c + c.transpose()).eval();
        c.diagonal().setOnes();
        GraphicalLassoOptions o;
        o.alpha = alpha > 0 ? alpha : 0.1 * graphicalLassoAlphaMax(c);
        o.what = what + " correlation";
        return partialCorrelationFromPrecision(graphicalLasso(c, o).precision);
    }
    case NetworkKind::Correlation:
    default:
        if (scale.correlation.size() == 0) throw InputError(what + " has no correlation network");
        {
            Eigen::MatrixXd m = scale.correlation.cast<double>();
            m.diagonal().setZero();
            return m;
        }
    }
}

nlohmann::json networkReport(const io::ScaleSparseNetwork& n, int components) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    nlohmann::json j = {{"components", components},
                        {"method", n.method},
                        {"alpha", n.alpha},
                        {"alpha_selection", n.alphaSelection},
                        {"edges", n.edges},
                        {"density", components > 1 ? double(n.edges) / (double(components) * (components - 1) / 2.0) : 0.0},
                        {"objective", n.objective},
                        {"duality_gap", n.dualityGap},
                        {"iterations", n.iterations},
                        {"converged", n.converged},
                        {"modules", n.moduleCount()},
                        {"modularity", n.modularity},
                        {"seconds", n.seconds},
                        {"subjects", n.subjects.size()},
                        {"parent_correlation", num(n.parentCorrelation)},
                        {"parent_support_recall", num(n.parentSupportRecall)}};
    if (n.crossValidated) j["cv"] = {{"alphas", n.cvAlphas}, {"mean_log_likelihood", n.cvScores}};
    return j;
}

} // namespace nm::connectivity
