#include "anatomy/Overlay.hpp"

#include "anatomy/MeshGeometry.hpp"
#include "common/Paths.hpp"
#include "io/AtlasBundle.hpp"
#include <optional>
#include <map>
#include <mutex>

#include "common/Error.hpp"
#include "io/FreeSurfer.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"

#include <cmath>
#include <fstream>
#include <regex>
#include <set>

namespace nm::anatomy {

namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool looksLikeLabels(const Volume& v) {
    // An atlas is integer-valued and piecewise constant: most labelled voxels have the same value
    // as their labelled neighbour along x. Integer images of intensities (a uint8 T1) are not.
    if (v.frames != 1) return false;
    std::set<long> distinct;
    std::size_t pairs = 0, equal = 0;
    const auto& d = v.geometry.dims;
    for (int k = 0; k < d[2]; ++k)
        for (int j = 0; j < d[1]; ++j)
            for (int i = 0; i + 1 < d[0]; ++i) {
                const float a = v.at(i, j, k), b = v.at(i + 1, j, k);
                if (!std::isfinite(a) || std::abs(a - std::round(a)) > 1e-4f) return false;
                if (a == 0.0f) continue;
                if (distinct.size() <= 5000) distinct.insert(std::lround(a));
                if (b == 0.0f) continue;
                ++pairs;
                equal += a == b;
            }
    return distinct.size() >= 2 && distinct.size() <= 5000 && pairs > 0 && double(equal) / double(pairs) > 0.8;
}

bool isFreeSurferCurv(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char m[3] = {0, 0, 0};
    in.read(reinterpret_cast<char*>(m), 3);
    return in && m[0] == 0xff && m[1] == 0xff && m[2] == 0xff;
}

Hemisphere requireHemisphere(const std::filesystem::path& file, const OverlayOptions& o, std::optional<Hemisphere> fromFile) {
    if (o.hemisphere) return *o.hemisphere;
    if (fromFile) return *fromFile;
    throw fileError(file, "hemisphere", "cannot tell which hemisphere this surface file belongs to; name it with "
                                        "lh./rh., left/right or hemi-L/hemi-R, or pass the hemisphere explicitly");
}

} // namespace

std::optional<Hemisphere> hemisphereFromName(const std::string& name) {
    static const std::regex left(R"((^|[^a-z])(lh|left|hemi-l|l)([^a-z]|$))", std::regex::icase);
    static const std::regex right(R"((^|[^a-z])(rh|right|hemi-r|r)([^a-z]|$))", std::regex::icase);
    const bool l = std::regex_search(name, left), r = std::regex_search(name, right);
    if (l && !r) return Hemisphere::Left;
    if (r && !l) return Hemisphere::Right;
    return std::nullopt;
}

void mergeOverlay(SurfaceOverlay& into, const SurfaceOverlay& other) {
    if (other.left.cols() > 0) into.left = other.left;
    if (other.right.cols() > 0) into.right = other.right;
    into.categorical = into.categorical || other.categorical;
    into.labelColors.insert(other.labelColors.begin(), other.labelColors.end());
    into.labelNames.insert(other.labelNames.begin(), other.labelNames.end());
}

namespace {
/// Cortex vertices of the template surfaces: inside a Harvard–Oxford cortical region after
/// projection (computed once per process; nullopt without mricron-data).
std::optional<std::pair<std::vector<char>, std::vector<char>>> templateCortexMask(const SurfaceSpace& space) {
    static std::mutex m;
    static std::map<std::pair<Eigen::Index, Eigen::Index>, std::optional<std::pair<std::vector<char>, std::vector<char>>>> cache;
    std::lock_guard lock(m);
    const auto key = std::make_pair(space.left.vertexCount(), space.right.vertexCount());
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    std::optional<std::pair<std::vector<char>, std::vector<char>>> mask;
    try {
        const auto ho = paths::mricronTemplatesDir() / "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz";
        if (std::filesystem::exists(ho)) {
            OverlayOptions lo;
            lo.labels = true;
            const SurfaceOverlay labels = loadSurfaceOverlay(ho, space, lo);
            auto toMask = [](const Eigen::MatrixXf& l) {
                std::vector<char> v(static_cast<std::size_t>(l.rows()), 0);
                for (Eigen::Index i = 0; i < l.rows(); ++i) v[std::size_t(i)] = l.cols() > 0 && l(i, 0) > 0;
                return v;
            };
            mask = std::make_pair(toMask(labels.left), toMask(labels.right));
        }
    } catch (const std::exception&) {
        mask.reset();  // no mask: the mosaic is drawn everywhere
    }
    cache[key] = mask;
    return mask;
}
} // namespace

