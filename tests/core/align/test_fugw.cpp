// FUGW against POT (Debian's python3-pot 0.8.2) and against known answers.
#include "align/Fugw.hpp"
#include "align/MeshKernels.hpp"
#include "anatomy/MeshGeometry.hpp"
#include "common/Error.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

using namespace nm;
using namespace nm::align;

namespace {

bool havePot() { return std::system("/usr/bin/python3 -c 'import ot' 2>/dev/null") == 0; }

/// Runs a POT snippet that prints a matrix (one number per whitespace), reads it back.
Eigen::MatrixXd runPot(const test::TempDir& dir, const std::string& script, Eigen::Index rows, Eigen::Index cols) {
    {
        std::ofstream py(dir / "peer.py");
        py << "import numpy as np, ot, sys\nD='" << dir.path().string() << "/'\n" << script;
    }
    const auto r = test::run("/usr/bin/python3 " + test::shellQuote((dir / "peer.py").string()));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    std::istringstream in(r.out);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) REQUIRE(in >> m(i, j));
    return m;
}

Eigen::MatrixXf randomCost(Eigen::Index n, Eigen::Index m, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Eigen::MatrixXf c(n, m);
    for (Eigen::Index j = 0; j < m; ++j)
        for (Eigen::Index i = 0; i < n; ++i) c(i, j) = u(rng);
    return c;
}

Eigen::VectorXd randomWeights(Eigen::Index n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    Eigen::VectorXd w(n);
    for (auto& x : w) x = u(rng);
    return w / w.sum();
}

} // namespace

TEST_CASE("unbalanced Sinkhorn equals POT's sinkhorn_unbalanced", "[align][fugw][peer]") {
    if (!havePot()) NM_SKIP("python3-pot not installed");
    const Eigen::Index n = 9, m = 7;
    const Eigen::MatrixXf c = randomCost(n, m, 1);
    const Eigen::VectorXd ws = randomWeights(n, 2), wt = randomWeights(m, 3);
    const double rho = 0.7, eps = 0.05;
    Duals duals;
    Eigen::MatrixXf plan;
    const int its = sinkhornUnbalanced(c, ws, wt, rho, rho, eps, 5000, 1e-12, duals, plan);
    CHECK(its < 5000);
    // our problem uses KL(P | ws wtᵀ): POT's (entropy Σ P log P − P) gives the same fixed point with
    // the cost shifted by −ε log(ws_i wt_j)
    test::TempDir dir;
    const Eigen::MatrixXd shifted =
        c.cast<double>() - eps * (ws.array().log().matrix() * Eigen::RowVectorXd::Ones(m) +
                                  Eigen::VectorXd::Ones(n) * wt.array().log().matrix().transpose());
    test::writeMatrixText(dir / "M.txt", shifted);
    test::writeMatrixText(dir / "a.txt", ws);
    test::writeMatrixText(dir / "b.txt", wt);
    const auto pot = runPot(dir,
                            "M=np.loadtxt(D+'M.txt'); a=np.loadtxt(D+'a.txt'); b=np.loadtxt(D+'b.txt')\n"
                            "G=ot.unbalanced.sinkhorn_unbalanced(a,b,M,0.05,0.7,numItermax=100000,stopThr=1e-15)\n"
                            "print(' '.join(repr(x) for x in G.ravel()))\n",
                            n, m);
    CHECK((plan.cast<double>() - pot).cwiseAbs().maxCoeff() < 1e-6 * pot.maxCoeff());
    CHECK(plan.sum() < 1.0);  // unbalanced: mass is destroyed where the cost is high
}

