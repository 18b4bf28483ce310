// Graphical lasso against scikit-learn (stored values and, when Debian's python3-sklearn is
// installed, a live run), its optimality conditions, and the group-sparse estimator's KKT
// conditions, its reduction to the graphical lasso for one subject, and nilearn when present.
#include "connectivity/GraphicalLasso.hpp"
#include "common/Error.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <fstream>
#include <random>
#include <sstream>

using namespace nm;
using namespace nm::connectivity;

namespace {

// np.round(np.corrcoef((rng.randn(30, 6) @ rng.randn(6, 6)).T), 6) with RandomState(0).
Eigen::MatrixXd referenceCovariance() {
    Eigen::MatrixXd s(6, 6);
    s << 1., 0.029766, 0.106221, -0.45458, 0.638429, -0.005601,   //
        0.029766, 1., -0.047417, 0.671334, -0.377595, 0.533122,   //
        0.106221, -0.047417, 1., -0.058515, -0.324531, -0.051719, //
        -0.45458, 0.671334, -0.058515, 1., -0.701654, 0.819732,   //
        0.638429, -0.377595, -0.324531, -0.701654, 1., -0.274395, //
        -0.005601, 0.533122, -0.051719, 0.819732, -0.274395, 1.;
    return s;
}

Eigen::MatrixXd randomSamples(Eigen::Index n, Eigen::Index p, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    Eigen::MatrixXd mix(p, p), x(n, p);
    for (auto& v : mix.reshaped()) v = g(rng);
    for (auto& v : x.reshaped()) v = g(rng);
    return x * mix;
}

/// Samples from a known sparse precision: a chain plus a few long-range edges.
Eigen::MatrixXd sparsePrecision(Eigen::Index p, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<Eigen::Index> pick(0, p - 1);
    Eigen::MatrixXd t = Eigen::MatrixXd::Identity(p, p);
    for (Eigen::Index i = 0; i + 1 < p; ++i) t(i, i + 1) = t(i + 1, i) = -0.35;
    for (int e = 0; e < int(p / 4); ++e) {
        const Eigen::Index a = pick(rng), b = pick(rng);
        if (std::abs(a - b) > 1) t(a, b) = t(b, a) = 0.2;
    }
    t.diagonal().array() += std::max(0.0, 0.1 - Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(t).eigenvalues().minCoeff());
    return t;
}

Eigen::MatrixXd samplesFromPrecision(const Eigen::MatrixXd& theta, Eigen::Index n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    const Eigen::LLT<Eigen::MatrixXd> llt(theta);  // Θ = L Lᵀ → x = L⁻ᵀ z has covariance Θ⁻¹
    Eigen::MatrixXd z(theta.rows(), n);
    for (auto& v : z.reshaped()) v = g(rng);
    return llt.matrixU().solve(z).transpose();
}

Eigen::MatrixXd readMatrix(const std::string& text, Eigen::Index rows, Eigen::Index cols) {
    std::istringstream in(text);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) REQUIRE(in >> m(i, j));
    return m;
}

/// Runs a Python script with Debian's interpreter; returns what it printed.
std::string runPython(const test::TempDir& dir, const std::string& script) {
    {
        std::ofstream py(dir / "peer.py");
        py << script;
    }
    const auto run = test::run("/usr/bin/python3 " + test::shellQuote((dir / "peer.py").string()));
    INFO(run.err);
    REQUIRE(run.exitCode == 0);
    return run.out;
}

bool havePython(const std::string& module) { return std::system(("/usr/bin/python3 -c 'import " + module + "' 2>/dev/null").c_str()) == 0; }

