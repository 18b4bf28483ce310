#include "simulate/Simulation.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "common/Version.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "io/Table.hpp"
#include "jobs/Checkpoint.hpp"
#include "signal/Hrf.hpp"
#include "simulate/Detail.hpp"

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <exception>
#include <iomanip>
#include <mutex>
#include <map>
#include <set>
#include <sstream>
#include <omp.h>
#include <sys/resource.h>

namespace nm::simulate {

using namespace detail;
using json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Configuration

SimulationConfig SimulationConfig::fromPreset(const std::string& name) {
    SimulationConfig c;
    c.preset = name;
    if (name == "tiny") {
        c.subjects = 3;
        c.voxelMm = 8.0;
        c.studies = 2;
        c.studiesPerSubject = 2;
        c.scales = {16, 64};
        c.networkScale = 64;
        c.taskVolumes = 300;
        c.restVolumes = 120;
    } else if (name == "demo") {
        c.subjects = 20;
        c.voxelMm = 4.0;
        c.studies = 4;
        c.studiesPerSubject = 2;
        c.scales = {16, 64, 256, 1024};
        c.networkScale = 64;
        c.taskVolumes = 160;
        c.restVolumes = 150;
    } else if (name == "large") {
        c.subjects = 200;
        c.voxelMm = 3.0;
        c.studies = 8;
        c.studiesPerSubject = 1;
        c.scales = {16, 64, 256, 1024};
        c.networkScale = 64;
        c.taskVolumes = 150;
        c.restVolumes = 150;
    } else {
        throw InputError("preset '" + name + "': expected tiny, demo or large");
    }
    return c;
}

void SimulationConfig::validate() const {
    auto fail = [](const std::string& what, const std::string& why) { throw InputError("simulate: " + what + ": " + why); };
    if (subjects < 1 || subjects > 100000) fail("--subjects", "expected 1..100000");
    if (layout != "bids" && layout != "fmriprep") fail("--layout", "expected bids or fmriprep, got '" + layout + "'");
    if (!(voxelMm >= 1.0 && voxelMm <= 12.0)) fail("--voxel", "expected a voxel size of 1 to 12 mm");
    const int catalogue = int(studyCatalogue().size());
    if (studies < 1 || studies > catalogue) fail("--studies", "expected 1.." + std::to_string(catalogue));
    if (studiesPerSubject < 1 || studiesPerSubject > studies) fail("--studies-per-subject", "expected 1..--studies");
    if (scales.empty()) fail("--scales", "at least one scale");
    for (std::size_t i = 0; i < scales.size(); ++i) {
        if (scales[i] < 2) fail("--scales", "each scale needs at least 2 components");
        if (i > 0 && scales[i] < scales[i - 1]) fail("--scales", "scales must not decrease (they are nested)");
    }
    if (std::find(scales.begin(), scales.end(), networkScale) == scales.end())
        fail("--network-scale", "must be one of --scales");
    if (taskVolumes < 20 || restVolumes < 20) fail("--volumes", "runs need at least 20 volumes");
    if (!(tsnrMin > 1 && tsnrMax >= tsnrMin)) fail("--tsnr", "expected 1 < min <= max");
    if (!(ar1 >= 0 && ar1 < 0.95)) fail("--ar1", "expected 0 <= AR(1) < 0.95");
    if (!(deformationMinMm >= 0 && deformationMaxMm >= deformationMinMm && deformationMaxMm <= 20))
        fail("--deformation", "expected 0 <= min <= max <= 20 mm");
    if (compressionLevel < 1 || compressionLevel > 9) fail("--compression", "expected 1..9");
}

std::vector<std::string> conceptNames() {
    std::vector<std::string> out;
    for (const auto& c : vocabulary()) out.push_back(c.name);
    return out;
}

namespace {

std::string subjectLabel(int i) {
    std::ostringstream s;
    s << std::setw(3) << std::setfill('0') << (i + 1);
    return s.str();
}

std::string configFingerprint(const SimulationConfig& c) {
    std::ostringstream s;
    s << "sim-v1 " << c.seed << ' ' << c.subjects << ' ' << c.voxelMm << ' ' << c.studies << ' ' << c.studiesPerSubject << ' ';
    for (int k : c.scales) s << k << ',';
    s << ' ' << c.networkScale << ' ' << c.modules << ' ' << c.taskVolumes << ' ' << c.restVolumes << ' ' << c.restTr << ' '
      << c.tsnrMin << ' ' << c.tsnrMax << ' ' << c.ar1 << ' ' << c.taskAmplitude << ' ' << c.restAmplitude << ' ' << c.fineAmplitude << ' '
      << c.deformationMinMm << ' ' << c.deformationMaxMm << ' ' << c.variantsPerSubject << ' ' << c.int16Data;
    if (c.layout != "bids") s << ' ' << c.layout;
    return jobs::fingerprintOf(s.str());
}

json configJson(const SimulationConfig& c) {
    return {{"preset", c.preset},
            {"layout", c.layout},
            {"seed", c.seed},
            {"subjects", c.subjects},
            {"voxel_mm", c.voxelMm},
            {"studies", c.studies},
            {"studies_per_subject", c.studiesPerSubject},
            {"scales", c.scales},
            {"network_scale", c.networkScale},
            {"modules", c.modules},
            {"task_volumes", c.taskVolumes},
            {"rest_volumes", c.restVolumes},
            {"rest_tr", c.restTr},
            {"tsnr_range", {c.tsnrMin, c.tsnrMax}},
            {"ar1", c.ar1},
            {"task_amplitude_percent", c.taskAmplitude},
            {"rest_amplitude_percent", c.restAmplitude},
            {"fine_amplitude_percent", c.fineAmplitude},
            {"deformation_mm", {c.deformationMinMm, c.deformationMaxMm}},
            {"variants_per_subject", c.variantsPerSubject},
            {"int16_data", c.int16Data},
            {"hrf", "SPM canonical double gamma (peak 6 s, undershoot 16 s, ratio 1/6)"},
            {"noise", "AR(1) per voxel + linear/cosine drift + motion (intensity-gradient model) + global fluctuation"}};
}

void writeJson(const std::filesystem::path& file, const json& j) { writeFileAtomic(file, j.dump(2) + "\n"); }

/// A volume on the grid: brain voxels from `brain`, the rest filled with `outside`.
Volume gridVolume(const Grid& g, const Eigen::MatrixXf& brain, float outside) {
    Volume v;
    v.geometry = g.geometry;
    v.frames = int(brain.cols());
    v.data.assign(g.geometry.voxelCount() * std::size_t(v.frames), outside);
    for (int t = 0; t < v.frames; ++t) {
        float* f = v.frame(t);
        for (Eigen::Index b = 0; b < g.size(); ++b) f[g.voxels[std::size_t(b)]] = brain(b, t);
    }
    return v;
}

/// Maps as a 4-D NIfTI, written one component at a time (4096 maps never sit in memory densely).
void writeMaps(const std::filesystem::path& file, const Grid& g, const SparseMaps& maps) {
    io::NiftiWriter writer(file, g.geometry, int(maps.cols()), io::NiftiStorage::Float32, 6);
    std::vector<float> frame(g.geometry.voxelCount(), 0.0f);
    for (int c = 0; c < maps.cols(); ++c) {
        for (SparseMaps::InnerIterator it(maps, c); it; ++it) frame[std::size_t(g.voxels[std::size_t(it.row())])] = it.value();
        writer.writeFrame(frame.data());
        for (SparseMaps::InnerIterator it(maps, c); it; ++it) frame[std::size_t(g.voxels[std::size_t(it.row())])] = 0.0f;
    }
    writer.close();
}

/// Components × grid voxels in scipy's CSR layout (rows: components, columns: NIfTI voxel index).
void writeSparseMaps(const std::filesystem::path& file, const Grid& g, const SparseMaps& maps) {
    io::SparseMatrix m(maps.cols(), Eigen::Index(g.geometry.voxelCount()));
    std::vector<Eigen::Triplet<double, std::int64_t>> t;
    t.reserve(std::size_t(maps.nonZeros()));
    for (int c = 0; c < maps.cols(); ++c)
        for (SparseMaps::InnerIterator it(maps, c); it; ++it) t.emplace_back(c, g.voxels[std::size_t(it.row())], it.value());
    m.setFromTriplets(t.begin(), t.end());
    io::writeSparseNpz(file, m);
}

struct Events {
    std::vector<double> onset, duration;
    std::vector<int> condition;
};

Events makeEvents(const Study& s, int volumes, std::mt19937_64& rng) {
    Events e;
    const double runLength = volumes * s.tr;
    const int n = int(s.conditions.size());
    std::vector<int> order;
    auto nextCondition = [&] {
        if (order.empty()) {
            for (int i = 0; i < n; ++i) order.push_back(i);
            std::shuffle(order.begin(), order.end(), rng);
        }
        const int c = order.back();
        order.pop_back();
        return c;
    };
    double t = uniform(rng, 4.0, 8.0);
    if (s.block) {
        while (t + 16.0 < runLength - 8.0) {
            e.onset.push_back(t);
            e.duration.push_back(16.0);
            e.condition.push_back(nextCondition());
            t += 16.0 + uniform(rng, 10.0, 14.0);
        }
    } else {
        while (t < runLength - 12.0) {
            e.onset.push_back(t);
            e.duration.push_back(1.0);
            e.condition.push_back(nextCondition());
            t += 1.0 + uniform(rng, 2.0, 6.0);
        }
    }
    return e;
}

std::string fixed2(int i) {
    std::ostringstream s;
    s << std::setw(2) << std::setfill('0') << i;
    return s.str();
}

std::string fixed(double x, int precision = 4) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(precision) << x;
    return s.str();
}

/// Everything that is the same for all subjects.
struct Truth {
    Grid grid;
    std::vector<Scale> scales;
    int networkIndex = 0;
    Network network;
    Eigen::MatrixXf conceptWeights;       ///< concepts × fine components
    std::vector<Study> studies;
    Eigen::MatrixXf gradient;             ///< brain voxels × 3: ∇baseline (per mm) for motion effects
};

struct Variation {
    std::string type;
    int component = -1, other = -1;
};

struct SubjectResult {
    int runs = 0;
    std::uintmax_t bytes = 0;
};

/// Trilinear pull-back warp: row x samples the source at x + D(x) (brain voxels × brain voxels).
SparseMaps warpMatrix(const Grid& g, const Eigen::MatrixXf& displacement) {
    const Eigen::Matrix4d toVoxel = g.geometry.affine.inverse();
    const auto& d = g.geometry.dims;
    std::vector<Eigen::Triplet<float>> t;
    t.reserve(std::size_t(g.size()) * 8);
    for (Eigen::Index b = 0; b < g.size(); ++b) {
        const Eigen::Vector3d w = g.world.row(b).transpose() + displacement.row(b).cast<double>().transpose();
        const Eigen::Vector3d q = (toVoxel * w.homogeneous()).head<3>();
        const int i0 = int(std::floor(q.x())), j0 = int(std::floor(q.y())), k0 = int(std::floor(q.z()));
        const double fx = q.x() - i0, fy = q.y() - j0, fz = q.z() - k0;
        for (int c = 0; c < 8; ++c) {
            const int i = i0 + (c & 1), j = j0 + ((c >> 1) & 1), k = k0 + ((c >> 2) & 1);
            if (i < 0 || j < 0 || k < 0 || i >= d[0] || j >= d[1] || k >= d[2]) continue;
            const int src = g.gridToBrain[g.geometry.index(i, j, k)];
            if (src < 0) continue;
            const double wgt = ((c & 1) ? fx : 1 - fx) * (((c >> 1) & 1) ? fy : 1 - fy) * (((c >> 2) & 1) ? fz : 1 - fz);
            if (wgt > 1e-6) t.emplace_back(int(b), src, float(wgt));
        }
    }
    SparseMaps m(g.size(), g.size());
    m.setFromTriplets(t.begin(), t.end());
    return m;
}

/// Subject maps: warped, each component with its own amplitude and extent (power γ), renormalised.
SparseMaps subjectMaps(const SparseMaps& group, const SparseMaps& warp, std::mt19937_64& rng, std::vector<float>& amplitude) {
    SparseMaps m = warp * group;
    m.prune(1e-6f);
    amplitude.resize(std::size_t(m.cols()));
    for (int c = 0; c < m.cols(); ++c) {
        const float gamma = float(uniform(rng, 0.75, 1.3));  // < 1 widens, > 1 narrows
        amplitude[std::size_t(c)] = float(uniform(rng, 0.7, 1.3));
        float peak = 0.0f;
        for (SparseMaps::InnerIterator it(m, c); it; ++it) {
            it.valueRef() = std::pow(std::max(it.value(), 0.0f), gamma);
            peak = std::max(peak, it.value());
        }
        for (SparseMaps::InnerIterator it(m, c); it; ++it) {
            const float v = peak > 0 ? it.value() / peak : 0.0f;
            it.valueRef() = v >= 0.1f ? amplitude[std::size_t(c)] * v : 0.0f;
        }
    }
    m.prune(0.0f);
    m.makeCompressed();
    return m;
}

} // namespace

