// neuromosaic-cli personalize: a multiscale atlas carried to one new subject by FUGW (core/align).
#include "CliSupport.hpp"

#include "align/Personalize.hpp"
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"
#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"

#include <iomanip>
#include <optional>
#include <sstream>

namespace nm::cli {

namespace {
struct PersonalizeCliOptions {
    std::string atlas, subject, out, cache, displacement, surfaceDisplacement;
    std::vector<std::string> contrasts;
    align::PersonalizeOptions p;
};

void addSolverOptions(CLI::App* app, align::PersonalizeOptions& p) {
    auto& c = p.solver.coarse;
    app->add_option("--alpha", c.alpha, "Weight of the geometry (GW) term")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app->add_option("--rho", c.rhoSource, "KL penalty on the marginals")->check(CLI::NonNegativeNumber)->capture_default_str();
    app->add_option("--eps", c.eps, "Final entropic regularisation")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--eps-start", c.epsStart, "ε-scaling start (×0.3 per BCD iteration; 0: off)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_option("--bcd", c.bcdIterations, "BCD iterations")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--inner", c.innerIterations, "Sinkhorn iterations per block")->check(CLI::PositiveNumber)->capture_default_str();
    app->add_option("--max-dense", p.maxDense, "Voxels up to which the plan is dense (coarse-to-fine above)")->capture_default_str();
    app->add_option("--coarse-samples", p.solver.coarseSamples, "Samples per side of the coarse problem")
        ->check(CLI::Range(50, 5000))
        ->capture_default_str();
    app->add_option("--anatomy", p.anatomyMm,
                    "Anatomical prior: a displacement of this many mm costs the median feature mismatch (0: off; "
                    "default: 2.5 voxel sizes)");
    app->add_flag_callback(
        "--connectivity", [&p] { p.connectivityFeatures = true; },
        "Features: add each voxel's connectivity profile to the components (default: the dual-regression maps only)");
    app->add_flag("--surfaces", p.surfaces,
                  "Also personalize on both hemispheres' cortical surfaces (coarse-to-fine FUGW on the mesh, geodesic "
                  "geometry); the subject bundle's surface maps are the transported ones");
    app->add_option("--surface-space", p.surfaceSpace, "Surfaces of --surfaces: template | fsaverage5 | a directory")
        ->capture_default_str();
    app->add_flag("--contrast-features", p.contrastFeatures,
                  "Features: add the subject's contrast maps of the concepts the atlas labels (from its task runs) against "
                  "the group's expected concept maps (default: off, they lower the gain; on with --contrast)");
    app->add_option("--contrast-weight", p.contrastWeight, "Weight of the contrast features against the dual-regression maps")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_option("--feature-scales", p.featureScales, "Scales whose dual-regression maps are the features (default: ≤ 256)")
        ->delimiter(',');
}
} // namespace

void finishPersonalizeSolverOptions(align::PersonalizeOptions& p) {
    p.solver.coarse.rhoTarget = p.solver.coarse.rhoSource;
    if (p.solver.coarse.epsStart <= p.solver.coarse.eps) p.solver.coarse.epsStart = 0;
    p.solver.fine = p.solver.coarse;
}

void addPersonalizeSolverOptions(CLI::App* app, align::PersonalizeOptions& p) { addSolverOptions(app, p); }

Command makePersonalizeCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("personalize",
                                    "Carry a multiscale atlas to a new subject (FUGW on dual-regression features): every "
                                    "component of every scale, labels kept, the network re-estimated");
    auto o = std::make_shared<PersonalizeCliOptions>();
    app->add_option("atlas", o->atlas, "Group atlas bundle (*.nmatlas.h5, from learn)")->required()->check(CLI::ExistingFile);
    app->add_option("subject", o->subject, "The subject's BIDS folder (<dataset>/sub-<label>) with task and/or rest runs")
        ->check(CLI::ExistingDirectory);
    app->add_option("--contrast", o->contrasts,
                    "A contrast map of the subject as CONCEPT=FILE.nii.gz (a concept the atlas labels; any grid, resampled to "
                    "the atlas's) or CONCEPT=LEFT.gii+RIGHT.gii (both hemispheres on --surface-space, put on the atlas grid's "
                    "cortical ribbon); repeat it. Without a subject folder these are the only features")
        ->delimiter(',');
    app->add_option("-o,--out", o->out, "Subject bundle to write (*.nmatlas.h5)")->required();
    app->add_option("--displacement", o->displacement, "Also write the displacement map (mm, NIfTI)");
    app->add_option("--surface-displacement", o->surfaceDisplacement,
                    "With --surfaces: write PREFIX_hemi-L.func.gii and PREFIX_hemi-R.func.gii (per-vertex displacement, mm)");
    app->add_option("--cache", o->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    addSolverOptions(app, o->p);
    return {app, [o, &options] {
                finishPersonalizeSolverOptions(o->p);
                if (!o->surfaceDisplacement.empty() && !o->p.surfaces)
                    throw InputError("--surface-displacement needs --surfaces");
                if (!o->cache.empty()) o->p.cacheDir = o->cache;
                if (o->subject.empty() && o->contrasts.empty())
                    throw InputError("personalize: give the subject's BIDS folder, or its contrast maps (--contrast CONCEPT=FILE.nii.gz)");
                const io::AtlasBundle group = io::readAtlasBundle(o->atlas);
                std::vector<align::SubjectContrast> given;
                std::optional<anatomy::SurfaceSpace> surfaces;
                for (const auto& spec : o->contrasts) {
                    const auto eq = spec.find('=');
                    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
                        throw InputError("--contrast: '" + spec + "' (expected CONCEPT=FILE.nii.gz)");
                    const std::string fileSpec = spec.substr(eq + 1);
                    const std::filesystem::path file = fileSpec;
                    Volume v;
                    if (const auto plus = fileSpec.find('+'); plus != std::string::npos && fileSpec.find(".gii") != std::string::npos) {
                        // both hemispheres on the surfaces of --surface-space, onto the atlas grid's ribbon voxels
                        const std::filesystem::path left = fileSpec.substr(0, plus), right = fileSpec.substr(plus + 1);
                        if (!surfaces) surfaces = anatomy::loadSurfaceSpace(o->p.surfaceSpace);
                        const Eigen::MatrixXf l = io::readGiftiData(left, surfaces->left.vertexCount());
                        const Eigen::MatrixXf r = io::readGiftiData(right, surfaces->right.vertexCount());
                        if (l.cols() != 1 || r.cols() != 1)
                            throw fileError(l.cols() != 1 ? left : right, "data arrays", "expected one contrast map per hemisphere");
                        if (!l.allFinite() || !r.allFinite())
                            throw fileError(!l.allFinite() ? left : right, "data", "NaN or infinite values");
                        v = anatomy::surfaceToVolume(*surfaces, l, r, group.grid);
                    } else {
                        if (fileSpec.find(".gii") != std::string::npos)
                            throw InputError("--contrast " + spec + ": a surface contrast needs both hemispheres, CONCEPT=LEFT.gii+RIGHT.gii (on --surface-space " +
                                             o->p.surfaceSpace + ")");
                        v = io::readNifti(file);
                    }
                    Eigen::VectorXf m(Eigen::Index(group.maskVoxels.size()));
                    for (std::size_t i = 0; i < group.maskVoxels.size(); ++i) {
                        m[Eigen::Index(i)] = v.data[std::size_t(group.maskVoxels[i])];
                        if (!std::isfinite(m[Eigen::Index(i)]))
                            throw fileError(file, "data", "NaN inside the atlas's mask (voxel " + std::to_string(group.maskVoxels[i]) + ")");
                    }
                    if (group.maskVoxels.empty() || m.cwiseAbs().maxCoeff() == 0)
                        throw fileError(file, "data", "zero everywhere inside the atlas's mask (expected a contrast map in its space)");
                    const std::string conceptName = spec.substr(0, eq);
                    if (align::groupConceptMap(group, conceptName).size() == 0) {
                        const auto known = align::labelledConcepts(group);
                        std::string list;
                        for (std::size_t i = 0; i < known.size() && i < 12; ++i) list += (i ? ", " : "") + known[i];
                        if (known.size() > 12) list += ", … (" + std::to_string(known.size()) + " in all)";
                        throw InputError("--contrast " + conceptName + ": " + o->atlas +
                                         (known.empty() ? " has no labels (run neuromosaic-cli label on it first)"
                                                        : " labels no concept of that name (expected one of: " + list + ")"));
                    }
                    given.push_back({conceptName, m, file.string()});
                }
                if (!given.empty()) o->p.contrastFeatures = true;
                JobContext job(options);
                align::PersonalizeResult r;
                std::string who;
                if (!o->subject.empty()) {
                    std::filesystem::path dir = std::filesystem::absolute(o->subject).lexically_normal();
                    if (dir.filename().empty()) dir = dir.parent_path();
                    const std::string name = dir.filename().string();
                    if (name.rfind("sub-", 0) != 0)
                        throw InputError(o->subject + ": not a BIDS subject folder (expected a folder named sub-<label>)");
                    const auto root = dir.parent_path();
                    if (!std::filesystem::exists(root / "dataset_description.json"))
                        throw InputError(o->subject + ": its parent " + root.string() +
                                         " has no dataset_description.json (expected a BIDS dataset)");
                    io::BidsFilter filter;
                    filter.subjects = {name.substr(4)};
                    const auto cohort = decompose::discoverCohort({root}, filter);
                    if (cohort.empty()) throw InputError(o->subject + ": no functional run found");
                    r = align::personalize(group, o->atlas, cohort.front(), o->p, job.progress(), given);
                    who = cohort.front().key;
                } else {
                    auto p = o->p;
                    p.contrastFeatures = true;
                    r = align::personalizeSignals(group, signal::RowMatrixF(0, Eigen::Index(group.maskVoxels.size())), p,
                                                  job.progress(), given);
                    r.bundle.provenance["personalization"]["group_atlas"] = o->atlas;
                    who = "the subject of " + std::to_string(given.size()) + " contrast map(s)";
                }
                io::writeAtlasBundle(o->out, r.bundle);
                nlohmann::json outputs = {{"bundle", o->out}};
                if (!o->displacement.empty()) {
                    Volume v;
                    v.geometry = group.grid;
                    v.data.assign(v.voxelCount(), 0.0f);
                    for (std::size_t i = 0; i < group.maskVoxels.size(); ++i)
                        v.data[std::size_t(group.maskVoxels[i])] = r.displacementMm[Eigen::Index(i)];
                    io::writeNifti(o->displacement, v);
                    outputs["displacement"] = o->displacement;
                }
                if (!o->surfaceDisplacement.empty()) {
                    for (const auto& [h, suffix] : {std::pair{&*r.surfaceLeft, "_hemi-L.func.gii"}, std::pair{&*r.surfaceRight, "_hemi-R.func.gii"}}) {
                        const std::string file = o->surfaceDisplacement + suffix;
                        io::writeGiftiData(file, h->displacementMm);
                        outputs[std::string("surface_displacement") + (h == &*r.surfaceLeft ? "_left" : "_right")] = file;
                    }
                }
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(2) << who << " personalized in " << r.seconds << " s ("
                    << (r.coarseToFine ? "coarse-to-fine, " : "dense, ") << r.planEntries << " plan entries); median displacement "
                    << r.bundle.provenance["personalization"]["median_displacement_mm"].get<double>() << " mm";
                if (r.surfaceLeft)
                    msg << "; surfaces " << r.surfaceLeft->seconds << " s + " << r.surfaceRight->seconds << " s ("
                        << r.surfaceLeft->planEntries + r.surfaceRight->planEntries << " entries)";
                msg << " → " << o->out;
                job.print(msg.str());
                job.succeed(msg.str(), outputs);
                return 0;
            }};
}

} // namespace nm::cli