TEST_CASE("MM (KL and L2) equals POT's mm_unbalanced", "[align][fugw][peer]") {
    if (!havePot()) NM_SKIP("python3-pot not installed");
    const Eigen::Index n = 8, m = 10;
    const Eigen::MatrixXf c = randomCost(n, m, 4);
    const Eigen::VectorXd ws = randomWeights(n, 5), wt = randomWeights(m, 6);
    test::TempDir dir;
    test::writeMatrixText(dir / "M.txt", c.cast<double>());
    test::writeMatrixText(dir / "a.txt", ws);
    test::writeMatrixText(dir / "b.txt", wt);
    const auto pot = runPot(dir,
                            "M=np.loadtxt(D+'M.txt'); a=np.loadtxt(D+'a.txt'); b=np.loadtxt(D+'b.txt')\n"
                            "for div in ('kl','l2'):\n"
                            "  G=ot.unbalanced.mm_unbalanced(a,b,M,0.3,div=div,numItermax=200)\n"
                            "  print(' '.join(repr(x) for x in G.ravel()))\n",
                            2 * n, m);
    Eigen::MatrixXf kl;  // starts from ws wtᵀ, as POT
    mmUnbalanced(c, ws, wt, 0.3, 0.3, 0.0, 200, 0.0, kl);
    CHECK((kl.cast<double>() - pot.topRows(n)).cwiseAbs().maxCoeff() < 1e-6 * pot.topRows(n).maxCoeff());
    // POT's L2 objective has ρ‖·‖² where ours has ρ/2 ‖·‖²
    Eigen::MatrixXf l2;
    mmUnbalancedL2(c, ws, wt, ws, wt, 0.6, 0.6, 0.0, 200, 0.0, l2);
    CHECK((l2.cast<double>() - pot.bottomRows(n)).cwiseAbs().maxCoeff() < 1e-5 * pot.bottomRows(n).maxCoeff());
}

TEST_CASE("balanced FUGW (ρ → ∞) finds POT's fused Gromov-Wasserstein plan", "[align][fugw][peer]") {
    if (!havePot()) NM_SKIP("python3-pot not installed");
    // 12 points in the plane with 2 features; the target is a known permutation of the source
    const Eigen::Index n = 12;
    std::mt19937 rng(7);
    std::normal_distribution<double> g;
    Eigen::MatrixXd pts(n, 2);
    Eigen::MatrixXf feat(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        pts.row(i) << g(rng), g(rng);
        feat.row(i) << float(g(rng)), float(g(rng));
    }
    std::vector<int> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    Eigen::MatrixXd ptsT(n, 2);
    Eigen::MatrixXf featT(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        ptsT.row(perm[i]) = pts.row(i);
        featT.row(perm[i]) = feat.row(i) + 0.05f * Eigen::RowVector2f(float(g(rng)), float(g(rng)));
    }
    auto distances = [](const Eigen::MatrixXd& p) {
        Eigen::MatrixXf d(p.rows(), p.rows());
        for (Eigen::Index a = 0; a < p.rows(); ++a)
            for (Eigen::Index b = 0; b < p.rows(); ++b) d(a, b) = float((p.row(a) - p.row(b)).norm());
        return d;
    };
    const Geometry ds = Geometry::fromMatrix(distances(pts)), dt = Geometry::fromMatrix(distances(ptsT));
    const Eigen::MatrixXf c = featureCost(feat, featT);
    FugwOptions o;
    o.alpha = 0.5;
    o.rhoSource = o.rhoTarget = kInfinity;
    o.eps = 1e-4;
    o.solver = InnerSolver::Sinkhorn;
    o.bcdIterations = 50;
    o.innerIterations = 2000;
    o.tolInner = 1e-9;
    const FugwResult r = solveFugw(c, ds, dt, o);
    test::TempDir dir;
    test::writeMatrixText(dir / "M.txt", c.cast<double>());
    test::writeMatrixText(dir / "C1.txt", ds.matrix().cast<double>());
    test::writeMatrixText(dir / "C2.txt", dt.matrix().cast<double>());
    const auto pot = runPot(dir,
                            "M=np.loadtxt(D+'M.txt'); C1=np.loadtxt(D+'C1.txt'); C2=np.loadtxt(D+'C2.txt')\n"
                            "p=np.ones(len(C1))/len(C1); q=np.ones(len(C2))/len(C2)\n"
                            "G,log=ot.gromov.fused_gromov_wasserstein(M,C1,C2,p,q,'square_loss',alpha=0.5,log=True)\n"
                            "print(' '.join(repr(x) for x in G.ravel())); print(repr(log['fgw_dist']))\n",
                            n * n + 1, 1);
    const Eigen::MatrixXd potPlan = pot.topRows(n * n).reshaped<Eigen::RowMajor>(n, n);
    for (Eigen::Index i = 0; i < n; ++i) CHECK(potPlan(i, perm[i]) == Approx(1.0 / n).epsilon(1e-6));
    CHECK((r.plan.cast<double>() - potPlan).cwiseAbs().maxCoeff() < 1e-3);
    // the marginals are the weights (balanced) and the loss is POT's FGW distance (P = Q)
    CHECK((r.plan.rowwise().sum().cast<double>().array() - 1.0 / n).abs().maxCoeff() < 1e-5);
    const FugwLoss& l = r.loss.back();
    const double fgw = 0.5 * l.wasserstein + 0.5 * l.gromovWasserstein;
    CHECK(fgw == Approx(pot(n * n, 0)).margin(2e-4));
}

