// The simulator: BIDS validity, configured noise statistics, recoverable task effects,
// determinism, resume and bounded memory.
#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Bids.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "io/Table.hpp"
#include "jobs/Progress.hpp"
#include "signal/Glm.hpp"
#include "signal/Hrf.hpp"
#include "simulate/Simulation.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <Eigen/Eigenvalues>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <map>

using namespace nm;

namespace {
simulate::SimulationReport run(const simulate::SimulationConfig& c, const std::filesystem::path& out) {
    jobs::Progress p;
    return simulate::simulate(c, out, p);
}

bool haveTemplates() { return test::mricronFile("ch2bet.nii.gz") && test::mricronFile("aal.nii.gz"); }

std::map<std::string, std::string> allFiles(const std::filesystem::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root))
        if (e.is_regular_file()) files[std::filesystem::relative(e.path(), root).string()] = readFileBytes(e.path());
    return files;
}
} // namespace

TEST_CASE("the tiny cohort is a valid BIDS dataset with its ground truth", "[simulate]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    test::TempDir dir;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.seed = 7;
    const auto report = run(c, dir.path());
    CHECK(report.seconds < 5.0 * test::slowdown());  // issue target for tiny
    CHECK(report.subjects == 3);
    const auto ds = io::readBidsDataset(dir.path());
    CHECK(ds.subjects() == std::vector<std::string>{"001", "002", "003"});
    CHECK(ds.tasks() == std::vector<std::string>{"faces", "motor", "rest"});
    CHECK(ds.runs.size() == 9);
    for (const auto& r : ds.runs) {
        CHECK(r.repetitionTime == (r.task == "faces" ? 1.5 : 2.0));
        CHECK(r.confounds.has_value());
        CHECK(r.events.has_value() == (r.task != "rest"));
        const auto info = io::readNiftiInfo(r.bold);
        CHECK(info.frames == (r.task == "rest" ? c.restVolumes : c.taskVolumes));
        CHECK(info.repetitionTime == Approx(r.repetitionTime));
        CHECK(info.geometry.voxelSize().x() == Approx(8.0));
    }
    const auto gt = dir / "derivatives/ground_truth";
    for (const char* f : {"ground_truth.json", "mask.nii.gz", "scale-16_maps.nii.gz", "scale-64_maps.nii.gz",
                          "hierarchy.tsv", "concept_components.tsv", "network_scale-64_precision.npy",
                          "sub-001/sub-001_deformation.nii.gz", "sub-002/sub-002_scale-64_maps.npz"})
        CHECK(std::filesystem::exists(gt / f));
    // "Own condition names" studies link to concepts only through the mapping file.
    const auto mapping = io::readTable(dir / "derivatives/annotations/condition_mappings.tsv");
    bool lh = false;
    for (std::size_t r = 0; r < mapping.rowCount(); ++r)
        lh |= mapping.cell(r, "trial_type") == "LH" && mapping.cell(r, "concept") == "motor response (left hand)";
    CHECK(lh);
    CHECK(simulate::conceptNames().size() >= 30);
}

TEST_CASE("ground truth: nested scales, positive sparse maps, a modular network", "[simulate]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    test::TempDir dir;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.subjects = 1;
    run(c, dir.path());
    const auto gt = dir / "derivatives/ground_truth";
    const Volume coarse = io::readNifti(gt / "scale-16_maps.nii.gz");
    const Volume fine = io::readNifti(gt / "scale-64_maps.nii.gz");
    CHECK(coarse.frames == 16);
    CHECK(fine.frames == 64);
    for (int f = 0; f < fine.frames; ++f) {
        const float* m = fine.frame(f);
        float mx = 0.0f, mn = 0.0f;
        std::size_t nz = 0;
        for (std::size_t i = 0; i < fine.voxelCount(); ++i) {
            mx = std::max(mx, m[i]);
            mn = std::min(mn, m[i]);
            nz += m[i] > 0;
        }
        CHECK(mx == Approx(1.0f));
        CHECK(mn >= 0.0f);
        CHECK(nz < fine.voxelCount() / 10);  // sparse
    }
    // Each fine component lies mostly inside its parent.
    const auto h = io::readTable(gt / "hierarchy.tsv");
    REQUIRE(h.rowCount() == 64);
    for (std::size_t r = 0; r < h.rowCount(); ++r) {
        const int child = std::stoi(h.cell(r, "component")), parent = std::stoi(h.cell(r, "parent"));
        double inside = 0, total = 0;
        for (std::size_t i = 0; i < fine.voxelCount(); ++i) {
            const float x = fine.frame(child)[i];
            total += x;
            inside += x * (coarse.frame(parent)[i] > 0.1f);
        }
        CHECK(inside / total > 0.7);
    }
    // Precision: positive definite; denser within modules than between.
    const Eigen::MatrixXd theta = io::readNpy(gt / "network_scale-64_precision.npy").matrix();
    CHECK(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(theta).eigenvalues().minCoeff() > 0);
    const auto modules = io::readTable(gt / "network_scale-64_modules.tsv").numbers("module");
    double in = 0, out = 0, nin = 0, nout = 0;
    for (int i = 0; i < 64; ++i)
        for (int j = i + 1; j < 64; ++j) {
            const bool same = modules[std::size_t(i)] == modules[std::size_t(j)];
            (same ? in : out) += std::abs(theta(i, j)) > 1e-9;
            (same ? nin : nout) += 1;
        }
    CHECK(in / nin > 5 * (out / nout));
}