SurfaceOverlay loadSurfaceOverlay(const std::filesystem::path& file, const SurfaceSpace& space, const OverlayOptions& o) {
    requireReadableFile(file, "overlay");
    const std::string name = file.filename().string();
    SurfaceOverlay out;
    out.name = name;
    auto projectVolume = [&](const Volume& v) {
        out.source = "volume";
        out.categorical = o.labels.value_or(looksLikeLabels(v));
        ProjectionOptions p = o.projection;
        if (out.categorical) {
            // Labels cannot be interpolated or averaged: the most frequent label over the ribbon.
            p.interpolation = ProjectionOptions::Interpolation::Nearest;
            p.reduction = ProjectionOptions::Reduction::Mode;
        }
        out.left = VolumeToSurface(space.left, v.geometry, p).project(v);
        out.right = VolumeToSurface(space.right, v.geometry, p).project(v);
    };
    auto perVertex = [&](Eigen::MatrixXf values, std::optional<Hemisphere> fromFile) {
        out.source = "surface";
        const Hemisphere h = requireHemisphere(file, o, fromFile);
        const auto n = space.hemisphere(h).vertexCount();
        if (values.rows() != n)
            throw fileError(file, "vertex count", "overlay has " + std::to_string(values.rows()) + " vertices, the " +
                                                      toString(h) + " surface of space '" + space.id + "' has " + std::to_string(n));
        (h == Hemisphere::Left ? out.left : out.right) = std::move(values);
    };

    if (endsWith(name, ".nmatlas.h5")) {
        const io::AtlasBundle b = io::readAtlasBundle(file);
        std::size_t index = 0;
        if (o.atlasScale > 0) {
            (void)b.scale(o.atlasScale);  // throws, naming the scales present
            while (b.scales[index].components != o.atlasScale) ++index;
        }
        const io::AtlasScale& sc = b.scales[index];
        out.name = name + " (" + std::to_string(sc.components) + " components)";
        out.mapNames = sc.names;
        const bool stored = sc.surfaceLeft && sc.surfaceRight && b.surfaceSpace == space.id &&
                            sc.surfaceLeft->cols() == space.left.vertexCount() && sc.surfaceRight->cols() == space.right.vertexCount();
        if (stored) {
            out.source = "surface";
            out.left = Eigen::MatrixXf(sc.surfaceLeft->transpose());
            out.right = Eigen::MatrixXf(sc.surfaceRight->transpose());
        } else {
            out.categorical = false;
            ProjectionOptions p = o.projection;
            const Volume v = b.mapsVolume(index);
            out.source = "volume";
            out.left = VolumeToSurface(space.left, v.geometry, p).project(v);
            out.right = VolumeToSurface(space.right, v.geometry, p).project(v);
        }
        if (o.atlasMosaic) {
            // Weights relative to each component's peak in the brain (its largest voxel, or its
            // largest surface value if higher): a weight means the same on both hemispheres, and a
            // component centred below the cortex shows faint where its edge reaches the surface.
            Eigen::RowVectorXf peak = out.left.colwise().maxCoeff().cwiseMax(out.right.colwise().maxCoeff());
            for (Eigen::Index c = 0; c < sc.maps.outerSize() && c < peak.size(); ++c)
                for (io::SparseMapsF::InnerIterator it(sc.maps, c); it; ++it) peak[c] = std::max(peak[c], it.value());
            Eigen::VectorXf weightLeft, weightRight;
            Eigen::VectorXf labelsLeft = winnerTakeAll(out.left, o.mosaicThreshold, &weightLeft, &peak);
            Eigen::VectorXf labelsRight = winnerTakeAll(out.right, o.mosaicThreshold, &weightRight, &peak);
            // The medial wall (no cortex: corpus callosum, the cut through the thalamus) would take
            // the colours of subcortical components: on the template space it stays uncoloured —
            // vertices outside every Harvard–Oxford cortical region (mricron-data).
            if (space.id == "template") {
                if (const auto cortex = templateCortexMask(space)) {
                    for (Eigen::Index v = 0; v < labelsLeft.size() && v < Eigen::Index(cortex->first.size()); ++v)
                        if (!cortex->first[std::size_t(v)]) labelsLeft[v] = 0;
                    for (Eigen::Index v = 0; v < labelsRight.size() && v < Eigen::Index(cortex->second.size()); ++v)
                        if (!cortex->second[std::size_t(v)]) labelsRight[v] = 0;
                }
            }
            // Speckle: where no component loads much (the edge of the medial wall), components whose
            // territory is elsewhere win scattered vertices. Pieces smaller than 5 % of the median
            // parcel are merged into their neighbours (o.mosaicMinIsland; 0 keeps them).
            if (o.mosaicMinIsland > 0) {
                std::vector<int> count(std::size_t(sc.components) + 1, 0);
                for (const auto* l : {&labelsLeft, &labelsRight})
                    for (Eigen::Index v = 0; v < l->size(); ++v) ++count[std::size_t(std::lround((*l)[v]))];
                std::vector<int> present;
                for (std::size_t c = 1; c < count.size(); ++c)
                    if (count[c] > 0) present.push_back(count[c]);
                if (!present.empty()) {
                    std::nth_element(present.begin(), present.begin() + std::ptrdiff_t(present.size() / 2), present.end());
                    const int minVertices = int(std::lround(o.mosaicMinIsland * present[present.size() / 2]));
                    auto clean = [&](Hemisphere h, Eigen::VectorXf& labels, Eigen::VectorXf& weight, const Eigen::MatrixXf& maps) {
                        Eigen::VectorXi l = labels.array().round().cast<int>();
                        mergeSmallIslands(space.hemisphere(h).white, l, minVertices);
                        for (Eigen::Index v = 0; v < l.size(); ++v) {
                            if (l[v] == int(std::lround(labels[v]))) continue;
                            labels[v] = float(l[v]);
                            weight[v] = l[v] > 0 ? maps(v, l[v] - 1) : 0.0f;
                        }
                    };
                    clean(Hemisphere::Left, labelsLeft, weightLeft, out.left);
                    clean(Hemisphere::Right, labelsRight, weightRight, out.right);
                }
            }
            auto finish = [&](Eigen::MatrixXf& maps, const Eigen::VectorXf& labels, Eigen::VectorXf weight, Eigen::VectorXf& outWeight) {
                for (Eigen::Index v = 0; v < labels.size(); ++v)
                    weight[v] = labels[v] > 0 ? std::max(weight[v], 0.0f) / std::max(peak[Eigen::Index(labels[v]) - 1], 1e-12f) : 0.0f;
                maps = labels;
                outWeight = std::move(weight);
            };
            finish(out.left, labelsLeft, weightLeft, out.leftWeight);
            finish(out.right, labelsRight, weightRight, out.rightWeight);
            out.categorical = true;
            for (int c = 0; c < sc.components; ++c)
                out.labelNames[c + 1] = c < int(sc.names.size()) ? sc.names[std::size_t(c)] : std::to_string(c);
            out.name = name + " (" + std::to_string(sc.components) + " components, mosaic)";
        }
    } else if (endsWith(name, ".nii") || endsWith(name, ".nii.gz")) {
        projectVolume(io::readNifti(file));
    } else if (endsWith(name, ".mgh") || endsWith(name, ".mgz")) {
        const Volume v = io::readMgh(file);
        const bool surfaceData = v.geometry.dims[1] == 1 && v.geometry.dims[2] == 1;
        if (!surfaceData) {
            projectVolume(v);
        } else {
            Eigen::MatrixXf values(v.geometry.dims[0], v.frames);
            for (int t = 0; t < v.frames; ++t)
                for (int i = 0; i < v.geometry.dims[0]; ++i) values(i, t) = v.at(i, 0, 0, t);
            out.categorical = o.labels.value_or(false);
            perVertex(std::move(values), hemisphereFromName(name));
        }
    } else if (endsWith(name, ".annot")) {
        const auto a = io::readFreeSurferAnnot(file);
        Eigen::MatrixXf values(a.labels.size(), 1);
        for (Eigen::Index v = 0; v < a.labels.size(); ++v) values(v, 0) = float(a.labels[v] + 1);  // 0 = unlabelled
        for (std::size_t k = 0; k < a.table.size(); ++k) {
            const auto& e = a.table[k];
            out.labelColors[int(k) + 1] = {e.rgba[0] / 255.0f, e.rgba[1] / 255.0f, e.rgba[2] / 255.0f};
            out.labelNames[int(k) + 1] = e.name;
        }
        out.categorical = true;
        perVertex(std::move(values), hemisphereFromName(name));
    } else if (endsWith(name, ".gii") || endsWith(name, ".gii.gz")) {
        const io::GiftiFile g = io::readGifti(file);
        std::optional<Hemisphere> h = hemisphereFromName(name);
        for (const auto& a : g.arrays) {
            auto it = a.meta.find("AnatomicalStructurePrimary");
            if (it != a.meta.end() && !h) {
                if (it->second == "CortexLeft") h = Hemisphere::Left;
                if (it->second == "CortexRight") h = Hemisphere::Right;
            }
        }
        bool hasLabels = false;
        for (const auto& a : g.arrays) hasLabels |= a.intent == "NIFTI_INTENT_LABEL";
        if (hasLabels) {
            const auto labels = io::readGiftiLabels(file);
            Eigen::MatrixXf values = labels.labels.cast<float>();
            for (const auto& l : labels.table) {
                if (l.key <= 0) continue;
                out.labelColors[l.key] = {l.rgba[0], l.rgba[1], l.rgba[2]};
                out.labelNames[l.key] = l.name;
            }
            out.categorical = true;
            perVertex(std::move(values), h);
        } else {
            out.categorical = o.labels.value_or(false);
            perVertex(io::readGiftiData(file), h);
        }
    } else if (isFreeSurferCurv(file)) {
        Eigen::MatrixXf values = io::readFreeSurferCurv(file);
        out.categorical = false;
        perVertex(std::move(values), hemisphereFromName(name));
    } else {
        throw fileError(file, "file type", "not a supported overlay (expected .nii[.gz], .mgh/.mgz, .gii[.gz], .annot "
                                           "or a FreeSurfer curv/sulc/thickness file)");
    }
    return out;
}

Eigen::VectorXf winnerTakeAll(const Eigen::MatrixXf& maps, float threshold, Eigen::VectorXf* weight, const Eigen::RowVectorXf* peaks) {
    const Eigen::Index n = maps.rows(), k = maps.cols();
    Eigen::VectorXf labels = Eigen::VectorXf::Zero(n);
    if (weight) *weight = Eigen::VectorXf::Zero(n);
    if (k == 0) return labels;
    if (peaks && peaks->size() != k)
        throw InputError("winner-take-all: " + std::to_string(peaks->size()) + " peaks for " + std::to_string(k) + " maps");
    const Eigen::RowVectorXf peak = peaks ? *peaks : Eigen::RowVectorXf(maps.colwise().maxCoeff());
    for (Eigen::Index v = 0; v < n; ++v) {
        Eigen::Index best = 0;
        const float value = maps.row(v).maxCoeff(&best);
        if (value > 0 && value >= threshold * peak[best]) {
            labels[v] = float(best + 1);
            if (weight) (*weight)[v] = value;
        }
    }
    return labels;
}

} // namespace nm::anatomy