TEST_CASE("FUGW invariants: marginals approach the weights as ρ grows, masses of P and Q agree",
          "[align][fugw]") {
    const Eigen::Index n = 30, m = 25;
    std::mt19937 rng(11);
    std::normal_distribution<double> g;
    Eigen::MatrixXd ps(n, 3), pt(m, 3);
    for (auto& x : ps.reshaped()) x = g(rng);
    for (auto& x : pt.reshaped()) x = g(rng);
    const Geometry ds = Geometry::fromEmbedding(ps), dt = Geometry::fromEmbedding(pt);
    // the low-rank kernel is exactly the squared distances
    const Eigen::MatrixXf dense = ds.toDense();
    CHECK(dense(3, 7) == Approx((ps.row(3) - ps.row(7)).squaredNorm() / ds.scale()).epsilon(1e-4));
    CHECK(dense.maxCoeff() == Approx(1.0).epsilon(1e-5));
    const Eigen::MatrixXf c = randomCost(n, m, 12);
    double previous = 1e9;
    for (double rho : {0.1, 1.0, 10.0, 100.0, 1000.0}) {
        FugwOptions o;
        o.rhoSource = o.rhoTarget = rho;
        o.eps = 1e-3;
        o.solver = InnerSolver::MM;
        o.bcdIterations = 20;
        o.innerIterations = 500;
        const FugwResult r = solveFugw(c, ds, dt, o);
        const double err = (r.plan.rowwise().sum().cast<double>().array() - 1.0 / n).abs().sum() +
                           (r.plan.colwise().sum().cast<double>().transpose().array() - 1.0 / m).abs().sum();
        INFO("rho " << rho << " marginal error " << err);
        CHECK(err < previous);
        previous = err;
        CHECK(r.plan.sum() == Approx(r.gamma.sum()).epsilon(0.02));
        CHECK((r.plan - r.gamma).cwiseAbs().sum() < 0.05 * r.plan.sum());
        // the loss decreases along the descent (BCD on a biconvex bound)
        CHECK(r.loss.back().total <= r.loss.front().total + 1e-9);
    }
    CHECK(previous < 0.01);
}

TEST_CASE("unbalanced OT: the entropic optimum approaches the unregularised one as ε → 0", "[align][fugw]") {
    const Eigen::Index n = 15, m = 12;
    const Eigen::MatrixXf c = randomCost(n, m, 21);
    const Eigen::VectorXd ws = randomWeights(n, 22), wt = randomWeights(m, 23);
    const double rho = 1.0;
    auto kl = [](const Eigen::VectorXd& p, const Eigen::VectorXd& q) {
        return (p.array() * (p.array() / q.array()).log()).sum() - p.sum() + q.sum();
    };
    auto objective = [&](const Eigen::MatrixXf& p) {
        const Eigen::MatrixXd pd = p.cast<double>();
        return (c.cast<double>().array() * pd.array()).sum() + rho * kl(pd.rowwise().sum(), ws) +
               rho * kl(pd.colwise().sum().transpose(), wt);
    };
    Eigen::MatrixXf exact;
    mmUnbalanced(c, ws, wt, rho, rho, 0.0, 20000, 0.0, exact);  // MM allows ε = 0 (Chapel et al. 2021)
    const double best = objective(exact);
    double previous = 1e9;
    for (double eps : {1e-1, 1e-2, 1e-3, 1e-4}) {
        Duals duals;
        Eigen::MatrixXf p;
        sinkhornUnbalanced(c, ws, wt, rho, rho, eps, 100000, 1e-12, duals, p);
        const double gap = objective(p) - best;
        INFO("eps " << eps << " gap " << gap);
        CHECK(gap > -1e-6);  // MM's ε = 0 plan is the minimum
        CHECK(gap < previous);
        previous = gap;
    }
    CHECK(previous < 1e-3);
}