/// Glasso optimality: W = Θ⁻¹, w_ii = s_ii, |w_ij − s_ij| ≤ α, = α sign(θ_ij)·(−1)… where θ_ij ≠ 0.
void checkGlassoKkt(const Eigen::MatrixXd& S, const GraphicalLassoResult& r, double tol) {
    const Eigen::MatrixXd inv = r.precision.inverse();
    for (Eigen::Index i = 0; i < S.rows(); ++i) {
        CHECK(inv(i, i) == Approx(S(i, i)).margin(tol));
        for (Eigen::Index j = 0; j < S.cols(); ++j) {
            if (i == j) continue;
            const double g = inv(i, j) - S(i, j);  // ∂/∂θ_ij of −log det + tr(SΘ) is s − w
            CHECK(std::abs(g) <= r.alpha + tol);
            if (r.precision(i, j) != 0.0) CHECK(g == Approx(r.alpha * (r.precision(i, j) > 0 ? 1.0 : -1.0)).margin(tol));
        }
    }
}

} // namespace

TEST_CASE("graphical lasso equals scikit-learn's on a stored problem", "[connectivity][glasso]") {
    const Eigen::MatrixXd S = referenceCovariance();
    Eigen::MatrixXd p01(6, 6), p03(6, 6);
    // sklearn.covariance.graphical_lasso(S, alpha, tol=1e-12, enet_tol=1e-12, max_iter=2000), sklearn 1.2.1.
    p01 << 1.5415387222583172, -0.2316338635479903, -0.1891913842050451, 0.47626972636448633, -0.7927684108728569, -0.370213225661967,
        -0.2316338635479903, 1.5301234259815957, 0., -0.9563442727957889, 0., 0.,                                                 //
        -0.1891913842050451, 0., 1.0933331531694632, 0.15132322537235568, 0.4383975378584649, 0.,                                 //
        0.47626972636448633, -0.9563442727957889, 0.15132322537235568, 3.533165965852929, 0.9791411268710861, -1.7160161226457402, //
        -0.7927684108728569, 0., 0.4383975378584649, 0.9791411268710861, 2.109618825669922, -0.01273705617616642,                 //
        -0.370213225661967, 0., 0., -1.7160161226457402, -0.01273705617616642, 2.1912081389938587;
    p03 << 1.129878208044223, 0., 0., 0.0251238127821412, -0.3722924721710201, 0.,         //
        0., 1.162919320743548, 0., -0.39860195750337424, 0., -0.06393588531328198,         //
        0., 0., 1.0006021323061345, 0., 0.0245457709076028, 0.,                            //
        0.0251238127821412, -0.39860195750337424, 0., 1.6996324576174675, 0.4706372464632584, -0.6901653674568925, //
        -0.3722924721710201, 0., 0.0245457709076028, 0.4706372464632584, 1.3156300339614513, 0.,                   //
        0., -0.06393588531328198, 0., -0.6901653674568925, 0., 1.3736058882151085;
    GraphicalLassoOptions o;
    o.tolerance = 1e-12;
    o.innerTolerance = 1e-13;
    o.maxIterations = 2000;
    for (const auto& [alpha, ref] : {std::pair{0.1, p01}, std::pair{0.3, p03}}) {
        o.alpha = alpha;
        const auto r = graphicalLasso(S, o);
        INFO("alpha " << alpha);
        CHECK(r.converged);
        CHECK((r.precision - ref).cwiseAbs().maxCoeff() < 1e-6);
        CHECK(r.edges == offDiagonalNonZeros(ref));
        checkGlassoKkt(S, r, 1e-6);
        CHECK(r.dualityGap < 1e-10);
    }
}

TEST_CASE("graphical lasso equals a live scikit-learn run at p = 40", "[connectivity][glasso][peer]") {
    if (!havePython("sklearn")) NM_SKIP("python3-sklearn not installed");
    test::TempDir dir;
    const Eigen::MatrixXd S = empiricalCovariance(randomSamples(60, 40, 3), true);
    test::writeMatrixText(dir / "S.txt", S);
    const double alpha = 0.25;
    std::ostringstream py;
    py << "import numpy as np\nfrom sklearn.covariance import graphical_lasso\nS=np.loadtxt('" << (dir / "S.txt").string()
       << "')\nc,p=graphical_lasso(S,alpha=" << alpha << ",tol=1e-11,enet_tol=1e-12,max_iter=3000)\n"
       << "print(' '.join('%.17g'%v for v in p.ravel()))\n";
    const std::string out = runPython(dir, py.str());
    const Eigen::MatrixXd ref = readMatrix(out, 40, 40);
    GraphicalLassoOptions o;
    o.alpha = alpha;
    o.tolerance = 1e-11;
    o.innerTolerance = 1e-13;
    o.maxIterations = 3000;
    const auto r = graphicalLasso(S, o);
    CHECK(r.converged);
    CHECK((r.precision - ref).cwiseAbs().maxCoeff() < 1e-6);
    CHECK(graphicalLassoObjective(S, r.precision, alpha) <= graphicalLassoObjective(S, ref, alpha) + 1e-9);
}