// ---------------------------------------------------------------------------------------------

SimulationReport simulate(const SimulationConfig& config, const std::filesystem::path& out, jobs::Progress& progress) {
    config.validate();
    const auto start = std::chrono::steady_clock::now();
    SimulationReport report;
    progress.plan({{"anatomy", 1}, {"components", 3}, {"ground truth", 2}, {"subjects", 20}});
    progress.begin("anatomy", std::to_string(config.voxelMm) + " mm grid");
    paths::ensureDirectory(out);
    const std::string fingerprint = configFingerprint(config);
    {
        // Refuse to mix a new simulation into another one's folder.
        const auto marker = out / "derivatives" / "ground_truth" / "ground_truth.json";
        if (std::filesystem::exists(marker)) {
            json j;
            try {
                j = json::parse(readFileBytes(marker));
            } catch (...) {
            }
            if (j.value("fingerprint", std::string()) != fingerprint && j.contains("fingerprint"))
                throw InputError(out.string() + ": holds a simulation with other parameters (fingerprint " +
                                 j.value("fingerprint", std::string()) + "); choose another --out or delete it");
        }
    }
    Truth truth;
    truth.grid = makeGrid(config.voxelMm, config.seed);
    const Grid& g = truth.grid;
    progress.info("grid " + std::to_string(g.geometry.dims[0]) + "×" + std::to_string(g.geometry.dims[1]) + "×" +
                  std::to_string(g.geometry.dims[2]) + ", " + std::to_string(g.size()) + " brain voxels");

    progress.begin("components");
    truth.scales = makeComponents(g, config.scales, config.seed);
    for (std::size_t s = 0; s < truth.scales.size(); ++s) {
        report.scales.push_back(truth.scales[s].k);
        if (config.scales[s] == config.networkScale) truth.networkIndex = int(s);
    }
    truth.network = makeNetwork(truth.scales[std::size_t(truth.networkIndex)], config.modules, config.seed);
    truth.conceptWeights = conceptWeights(g, truth.scales.back(), config.seed);
    truth.studies.assign(studyCatalogue().begin(), studyCatalogue().begin() + config.studies);
    report.concepts = int(vocabulary().size());
    {
        // ∇ baseline (per mm), with the dark background outside the brain: motion moves edges.
        std::vector<float> base(g.geometry.voxelCount(), 20.0f);
        for (Eigen::Index b = 0; b < g.size(); ++b) base[std::size_t(g.voxels[std::size_t(b)])] = g.baseline[b];
        const auto& d = g.geometry.dims;
        const double h = g.geometry.voxelSize().x();
        truth.gradient.resize(g.size(), 3);
        for (Eigen::Index b = 0; b < g.size(); ++b) {
            const auto v = std::size_t(g.voxels[std::size_t(b)]);
            const int i = int(v % std::size_t(d[0])), j = int((v / std::size_t(d[0])) % std::size_t(d[1])),
                      k = int(v / (std::size_t(d[0]) * std::size_t(d[1])));
            auto at = [&](int a, int bb, int c) {
                a = std::clamp(a, 0, d[0] - 1);
                bb = std::clamp(bb, 0, d[1] - 1);
                c = std::clamp(c, 0, d[2] - 1);
                return base[g.geometry.index(a, bb, c)];
            };
            truth.gradient(b, 0) = float((at(i + 1, j, k) - at(i - 1, j, k)) / (2 * h));
            truth.gradient(b, 1) = float((at(i, j + 1, k) - at(i, j - 1, k)) / (2 * h));
            truth.gradient(b, 2) = float((at(i, j, k + 1) - at(i, j, k - 1)) / (2 * h));
        }
    }

    // ---- group truth and dataset-level files --------------------------------------------------
    progress.begin("ground truth");
    const auto gt = out / "derivatives" / "ground_truth";
    paths::ensureDirectory(gt);
    {
        Eigen::MatrixXf ones = Eigen::MatrixXf::Ones(g.size(), 1);
        io::writeNifti(gt / "mask.nii.gz", gridVolume(g, ones, 0.0f), io::NiftiStorage::UInt8, 6);
        Eigen::MatrixXf labels(g.size(), 1);
        for (Eigen::Index b = 0; b < g.size(); ++b) labels(b, 0) = float(g.region[std::size_t(b)]);
        io::writeNifti(gt / "atlas-AAL.nii.gz", gridVolume(g, labels, 0.0f), io::NiftiStorage::Int16, 6);
    }
    std::vector<std::vector<std::string>> hierarchy;
    for (std::size_t s = 0; s < truth.scales.size(); ++s) {
        const auto& sc = truth.scales[s];
        const std::string k = std::to_string(sc.k);
        writeMaps(gt / ("scale-" + k + "_maps.nii.gz"), g, sc.maps);
        std::vector<std::vector<std::string>> rows;
        for (int c = 0; c < sc.k; ++c) {
            const int r = sc.region[std::size_t(c)];
            rows.push_back({std::to_string(c), "s" + k + "_c" + std::to_string(c), std::to_string(sc.parent[std::size_t(c)]),
                            fixed(sc.centroids(c, 0), 1), fixed(sc.centroids(c, 1), 1), fixed(sc.centroids(c, 2), 1),
                            std::to_string(sc.size[std::size_t(c)]), r > 0 ? g.regionNames[std::size_t(r)] : "n/a"});
            if (s > 0)
                hierarchy.push_back({k, std::to_string(c), std::to_string(truth.scales[s - 1].k), std::to_string(sc.parent[std::size_t(c)])});
        }
        io::writeTable(gt / ("scale-" + k + "_components.tsv"),
                       io::Table({"index", "name", "parent", "x", "y", "z", "voxels", "region"}, rows));
    }
    io::writeTable(gt / "hierarchy.tsv", io::Table({"scale", "component", "parent_scale", "parent"}, hierarchy));
    {
        std::vector<std::vector<std::string>> concepts, weights;
        const auto& fine = truth.scales.back();
        for (std::size_t c = 0; c < vocabulary().size(); ++c) {
            std::string regions;
            for (const auto& r : vocabulary()[c].regions) regions += (regions.empty() ? "" : ",") + r;
            concepts.push_back({std::to_string(c), vocabulary()[c].name, regions});
            for (int k = 0; k < fine.k; ++k)
                if (truth.conceptWeights(Eigen::Index(c), k) > 0)
                    weights.push_back({vocabulary()[c].name, std::to_string(fine.k), std::to_string(k),
                                       fixed(truth.conceptWeights(Eigen::Index(c), k), 4)});
        }
        io::writeTable(gt / "concepts.tsv", io::Table({"index", "concept", "regions"}, concepts));
        io::writeTable(gt / "concept_components.tsv", io::Table({"concept", "scale", "component", "weight"}, weights));
    }
    {
        const std::string k = std::to_string(truth.scales[std::size_t(truth.networkIndex)].k);
        io::writeNpy(gt / ("network_scale-" + k + "_precision.npy"), truth.network.precision);
        io::writeNpy(gt / ("network_scale-" + k + "_covariance.npy"), truth.network.covariance);
        std::vector<std::vector<std::string>> rows;
        for (std::size_t c = 0; c < truth.network.module.size(); ++c)
            rows.push_back({std::to_string(c), std::to_string(truth.network.module[c])});
        io::writeTable(gt / ("network_scale-" + k + "_modules.tsv"), io::Table({"component", "module"}, rows));
    }
    // Condition names → concepts (the only link for studies that use their own names).
    {
        std::vector<std::vector<std::string>> rows;
        for (const auto& s : truth.studies)
            for (const auto& c : s.conditions) rows.push_back({s.task, c.name, vocabulary()[std::size_t(c.conceptId)].name});
        const auto ann = out / "derivatives" / "annotations";
        paths::ensureDirectory(ann);
        io::writeTable(ann / "condition_mappings.tsv", io::Table({"task", "trial_type", "concept"}, rows));
        writeJson(ann / "dataset_description.json",
                  {{"Name", "Condition-to-concept annotations"}, {"BIDSVersion", "1.8.0"}, {"DatasetType", "derivative"},
                   {"GeneratedBy", {{{"Name", "neuromosaic simulate"}, {"Version", nm::version()}}}}});
    }
    const json generatedBy = json::array({{{"Name", "neuromosaic simulate"}, {"Version", nm::version()},
                                           {"Description", "Synthetic cohort with known ground truth"}}});
    writeJson(out / "dataset_description.json",
              {{"Name", "NeuroMosaic simulated cohort (" + config.preset + ")"},
               {"BIDSVersion", "1.8.0"},
               {"DatasetType", "raw"},
               {"License", "CC0"},
               {"Authors", {"NeuroMosaic simulator"}},
               {"GeneratedBy", generatedBy},
               {"NeuroMosaicSimulation", configJson(config)}});
    writeFileAtomic(out / "README", "Simulated fMRI cohort written by `neuromosaic-cli simulate` (preset " + config.preset +
                                        ", seed " + std::to_string(config.seed) +
                                        ").\nGround truth in derivatives/ground_truth; see NeuroMosaic's docs/simulator.md.\n");
    for (const auto& s : truth.studies) {
        writeJson(out / ("task-" + s.task + "_bold.json"),
                  {{"TaskName", s.task}, {"TaskDescription", s.title}, {"RepetitionTime", s.tr}});
        json levels = json::object();
        for (const auto& c : s.conditions)
            levels[c.name] = s.ownNames ? "condition " + c.name + " of the " + s.title
                                        : vocabulary()[std::size_t(c.conceptId)].name;
        writeJson(out / ("task-" + s.task + "_events.json"),
                  {{"trial_type", {{"LongName", "Condition"}, {"Levels", levels}}},
                   {"onset", {{"Units", "s"}}},
                   {"duration", {{"Units", "s"}}}});
    }
    writeJson(out / "task-rest_bold.json", {{"TaskName", "rest"}, {"RepetitionTime", config.restTr}});
    {
        std::vector<std::vector<std::string>> rows;
        for (int i = 0; i < config.subjects; ++i) rows.push_back({"sub-" + subjectLabel(i), std::to_string(config.seed)});
        io::writeTable(out / "participants.tsv", io::Table({"participant_id", "simulation_seed"}, rows));
        writeJson(out / "participants.json", {{"simulation_seed", {{"Description", "seed of the simulation"}}}});
    }
    const bool fmriprep = config.layout == "fmriprep";
    const auto confoundsRoot = out / "derivatives" / (fmriprep ? "fmriprep" : "simulated_preprocessing");
    paths::ensureDirectory(confoundsRoot);
    if (fmriprep)
        writeJson(confoundsRoot / "dataset_description.json",
                  {{"Name", "fMRIPrep-layout derivatives of the simulated cohort"}, {"BIDSVersion", "1.8.0"},
                   {"DatasetType", "derivative"},
                   {"GeneratedBy", json::array({{{"Name", "neuromosaic simulate"}, {"Version", nm::version()},
                                                 {"Description", "the simulated runs written in fMRIPrep 23's output layout: they are "
                                                                 "already in the template space"}}})},
                   {"SourceDatasets", json::array({{{"URL", "../.."}}})}});
    else
        writeJson(confoundsRoot / "dataset_description.json",
                  {{"Name", "Motion and global confounds of the simulated runs"}, {"BIDSVersion", "1.8.0"},
                   {"DatasetType", "derivative"}, {"GeneratedBy", generatedBy}});
    {
        json j = {{"fingerprint", fingerprint}, {"config", configJson(config)}, {"versions", json::object()}};
        for (const auto& [name, ver] : libraryVersions()) j["versions"][name] = ver;
        j["grid"] = {{"dims", g.geometry.dims}, {"voxels_in_brain", g.size()}, {"voxel_mm", config.voxelMm}};
        j["scales"] = report.scales;
        j["network_scale"] = truth.scales[std::size_t(truth.networkIndex)].k;
        j["concepts"] = conceptNames();
        json studies = json::array();
        for (const auto& s : truth.studies) {
            json conds = json::array();
            for (const auto& c : s.conditions) conds.push_back({{"trial_type", c.name}, {"concept", vocabulary()[std::size_t(c.conceptId)].name}});
            studies.push_back({{"task", s.task}, {"title", s.title}, {"tr", s.tr}, {"design", s.block ? "block" : "event-related"},
                               {"own_condition_names", s.ownNames}, {"conditions", conds}});
        }
        j["studies"] = studies;
        writeJson(gt / "ground_truth.json", j);
        writeJson(gt / "dataset_description.json",
                  {{"Name", "Ground truth of the simulated cohort"}, {"BIDSVersion", "1.8.0"}, {"DatasetType", "derivative"},
                   {"GeneratedBy", generatedBy}});
    }

    // ---- subjects ------------------------------------------------------------------------------
    progress.begin("subjects");
    std::vector<SubjectResult> results(std::size_t(config.subjects));
    std::vector<std::exception_ptr> errors(std::size_t(config.subjects));
    std::atomic<int> done{0}, resumed{0};
    const int threads = config.threads > 0 ? config.threads : 0;
    auto subjectWork = [&](int si) {
        const std::string label = subjectLabel(si);
        const auto sdir = gt / ("sub-" + label);
        const auto marker = sdir / ("sub-" + label + "_truth.json");
        if (std::filesystem::exists(marker)) {
            try {
                if (json::parse(readFileBytes(marker)).value("fingerprint", std::string()) == fingerprint) {
                    ++resumed;
                    return;
                }
            } catch (...) {
            }
        }
        auto rng = stream(config.seed, 100, std::uint64_t(si));
        Normal normal(rng);
        // Deformation: three smooth fields scaled to this subject's maximal displacement.
        const double maxDisp = uniform(rng, config.deformationMinMm, config.deformationMaxMm);
        Eigen::MatrixXf disp(g.size(), 3);
        for (int a = 0; a < 3; ++a) disp.col(a) = smoothField(g, 25.0, rng);
        const float norm = disp.rowwise().norm().maxCoeff();
        if (norm > 0) disp *= float(maxDisp / norm);
        const SparseMaps warp = warpMatrix(g, disp);
        // Subject maps per scale; variations at the finest scale.
        std::vector<SparseMaps> maps;
        std::vector<std::vector<float>> amplitude(truth.scales.size());
        for (std::size_t s = 0; s < truth.scales.size(); ++s) maps.push_back(subjectMaps(truth.scales[s].maps, warp, rng, amplitude[s]));
        Eigen::MatrixXf weights = truth.conceptWeights;  // concepts × fine (+ split parts)
        std::vector<Variation> variations;
        {
            // Columns as (voxel, value) lists: splits and merges touch a handful of them.
            SparseMaps& fine = maps.back();
            const auto& fineScale = truth.scales.back();
            std::vector<std::vector<std::pair<int, float>>> cols(std::size_t(fine.cols()));
            for (int c = 0; c < fine.cols(); ++c)
                for (SparseMaps::InnerIterator it(fine, c); it; ++it) cols[std::size_t(c)].emplace_back(int(it.row()), it.value());
            for (int v = 0; v < config.variantsPerSubject; ++v) {
                const int c = int(rng() % std::uint64_t(fineScale.k));
                auto& col = cols[std::size_t(c)];
                if (col.size() < 4) continue;
                if (uniform(rng) < 0.5) {
                    // Split along the component's principal axis; the new part gets its own index.
                    Eigen::RowVector3d mean = Eigen::RowVector3d::Zero();
                    double total = 0;
                    for (const auto& [b, x] : col) {
                        mean += x * g.world.row(b);
                        total += x;
                    }
                    mean /= total;
                    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
                    for (const auto& [b, x] : col) {
                        const Eigen::RowVector3d r = g.world.row(b) - mean;
                        cov += x * r.transpose() * r;
                    }
                    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
                    const Eigen::RowVector3d axis = eig.eigenvectors().col(2).transpose();
                    std::vector<std::pair<int, float>> keep, part;
                    for (const auto& e : col) ((g.world.row(e.first) - mean).dot(axis) > 0 ? part : keep).push_back(e);
                    if (keep.empty() || part.empty()) continue;
                    col = std::move(keep);
                    const int index = int(cols.size());
                    cols.push_back(std::move(part));
                    weights.conservativeResize(Eigen::NoChange, weights.cols() + 1);
                    weights.col(weights.cols() - 1) = 0.5f * weights.col(c);
                    variations.push_back({"split", c, index});
                } else {
                    // Merge with the nearest sibling: one component where the group has two.
                    int best = -1;
                    for (int o = 0; o < fineScale.k; ++o)
                        if (o != c && fineScale.parent[std::size_t(o)] == fineScale.parent[std::size_t(c)] &&
                            (best < 0 || (fineScale.centroids.row(o) - fineScale.centroids.row(c)).squaredNorm() <
                                             (fineScale.centroids.row(best) - fineScale.centroids.row(c)).squaredNorm()))
                            best = o;
                    if (best < 0) continue;
                    std::map<int, float> merged(col.begin(), col.end());
                    for (const auto& [b, x] : cols[std::size_t(best)]) merged[b] = std::max(merged[b], x);
                    col.assign(merged.begin(), merged.end());
                    cols[std::size_t(best)].clear();
                    weights.col(c) = weights.col(c).cwiseMax(weights.col(best));
                    weights.col(best).setZero();
                    variations.push_back({"merge", c, best});
                }
            }
            std::vector<Eigen::Triplet<float>> t;
            for (std::size_t c = 0; c < cols.size(); ++c)
                for (const auto& [b, x] : cols[c]) t.emplace_back(b, int(c), x);
            SparseMaps updated(g.size(), Eigen::Index(cols.size()));
            updated.setFromTriplets(t.begin(), t.end());
            fine = std::move(updated);
        }
        // Noise parameters: tSNR varies smoothly over the brain within the configured range.
        const Eigen::VectorXf tsnrField = smoothField(g, 30.0, rng);
        Eigen::VectorXf sigma(g.size());
        for (Eigen::Index b = 0; b < g.size(); ++b) {
            const double u = 0.5 * (1.0 + std::erf(tsnrField[b] / std::sqrt(2.0)));
            const double tsnr = config.tsnrMin + u * (config.tsnrMax - config.tsnrMin);
            // 90 % of the temporal variance is thermal/physiological AR(1) noise; drift, motion,
            // global and neural fluctuations take the rest.
            sigma[b] = float(0.9 * g.baseline[b] / tsnr);
        }

        // Runs: the subject's studies, then rest.
        std::vector<int> runStudies;
        for (int k = 0; k < config.studiesPerSubject; ++k) runStudies.push_back((si + k) % config.studies);
        runStudies.push_back(-1);
        const auto funcDir = out / ("sub-" + label) / "func";
        const auto confDir = confoundsRoot / ("sub-" + label) / "func";
        paths::ensureDirectory(funcDir);
        paths::ensureDirectory(confDir);
        SubjectResult result;
        const auto& net = truth.scales[std::size_t(truth.networkIndex)];
        const Eigen::LLT<Eigen::MatrixXd> chol(truth.network.covariance);
        const Eigen::MatrixXd L = chol.matrixL();
        for (int study : runStudies) {
            progress.checkCancelled();
            const bool rest = study < 0;
            const Study* s = rest ? nullptr : &truth.studies[std::size_t(study)];
            const std::string task = rest ? "rest" : s->task;
            const double tr = rest ? config.restTr : s->tr;
            const int T = rest ? config.restVolumes : config.taskVolumes;
            auto runRng = stream(config.seed, 200 + std::uint64_t(study + 1), std::uint64_t(si));
            Normal n(runRng);
            // Task activations of the fine components (percent signal change).
            Eigen::MatrixXf activation = Eigen::MatrixXf::Zero(maps.back().cols(), T);
            Events events;
            if (!rest) {
                events = makeEvents(*s, T, runRng);
                for (std::size_t c = 0; c < s->conditions.size(); ++c) {
                    std::vector<signal::Event> ev;
                    for (std::size_t e = 0; e < events.onset.size(); ++e)
                        if (events.condition[e] == int(c)) ev.push_back({events.onset[e], events.duration[e], 1.0});
                    const Eigen::VectorXf r = signal::convolvedRegressor(ev, T, tr).cast<float>();
                    activation += float(config.taskAmplitude) * weights.row(s->conditions[c].conceptId).transpose() * r.transpose();
                }
            }
            // Network fluctuations: a slow AR process with the ground-truth covariance, through the
            // HRF; the components of finer scales add their own independent fluctuations.
            const double phi = std::exp(-tr / 6.0);
            const Eigen::VectorXd hrf = signal::canonicalHrf(tr, 32.0);
            auto fluctuations = [&](int k, const Eigen::MatrixXd* mixing, double amplitude) {
                Eigen::MatrixXd z(k, T + 40);
                Eigen::VectorXd state = Eigen::VectorXd::Zero(k);
                for (int t = 0; t < T + 40; ++t) {
                    Eigen::VectorXd e(k);
                    for (int c = 0; c < k; ++c) e[c] = n();
                    state = phi * state + std::sqrt(1 - phi * phi) * (mixing ? Eigen::VectorXd(*mixing * e) : e);
                    z.col(t) = state;
                }
                Eigen::MatrixXf f(k, T);
                for (int t = 0; t < T; ++t) {
                    Eigen::VectorXd acc = Eigen::VectorXd::Zero(k);
                    for (int l = 0; l < hrf.size() && t + 40 - l >= 0; ++l) acc += hrf[l] * z.col(t + 40 - l);
                    f.col(t) = acc.cast<float>();
                }
                for (int c = 0; c < k; ++c) {
                    const float sd = std::sqrt((f.row(c).array() - f.row(c).mean()).square().mean());
                    if (sd > 0) f.row(c) *= float(amplitude) / sd;
                }
                return f;
            };
            const Eigen::MatrixXf fluct = fluctuations(net.k, &L, config.restAmplitude);
            // Signal in percent: task on the fine maps, fluctuations on the network-scale maps
            // and on each finer scale's maps.
            Eigen::MatrixXf percent = maps.back() * activation + maps[std::size_t(truth.networkIndex)].leftCols(net.k) * fluct;
            if (config.fineAmplitude > 0)
                for (std::size_t sc = std::size_t(truth.networkIndex) + 1; sc < truth.scales.size(); ++sc) {
                    const int k = truth.scales[sc].k;
                    percent += maps[sc].leftCols(k) * fluctuations(k, nullptr, config.fineAmplitude);
                }
            // Motion: a slow random walk of rigid parameters; intensities follow the image gradient.
            Eigen::MatrixXf motion = Eigen::MatrixXf::Zero(T, 6);
            for (int t = 1; t < T; ++t)
                for (int p = 0; p < 6; ++p) {
                    const double step = p < 3 ? 0.03 : 0.0005;  // mm, radians
                    motion(t, p) = float(0.97 * motion(t - 1, p) + step * n());
                }
            // fMRIPrep layout: two head jerks (a 0.4 mm step and back) that scrubbing should catch.
            std::vector<int> jerks;
            if (fmriprep && T >= 40) {
                for (int j = 0; j < 2; ++j) {
                    const int at = 10 + int(std::floor(double(T - 20) * (0.5 + 0.5 * std::tanh(n())) ));
                    jerks.push_back(std::clamp(at, 10, T - 10));
                    for (int p = 0; p < 3; ++p) motion(jerks.back(), p) += 0.4f * (p == j ? 1.0f : 0.3f);
                }
            }
            Eigen::VectorXf global(T);
            double gs = 0.0;
            for (int t = 0; t < T; ++t) {
                gs = 0.9 * gs + std::sqrt(1 - 0.81) * n();
                global[t] = float(gs);
            }
            // Motion loadings: a rigid displacement moves intensities along the image gradient,
            // ΔI = −∇B·(t + ω × r) = (−∇B)·t + (−r × ∇B)·ω.
            Eigen::MatrixXf loadings(g.size(), 6);
            const Eigen::RowVector3d centre = g.world.colwise().mean();
            for (Eigen::Index b = 0; b < g.size(); ++b) {
                const Eigen::Vector3d grad = truth.gradient.row(b).cast<double>().transpose();
                const Eigen::Vector3d r = (g.world.row(b) - centre).transpose();
                loadings.block<1, 3>(b, 0) = (-grad).cast<float>().transpose();
                loadings.block<1, 3>(b, 3) = (-r.cross(grad)).cast<float>().transpose();
            }
            Eigen::MatrixXf data = loadings * motion.transpose();  // voxels × T
            Eigen::RowVectorXf tn(T), wave(T);
            for (int t = 0; t < T; ++t) {
                tn[t] = float(double(t) / (T - 1) - 0.5);
                wave[t] = float(std::cos(M_PI * (tn[t] + 0.5)));
            }
            for (Eigen::Index b = 0; b < g.size(); ++b) {
                const float base = g.baseline[b];
                const float slope = float(0.004 * n()), cosine = float(0.002 * n());
                const float rho = float(config.ar1), innovation = float(std::sqrt(1 - config.ar1 * config.ar1)) * sigma[b];
                float e = float(sigma[b] * n());
                for (int t = 0; t < T; ++t) {
                    if (t > 0) e = rho * e + innovation * float(n());
                    data(b, t) += base * (1.0f + percent(b, t) / 100.0f + slope * tn[t] + cosine * wave[t] + 0.003f * global[t]) + e;
                }
            }
            const std::string stem = "sub-" + label + "_task-" + task + "_run-1_";
            // fMRIPrep layout: the first volume before steady state (T1 not yet at equilibrium).
            if (fmriprep)
                for (Eigen::Index b = 0; b < g.size(); ++b) data(b, 0) += 0.6f * g.baseline[b];
            const std::string space = "space-MNI152NLin2009cAsym_";
            const auto prepDir = confDir;
            const auto boldPath = fmriprep ? prepDir / (stem + space + "desc-preproc_bold.nii.gz") : funcDir / (stem + "bold.nii.gz");
            {
                // Frame by frame: the brain from `data`, dim noisy background elsewhere.
                auto bgRng = stream(config.seed, 300 + std::uint64_t(study + 1), std::uint64_t(si));
                Normal bg(bgRng);
                io::NiftiWriter writer(boldPath, g.geometry, T,
                                       config.int16Data ? io::NiftiStorage::Int16 : io::NiftiStorage::Float32,
                                       config.compressionLevel, tr);
                std::vector<float> frame(g.geometry.voxelCount());
                for (int t = 0; t < T; ++t) {
                    for (std::size_t i = 0; i < frame.size(); ++i) {
                        const int b = g.gridToBrain[i];
                        frame[i] = b >= 0 ? data(b, t) : float(20.0 + 3.0 * bg());
                    }
                    writer.writeFrame(frame.data());
                }
                writer.close();
            }
            result.bytes += std::filesystem::file_size(boldPath);
            if (fmriprep) {
                // The raw run is the same image (the simulation is already in the template space):
                // a hard link, not a second copy.
                const auto raw = funcDir / (stem + "bold.nii.gz");
                std::error_code ec;
                std::filesystem::remove(raw, ec);
                std::filesystem::create_hard_link(boldPath, raw, ec);
                if (ec) std::filesystem::copy_file(boldPath, raw, std::filesystem::copy_options::overwrite_existing);
                writeJson(prepDir / (stem + space + "desc-preproc_bold.json"),
                          {{"RepetitionTime", tr}, {"TaskName", task}, {"SkullStripped", false}});
                Volume brain;
                brain.geometry = g.geometry;
                brain.data.assign(g.geometry.voxelCount(), 0.0f);
                for (std::size_t i = 0; i < brain.data.size(); ++i) brain.data[i] = g.gridToBrain[i] >= 0 ? 1.0f : 0.0f;
                io::writeNifti(prepDir / (stem + space + "desc-brain_mask.nii.gz"), brain, io::NiftiStorage::UInt8, 6);
            }
            if (!rest) {
                std::vector<std::vector<std::string>> rows;
                for (std::size_t e = 0; e < events.onset.size(); ++e)
                    rows.push_back({fixed(events.onset[e], 3), fixed(events.duration[e], 3), s->conditions[std::size_t(events.condition[e])].name});
                io::writeTable(funcDir / (stem + "events.tsv"), io::Table({"onset", "duration", "trial_type"}, rows));
            }
            // Confounds in fMRIPrep's layout: translations (mm), rotations (rad), FD, global signal;
            // in the fmriprep layout also fMRIPrep's expansions, WM/CSF, DVARS, CompCor, cosines and
            // the non-steady-state flag, with the JSON that describes the CompCor components.
            {
                std::vector<double> fd(std::size_t(T), 0.0), gsig(static_cast<std::size_t>(T)), dvars(std::size_t(T), 0.0);
                for (int t = 0; t < T; ++t) {
                    gsig[std::size_t(t)] = data.col(t).mean();
                    if (t > 0) {
                        for (int p = 0; p < 6; ++p) fd[std::size_t(t)] += std::abs(motion(t, p) - motion(t - 1, p)) * (p < 3 ? 1.0 : 50.0);
                        dvars[std::size_t(t)] = std::sqrt((data.col(t) - data.col(t - 1)).squaredNorm() / double(g.size()));
                    }
                }
                std::vector<std::string> names{"global_signal", "framewise_displacement", "trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"};
                std::vector<std::vector<double>> cols{gsig, fd};
                for (int p = 0; p < 6; ++p) {
                    std::vector<double> c(static_cast<std::size_t>(T));
                    for (int t = 0; t < T; ++t) c[std::size_t(t)] = motion(t, p);
                    cols.push_back(c);
                }
                const double nan = std::numeric_limits<double>::quiet_NaN();
                if (fmriprep) {
                    // WM and CSF: the global fluctuation with their own noise (no tissue model here).
                    std::vector<double> wm(static_cast<std::size_t>(T)), csf(static_cast<std::size_t>(T));
                    for (int t = 0; t < T; ++t) {
                        wm[std::size_t(t)] = 500.0 + 2.0 * global[t] + 0.5 * n();
                        csf[std::size_t(t)] = 800.0 + 1.0 * global[t] + 2.0 * n();
                    }
                    names.insert(names.begin() + 1, {"white_matter", "csf"});
                    cols.insert(cols.begin() + 1, {wm, csf});
                    // fMRIPrep's expansions of every base column but FD: _derivative1, _power2, _derivative1_power2.
                    const std::size_t base = cols.size();
                    for (std::size_t c = 0; c < base; ++c) {
                        if (names[c] == "framewise_displacement") continue;
                        std::vector<double> d(std::size_t(T), nan), p2(static_cast<std::size_t>(T)), dp2(std::size_t(T), nan);
                        for (int t = 0; t < T; ++t) {
                            p2[std::size_t(t)] = cols[c][std::size_t(t)] * cols[c][std::size_t(t)];
                            if (t > 0) {
                                d[std::size_t(t)] = cols[c][std::size_t(t)] - cols[c][std::size_t(t - 1)];
                                dp2[std::size_t(t)] = d[std::size_t(t)] * d[std::size_t(t)];
                            }
                        }
                        names.push_back(names[c] + "_derivative1");
                        cols.push_back(d);
                        names.push_back(names[c] + "_power2");
                        cols.push_back(p2);
                        names.push_back(names[c] + "_derivative1_power2");
                        cols.push_back(dp2);
                    }
                    std::vector<double> sorted(dvars.begin() + 1, dvars.end());
                    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
                    const double med = std::max(1e-9, sorted[sorted.size() / 2]);
                    std::vector<double> dv(std::size_t(T), nan), sdv(std::size_t(T), nan);
                    for (int t = 1; t < T; ++t) {
                        dv[std::size_t(t)] = dvars[std::size_t(t)];
                        sdv[std::size_t(t)] = dvars[std::size_t(t)] / med;
                    }
                    names.insert(names.end(), {"dvars", "std_dvars"});
                    cols.push_back(dv);
                    cols.push_back(sdv);
                    // CompCor: slow noise components (they carry no brain signal here), five
                    // combined, two WM, two CSF, three temporal, as fMRIPrep names them.
                    json meta = json::object();
                    auto component = [&](const std::string& name, const std::string& mask, double variance) {
                        std::vector<double> c(static_cast<std::size_t>(T));
                        double st = 0.0;
                        for (int t = 0; t < T; ++t) c[std::size_t(t)] = st = 0.8 * st + 0.6 * n();
                        names.push_back(name);
                        cols.push_back(c);
                        meta[name] = {{"Method", name[0] == 'a' ? "aCompCor" : "tCompCor"}, {"VarianceExplained", variance}, {"Retained", true}};
                        if (!mask.empty()) meta[name]["Mask"] = mask;
                    };
                    int a = 0;
                    for (int i = 0; i < 5; ++i) component("a_comp_cor_" + fixed2(a++), "combined", 0.2 / (i + 1));
                    for (int i = 0; i < 2; ++i) component("a_comp_cor_" + fixed2(a++), "WM", 0.3 / (i + 1));
                    for (int i = 0; i < 2; ++i) component("a_comp_cor_" + fixed2(a++), "CSF", 0.3 / (i + 1));
                    for (int i = 0; i < 3; ++i) component("t_comp_cor_" + fixed2(i), "", 0.2 / (i + 1));
                    const Eigen::MatrixXd cosine = signal::cosineDrift(T, tr, 128.0);
                    for (Eigen::Index c = 1; c < cosine.cols(); ++c) {
                        std::vector<double> v(static_cast<std::size_t>(T));
                        for (int t = 0; t < T; ++t) v[std::size_t(t)] = cosine(t, c);
                        names.push_back("cosine" + fixed2(int(c - 1)));
                        cols.push_back(v);
                    }
                    std::vector<double> nss(std::size_t(T), 0.0);
                    nss[0] = 1.0;
                    names.push_back("non_steady_state_outlier00");
                    cols.push_back(nss);
                    writeJson(confDir / (stem + "desc-confounds_timeseries.json"), meta);
                }
                // The precisions of the bids layout's table (global 3, FD 5, translations 6, rotations 7
                // decimals); fMRIPrep's further columns with 8 significant digits.
                auto format = [&](const std::string& name, double v) {
                    if (name == "global_signal") return fixed(v, 3);
                    if (name == "framewise_displacement") return fixed(v, 5);
                    if (name == "trans_x" || name == "trans_y" || name == "trans_z") return fixed(v, 6);
                    if (name == "rot_x" || name == "rot_y" || name == "rot_z") return fixed(v, 7);
                    std::ostringstream o;
                    o << std::setprecision(8) << v;
                    return o.str();
                };
                std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(T));
                for (int t = 0; t < T; ++t)
                    for (std::size_t c = 0; c < cols.size(); ++c) {
                        const double v = cols[c][std::size_t(t)];
                        const bool na = !std::isfinite(v) || (names[c] == "framewise_displacement" && t == 0);
                        rows[std::size_t(t)].push_back(na ? std::string("n/a") : format(names[c], v));
                    }
                io::writeTable(confDir / (stem + "desc-confounds_timeseries.tsv"), io::Table(names, rows));
            }
            ++result.runs;
        }
        // Subject truth: deformation, maps, variations; the json marker goes last (resume point).
        paths::ensureDirectory(sdir);
        io::writeNifti(sdir / ("sub-" + label + "_deformation.nii.gz"), gridVolume(g, disp, 0.0f), io::NiftiStorage::Float32, 6);
        for (std::size_t s = 0; s < truth.scales.size(); ++s)
            writeSparseMaps(sdir / ("sub-" + label + "_scale-" + std::to_string(truth.scales[s].k) + "_maps.npz"), g, maps[s]);
        {
            std::vector<std::vector<std::string>> rows;
            for (const auto& v : variations)
                rows.push_back({v.type, std::to_string(truth.scales.back().k), std::to_string(v.component), std::to_string(v.other)});
            io::writeTable(sdir / ("sub-" + label + "_variations.tsv"), io::Table({"type", "scale", "component", "other"}, rows));
        }
        json tj = {{"fingerprint", fingerprint}, {"subject", label}, {"max_displacement_mm", maxDisp}, {"runs", result.runs}};
        json amps = json::object();
        for (std::size_t s = 0; s < truth.scales.size(); ++s) amps[std::to_string(truth.scales[s].k)] = amplitude[s];
        tj["component_amplitudes"] = amps;
        writeJson(marker, tj);
        results[std::size_t(si)] = result;
    };
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : omp_get_max_threads())
    for (int si = 0; si < config.subjects; ++si) {
        try {
            subjectWork(si);
        } catch (...) {
            errors[std::size_t(si)] = std::current_exception();
        }
        const int d = ++done;
        try {
            progress.update(std::size_t(d), std::size_t(config.subjects), "subject " + std::to_string(d) + "/" + std::to_string(config.subjects));
        } catch (...) {
            // Cancellation is raised by the worker's next check.
        }
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    progress.checkCancelled();
    for (const auto& r : results) {
        report.runs += r.runs;
        report.bytesWritten += r.bytes;
    }
    report.subjects = config.subjects;
    report.resumedSubjects = resumed;
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    report.peakRssKb = usage.ru_maxrss;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish("simulated " + std::to_string(config.subjects) + " subjects");
    return report;
}

} // namespace nm::simulate