TEST_CASE("FUGW recovers a known relabelling of a mesh exactly, and transports maps with it", "[align][fugw]") {
    const Mesh sphere = anatomy::icosphere(2, 50.0);  // 162 vertices
    const Eigen::Index n = sphere.vertexCount();
    // two smooth asymmetric features
    Eigen::MatrixXf f(n, 2);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Vector3f x = sphere.vertices.row(i).transpose() / 50.0f;
        f(i, 0) = std::sin(2.0f * x.x()) + 0.5f * x.y();
        f(i, 1) = x.z() * x.z() + 0.3f * x.x() * x.y() + 0.4f * x.z();  // no mirror symmetry
    }
    std::vector<int> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    std::mt19937 rng(5);
    std::shuffle(perm.begin(), perm.end(), rng);
    Mesh permuted = sphere;
    Eigen::MatrixXf fp(n, 2);
    std::vector<int> inverse(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        permuted.vertices.row(perm[i]) = sphere.vertices.row(i);
        fp.row(perm[i]) = f.row(i);
        inverse[perm[i]] = int(i);
    }
    for (Eigen::Index t = 0; t < sphere.triangleCount(); ++t)
        for (int k = 0; k < 3; ++k) permuted.triangles(t, k) = perm[sphere.triangles(t, k)];
    const Geometry ds = meshGeometry(sphere, true), dt = meshGeometry(permuted, true);
    CHECK(ds.matrix()(0, perm[0] == 0 ? 1 : 0) >= 0);
    const Eigen::MatrixXf c = featureCost(normaliseFeatures(f), normaliseFeatures(fp));
    FugwOptions o;
    o.alpha = 0.5;
    o.rhoSource = o.rhoTarget = 1.0;
    o.eps = 1e-4;
    o.solver = InnerSolver::MM;
    o.bcdIterations = 10;
    const FugwResult r = solveFugw(c, ds, dt, o);
    const auto matches = bestMatches(r.plan);
    int correct = 0;
    for (Eigen::Index i = 0; i < n; ++i) correct += matches[std::size_t(i)].target == perm[i];
    CHECK(correct == n);
    // maps transported by the entropic plan are the permuted maps, slightly smoothed
    const Eigen::MatrixXf moved = transportToTarget(r.plan, f);
    for (int k = 0; k < 2; ++k) {
        const Eigen::VectorXf a = moved.col(k).array() - moved.col(k).mean(), b = fp.col(k).array() - fp.col(k).mean();
        CHECK(a.dot(b) / (a.norm() * b.norm()) > 0.98);
    }
    // and by the plan of the matches, exactly (both directions; unbalanced mass does not rescale)
    Eigen::MatrixXf hard = Eigen::MatrixXf::Zero(n, n);
    for (Eigen::Index i = 0; i < n; ++i) hard(i, matches[std::size_t(i)].target) = 0.3f / float(n);
    CHECK((transportToTarget(hard, f) - fp).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((transportToSource(hard, fp) - f).cwiseAbs().maxCoeff() < 1e-6);
}

TEST_CASE("FUGW names bad input", "[align][fugw]") {
    const Geometry d = Geometry::fromEmbedding(Eigen::MatrixXd::Random(5, 2));
    FugwOptions o;
    CHECK_THROWS_WITH(solveFugw(Eigen::MatrixXf::Zero(4, 5), d, d, o), Catch::Contains("expected 5 × 5"));
    o.alpha = 2;
    CHECK_THROWS_WITH(solveFugw(Eigen::MatrixXf::Zero(5, 5), d, d, o), Catch::Contains("α must be in [0, 1]"));
    CHECK_THROWS_WITH(innerSolverFromString("lbfgs"), Catch::Contains("expected sinkhorn, mm or ibpp"));
    CHECK_THROWS_WITH(featureCost(Eigen::MatrixXf::Zero(3, 2), Eigen::MatrixXf::Zero(3, 3)),
                      Catch::Contains("the source has 2 features, the target 3"));
}