TEST_CASE("graphical lasso: α path, αmax, warm starts and bad input", "[connectivity][glasso]") {
    const Eigen::MatrixXd S = empiricalCovariance(randomSamples(80, 20, 5), true);
    const double amax = graphicalLassoAlphaMax(S);
    GraphicalLassoOptions o;
    o.alpha = amax * 1.0001;
    CHECK(graphicalLasso(S, o).edges == 0);
    o.alpha = amax * 0.97;
    CHECK(graphicalLasso(S, o).edges >= 1);
    const auto path = graphicalLassoPath(S, alphaGrid(amax, 6, 0.05), o);
    REQUIRE(path.size() == 6);
    for (std::size_t i = 1; i < path.size(); ++i) {
        CHECK(path[i].alpha < path[i - 1].alpha);
        CHECK(path[i].edges >= path[i - 1].edges - 2);  // denser as α falls (up to ties)
        CHECK(path[i].converged);
    }
    // A singular covariance (fewer samples than signals) is fine with α > 0 and refused at α = 0.
    const Eigen::MatrixXd Ssing = empiricalCovariance(randomSamples(8, 20, 7), true);
    o.alpha = 0.3;
    const auto rs = graphicalLasso(Ssing, o);
    CHECK(rs.converged);
    CHECK(rs.precision.llt().info() == Eigen::Success);
    o.alpha = 0.0;
    CHECK_THROWS_AS(graphicalLasso(Ssing, o), InputError);
    o.alpha = -1.0;
    CHECK_THROWS_AS(graphicalLasso(S, o), InputError);
    o.alpha = 0.1;
    Eigen::MatrixXd bad = S;
    bad(2, 3) = std::nan("");
    CHECK_THROWS_WITH(graphicalLasso(bad, o), Catch::Contains("(3, 4)"));
    bad = S;
    bad(2, 3) += 0.1;
    CHECK_THROWS_WITH(graphicalLasso(bad, o), Catch::Contains("not symmetric"));
    bad = S;
    bad(4, 4) = 0.0;
    CHECK_THROWS_WITH(graphicalLasso(bad, o), Catch::Contains("variance 5"));
    CHECK_THROWS_AS(graphicalLasso(Eigen::MatrixXd::Ones(3, 4), o), InputError);
    // One signal: nothing to penalise, the inverse variance; cross-validation does not divide by αmax = 0.
    const Eigen::MatrixXd one = Eigen::MatrixXd::Constant(1, 1, 4.0);
    CHECK(graphicalLasso(one, o).precision(0, 0) == Approx(0.25));
    const auto cv1 = crossValidateGraphicalLasso(foldsOverSubjects({one, one, one}, {}, 3), {}, o);
    CHECK(cv1.bestAlpha == 0.0);
    CHECK(std::isfinite(cv1.meanScore[0]));
}

TEST_CASE("cross-validated graphical lasso picks a model better than both ends of the grid", "[connectivity][glasso]") {
    const Eigen::MatrixXd theta = sparsePrecision(25, 11);
    std::vector<Eigen::MatrixXd> covs;
    for (unsigned s = 0; s < 6; ++s) covs.push_back(empiricalCovariance(samplesFromPrecision(theta, 60, 100 + s), false));
    const auto folds = foldsOverSubjects(covs, {}, 3);
    REQUIRE(folds.size() == 3);
    GraphicalLassoOptions o;
    double amax = 0.0;
    for (const auto& c : covs) amax = std::max(amax, graphicalLassoAlphaMax(c));
    const auto cv = crossValidateGraphicalLasso(folds, alphaGrid(amax, 8, 0.005), o);
    CHECK(cv.meanScore.size() == Eigen::Index(cv.alphas.size()));
    CHECK(cv.alphas.size() > 8);  // refined
    CHECK(cv.bestAlpha < cv.alphas.front());
    CHECK(cv.bestAlpha > cv.alphas.back());
    CHECK(cv.meanScore[cv.bestIndex] > cv.meanScore[0]);
    CHECK(cv.meanScore[cv.bestIndex] > cv.meanScore[cv.meanScore.size() - 1]);
}

