#include "semantics/Decode.hpp"

#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"
#include "semantics/Literature.hpp"
#include "semantics/Ontology.hpp"
#include "signal/Preprocess.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace nm::semantics {

nlohmann::json DecodeResult::toJson() const {
    nlohmann::json t = nlohmann::json::array(), c = nlohmann::json::array();
    for (const auto& x : terms) t.push_back({{"term", x.term}, {"r", x.r}, {"concept", x.concept_}});
    for (const auto& x : concepts) c.push_back({{"concept", x.name}, {"score", x.score}, {"components", x.components}});
    return {{"terms", t},
            {"concepts", c},
            {"database", database},
            {"literature", literatureStatus},
            {"scale", scale},
            {"voxels", voxels},
            {"resampled", resampled},
            {"term_maps_cached", termMapsCached},
            {"seconds", seconds},
            {"term_map_seconds", termMapSeconds},
            {"warnings", warnings}};
}

std::vector<int> componentsCarrying(const io::ScaleLabels& l, int c) {
    std::vector<std::pair<float, int>> carriers;
    if (c < 0 || c >= l.selectionFrequency.cols()) return {};
    for (Eigen::Index j = 0; j < l.selectionFrequency.rows(); ++j)
        if (l.selectionFrequency(j, c) >= float(l.threshold) && l.coefficient(j, c) > 0) carriers.emplace_back(l.selectionFrequency(j, c), int(j));
    std::stable_sort(carriers.begin(), carriers.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<int> out;
    for (const auto& [pi, j] : carriers) out.push_back(j);
    return out;
}

Volume conceptMap(const io::AtlasBundle& bundle, int components, int c) {
    const auto& scale = bundle.scale(components);
    if (!scale.labels) throw InputError("scale " + std::to_string(components) + " has no labels (run neuromosaic-cli label)");
    const auto& l = *scale.labels;
    if (c < 0 || c >= int(l.concepts.size())) throw InputError("no concept " + std::to_string(c) + " at scale " + std::to_string(components));
    Volume v;
    v.geometry = bundle.grid;
    v.frames = 1;
    v.data.assign(bundle.grid.voxelCount(), 0.0f);
    for (int j : componentsCarrying(l, c)) {
        const float pi = l.selectionFrequency(j, c);
        for (io::SparseMapsF::InnerIterator it(scale.maps, j); it; ++it) v.data[std::size_t(bundle.maskVoxels[std::size_t(it.col())])] += pi * it.value();
    }
    return v;
}

DecodeResult decodeMap(const std::filesystem::path& file, const DecodeOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    DecodeResult out;
    Volume v = io::readNifti(file);
    if (o.frame < 0 || o.frame >= v.frames)
        throw fileError(file, "dim[4]", "has " + std::to_string(v.frames) + " frame(s); --frame " + std::to_string(o.frame) + " is not one of them");
    if (v.frames > 1) {
        Volume one;
        one.geometry = v.geometry;
        one.frames = 1;
        one.data.assign(v.frame(o.frame), v.frame(o.frame) + v.voxelCount());
        v = std::move(one);
    }

    // The grid: the atlas's, or the default 4 mm MNI grid with the template brain.
    std::optional<io::AtlasBundle> bundle;
    VolumeGeometry grid;
    std::vector<std::int64_t> mask;
    if (o.atlas) {
        bundle = io::readAtlasBundle(*o.atlas);
        grid = bundle->grid;
        mask = bundle->maskVoxels;
    } else {
        grid = defaultLiteratureGrid();
        mask = signal::templateMask(grid).voxels;
    }
    // Wrong space: most of the map's signal must fall inside the brain.
    {
        std::vector<char> inBrain(grid.voxelCount(), 0);
        for (auto m : mask) inBrain[std::size_t(m)] = 1;
        const Eigen::Matrix4d toGrid = grid.affine.inverse() * v.geometry.affine;
        double inside = 0, total = 0;
        std::size_t nonFinite = 0;
        for (int k = 0; k < v.geometry.dims[2]; ++k)
            for (int j = 0; j < v.geometry.dims[1]; ++j)
                for (int i = 0; i < v.geometry.dims[0]; ++i) {
                    const float x = v.data[v.geometry.index(i, j, k)];
                    if (!std::isfinite(x)) {
                        ++nonFinite;
                        continue;
                    }
                    if (x == 0) continue;
                    const Eigen::Vector3d g = (toGrid * Eigen::Vector4d(i, j, k, 1)).head<3>();
                    const int gi = int(std::lround(g[0])), gj = int(std::lround(g[1])), gk = int(std::lround(g[2]));
                    const bool in = gi >= 0 && gj >= 0 && gk >= 0 && gi < grid.dims[0] && gj < grid.dims[1] && gk < grid.dims[2] &&
                                    inBrain[grid.index(gi, gj, gk)];
                    total += std::abs(x);
                    inside += in ? std::abs(x) : 0.0;
                }
        if (total == 0) throw fileError(file, "data", "the map is empty (every finite voxel is 0)");
        if (inside < 0.5 * total)
            throw fileError(file, "sform/qform",
                            "only " + std::to_string(int(std::lround(100 * inside / total))) +
                                " % of the map's signal lies inside the MNI brain; is the map in MNI space?");
        if (nonFinite > 0)
            out.warnings.push_back(std::to_string(nonFinite) + " voxels are NaN or infinite; they count as 0");
    }
    for (auto& x : v.data)
        if (!std::isfinite(x)) x = 0.0f;
    if (!v.geometry.sameGrid(grid, 1e-2)) {
        v = io::resampleToGrid(v, grid, io::Interpolation::Linear, 0.0f);
        out.resampled = true;
    }
    Eigen::VectorXf m(Eigen::Index(mask.size()));
    for (std::size_t i = 0; i < mask.size(); ++i) m[Eigen::Index(i)] = v.data[std::size_t(mask[i])];
    if (o.mode == DecodeOptions::Mode::Positive) m = m.cwiseMax(0.0f);
    else if (o.mode == DecodeOptions::Mode::Absolute) m = m.cwiseAbs();
    out.voxels = int((m.array() != 0).count());
    if (out.voxels == 0)
        throw fileError(file, "data", o.mode == DecodeOptions::Mode::Positive ? "the map has no positive value inside the brain mask"
                                                                              : "the map is 0 everywhere inside the brain mask");

    // Literature terms.
    const auto litDir = findLiteratureDir(o.literature);
    if (o.literature && !litDir) throw InputError(o.literature->string() + ": no Neurosynth or NeuroQuery database found there");
    if (litDir) {
        const LiteratureFiles chosen = chooseLiteratureDatabase(*litDir, o.databases);
        const auto t0 = std::chrono::steady_clock::now();
        const TermMaps maps = cachedTermMaps(chosen, grid, mask, {}, progress);
        out.termMapSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        out.termMapsCached = maps.fromCache;
        out.database = maps.database;
        const Eigen::VectorXf r = maps.correlate(m);
        std::vector<int> order(std::size_t(r.size()));
        std::iota(order.begin(), order.end(), 0);
        const int n = std::min<int>(o.top, int(order.size()));
        std::partial_sort(order.begin(), order.begin() + n, order.end(), [&](int a, int b) { return r[a] > r[b]; });
        Ontology ontology;
        if (const auto cogat = findCognitiveAtlas(litDir)) ontology = Ontology::load(*cogat);
        for (int i = 0; i < n; ++i) {
            DecodedTerm t;
            t.term = maps.terms[std::size_t(order[std::size_t(i)])];
            t.r = r[order[std::size_t(i)]];
            if (!ontology.empty())
                if (const auto match = ontology.lookup(t.term)) t.concept_ = ontology.concepts()[std::size_t(match.index)].name;
            out.terms.push_back(std::move(t));
        }
        out.literatureStatus = maps.database + ": " + std::to_string(maps.terms.size()) + " term maps";
    } else {
        if (!bundle) throw InputError("decode: no literature database (--literature DIR or $NEUROMOSAIC_LITERATURE) and no --atlas: nothing to decode with");
        out.literatureStatus = "no literature database (--literature DIR or $NEUROMOSAIC_LITERATURE)";
    }

    // Concepts from the atlas's labels (its finest labelled scale).
    if (bundle) {
        const io::AtlasScale* scale = nullptr;
        for (const auto& s : bundle->scales)
            if (s.labels) scale = &s;
        if (!scale) {
            out.warnings.push_back(o.atlas->string() + " has no labels (run neuromosaic-cli label): no concepts");
        } else {
            out.scale = scale->components;
            const auto& l = *scale->labels;
            // Pearson r of the map with every component map.
            const double p = double(m.size()), mm = m.mean();
            const double mn = std::sqrt((m.array() - float(mm)).square().sum());
            Eigen::VectorXd r(scale->components);
            for (int j = 0; j < scale->components; ++j) {
                double dot = 0, s = 0, ss = 0;
                for (io::SparseMapsF::InnerIterator it(scale->maps, j); it; ++it) {
                    dot += double(it.value()) * m[it.col()];
                    s += it.value();
                    ss += double(it.value()) * it.value();
                }
                const double norm = std::sqrt(std::max(0.0, ss - s * s / p));
                r[j] = norm > 0 && mn > 0 ? (dot - s * mm) / (norm * mn) : 0.0;
            }
            const Eigen::VectorXd w = r.cwiseMax(0.0);
            for (std::size_t c = 0; c < l.concepts.size(); ++c) {
                DecodedConcept dc;
                dc.name = l.concepts[c];
                double num = 0;
                std::vector<std::pair<double, int>> carriers;
                for (int j = 0; j < scale->components; ++j) {
                    const double pi = l.coefficient(j, Eigen::Index(c)) > 0 ? l.selectionFrequency(j, Eigen::Index(c)) : 0.0;
                    num += w[j] * pi;
                    if (float(pi) >= float(l.threshold)) carriers.emplace_back(r[j], j);
                }
                dc.score = w.sum() > 0 ? num / w.sum() : 0.0;
                std::sort(carriers.rbegin(), carriers.rend());
                for (const auto& [rj, j] : carriers) dc.components.push_back(j);
                out.concepts.push_back(std::move(dc));
            }
            std::stable_sort(out.concepts.begin(), out.concepts.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
            // Concepts the map does not touch at all are not results.
            while (!out.concepts.empty() && out.concepts.back().score <= 0) out.concepts.pop_back();
            if (int(out.concepts.size()) > o.top) out.concepts.resize(std::size_t(o.top));
        }
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

} // namespace nm::semantics