TEST_CASE("Landmark MDS embeds the geodesics of a sphere", "[align][lmds]") {
    const Mesh sphere = anatomy::icosphere(3, 50.0);
    const LandmarkEmbedding e = landmarkEmbedding(sphere, 60, 3);
    CHECK(e.landmarks.size() == 60);
    CHECK(e.points.rows() == sphere.vertexCount());
    // geodesics on a sphere are not Euclidean in 3-D, but the embedding keeps their order
    CHECK(e.correlation > 0.95);
    const Geometry g = Geometry::fromEmbedding(e.points);
    CHECK(g.lowRank());
    CHECK(g.factorU().cols() == 5);
}

#include "align/CoarseToFine.hpp"
#include "align/Deformation.hpp"

TEST_CASE("coarse-to-fine FUGW recovers a mirror of a volume with O(nnz) memory", "[align][coarse]") {
    // a ball of 4 mm voxels (≈ 4,100 voxels), smooth asymmetric features mirrored in x
    std::vector<Eigen::Vector3d> pts;
    for (int k = 0; k < 20; ++k)
        for (int j = 0; j < 20; ++j)
            for (int i = 0; i < 20; ++i)
                if ((Eigen::Vector3d(i, j, k) - Eigen::Vector3d(9.5, 9.5, 9.5)).norm() < 9.9) pts.emplace_back(i, j, k);
    const Eigen::Index n = Eigen::Index(pts.size());
    Eigen::MatrixXd xs(n, 3);
    for (Eigen::Index a = 0; a < n; ++a) xs.row(a) = 4.0 * pts[std::size_t(a)].transpose();
    auto feature = [](const Eigen::Vector3d& p) {
        return Eigen::RowVector3f(float(std::sin(0.3 * p.x()) + 0.2 * p.y()), float(std::cos(0.25 * p.y() + 0.15 * p.z())),
                                  float(0.05 * p.x() * p.z() - 0.1 * p.z()));
    };
    Eigen::MatrixXf fs(n, 3), ft(n, 3);
    std::vector<Eigen::Index> mirror(static_cast<std::size_t>(n));
    for (Eigen::Index a = 0; a < n; ++a) {
        const Eigen::Vector3d p = pts[std::size_t(a)];
        fs.row(a) = feature(p);
        ft.row(a) = feature(Eigen::Vector3d(19 - p.x(), p.y(), p.z()));
        for (Eigen::Index b = 0; b < n; ++b)
            if ((pts[std::size_t(b)] - Eigen::Vector3d(19 - p.x(), p.y(), p.z())).norm() < 1e-9) mirror[std::size_t(a)] = b;
    }
    const Geometry g = Geometry::fromEmbedding(xs);
    CoarseToFineOptions o;
    o.coarseSamples = 500;
    o.coarse.bcdIterations = o.fine.bcdIterations = 10;
    o.coarse.innerIterations = o.fine.innerIterations = 20;
    o.coarse.alpha = o.fine.alpha = 0.3;
    const auto r = alignCoarseToFine(normaliseFeatures(fs), normaliseFeatures(ft), xs, xs, g, g, o);
    INFO("nnz " << r.plan.nonZeros() << " for " << n << " voxels, radius " << r.radiusMm << " mm");
    CHECK(r.plan.nonZeros() < n * n / 8);  // sparse: a small share of the dense plan
    const auto matches = bestMatches(r.plan);
    int correct = 0;
    for (Eigen::Index a = 0; a < n; ++a) correct += matches[std::size_t(a)].target == mirror[std::size_t(a)];
    INFO(correct << " of " << n << " voxels matched to their mirror image");
    CHECK(correct >= 0.9 * n);
    CHECK(r.fine.loss.back().total < r.fine.loss.front().total);
    // transported features approach the target's
    const Eigen::MatrixXf moved = transportToTarget(r.plan, fs);
    CHECK((moved - ft).cwiseAbs().mean() < 0.2 * (fs - ft).cwiseAbs().mean());
}