namespace {

/// Group-sparse KKT: diag Σ_k = S_k; off the support ‖(n_k(s − σ))_k‖ ≤ α; on it
/// n_k (σ_k,ij − s_k,ij) = α θ_k,ij / ‖θ_·ij‖.
void checkGroupKkt(const std::vector<Eigen::MatrixXd>& S, const GroupSparseResult& r, double tol) {
    const std::size_t K = S.size();
    const Eigen::Index p = S.front().rows();
    std::vector<Eigen::MatrixXd> inv;
    for (const auto& t : r.precisions) inv.push_back(t.inverse());
    const Eigen::MatrixXd norm = r.groupNorm();
    int onSupport = 0, offSupport = 0;
    for (Eigen::Index i = 0; i < p; ++i)
        for (Eigen::Index j = 0; j < p; ++j) {
            if (i == j) {
                for (std::size_t k = 0; k < K; ++k) CHECK(inv[k](i, i) == Approx(S[k](i, i)).margin(tol));
                continue;
            }
            const auto nk = static_cast<Eigen::Index>(K);
            Eigen::VectorXd grad(nk), dir(nk);
            for (std::size_t k = 0; k < K; ++k) {
                grad[Eigen::Index(k)] = r.weights[Eigen::Index(k)] * (inv[k](i, j) - S[k](i, j));
                dir[Eigen::Index(k)] = r.precisions[k](i, j);
            }
            if (norm(i, j) == 0.0) {
                ++offSupport;
                CHECK(grad.norm() <= r.alpha + tol);
            } else {
                ++onSupport;
                CHECK((grad - r.alpha * dir / norm(i, j)).cwiseAbs().maxCoeff() < tol);
            }
        }
    CHECK(onSupport > 0);
    CHECK(offSupport > 0);
}

} // namespace

TEST_CASE("group-sparse covariance satisfies its optimality conditions", "[connectivity][group]") {
    const Eigen::MatrixXd theta = sparsePrecision(30, 21);
    std::vector<Eigen::MatrixXd> covs;
    std::vector<double> n;
    for (unsigned s = 0; s < 5; ++s) {
        covs.push_back(empiricalCovariance(samplesFromPrecision(theta, 80 + 20 * s, 200 + s), true));
        n.push_back(80 + 20 * s);
    }
    GroupSparseOptions o;
    o.alpha = 0.15 * groupSparseAlphaMax(covs, n);
    o.tolerance = 1e-12;
    o.changeTolerance = 0.0;
    o.maxIterations = 500;
    const auto r = groupSparseCovariance(covs, n, o);
    CHECK(r.converged);
    CHECK(r.dualityGap >= -1e-9);
    CHECK(r.dualityGap < 1e-10);
    checkGroupKkt(covs, r, 1e-6);
    // The gap history falls.
    CHECK(r.gapHistory.back() < r.gapHistory.front());
    // At αmax everything is diagonal.
    o.alpha = groupSparseAlphaMax(covs, n) * 1.0001;
    CHECK(groupSparseCovariance(covs, n, o).edges == 0);
}

TEST_CASE("group-sparse covariance of one subject is the graphical lasso", "[connectivity][group]") {
    const Eigen::MatrixXd S = empiricalCovariance(randomSamples(50, 15, 9), true);
    GroupSparseOptions g;
    g.alpha = 0.2;
    g.tolerance = 1e-11;
    g.changeTolerance = 0.0;
    g.maxIterations = 1000;
    GraphicalLassoOptions o;
    o.alpha = 0.2;
    o.tolerance = 1e-11;
    o.innerTolerance = 1e-13;
    o.maxIterations = 1000;
    const auto a = groupSparseCovariance({S}, {50.0}, g);
    const auto b = graphicalLasso(S, o);
    CHECK((a.precisions.front() - b.precision).cwiseAbs().maxCoeff() < 1e-6);
    CHECK(a.objective == Approx(b.objective).epsilon(1e-9));
}