namespace {
/// Brain voxels (mask) × volumes of a run.
Eigen::MatrixXf brainData(const Volume& bold, const Volume& mask, std::vector<std::size_t>& voxels) {
    voxels.clear();
    for (std::size_t i = 0; i < mask.voxelCount(); ++i)
        if (mask.data[i] > 0) voxels.push_back(i);
    Eigen::MatrixXf y(bold.frames, Eigen::Index(voxels.size()));
    for (int t = 0; t < bold.frames; ++t)
        for (std::size_t v = 0; v < voxels.size(); ++v) y(t, Eigen::Index(v)) = bold.frame(t)[voxels[v]];
    return y;
}
} // namespace

TEST_CASE("noise: tSNR and AR(1) within the configured ranges", "[simulate][noise]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    test::TempDir dir;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.subjects = 1;
    c.restVolumes = 300;
    run(c, dir.path());
    const Volume bold = io::readNifti(dir / "sub-001/func/sub-001_task-rest_run-1_bold.nii.gz");
    const Volume mask = io::readNifti(dir / "derivatives/ground_truth/mask.nii.gz");
    const Volume maps = io::readNifti(dir / "derivatives/ground_truth/scale-64_maps.nii.gz");
    std::vector<std::size_t> voxels;
    const Eigen::MatrixXf y = brainData(bold, mask, voxels);
    const auto confounds = io::readTable(dir / "derivatives/simulated_preprocessing/sub-001/func/"
                                               "sub-001_task-rest_run-1_desc-confounds_timeseries.tsv");
    const Eigen::MatrixXd drift = signal::cosineDrift(bold.frames, 2.0, 128.0);
    Eigen::MatrixXd design(bold.frames, drift.cols() + 7);
    design.leftCols(drift.cols()) = drift;
    int col = int(drift.cols());
    for (const char* name : {"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "global_signal"}) {
        const auto v = confounds.numbers(name);
        for (int t = 0; t < bold.frames; ++t) design(t, col) = v[std::size_t(t)];
        ++col;
    }
    const auto fit = signal::fitGlm(design, y, {false});
    // tSNR of the detrended data, and the AR(1) of the residuals where no component is.
    std::vector<double> tsnr, rho;
    const Eigen::MatrixXd yd = y.cast<double>();
    const Eigen::MatrixXd resid = yd - design * fit.beta;
    const Eigen::VectorXd ac = signal::lagOneAutocorrelation(resid);
    for (Eigen::Index v = 0; v < y.cols(); ++v) {
        const double mean = yd.col(v).mean();
        const Eigen::MatrixXd d2 = drift.leftCols(2);
        const Eigen::VectorXd detrended = yd.col(v) - d2 * d2.colPivHouseholderQr().solve(yd.col(v));
        tsnr.push_back(mean / std::sqrt(detrended.squaredNorm() / (y.rows() - 2)));
        bool signal = false;
        for (int f = 0; f < maps.frames; ++f) signal |= maps.frame(f)[voxels[std::size_t(v)]] > 0;
        if (!signal) rho.push_back(ac[v]);
    }
    std::sort(tsnr.begin(), tsnr.end());
    std::sort(rho.begin(), rho.end());
    const double medianTsnr = tsnr[tsnr.size() / 2], medianRho = rho[rho.size() / 2];
    // Regressing drifts and confounds lowers the residual autocorrelation of any AR(1) process:
    // the expectation is the same estimate on pure AR(1) noise with the configured coefficient,
    // residualised by the same design.
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal;
    Eigen::MatrixXf ar(bold.frames, 400);
    for (int v = 0; v < 400; ++v) {
        double e = normal(rng);
        for (int t = 0; t < bold.frames; ++t) {
            if (t > 0) e = c.ar1 * e + std::sqrt(1 - c.ar1 * c.ar1) * normal(rng);
            ar(t, v) = float(e);
        }
    }
    const auto reference = signal::fitGlm(design, ar, {false});
    const double expectedRho = reference.autocorrelation.mean();
    INFO("median tSNR " << medianTsnr << ", median AR(1) " << medianRho << " over " << rho.size()
                        << " voxels (expected " << expectedRho << " for AR(" << c.ar1 << ") after the same regression)");
    CHECK(medianTsnr > c.tsnrMin * 0.8);
    CHECK(medianTsnr < c.tsnrMax * 1.1);
    CHECK(tsnr[tsnr.size() / 20] > c.tsnrMin * 0.6);  // 5th percentile: edge voxels move most
    CHECK(medianRho == Approx(expectedRho).margin(0.05));
}

TEST_CASE("a GLM recovers a concept at its components and nowhere else", "[simulate][glm]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    for (std::uint64_t seed : {0, 1, 2}) {
    INFO("seed " << seed);
    test::TempDir dir;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.subjects = 1;
    c.seed = seed;
    run(c, dir.path());
    const auto func = dir / "sub-001/func";
    const Volume bold = io::readNifti(func / "sub-001_task-motor_run-1_bold.nii.gz");
    const Volume mask = io::readNifti(dir / "derivatives/ground_truth/mask.nii.gz");
    std::vector<std::size_t> voxels;
    const Eigen::MatrixXf y = brainData(bold, mask, voxels);
    const auto events = io::readBidsEvents(func / "sub-001_task-motor_run-1_events.tsv");
    const std::vector<std::string> conditions{"LH", "RH", "FEET", "TONGUE"};
    const Eigen::MatrixXd drift = signal::cosineDrift(bold.frames, 2.0, 128.0);
    const auto confounds = io::readTable(dir / "derivatives/simulated_preprocessing/sub-001/func/"
                                               "sub-001_task-motor_run-1_desc-confounds_timeseries.tsv");
    const std::vector<std::string> confoundNames{"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"};
    Eigen::MatrixXd design(bold.frames, 4 + drift.cols() + 6);
    for (int k = 0; k < 6; ++k) {
        const auto v = confounds.numbers(confoundNames[std::size_t(k)]);
        for (int t = 0; t < bold.frames; ++t) design(t, 4 + drift.cols() + k) = v[std::size_t(t)];
    }
    for (int k = 0; k < 4; ++k) {
        std::vector<signal::Event> ev;
        for (const auto& e : events)
            if (e.trialType == conditions[std::size_t(k)]) ev.push_back({e.onset, e.duration, 1.0});
        design.col(k) = signal::convolvedRegressor(ev, bold.frames, 2.0);
    }
    design.block(0, 4, bold.frames, drift.cols()) = drift;
    const auto fit = signal::fitGlm(design, y);
    Eigen::VectorXd contrast = Eigen::VectorXd::Zero(design.cols());
    contrast[0] = 1.0;  // LH → motor response (left hand)
    const Eigen::VectorXd t = signal::tContrast(fit, contrast);

    // The truth for this subject: its fine maps weighted by the concept's components.
    const auto weights = io::readTable(dir / "derivatives/ground_truth/concept_components.tsv");
    const auto subjectMaps = io::readSparseNpz(dir / "derivatives/ground_truth/sub-001/sub-001_scale-64_maps.npz");
    std::map<std::string, Eigen::VectorXd> pattern;  // concept → per-voxel expected response
    for (std::size_t r = 0; r < weights.rowCount(); ++r) {
        const auto& conceptName = weights.cell(r, "concept");
        auto& p = pattern.try_emplace(conceptName, Eigen::VectorXd::Zero(Eigen::Index(voxels.size()))).first->second;
        const int comp = std::stoi(weights.cell(r, "component"));
        const double w = std::stod(weights.cell(r, "weight"));
        for (std::size_t v = 0; v < voxels.size(); ++v) p[Eigen::Index(v)] += w * subjectMaps.coeff(comp, Eigen::Index(voxels[v]));
    }
    const Eigen::VectorXd& lh = pattern.at("motor response (left hand)");
    // Voxels with no simulated signal at all (no concept, no component of any scale): only noise,
    // drifts and motion, which the model accounts for.
    const Volume netMaps = io::readNifti(dir / "derivatives/ground_truth/scale-16_maps.nii.gz");
    const Volume fineMaps = io::readNifti(dir / "derivatives/ground_truth/scale-64_maps.nii.gz");
    const auto netSubject = io::readSparseNpz(dir / "derivatives/ground_truth/sub-001/sub-001_scale-64_maps.npz");
    std::vector<bool> quiet(voxels.size(), true);
    for (std::size_t v = 0; v < voxels.size(); ++v) {
        for (int f = 0; f < netMaps.frames && quiet[v]; ++f) quiet[v] = netMaps.frame(f)[voxels[v]] == 0;
        for (int f = 0; f < fineMaps.frames && quiet[v]; ++f) quiet[v] = fineMaps.frame(f)[voxels[v]] == 0;
        for (Eigen::Index c = 0; c < netSubject.rows() && quiet[v]; ++c) quiet[v] = netSubject.coeff(c, Eigen::Index(voxels[v])) == 0;
    }
    REQUIRE(lh.maxCoeff() > 0);
    std::vector<double> atTruth;
    int falsePositives = 0, nulls = 0;
    for (Eigen::Index v = 0; v < lh.size(); ++v) {
        if (lh[v] > 0.75 * lh.maxCoeff()) atTruth.push_back(t[v]);  // the core of the truth
        bool anyConcept = false;
        for (const auto& [name, p] : pattern) anyConcept |= p[v] > 0;
        if (!anyConcept && quiet[std::size_t(v)]) {
            ++nulls;
            falsePositives += std::abs(t[v]) > 3.29;  // p < 0.001 two-sided
        }
    }
    std::sort(atTruth.begin(), atTruth.end());
    INFO("t at the truth: median " << atTruth[atTruth.size() / 2] << " over " << atTruth.size() << " voxels; false positives "
                                   << falsePositives << " / " << nulls);
    CHECK(atTruth[atTruth.size() / 2] > 5.0);
    CHECK(atTruth.front() > 3.0);
    REQUIRE(nulls > 200);
    CHECK(falsePositives <= std::max(3, int(0.002 * nulls)));  // nominal 0.1 %, twice that at most
    }
}

