// Template cortical surfaces from the MNI ch2bet template (Holmes et al. 1998, "Colin 27") and
// the AAL atlas (Tzourio-Mazoyer et al. 2002), both from Debian's mricron-data.
//
// Pipeline (FreeSurfer's ideas, Dale, Fischl & Sereno 1999, on a template instead of a subject):
//  1. tissue intensities by 3-class k-means of the brain voxels (CSF/GM/WM);
//  2. cerebrum = voxels whose nearest AAL label (exact Euclidean distance transform with
//     nearest-feature propagation) is cerebral (1–90) within 12 mm — drops cerebellum and brainstem;
//  3. "filled" white matter = WM ∪ subcortical nuclei (AAL 71–78), split at the midline x = 0,
//     largest component, closing, cavities filled (ventricles);
//  4. white surface = isosurface of the smoothed mask (flying edges), quadric decimation to the
//     target vertex count, windowed-sinc smoothing, outward orientation;
//  5. thickness by marching along the normal through grey matter to the GM/CSF intensity
//     boundary (clamped to 1–5 mm, smoothed); pial = white + t·n, mid-thickness = white + t/2·n;
//  6. curv = mean curvature of the white surface (cotangent Laplacian); inflated = umbrella
//     smoothing rescaled to the white surface's area, sulc = the displacement along the normal
//     accumulated during inflation (FreeSurfer's definition, Fischl et al. 1999); sphere = further
//     smoothing projected to radius 100 mm.
#include "anatomy/Surfaces.hpp"

#include "anatomy/Isosurface.hpp"
#include "anatomy/MeshGeometry.hpp"
#include "anatomy/VolumeOps.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/FreeSurfer.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"

#include <chrono>
#include <cmath>
#include <sstream>
#include <unistd.h>