TEST_CASE("group-sparse covariance equals nilearn's GroupSparseCovariance", "[connectivity][group][peer]") {
    const auto peer = test::peer("nilearn");
    if (!peer) NM_SKIP("nilearn peer sources not present (../shared/peers/nilearn)");
    if (!havePython("sklearn") || !havePython("pandas")) NM_SKIP("nilearn needs python3-sklearn and python3-pandas (scripts/setup-deps.sh --bench)");
    test::TempDir dir;
    const Eigen::MatrixXd theta = sparsePrecision(12, 31);
    std::vector<Eigen::MatrixXd> covs;
    for (unsigned s = 0; s < 3; ++s) {
        covs.push_back(empiricalCovariance(samplesFromPrecision(theta, 100, 300 + s), true));
        test::writeMatrixText(dir / ("S" + std::to_string(s) + ".txt"), covs.back());
    }
    const double alpha = 0.02;
    std::ostringstream py;
    py << "import sys, warnings\nwarnings.simplefilter('ignore')\nsys.path.insert(0, '" << peer->string() << "')\n"
       << "import numpy as np\nfrom nilearn.connectome.group_sparse_cov import _group_sparse_covariance\n"
       << "S=np.stack([np.loadtxt('" << dir.path().string() << "/S%d.txt'%k) for k in range(3)],axis=-1)\n"
       << "P=_group_sparse_covariance(S,np.array([100.,100.,100.]),alpha=" << alpha << ",max_iter=2000,tol=1e-12)\n"
       << "print(' '.join('%.17g'%v for v in np.concatenate([P[...,k].ravel() for k in range(3)])))\n";
    const std::string out = runPython(dir, py.str());
    const Eigen::MatrixXd all = readMatrix(out, 3, 144);
    GroupSparseOptions o;
    o.alpha = alpha;
    o.tolerance = 1e-12;
    o.changeTolerance = 0.0;
    o.maxIterations = 2000;
    const auto r = groupSparseCovariance(covs, {100.0, 100.0, 100.0}, o);
    for (int k = 0; k < 3; ++k) {
        const Eigen::MatrixXd ref = all.row(k).reshaped(12, 12).transpose();
        CHECK((r.precisions[std::size_t(k)] - ref).cwiseAbs().maxCoeff() < 1e-5);
    }
}

TEST_CASE("group-sparse cross-validation over samples and bad input", "[connectivity][group]") {
    const Eigen::MatrixXd theta = sparsePrecision(15, 41);
    std::vector<Eigen::MatrixXd> series;
    for (unsigned s = 0; s < 3; ++s) series.push_back(samplesFromPrecision(theta, 90, 400 + s));
    const auto folds = foldsOverSamples(series, 3, true);
    REQUIRE(folds.size() == 3);
    REQUIRE(folds[0].train.size() == 3);
    GroupSparseOptions o;
    const auto cv = crossValidateGroupSparse(folds, {}, o);
    CHECK(cv.alphas.size() >= 4);  // the grid stops two α past the best
    CHECK(cv.alphas.size() <= 8);
    CHECK(cv.meanScore[cv.bestIndex] >= cv.meanScore[0]);
    CHECK(cv.bestAlpha < cv.alphas.front());
    std::vector<Eigen::MatrixXd> covs{empiricalCovariance(series[0], true), Eigen::MatrixXd::Identity(14, 14)};
    CHECK_THROWS_WITH(groupSparseCovariance(covs, {}, o), Catch::Contains("subject 2 has 14 signals"));
    CHECK_THROWS_WITH(foldsOverSamples({Eigen::MatrixXd::Ones(5, 3)}, 3, true), Catch::Contains("fewer than 4 per fold"));
}
