#include "decompose/AtlasExport.hpp"

#include "anatomy/Parcellations.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

namespace nm::decompose {

RegionAssignment dominantRegions(const io::SparseMapsF& maps, const std::vector<int>& voxelLabels,
                                 const std::map<int, std::string>& names) {
    RegionAssignment out;
    for (Eigen::Index j = 0; j < maps.rows(); ++j) {
        std::map<int, double> mass;
        double total = 0.0;
        for (io::SparseMapsF::InnerIterator it(maps, j); it; ++it) {
            const double w = std::abs(double(it.value()));
            mass[voxelLabels[std::size_t(it.col())]] += w;
            total += w;
        }
        int best = 0;
        double bestMass = -1.0;
        for (const auto& [label, m] : mass)
            if (label != 0 && m > bestMass) {
                best = label;
                bestMass = m;
            }
        const auto name = names.find(best);
        out.region.push_back(best == 0 ? "unlabelled" : name != names.end() ? name->second : "region " + std::to_string(best));
        out.fraction.push_back(total > 0 && best != 0 ? bestMass / total : 0.0);
    }
    return out;
}

std::vector<std::string> anatomicalNames(const RegionAssignment& regions) {
    std::map<std::string, int> seen;
    std::vector<std::string> names;
    for (const auto& r : regions.region) {
        const int n = ++seen[r];
        names.push_back(n == 1 ? r : r + " " + std::to_string(n));
    }
    return names;
}

namespace {
std::string number(double v, int precision = 4) {
    std::ostringstream s;
    s.precision(precision);
    s << v;
    return s.str();
}
} // namespace

std::vector<std::filesystem::path> exportAtlas(const io::AtlasBundle& b, const std::filesystem::path& dir,
                                               const ExportOptions& o) {
    paths::ensureDirectory(dir);
    std::vector<std::filesystem::path> written;
    for (int k : o.scales) (void)b.scale(k);  // unknown scale → InputError before writing anything

    // Mask and hierarchy.
    {
        Volume mask;
        mask.geometry = b.grid;
        mask.data.assign(b.grid.voxelCount(), 0.0f);
        for (auto v : b.maskVoxels) mask.data[std::size_t(v)] = 1.0f;
        const auto f = dir / (o.prefix + "_mask.nii.gz");
        io::writeNifti(f, mask, io::NiftiStorage::UInt8, o.compressionLevel);
        written.push_back(f);
    }
    // Anatomical labels (optional: need mricron-data).
    std::vector<std::pair<std::string, std::vector<int>>> parcellations;
    std::vector<std::map<int, std::string>> parcelNames;
    if (o.labels) {
        for (const char* which : {"aal", "harvard-oxford"}) {
            try {
                const auto p = anatomy::loadParcellation(which);
                parcellations.emplace_back(which, anatomy::labelsOnVoxels(p, b.grid, b.maskVoxels));
                parcelNames.push_back(p.names);
            } catch (const InputError&) {
                // Without mricron-data the columns are left out (the TSV says so by their absence).
            }
        }
    }
    io::Table hierarchy({"scale", "component", "name", "parent_scale", "parent"}, {});
    std::vector<std::vector<std::string>> hierarchyRows;
    for (std::size_t s = 0; s < b.scales.size(); ++s) {
        const auto& sc = b.scales[s];
        if (!o.scales.empty() && std::find(o.scales.begin(), o.scales.end(), sc.components) == o.scales.end()) continue;
        const std::string stem = o.prefix + "_scale-" + std::to_string(sc.components);
        if (o.nifti) {
            // Streamed frame by frame: 4096 maps on a 2 mm grid would be 15 GB dense.
            const auto f = dir / (stem + "_maps.nii.gz");
            io::NiftiWriter w(f, b.grid, sc.components, io::NiftiStorage::Float32, o.compressionLevel);
            std::vector<float> frame(b.grid.voxelCount(), 0.0f);
            for (int j = 0; j < sc.components; ++j) {
                std::vector<std::size_t> touched;
                for (io::SparseMapsF::InnerIterator it(sc.maps, j); it; ++it) {
                    const auto g = std::size_t(b.maskVoxels[std::size_t(it.col())]);
                    frame[g] = it.value();
                    touched.push_back(g);
                }
                w.writeFrame(frame.data());
                for (auto g : touched) frame[g] = 0.0f;
            }
            w.close();
            written.push_back(f);
        }
        if (o.labels) {
            std::vector<std::string> columns{"component", "name", "parent", "x", "y", "z", "voxels", "explained_variance"};
            std::vector<RegionAssignment> regions;
            for (std::size_t a = 0; a < parcellations.size(); ++a) {
                const std::string col = parcellations[a].first == "aal" ? "aal" : "harvard_oxford";
                columns.push_back(col);
                columns.push_back(col + "_fraction");
                regions.push_back(dominantRegions(sc.maps, parcellations[a].second, parcelNames[a]));
            }
            std::vector<std::vector<std::string>> rows;
            for (int j = 0; j < sc.components; ++j) {
                std::vector<std::string> r{std::to_string(j),
                                           sc.names[std::size_t(j)],
                                           std::to_string(sc.parent[std::size_t(j)]),
                                           number(sc.centroids(j, 0), 5),
                                           number(sc.centroids(j, 1), 5),
                                           number(sc.centroids(j, 2), 5),
                                           std::to_string(sc.size[j]),
                                           number(sc.explainedVariance.size() ? sc.explainedVariance[j] : 0.0)};
                for (const auto& reg : regions) {
                    r.push_back(reg.region[std::size_t(j)]);
                    r.push_back(number(reg.fraction[std::size_t(j)], 3));
                }
                rows.push_back(std::move(r));
                if (s > 0)
                    hierarchyRows.push_back({std::to_string(sc.components), std::to_string(j), sc.names[std::size_t(j)],
                                             std::to_string(b.scales[s - 1].components), std::to_string(sc.parent[std::size_t(j)])});
            }
            const auto f = dir / (stem + "_labels.tsv");
            io::writeTable(f, io::Table(columns, rows), '\t');
            written.push_back(f);
        }
        if (o.gifti) {
            for (const auto& [surface, hemi] : {std::pair{&sc.surfaceLeft, "L"}, std::pair{&sc.surfaceRight, "R"}}) {
                if (!*surface) continue;
                const Eigen::MatrixXf data = Eigen::MatrixXf((*surface)->transpose());  // vertices × components
                const auto f = dir / (stem + "_hemi-" + hemi + "_maps.func.gii");
                io::writeGiftiData(f, data, "NIFTI_INTENT_ESTIMATE");
                written.push_back(f);
            }
        }
        if (o.network && sc.correlation.size() > 0) {
            for (const auto& [m, name] : {std::pair{&sc.correlation, "correlation"}, std::pair{&sc.partialCorrelation, "partial-correlation"}}) {
                if (m->size() == 0) continue;
                const auto f = dir / (stem + "_" + name + ".npy");
                io::writeNpy(f, m->cast<double>());
                written.push_back(f);
            }
        }
    }
    if (o.labels && !hierarchyRows.empty()) {
        const auto f = dir / (o.prefix + "_hierarchy.tsv");
        io::writeTable(f, io::Table(hierarchy.columns(), hierarchyRows), '\t');
        written.push_back(f);
    }
    return written;
}

} // namespace nm::decompose
