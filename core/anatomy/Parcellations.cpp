#include "anatomy/Parcellations.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nm::anatomy {

namespace {
// FSL's HarvardOxford-Cortical.xml, labels 1–48 (the mricron file carries no names).
constexpr std::array<const char*, 48> kHarvardOxfordCortical{
    "Frontal Pole", "Insular Cortex", "Superior Frontal Gyrus", "Middle Frontal Gyrus",
    "Inferior Frontal Gyrus, pars triangularis", "Inferior Frontal Gyrus, pars opercularis", "Precentral Gyrus",
    "Temporal Pole", "Superior Temporal Gyrus, anterior division", "Superior Temporal Gyrus, posterior division",
    "Middle Temporal Gyrus, anterior division", "Middle Temporal Gyrus, posterior division",
    "Middle Temporal Gyrus, temporooccipital part", "Inferior Temporal Gyrus, anterior division",
    "Inferior Temporal Gyrus, posterior division", "Inferior Temporal Gyrus, temporooccipital part", "Postcentral Gyrus",
    "Superior Parietal Lobule", "Supramarginal Gyrus, anterior division", "Supramarginal Gyrus, posterior division",
    "Angular Gyrus", "Lateral Occipital Cortex, superior division", "Lateral Occipital Cortex, inferior division",
    "Intracalcarine Cortex", "Frontal Medial Cortex", "Juxtapositional Lobule Cortex (formerly Supplementary Motor Cortex)",
    "Subcallosal Cortex", "Paracingulate Gyrus", "Cingulate Gyrus, anterior division", "Cingulate Gyrus, posterior division",
    "Precuneous Cortex", "Cuneal Cortex", "Frontal Orbital Cortex", "Parahippocampal Gyrus, anterior division",
    "Parahippocampal Gyrus, posterior division", "Lingual Gyrus", "Temporal Fusiform Cortex, anterior division",
    "Temporal Fusiform Cortex, posterior division", "Temporal Occipital Fusiform Cortex", "Occipital Fusiform Gyrus",
    "Frontal Operculum Cortex", "Central Opercular Cortex", "Parietal Operculum Cortex", "Planum Polare",
    "Heschl's Gyrus (includes H1 and H2)", "Planum Temporale", "Supracalcarine Cortex", "Occipital Pole"};

std::filesystem::path templateFile(const char* name) {
    const auto file = paths::mricronTemplatesDir() / name;
    if (!std::filesystem::exists(file))
        throw InputError(file.string() + ": parcellation not found; install the Debian package mricron-data "
                                         "(scripts/setup-deps.sh does) or set NEUROMOSAIC_MRICRON_DIR");
    return file;
}
} // namespace

std::map<int, std::string> readLabelSidecar(const std::filesystem::path& labelVolume) {
    std::string stem = labelVolume.filename().string();
    for (const char* ext : {".gz", ".nii"})
        if (stem.size() > std::strlen(ext) && stem.ends_with(ext)) stem.resize(stem.size() - std::strlen(ext));
    std::map<int, std::string> names;
    for (const auto& candidate : {labelVolume.parent_path() / (stem + ".nii.txt"), labelVolume.parent_path() / (stem + ".txt")}) {
        std::ifstream in(candidate);
        if (!in) continue;
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream ss(line);
            int label = 0;
            std::string name;
            if (ss >> label >> name && label > 0) names[label] = name;
        }
        break;
    }
    return names;
}

Parcellation loadAal() {
    const auto file = templateFile("aal.nii.gz");
    Parcellation p{"AAL", io::readNifti(file), readLabelSidecar(file)};
    if (p.names.empty()) throw InputError(file.string() + ": label names (aal.nii.txt) not found beside it");
    return p;
}

Parcellation loadHarvardOxford(bool symmetricSplit) {
    const auto file = templateFile("HarvardOxford-cort-maxprob-thr0-1mm.nii.gz");
    Parcellation p{"HarvardOxford", io::readNifti(file), {}};
    for (std::size_t i = 0; i < kHarvardOxfordCortical.size(); ++i) p.names[int(i) + 1] = kHarvardOxfordCortical[i];
    if (!symmetricSplit) return p;
    // Right hemisphere (x > 0) keeps label l, left becomes l + 48 (nilearn: "Left …", "Right …").
    const auto& g = p.labels.geometry;
    for (int k = 0; k < g.dims[2]; ++k)
        for (int j = 0; j < g.dims[1]; ++j)
            for (int i = 0; i < g.dims[0]; ++i) {
                float& v = p.labels.at(i, j, k);
                if (v > 0 && g.worldOf(i, j, k).x() < 0) v += 48.0f;
            }
    std::map<int, std::string> split;
    for (const auto& [l, n] : p.names) {
        split[l] = "Right " + n;
        split[l + 48] = "Left " + n;
    }
    p.names = std::move(split);
    return p;
}

Parcellation loadParcellation(const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (n == "aal") return loadAal();
    if (n == "harvard-oxford" || n == "harvardoxford" || n == "ho") return loadHarvardOxford(true);
    throw InputError("unknown parcellation '" + name + "': expected aal or harvard-oxford");
}

std::vector<int> labelsOnVoxels(const Parcellation& parcellation, const VolumeGeometry& grid,
                                const std::vector<std::int64_t>& maskVoxels) {
    const Volume onGrid = parcellation.labels.geometry.sameGrid(grid)
                              ? parcellation.labels
                              : io::resampleToGrid(parcellation.labels, grid, io::Interpolation::Nearest, 0.0f);
    std::vector<int> out(maskVoxels.size());
    for (std::size_t v = 0; v < maskVoxels.size(); ++v) out[v] = int(std::lround(onGrid.data[std::size_t(maskVoxels[v])]));
    return out;
}

ParcelDictionary parcelDictionary(const Parcellation& parcellation, const VolumeGeometry& grid,
                                  const std::vector<std::int64_t>& maskVoxels) {
    const auto labels = labelsOnVoxels(parcellation, grid, maskVoxels);
    std::vector<int> present(labels);
    std::sort(present.begin(), present.end());
    present.erase(std::unique(present.begin(), present.end()), present.end());
    present.erase(std::remove(present.begin(), present.end(), 0), present.end());
    ParcelDictionary d;
    d.labels = present;
    d.maps.setZero(Eigen::Index(present.size()), Eigen::Index(maskVoxels.size()));
    for (std::size_t v = 0; v < labels.size(); ++v) {
        if (labels[v] == 0) continue;
        const auto row = std::lower_bound(present.begin(), present.end(), labels[v]) - present.begin();
        d.maps(row, Eigen::Index(v)) = 1.0f;
    }
    return d;
}

} // namespace nm::anatomy