TEST_CASE("the same seed gives the same bytes, another seed other data", "[simulate][determinism]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    test::TempDir a, b, other;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.subjects = 2;
    c.seed = 11;
    run(c, a.path());
    c.threads = 1;  // another thread count: same bytes
    run(c, b.path());
    const auto fa = allFiles(a.path()), fb = allFiles(b.path());
    REQUIRE(fa.size() == fb.size());
    for (const auto& [name, bytes] : fa) CHECK(bytes == fb.at(name));
    c.seed = 12;
    run(c, other.path());
    CHECK(allFiles(other.path()).at("sub-001/func/sub-001_task-rest_run-1_bold.nii.gz") !=
          fa.at("sub-001/func/sub-001_task-rest_run-1_bold.nii.gz"));
}

TEST_CASE("an interrupted simulation resumes to the same dataset", "[simulate][checkpoint]") {
    if (!haveTemplates()) NM_SKIP("mricron-data is not installed");
    test::TempDir whole, resumed;
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    run(c, whole.path());
    run(c, resumed.path());
    // As if killed during subject 3: its truth marker and a run are missing.
    std::filesystem::remove(resumed / "derivatives/ground_truth/sub-003/sub-003_truth.json");
    std::filesystem::remove(resumed / "sub-003/func/sub-003_task-rest_run-1_bold.nii.gz");
    const auto r = run(c, resumed.path());
    CHECK(r.resumedSubjects == 2);
    const auto fa = allFiles(whole.path()), fb = allFiles(resumed.path());
    REQUIRE(fa.size() == fb.size());
    for (const auto& [name, bytes] : fa) CHECK(bytes == fb.at(name));
    // Another configuration into the same folder is refused.
    c.seed = 99;
    CHECK_THROWS_WITH(run(c, resumed.path()), Catch::Contains("other parameters"));
}

TEST_CASE("bad simulation parameters name the option", "[simulate]") {
    auto c = simulate::SimulationConfig::fromPreset("tiny");
    c.scales = {64, 16};
    CHECK_THROWS_WITH(c.validate(), Catch::Contains("--scales"));
    c = simulate::SimulationConfig::fromPreset("tiny");
    c.networkScale = 32;
    CHECK_THROWS_WITH(c.validate(), Catch::Contains("--network-scale"));
    CHECK_THROWS_WITH(simulate::SimulationConfig::fromPreset("huge"), Catch::Contains("tiny, demo or large"));
}