namespace nm::anatomy {

std::string toString(Hemisphere h) { return h == Hemisphere::Left ? "left" : "right"; }

const Mesh& HemisphereSurfaces::surface(const std::string& name) const {
    if (name == "white") return white;
    if (name == "pial") return pial;
    if (name == "midthickness" || name == "mid") return midthickness;
    if (name == "inflated" || name == "infl") return inflated;
    if (name == "sphere") return sphere;
    throw InputError("surface '" + name + "': expected white, pial, midthickness, inflated or sphere");
}

Mesh largestMeshComponent(const Mesh& mesh) {
    std::vector<int> labels;
    const int n = meshComponents(mesh, labels);
    if (n <= 1) return mesh;
    std::vector<std::size_t> sizes(std::size_t(n), 0);
    for (int l : labels) ++sizes[std::size_t(l)];
    const int keep = int(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
    std::vector<std::int32_t> remap(labels.size(), -1);
    std::int32_t next = 0;
    for (std::size_t v = 0; v < labels.size(); ++v)
        if (labels[v] == keep) remap[v] = next++;
    Mesh out;
    out.vertices.resize(next, 3);
    for (std::size_t v = 0; v < labels.size(); ++v)
        if (remap[v] >= 0) out.vertices.row(remap[v]) = mesh.vertices.row(Eigen::Index(v));
    std::vector<std::int32_t> tris;
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const auto a = remap[std::size_t(mesh.triangles(t, 0))];
        if (a < 0) continue;
        tris.insert(tris.end(), {a, remap[std::size_t(mesh.triangles(t, 1))], remap[std::size_t(mesh.triangles(t, 2))]});
    }
    out.triangles = Eigen::Map<Triangles>(tris.data(), Eigen::Index(tris.size() / 3), 3);
    for (const auto& [name, values] : mesh.scalars) {
        Eigen::VectorXf v(next);
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (remap[i] >= 0) v[remap[i]] = values[Eigen::Index(i)];
        out.scalars[name] = v;
    }
    return out;
}

namespace {

using Clock = std::chrono::steady_clock;

void smoothValues(Eigen::VectorXf& values, const Adjacency& adj, int iterations) {
    Eigen::VectorXf next(values.size());
    for (int it = 0; it < iterations; ++it) {
        for (Eigen::Index v = 0; v < values.size(); ++v) {
            float sum = values[v];
            const auto b = adj.offsets[std::size_t(v)], e = adj.offsets[std::size_t(v) + 1];
            for (auto k = b; k < e; ++k) sum += values[adj.indices[std::size_t(k)]];
            next[v] = sum / float(1 + e - b);
        }
        values.swap(next);
    }
}

/// Umbrella-operator smoothing that accumulates each vertex's displacement along the current
/// normal: FreeSurfer's sulc (positive where the vertex moves outward, i.e. in sulci). Taubin's
/// non-shrinking λ|μ filter is not used here: it amplifies mid frequencies, which flips the sign
/// of the accumulated displacement of large folds.
void inflate(Vertices& x, const Adjacency& adj, int iterations, Eigen::VectorXf& sulc, const Mesh& topology) {
    Mesh current;
    current.triangles = topology.triangles;
    for (int it = 0; it < iterations; ++it) {
        current.vertices = x;
        const Vertices n = vertexNormals(current);
        const Vertices before = x;
        laplacianSmooth(x, adj, 0.5, 1);
        for (Eigen::Index v = 0; v < x.rows(); ++v) sulc[v] += (x.row(v) - before.row(v)).dot(n.row(v));
    }
}

void rescaleToArea(Vertices& x, const Mesh& topology, double targetArea) {
    Mesh m;
    m.vertices = x;
    m.triangles = topology.triangles;
    const double a = surfaceArea(m);
    const Eigen::RowVector3f c = x.colwise().mean();
    const float s = float(std::sqrt(targetArea / a));
    x = ((x.rowwise() - c) * s).rowwise() + c;
}

HemisphereSurfaces buildHemisphere(const Volume& t1, const Mask& filled, Hemisphere hemi, double tGM, double tWM,
                                   const TemplateSurfaceOptions& o, jobs::Progress& progress) {
    progress.plan({{"mask", 1}, {"white surface", 4}, {"pial surface", 2}, {"inflate", 3}});
    progress.begin("mask");
    const auto& g = t1.geometry;
    Mask m = filled;
    for (int k = 0; k < g.dims[2]; ++k)
        for (int j = 0; j < g.dims[1]; ++j)
            for (int i = 0; i < g.dims[0]; ++i) {
                const double x = g.worldOf(i, j, k).x();
                const bool keep = hemi == Hemisphere::Left ? x < -0.25 : x > 0.25;
                if (!keep) m.data[m.index(i, j, k)] = 0;
            }
    m = fillHoles(closing(largestComponent(m), 1));
    m = largestComponent(m);
    if (m.count() < 1000) throw Error("template surfaces: the " + toString(hemi) + " white-matter mask is empty");

    progress.begin("white surface");
    Volume maskVolume;
    maskVolume.geometry = g;
    maskVolume.data.resize(m.size());
    for (std::size_t v = 0; v < m.size(); ++v) maskVolume.data[v] = m.data[v] ? 1.0f : 0.0f;
    IsosurfaceOptions iso;
    iso.level = 0.5;
    iso.smoothingSigmaMm = o.maskSmoothingMm;
    iso.targetTriangles = 2 * o.targetVertices;
    iso.smoothingIterations = 20;
    HemisphereSurfaces h;
    h.white = largestMeshComponent(extractIsosurface(maskVolume, iso));
    if (signedVolume(h.white) < 0) flipOrientation(h.white);
    progress.update(1.0);

    progress.begin("pial surface");
    const Adjacency adj = vertexAdjacency(h.white);
    const Vertices normals = vertexNormals(h.white);
    const Eigen::Matrix4d toVoxel = g.affine.inverse();
    const Eigen::Index nv = h.white.vertexCount();
    h.thickness.resize(nv);
    constexpr double kStep = 0.2, kMax = 6.0;
    for (Eigen::Index v = 0; v < nv; ++v) {
        const Eigen::Vector3d p = h.white.vertices.row(v).cast<double>().transpose();
        const Eigen::Vector3d n = normals.row(v).cast<double>().transpose();
        double previous = tWM, depth = kMax, minimum = std::numeric_limits<double>::infinity();
        for (double s = kStep; s <= kMax; s += kStep) {
            const Eigen::Vector3d q = p + s * n;
            const double value = sampleTrilinear(t1, (toVoxel * q.homogeneous()).head<3>(), 0, 0.0f);
            if (value < tGM) {  // left grey matter: interpolate the crossing
                depth = s - kStep * (tGM - value) / std::max(previous - value, 1e-6);
                break;
            }
            // Across a thin sulcus the intensity dips then climbs into the next gyrus's white
            // matter: stop at the dip.
            if (value < minimum) {
                minimum = value;
                depth = s;
            } else if (value > tWM && minimum < tWM - 0.3 * (tWM - tGM)) {
                break;
            }
            previous = value;
        }
        h.thickness[v] = float(std::clamp(depth, 1.0, 5.0));
    }
    smoothValues(h.thickness, adj, 5);
    h.pial = h.white;
    h.midthickness = h.white;
    for (Eigen::Index v = 0; v < nv; ++v) {
        h.pial.vertices.row(v) += h.thickness[v] * normals.row(v);
        h.midthickness.vertices.row(v) += 0.5f * h.thickness[v] * normals.row(v);
    }
    // Mean curvature of a surface from a 1 mm voxel mask is noisy at the voxel scale: average
    // over the 1-ring twice (FreeSurfer computes ?h.curv on its smoothed white surface too).
    h.curv = meanCurvature(h.white);
    smoothValues(h.curv, adj, 2);

    progress.begin("inflate");
    const double area = surfaceArea(h.white);
    Vertices x = h.white.vertices;
    h.sulc = Eigen::VectorXf::Zero(nv);
    inflate(x, adj, o.inflationIterations, h.sulc, h.white);
    rescaleToArea(x, h.white, area);
    // Centre sulc: the global expansion is not depth.
    const Eigen::VectorXd va = vertexAreas(h.white);
    h.sulc.array() -= float((h.sulc.cast<double>().array() * va.array()).sum() / va.sum());
    h.inflated.triangles = h.white.triangles;
    h.inflated.vertices = x;
    progress.update(0.5);
    Vertices s = x;
    laplacianSmooth(s, adj, 0.5, o.sphereIterations);
    const Eigen::RowVector3f c = s.colwise().mean();
    for (int round = 0; round < 20; ++round) {
        for (Eigen::Index v = 0; v < nv; ++v) s.row(v) = c + 100.0f * (s.row(v) - c).normalized();
        laplacianSmooth(s, adj, 0.5, 5);
    }
    for (Eigen::Index v = 0; v < nv; ++v) s.row(v) = c + 100.0f * (s.row(v) - c).normalized();
    h.sphere.triangles = h.white.triangles;
    h.sphere.vertices = s.rowwise() - c;
    progress.update(1.0);
    return h;
}

std::string optionKey(const TemplateSurfaceOptions& o) {
    std::ostringstream s;
    s << "surfaces-v2 v=" << o.targetVertices << " sm=" << o.maskSmoothingMm << " inf=" << o.inflationIterations
      << " sph=" << o.sphereIterations << " atlas=" << paths::cacheKey(o.atlas, "");
    return s.str();
}

const char* const kSurfaceNames[] = {"white", "pial", "midthickness", "inflated", "sphere"};

void writeCache(const std::filesystem::path& dir, const SurfaceSpace& space) {
    paths::ensureDirectory(dir);
    for (auto hemi : {Hemisphere::Left, Hemisphere::Right}) {
        const auto& h = space.hemisphere(hemi);
        const std::string p = hemi == Hemisphere::Left ? "lh." : "rh.";
        for (const char* name : kSurfaceNames) {
            Mesh m = h.surface(name);
            if (std::string(name) == "white") {
                m.scalars["sulc"] = h.sulc;
                m.scalars["curv"] = h.curv;
                m.scalars["thickness"] = h.thickness;
            }
            writeMeshBinary(dir / (p + name + ".nmmesh"), m);
        }
    }
}

SurfaceSpace readCache(const std::filesystem::path& dir) {
    SurfaceSpace space;
    space.id = "template";
    for (auto hemi : {Hemisphere::Left, Hemisphere::Right}) {
        auto& h = space.hemisphere(hemi);
        const std::string p = hemi == Hemisphere::Left ? "lh." : "rh.";
        h.white = readMeshBinary(dir / (p + "white.nmmesh"));
        h.sulc = h.white.scalars.at("sulc");
        h.curv = h.white.scalars.at("curv");
        h.thickness = h.white.scalars.at("thickness");
        h.white.scalars.clear();
        h.pial = readMeshBinary(dir / (p + "pial.nmmesh"));
        h.midthickness = readMeshBinary(dir / (p + "midthickness.nmmesh"));
        h.inflated = readMeshBinary(dir / (p + "inflated.nmmesh"));
        h.sphere = readMeshBinary(dir / (p + "sphere.nmmesh"));
        for (const Mesh* m : {&h.pial, &h.midthickness, &h.inflated, &h.sphere})
            if (m->vertexCount() != h.white.vertexCount()) throw Error(dir.string() + ": cached surfaces disagree in size");
    }
    return space;
}

TemplateSurfaceOptions resolve(TemplateSurfaceOptions o) {
    if (o.t1.empty()) o.t1 = paths::mricronTemplatesDir() / "ch2bet.nii.gz";
    if (o.atlas.empty()) o.atlas = paths::mricronTemplatesDir() / "aal.nii.gz";
    for (const auto& f : {o.t1, o.atlas})
        if (!std::filesystem::exists(f))
            throw fileError(f, "template file not found; install the Debian package mricron-data "
                               "(scripts/setup-deps.sh does) or set NEUROMOSAIC_MRICRON_DIR");
    if (o.targetVertices < 2000 || o.targetVertices > 500000)
        throw InputError("template surfaces: targetVertices must be in [2000, 500000]");
    return o;
}

} // namespace

SurfaceSpace buildTemplateSurfaces(const TemplateSurfaceOptions& optionsIn, jobs::Progress* progressIn,
                                   SurfaceBuildReport* report) {
    const auto start = Clock::now();
    const auto o = resolve(optionsIn);
    jobs::Progress local;
    jobs::Progress& progress = progressIn ? *progressIn : local;
    progress.plan({{"read", 1}, {"segment", 3}, {"left", 8}, {"right", 8}});
    progress.begin("read", o.t1.string());
    const Volume t1 = io::readNifti(o.t1);
    Volume atlas = io::readNifti(o.atlas);
    if (!atlas.geometry.sameGrid(t1.geometry))
        atlas = io::resampleToGrid(atlas, t1.geometry, io::Interpolation::Nearest);

    progress.begin("segment");
    std::vector<float> brain;
    brain.reserve(t1.data.size() / 3);
    for (float v : t1.data)
        if (v > 0) brain.push_back(v);
    const auto centres = kMeans1D(brain, 3);
    const double tGM = 0.5 * (centres[0] + centres[1]), tWM = 0.5 * (centres[1] + centres[2]);
    progress.info("tissue intensities (k-means): CSF " + std::to_string(centres[0]) + ", GM " + std::to_string(centres[1]) +
                  ", WM " + std::to_string(centres[2]));
    Mask labelled = makeMask(t1.geometry.dims);
    for (std::size_t v = 0; v < labelled.size(); ++v) labelled.data[v] = atlas.data[v] > 0.5f;
    std::vector<float> dist2;
    std::vector<std::int64_t> nearest;
    const Eigen::Vector3d vox = t1.geometry.voxelSize();
    distanceTransform(labelled, {vox[0], vox[1], vox[2]}, dist2, nearest);
    progress.update(0.6);
    Mask filled = makeMask(t1.geometry.dims);
    for (std::size_t v = 0; v < filled.size(); ++v) {
        if (nearest[v] < 0) continue;
        const float label = atlas.data[std::size_t(nearest[v])];
        const bool cerebral = label >= 0.5f && label <= 90.5f && dist2[v] < 144.0f;
        const bool nucleus = atlas.data[v] >= 70.5f && atlas.data[v] <= 78.5f;  // caudate … thalamus
        filled.data[v] = (cerebral && t1.data[v] > tWM) || nucleus;
    }
    SurfaceSpace space;
    space.id = "template";
    progress.begin("left");
    auto left = progress.child();
    space.left = buildHemisphere(t1, filled, Hemisphere::Left, tGM, tWM, o, left);
    progress.begin("right");
    auto right = progress.child();
    space.right = buildHemisphere(t1, filled, Hemisphere::Right, tGM, tWM, o, right);
    progress.finish();
    if (report) {
        report->thresholdGreyMatter = tGM;
        report->thresholdWhiteMatter = tWM;
        report->seconds = std::chrono::duration<double>(Clock::now() - start).count();
        report->fromCache = false;
    }
    return space;
}

SurfaceSpace loadTemplateSurfaces(const TemplateSurfaceOptions& optionsIn, jobs::Progress* progress,
                                  SurfaceBuildReport* report) {
    const auto start = Clock::now();
    const auto o = resolve(optionsIn);
    const auto dir = paths::cacheDir() / "anatomy" / ("template-surfaces-" + paths::cacheKey(o.t1, optionKey(o)));
    SurfaceBuildReport local;
    SurfaceBuildReport& r = report ? *report : local;
    r.cacheDirectory = dir;
    if (std::filesystem::exists(dir / "rh.sphere.nmmesh")) {
        try {
            SurfaceSpace s = readCache(dir);
            r.fromCache = true;
            r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            return s;
        } catch (const std::exception& e) {
            if (progress) progress->warn("rebuilding the damaged surface cache: " + std::string(e.what()));
        }
    }
    SurfaceSpace s = buildTemplateSurfaces(o, progress, &r);
    try {
        // Write to a fresh directory, then rename: readers never see a partial cache.
        const auto tmp = dir.parent_path() / (dir.filename().string() + ".tmp-" + std::to_string(::getpid()));
        writeCache(tmp, s);
        std::error_code ec;
        std::filesystem::rename(tmp, dir, ec);
        if (ec) std::filesystem::remove_all(tmp, ec);  // another process won the race
    } catch (const std::exception& e) {
        if (progress) progress->warn("cannot cache the template surfaces: " + std::string(e.what()));
    }
    r.fromCache = false;
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return s;
}

namespace {
std::filesystem::path firstExisting(const std::filesystem::path& dir, const std::vector<std::string>& names) {
    for (const auto& n : names)
        if (std::filesystem::exists(dir / n)) return dir / n;
    return {};
}

Mesh readAnySurface(const std::filesystem::path& f) {
    const auto name = f.filename().string();
    if (name.find(".gii") != std::string::npos) return io::readGiftiSurface(f);
    return io::readFreeSurferSurface(f);
}

Eigen::VectorXf readAnyScalar(const std::filesystem::path& f, Eigen::Index n) {
    const auto name = f.filename().string();
    if (name.find(".gii") != std::string::npos) return io::readGiftiData(f, n).col(0);
    return io::readFreeSurferCurv(f, n);
}
} // namespace

SurfaceSpace loadSurfaceDirectory(const std::filesystem::path& directory, const std::string& id) {
    if (!std::filesystem::is_directory(directory)) throw fileError(directory, "surface directory does not exist");
    SurfaceSpace space;
    space.id = id.empty() ? directory.string() : id;
    for (auto hemi : {Hemisphere::Left, Hemisphere::Right}) {
        const std::string side = toString(hemi), fs = hemi == Hemisphere::Left ? "lh." : "rh.";
        auto find = [&](const std::string& nilearn, const std::string& freesurfer, bool required) {
            auto f = firstExisting(directory, {nilearn + "_" + side + ".gii.gz", nilearn + "_" + side + ".gii"});
            if (f.empty()) f = firstExisting(directory / "surf", {fs + freesurfer});
            if (f.empty()) f = firstExisting(directory, {fs + freesurfer});
            if (f.empty() && required)
                throw fileError(directory, nilearn + "_" + side + ".gii[.gz] or surf/" + fs + freesurfer, "missing");
            return f;
        };
        auto& h = space.hemisphere(hemi);
        h.white = readAnySurface(find("white", "white", true));
        h.pial = readAnySurface(find("pial", "pial", true));
        const Eigen::Index n = h.white.vertexCount();
        if (h.pial.vertexCount() != n) throw fileError(directory, "pial_" + side, "vertex count differs from white");
        h.inflated = readAnySurface(find("infl", "inflated", true));
        h.sphere = readAnySurface(find("sphere", "sphere", true));
        for (const Mesh* m : {&h.inflated, &h.sphere})
            if (m->vertexCount() != n) throw fileError(directory, side + " surfaces", "vertex counts differ");
        h.midthickness = h.white;
        h.midthickness.vertices = 0.5f * (h.white.vertices + h.pial.vertices);
        auto sulc = find("sulc", "sulc", false), curv = find("curv", "curv", false), thick = find("thick", "thickness", false);
        h.sulc = sulc.empty() ? Eigen::VectorXf::Zero(n) : readAnyScalar(sulc, n);
        h.curv = curv.empty() ? meanCurvature(h.white) : readAnyScalar(curv, n);
        h.thickness = thick.empty() ? Eigen::VectorXf((h.pial.vertices - h.white.vertices).rowwise().norm())
                                    : readAnyScalar(thick, n);
    }
    return space;
}

SurfaceSpace loadSurfaceSpace(const std::string& spec, jobs::Progress* progress) {
    if (spec.empty() || spec == "template") return loadTemplateSurfaces({}, progress);
    if (spec == "fsaverage5") {
        std::filesystem::path dir;
        if (const char* env = std::getenv("NEUROMOSAIC_FSAVERAGE5_DIR"); env && *env) dir = env;
        else if (auto data = paths::testDataDir()) dir = *data / "surfaces" / "fsaverage5";
        if (dir.empty() || !std::filesystem::is_directory(dir))
            throw InputError("space 'fsaverage5': set NEUROMOSAIC_FSAVERAGE5_DIR to a directory with nilearn's "
                             "fsaverage5 GIFTI files (or a FreeSurfer subject), or pass that directory as the space");
        return loadSurfaceDirectory(dir, "fsaverage5");
    }
    return loadSurfaceDirectory(spec);
}

} // namespace nm::anatomy
