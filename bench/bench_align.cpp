// Benchmark driver of the alignment (bench/align.sh):
//   nm_bench_align deform SURFACES_DIR OUT_DIR [options]
//       one fsaverage5 hemisphere: its real sulc, curvature and thickness, warped by a known smooth
//       swirl of the sphere; FUGW aligns the original to the warped features on the mesh's
//       geodesic geometry (Landmark-MDS kernel), timed; prints the median displacement error (mm,
//       on the white surface) of FUGW's mass barycentres and of the identity, as JSON. With
//       --export, writes the feature cost, the geometry kernel (dense) and the plan as .npy so
//       that bench/align_peer.py runs POT on exactly the same problem.
//   nm_bench_align inner DIR ITERATIONS
//       one MM solve (ρ = 1, ε = 0) on DIR/cost.npy with uniform weights, timed, as POT's
//       mm_unbalanced in bench/align_peer.py.
//   With --coarse-to-fine (any size; for the template's ~40k-vertex surfaces): the coarse dense
//       problem on --coarse-samples farthest-point vertices, the mask dilated by --radius-factor ×
//       their spacing, the sparse fine problem; --transport K times the transport of K maps.
//       --space template|fsaverage5|DIR replaces SURFACES_DIR ("-").
//   options: --hemi left|right, --vertices N (the first N vertices: fsaverage5's nested
//       icosahedra give 642, 2562, 10242), --landmarks L, --dims D, --solver mm|sinkhorn|ibpp,
//       --alpha A, --rho R (inf = balanced), --eps E, --bcd B, --inner I, --export
#include "align/CoarseToFine.hpp"
#include "align/Deformation.hpp"
#include "align/Fugw.hpp"
#include "align/MeshKernels.hpp"
#include "anatomy/Surfaces.hpp"
#include "io/Npy.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <numeric>

using namespace nm;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(Eigen::VectorXd v) {
    std::vector<double> x;
    for (double d : v)
        if (std::isfinite(d)) x.push_back(d);
    if (x.empty()) return std::nan("");
    std::nth_element(x.begin(), x.begin() + std::ptrdiff_t(x.size() / 2), x.end());
    return x[x.size() / 2];
}

Mesh firstVertices(const Mesh& m, Eigen::Index n) {
    // fsaverage's first 10·4^k + 2 vertices are the k-th icosahedron: a coarser mesh of the same
    // surface. Only the coordinates are needed here (geometry comes from the full mesh).
    Mesh out;
    out.vertices = m.vertices.topRows(n);
    return out;
}

