// neuromosaic-cli align: fused unbalanced Gromov-Wasserstein transport between the features of a
// source and a target on one mesh (geodesic geometry) or one volume mask (Euclidean geometry).
#include "CliSupport.hpp"

#include "align/AlignIo.hpp"
#include "align/CoarseToFine.hpp"
#include "align/Fugw.hpp"
#include "align/MeshKernels.hpp"
#include "anatomy/Surfaces.hpp"
#include "common/Error.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"

#include <chrono>
#include <sstream>

namespace nm::cli {

namespace {
struct AlignCliOptions {
    std::string mesh, space, hemi = "left", surface = "white", mask, out, transport, outMap, matches;
    std::string solver = "sinkhorn", geometry = "auto", rho = "1";
    std::vector<std::string> source, target;
    double alpha = 0.5, eps = 1e-4, epsStart = 1e-2, identityBlend = 0.0;
    int bcd = 10, inner = 20, landmarks = 100, dims = 3, coarseSamples = 1000;
    long maxDense = 12000;
    bool coarseToFine = false;
    double radiusFactor = 1.0;
};

std::vector<std::filesystem::path> paths(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

double parseRho(const std::string& s) {
    if (s == "inf" || s == "infinity") return align::kInfinity;
    try {
        std::size_t used = 0;
        const double r = std::stod(s, &used);
        if (used == s.size() && r >= 0) return r;
    } catch (const std::exception&) {
    }
    throw InputError("--rho: '" + s + "' is not a number ≥ 0 or 'inf'");
}
} // namespace

Command makeAlignCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand(
        "align", "Fused unbalanced Gromov-Wasserstein transport (FUGW) of source features onto target features");
    auto o = std::make_shared<AlignCliOptions>();
    auto* mesh = app->add_option("--mesh", o->mesh, "Surface (GIFTI) both feature sets live on: geodesic geometry")
                     ->check(CLI::ExistingFile);
    auto* space = app->add_option("--space", o->space, "Or a known space: template | fsaverage5 (with --hemi)");
    app->add_option("--hemi", o->hemi, "Hemisphere of --space: left | right")->capture_default_str();
    app->add_option("--surface", o->surface, "Surface of --space for the geodesics: white | pial | midthickness")
        ->capture_default_str();
    auto* mask = app->add_option("--mask", o->mask, "Or a volume mask (NIfTI): features are voxels, Euclidean geometry")
                     ->check(CLI::ExistingFile);
    mesh->excludes(space)->excludes(mask);
    space->excludes(mask);
    app->add_option("--source", o->source, "Source features: GIFTI data (or NIfTI with --mask), comma-separated")
        ->required()
        ->delimiter(',');
    app->add_option("--target", o->target, "Target features, in the same number and order")->required()->delimiter(',');
    app->add_option("--alpha", o->alpha, "Weight of the geometry (GW) term; 1 − α weighs the features")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app->add_option("--rho", o->rho, "KL penalty on the marginals (larger: closer to balanced; 'inf': balanced)")
        ->capture_default_str();
    app->add_option("--eps", o->eps, "Entropic regularisation (0 allowed with --solver mm or ibpp)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_option("--eps-start", o->epsStart,
                    "ε-scaling: the first BCD iteration's ε, ×0.3 per iteration down to --eps (0: off)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_option("--solver", o->solver, "Inner solver: sinkhorn | mm | ibpp")->capture_default_str();
    app->add_option("--bcd", o->bcd, "Block-coordinate-descent iterations")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--inner", o->inner, "Inner solver iterations per block")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--geometry", o->geometry,
                    "Geometry kernel: geodesic (dense distances) | lmds (squared Landmark-MDS distances, low rank) | "
                    "auto (geodesic up to 3,000 vertices)")
        ->capture_default_str();
    app->add_option("--landmarks", o->landmarks, "Landmarks of the LMDS embedding")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--dims", o->dims, "Dimensions of the LMDS embedding")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--max-dense", o->maxDense, "Largest problem (vertices or voxels) solved densely; beyond it, coarse-to-fine")
        ->capture_default_str();
    app->add_flag("--coarse-to-fine", o->coarseToFine,
                  "Coarse-to-fine sparse solver at any size (Thual et al. 2022): a dense problem on --coarse-samples "
                  "farthest-point samples, a mask from its matches dilated by --radius-factor × their spacing, the fine "
                  "problem on the mask only (memory O(entries)); Sinkhorn, LMDS geometry on meshes");
    app->add_option("--coarse-samples", o->coarseSamples, "Samples per side of the coarse problem")
        ->check(CLI::Range(10, 20000))
        ->capture_default_str();
    app->add_option("--radius-factor", o->radiusFactor, "Dilation radius of the coarse matches, × the samples' mean spacing")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app->add_option("-o,--out", o->out, "Plan to write (HDF5: /plan, /loss, metadata)")->required();
    app->add_option("--transport", o->transport, "A source map (GIFTI, or NIfTI with --mask) to carry to the target")
        ->check(CLI::ExistingFile);
    app->add_option("--out-map", o->outMap, "Where to write the transported map");
    app->add_option("--identity-blend", o->identityBlend, "Mix of the untransported map in the result, in [0, 1]")
        ->check(CLI::Range(0.0, 1.0));
    app->add_option("--matches", o->matches, "TSV of the best target vertex of every source vertex");
    return {app, [o, &options] {
                if (o->mesh.empty() && o->space.empty() && o->mask.empty())
                    throw InputError("align: give the geometry: --mesh M.gii, --space template|fsaverage5, or --mask M.nii.gz");
                if (!o->transport.empty() && o->outMap.empty()) throw InputError("--transport needs --out-map");
                if (o->source.size() != o->target.size())
                    throw InputError("--source has " + std::to_string(o->source.size()) + " files, --target " +
                                     std::to_string(o->target.size()) + " (expected the same number, in the same order)");
                align::FugwOptions fo;
                fo.alpha = o->alpha;
                fo.rhoSource = fo.rhoTarget = parseRho(o->rho);
                fo.eps = o->eps;
                fo.epsStart = o->epsStart > o->eps ? o->epsStart : 0.0;
                fo.solver = align::innerSolverFromString(o->solver);
                fo.bcdIterations = o->bcd;
                fo.innerIterations = o->inner;
                JobContext job(options);
                auto& progress = job.progress();
                progress.plan({{"read", 1}, {"geometry", 2}, {"solve", 8}, {"write", 1}});
                progress.begin("read");
                const bool volume = !o->mask.empty();
                Eigen::MatrixXf source, target;
                align::Geometry geometry;
                align::VolumeFeatures vs;
                Mesh surface;
                std::string geometryKind;
                if (volume) {
                    vs = align::readVolumeFeatures(paths(o->source), o->mask);
                    source = vs.features;
                    target = align::readVolumeFeatures(paths(o->target), o->mask).features;
                } else {
                    if (!o->mesh.empty()) {
                        surface = io::readGiftiSurface(o->mesh);
                    } else {
                        if (o->hemi != "left" && o->hemi != "right")
                            throw InputError("--hemi: '" + o->hemi + "' (expected left or right)");
                        const auto s = anatomy::loadSurfaceSpace(o->space, &progress);
                        surface = (o->hemi == "left" ? s.left : s.right).surface(o->surface);
                    }
                    source = align::readSurfaceFeatures(paths(o->source), surface.vertexCount());
                    target = align::readSurfaceFeatures(paths(o->target), surface.vertexCount());
                }
                if (source.cols() != target.cols())
                    throw InputError("the source has " + std::to_string(source.cols()) + " feature maps, the target " +
                                     std::to_string(target.cols()) + " (expected the same number)");
                const Eigen::Index n = source.rows();
                const bool sparse = o->coarseToFine || n > o->maxDense;
                if (sparse) {
                    if (o->geometry == "geodesic")
                        throw InputError("--geometry geodesic stores n × n distances; the coarse-to-fine solver (" +
                                         std::to_string(n) + " vertices > --max-dense " + std::to_string(o->maxDense) +
                                         ", or --coarse-to-fine) needs --geometry lmds or auto");
                    if (fo.solver != align::InnerSolver::Sinkhorn || fo.eps <= 0)
                        throw InputError("the coarse-to-fine solver runs Sinkhorn with ε > 0 (got --solver " + o->solver +
                                         ", --eps " + std::to_string(fo.eps) + ")");
                }
                progress.begin("geometry");
                Eigen::MatrixXd coordinates;  // for the coarse samples and the dilation (mm)
                if (volume) {
                    // voxels: squared Euclidean distances of their coordinates, exactly low rank
                    geometry = align::Geometry::fromEmbedding(vs.coordinatesMm);
                    coordinates = vs.coordinatesMm;
                    geometryKind = "squared Euclidean (voxel coordinates, mm)";
                } else {
                    const std::string g =
                        o->geometry == "auto" ? (n <= 3000 && !sparse ? "geodesic" : "lmds") : o->geometry;
                    if (g != "geodesic" && g != "lmds")
                        throw InputError("--geometry: '" + o->geometry + "' (expected geodesic, lmds or auto)");
                    auto child = progress.child();
                    geometry = align::meshGeometry(surface, g == "geodesic", o->landmarks, o->dims, &child);
                    coordinates = surface.vertices.cast<double>();
                    geometryKind = g == "geodesic" ? "geodesic distances (heat method)"
                                                   : "squared Landmark-MDS distances (" + std::to_string(o->landmarks) +
                                                         " landmarks, " + std::to_string(o->dims) + " dimensions)";
                }
                progress.begin("solve");
                const auto t0 = std::chrono::steady_clock::now();
                auto child = progress.child();
                align::FugwResult r;
                align::CoarseToFineResult c2f;
                if (sparse) {
                    align::CoarseToFineOptions co;
                    co.coarse = co.fine = fo;
                    co.coarseSamples = o->coarseSamples;
                    co.radiusFactor = o->radiusFactor;
                    c2f = align::alignCoarseToFine(align::normaliseFeatures(source), align::normaliseFeatures(target),
                                                   coordinates, coordinates, geometry, geometry, co, &child);
                    r = c2f.fine;
                } else {
                    const Eigen::MatrixXf cost =
                        align::featureCost(align::normaliseFeatures(source), align::normaliseFeatures(target));
                    r = align::solveFugw(cost, geometry, geometry, fo, {}, {}, nullptr, &child);
                }
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                progress.begin("write");
                nlohmann::json meta = {{"alpha", fo.alpha},
                                       {"rho", o->rho},
                                       {"eps", fo.eps},
                                       {"eps_start", fo.epsStart},
                                       {"solver", align::toString(fo.solver)},
                                       {"bcd_iterations", r.iterations},
                                       {"geometry", geometryKind},
                                       {"geometry_scale", geometry.scale()},
                                       {"source", o->source},
                                       {"target", o->target},
                                       {"seconds", seconds},
                                       {"convention", "plan[i, j]: mass from source vertex i to target vertex j"}};
                if (sparse)
                    meta["coarse_to_fine"] = {{"coarse_samples", c2f.sourceSamples.size()},
                                              {"radius_mm", c2f.radiusMm},
                                              {"entries", c2f.plan.nonZeros()},
                                              {"coarse_loss", c2f.coarse.loss.empty() ? 0.0 : c2f.coarse.loss.back().total}};
                if (sparse)
                    align::writePlan(o->out, c2f.plan, r.loss, meta);
                else
                    align::writePlan(o->out, r, meta);
                nlohmann::json outputs = {{"plan", o->out}};
                if (!o->matches.empty()) {
                    align::writeMatches(o->matches, sparse ? align::bestMatches(c2f.plan) : align::bestMatches(r.plan));
                    outputs["matches"] = o->matches;
                }
                auto transport = [&](const Eigen::MatrixXf& maps) {
                    return sparse ? align::transportToTarget(c2f.plan, maps, o->identityBlend)
                                  : align::transportToTarget(r.plan, maps, o->identityBlend);
                };
                if (!o->transport.empty()) {
                    if (volume) {
                        const auto map = align::readVolumeFeatures({o->transport}, o->mask);
                        const Eigen::MatrixXf moved = transport(map.features);
                        Volume out = io::readNifti(o->mask);
                        out.frames = int(moved.cols());
                        out.data.assign(out.voxelCount() * std::size_t(out.frames), 0.0f);
                        for (int t = 0; t < out.frames; ++t)
                            for (std::size_t r2 = 0; r2 < map.voxels.size(); ++r2)
                                out.data[std::size_t(map.voxels[r2]) + out.voxelCount() * std::size_t(t)] =
                                    moved(Eigen::Index(r2), t);
                        io::writeNifti(o->outMap, out);
                    } else {
                        const Eigen::MatrixXf map = io::readGiftiData(o->transport, n);
                        io::writeGiftiData(o->outMap, transport(map));
                    }
                    outputs["map"] = o->outMap;
                }
                const auto& l = r.loss.back();
                std::ostringstream msg;
                msg << "FUGW " << n << " → " << target.rows() << " (" << align::toString(fo.solver) << ", " << r.iterations
                    << " BCD iterations, " << seconds << " s): loss " << l.total << " (W " << l.wasserstein << ", GW "
                    << l.gromovWasserstein << "), mass "
                    << (sparse ? double(c2f.plan.value.cast<double>().sum()) : double(r.plan.cast<double>().sum()));
                if (sparse) msg << ", coarse-to-fine " << c2f.plan.nonZeros() << " entries";
                msg << " → " << o->out;
                job.print(msg.str());
                job.succeed(msg.str(), outputs);
                return 0;
            }};
}

} // namespace nm::cli