int deform(const std::filesystem::path& dir, const std::filesystem::path& out, std::map<std::string, std::string> o) {
    auto get = [&](const std::string& k, const std::string& d) { return o.count(k) ? o[k] : d; };
    const auto space = o.count("space") ? anatomy::loadSurfaceSpace(o["space"]) : anatomy::loadSurfaceDirectory(dir, "fsaverage5");
    const auto& hemi = get("hemi", "left") == "left" ? space.left : space.right;
    const Eigen::Index total = hemi.vertexCount();
    const Eigen::Index n = std::min<Eigen::Index>(total, std::stol(get("vertices", "0")) > 0 ? std::stol(get("vertices", "0")) : total);
    Eigen::MatrixXf features(total, 3);
    features << hemi.sulc, hemi.curv, hemi.thickness;

    auto t0 = Clock::now();
    const align::LandmarkEmbedding emb =
        align::landmarkEmbedding(hemi.white, std::stoi(get("landmarks", "100")), std::stoi(get("dims", "3")));
    const double embedSeconds = since(t0);
    std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
    std::iota(rows.begin(), rows.end(), Eigen::Index(0));
    const align::Geometry geometry = align::Geometry::fromEmbedding(emb.points.topRows(n));

    // the known deformation, on the first n vertices of the sphere
    align::SphereSwirl swirl;
    {
        // centred on the hemisphere's lateral surface: the direction of its mean sphere position
        Eigen::Vector3d c = hemi.sphere.vertices.cast<double>().colwise().mean().transpose();
        if (c.norm() < 1e-6) c = Eigen::Vector3d::UnitX();
        swirl.centre = c.normalized();
        swirl.angle = std::stod(get("angle", "0.25"));
        swirl.sigma = std::stod(get("sigma", "0.5"));
    }
    Mesh sphere = firstVertices(hemi.sphere, n), white = firstVertices(hemi.white, n);
    const align::KnownDeformation known = align::deformFeatures(sphere, features.topRows(n), swirl);
    const Eigen::MatrixXf source = align::normaliseFeatures(features.topRows(n));
    const Eigen::MatrixXf target = align::normaliseFeatures(known.targetFeatures);

    align::FugwOptions opt;
    opt.alpha = std::stod(get("alpha", "0.5"));
    const std::string rho = get("rho", "1");
    opt.rhoSource = opt.rhoTarget = rho == "inf" ? align::kInfinity : std::stod(rho);
    opt.eps = std::stod(get("eps", "1e-4"));
    opt.solver = align::innerSolverFromString(get("solver", "sinkhorn"));
    opt.bcdIterations = std::stoi(get("bcd", "10"));
    opt.innerIterations = std::stoi(get("inner", "20"));
    opt.tolInner = std::stod(get("tol-inner", "1e-7"));
    opt.epsStart = std::stod(get("eps-start", "0"));
    opt.epsDecay = std::stod(get("eps-decay", "0.3"));

    nlohmann::json j;
    std::vector<std::int32_t> bary, best;
    if (o.count("coarse-to-fine")) {
        align::CoarseToFineOptions c;
        c.coarse = c.fine = opt;
        c.coarseSamples = std::stoi(get("coarse-samples", "1000"));
        c.radiusFactor = std::stod(get("radius-factor", "1.0"));
        const Eigen::MatrixXd xyz = white.vertices.cast<double>();
        t0 = Clock::now();
        const align::CoarseToFineResult r = align::alignCoarseToFine(source, target, xyz, xyz, geometry, geometry, c);
        j["solve_seconds"] = since(t0);
        j["coarse_seconds"] = r.coarse.seconds.empty() ? 0.0 : r.coarse.seconds.back();
        j["fine_seconds"] = r.fine.seconds.empty() ? 0.0 : r.fine.seconds.back();
        j["plan_entries"] = r.plan.nonZeros();
        j["entries_per_vertex"] = double(r.plan.nonZeros()) / double(n);
        j["radius_mm"] = r.radiusMm;
        j["bcd_iterations"] = r.fine.iterations;
        j["loss"] = r.fine.loss.back().total;
        j["plan_mass"] = double(r.plan.value.cast<double>().sum());
        bary = align::massBarycentres(r.plan, sphere);
        for (const auto& m : align::bestMatches(r.plan)) best.push_back(std::int32_t(m.target));
        if (const int k = std::stoi(get("transport", "0")); k > 0) {
            const Eigen::MatrixXf maps = Eigen::MatrixXf::Random(n, k).cwiseAbs();
            t0 = Clock::now();
            const Eigen::MatrixXf moved = align::transportToTarget(r.plan, maps);
            j["transport_seconds"] = since(t0);
            j["transport_maps"] = k;
            j["transport_checksum"] = double(moved.cast<double>().mean());
        }
    } else {
        t0 = Clock::now();
        const Eigen::MatrixXf cost = align::featureCost(source, target);
        j["cost_seconds"] = since(t0);
        t0 = Clock::now();
        const align::FugwResult r = align::solveFugw(cost, geometry, geometry, opt);
        j["solve_seconds"] = since(t0);
        bary = align::massBarycentres(r.plan, sphere);
        for (const auto& m : align::bestMatches(r.plan)) best.push_back(std::int32_t(m.target));
        j["bcd_iterations"] = r.iterations;
        j["inner_iterations"] = r.innerIterations;
        j["loss"] = r.loss.back().total;
        j["loss_terms"] = {{"wasserstein", r.loss.back().wasserstein},
                           {"gromov_wasserstein", r.loss.back().gromovWasserstein},
                           {"marginal_source", r.loss.back().marginalSource},
                           {"marginal_target", r.loss.back().marginalTarget},
                           {"regularization", r.loss.back().regularization}};
        j["plan_mass"] = r.plan.cast<double>().sum();
        if (o.count("export")) {
            std::filesystem::create_directories(out);
            io::writeNpy(out / "cost.npy", cost.cast<double>());
            io::writeNpy(out / "geometry.npy", geometry.toDense().cast<double>());
            io::writeNpy(out / "plan.npy", r.plan.cast<double>());
            Eigen::MatrixXd truth(n, 1);
            for (Eigen::Index i = 0; i < n; ++i) truth(i, 0) = known.truth[std::size_t(i)];
            io::writeNpy(out / "truth.npy", truth);
            io::writeNpy(out / "white.npy", white.vertices.cast<double>());
            io::writeNpy(out / "sphere.npy", sphere.vertices.cast<double>());
        }
    }
    std::vector<std::int32_t> identity(static_cast<std::size_t>(n));
    std::iota(identity.begin(), identity.end(), 0);
    const Eigen::VectorXd errFugw = align::vertexDistances(white, bary, known.truth);
    const Eigen::VectorXd errIdentity = align::vertexDistances(white, identity, known.truth);
    const Eigen::VectorXd errBest = align::vertexDistances(white, best, known.truth);
    j["vertices"] = n;
    j["landmarks"] = emb.landmarks.size();
    j["lmds_correlation"] = emb.correlation;
    j["embed_seconds"] = embedSeconds;
    j["median_error_mm"] = median(errFugw);
    j["median_error_best_match_mm"] = median(errBest);
    j["median_error_identity_mm"] = median(errIdentity);
    j["max_displacement_mm"] = errIdentity.maxCoeff();
    std::cout << j.dump() << std::endl;
    return 0;
}

int inner(const std::filesystem::path& dir, int iterations) {
    const Eigen::MatrixXf c = io::readNpy(dir / "cost.npy").matrix("cost").cast<float>();
    const Eigen::VectorXd w = Eigen::VectorXd::Constant(c.rows(), 1.0 / double(c.rows()));
    Eigen::MatrixXf plan;
    const auto t0 = Clock::now();
    align::mmUnbalanced(c, w, w, 1.0, 1.0, 0.0, iterations, 0.0, plan);
    std::cout << nlohmann::json{{"mm_seconds", since(t0)}, {"mm_iterations", iterations}}.dump() << std::endl;
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "inner") return inner(argv[2], std::stoi(argv[3]));
    if (argc < 4 || std::string(argv[1]) != "deform") {
        std::cerr << "usage: nm_bench_align deform SURFACES_DIR OUT_DIR [--key value ...] [--export]\n";
        return 2;
    }
    std::map<std::string, std::string> o;
    for (int i = 4; i < argc; ++i) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0) continue;
        k = k.substr(2);
        if (k == "export" || k == "coarse-to-fine") {
            o[k] = "1";
            continue;
        }
        if (i + 1 < argc) o[k] = argv[++i];
    }
    try {
        return deform(argv[2], argv[3], o);
    } catch (const std::exception& e) {
        std::cerr << "nm_bench_align: " << e.what() << '\n';
        return 1;
    }
}
