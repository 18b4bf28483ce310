// Denoising strategies over fMRIPrep confounds: the columns, values and censored volumes of
// nilearn's load_confounds (live, on nilearn's own fMRIPrep fixture, when the peer is present),
// scrubbing's segment rule, the errors, and spike regression ≡ removing the censored volumes.
#include "signal/Confounds.hpp"
#include "signal/Preprocess.hpp"
#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "io/Table.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <Eigen/Dense>

#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace nm;
using namespace nm::signal;

namespace {

std::optional<std::filesystem::path> nilearnFixture() {
    const auto p = test::peer("nilearn");
    if (!p) return std::nullopt;
    const auto f = *p / "nilearn/interfaces/fmriprep/data/test_desc-confounds_regressors.tsv";
    if (!std::filesystem::exists(f)) return std::nullopt;
    return f;
}

bool haveNilearnPython() {
    return std::system("/usr/bin/python3 -c 'import pandas, sklearn, nibabel' 2>/dev/null") == 0;
}

struct Case {
    std::string name;       // label
    std::string python;     // keyword arguments of nilearn's _load_single_confounds_file
    ConfoundStrategy ours;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    auto add = [&](std::string name, std::string py, ConfoundStrategy s) { out.push_back({std::move(name), std::move(py), std::move(s)}); };
    {
        ConfoundStrategy s = ConfoundStrategy::preset("simple");
        add("simple", "strategy=('high_pass','motion','wm_csf'), motion='full', wm_csf='basic'", s);
    }
    {
        ConfoundStrategy s = ConfoundStrategy::preset("scrubbing");
        add("scrubbing", "strategy=('high_pass','motion','wm_csf','scrub'), motion='full', wm_csf='full', scrub=5, fd_threshold=0.2, std_dvars_threshold=3", s);
    }
    {
        ConfoundStrategy s = ConfoundStrategy::preset("scrubbing");
        s.fdThreshold = 0.12;
        s.scrubMinSegment = 3;
        s.stdDvarsThreshold = 1.8;
        add("scrubbing-strict", "strategy=('high_pass','motion','wm_csf','scrub'), motion='full', wm_csf='full', scrub=3, fd_threshold=0.12, std_dvars_threshold=1.8", s);
    }
    {
        ConfoundStrategy s = ConfoundStrategy::preset("compcor");
        add("compcor", "strategy=('high_pass','motion','compcor'), motion='full', compcor='anat_combined', n_compcor='all'", s);
    }
    {
        ConfoundStrategy s;
        s.motion = ConfoundTerms::Derivatives;
        s.globalSignal = ConfoundTerms::Full;
        s.compcor = "temporal_anat_separated";
        s.compcorComponents = 2;
        add("gs-compcor-separated", "strategy=('high_pass','motion','global_signal','compcor'), motion='derivatives', global_signal='full', compcor='temporal_anat_separated', n_compcor=2", s);
    }
    {
        ConfoundStrategy s;
        s.motion = ConfoundTerms::Power2;
        s.wmCsf = ConfoundTerms::Derivatives;
        s.compcor = "temporal";
        s.compcorComponents = 3;
        add("power2-temporal", "strategy=('high_pass','motion','wm_csf','compcor'), motion='power2', wm_csf='derivatives', compcor='temporal', n_compcor=3", s);
    }
    return out;
}

} // namespace

TEST_CASE("confound strategies select nilearn's load_confounds columns, values and censored volumes", "[signal][confounds][peer]") {
    const auto fixture = nilearnFixture();
    if (!fixture) NM_SKIP("nilearn's fMRIPrep confounds fixture not found (../shared/peers/nilearn)");
    if (!haveNilearnPython()) NM_SKIP("Debian's python3-pandas / python3-sklearn / python3-nibabel not installed");
    test::TempDir dir;
    const auto all = cases();
    {
        std::ofstream py(dir / "peer.py");
        py << "import json, sys\nsys.path.insert(0, " << nlohmann::json(test::peer("nilearn")->string()).dump() << ")\n"
           << "from nilearn.interfaces.fmriprep.load_confounds import _load_single_confounds_file\n"
           << "f = " << nlohmann::json(fixture->string()).dump() << "\nout = {}\n";
        for (const auto& c : all)
            py << "m, conf = _load_single_confounds_file(f, demean=True, confounds_json_file=f.replace('.tsv', '.json'), " << c.python
               << ")\nout[" << nlohmann::json(c.name).dump() << "] = {'columns': [x for x in conf.columns if not x.startswith('cosine')], "
               << "'kept': None if m is None else [int(i) for i in m], 'values': {x: list(map(float, conf[x])) for x in conf.columns if not x.startswith('cosine')}}\n";
        py << "print(json.dumps(out))\n";
    }
    const auto r = test::run("/usr/bin/python3 " + test::shellQuote(dir / "peer.py"));
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const auto peer = nlohmann::json::parse(r.out);
    const int T = int(io::readTable(*fixture).rowCount());
    for (const auto& c : all) {
        INFO(c.name);
        const RunConfounds ours = loadConfounds(*fixture, T, c.ours);
        const auto& p = peer[c.name];
        std::set<std::string> theirs;
        for (const auto& x : p["columns"]) theirs.insert(x.get<std::string>());
        const std::set<std::string> mine(ours.names.begin(), ours.names.end());
        CHECK(mine == theirs);
        CHECK(ours.names.size() == mine.size());
        std::vector<int> kept;
        for (int t = 0; t < T; ++t)
            if (!std::binary_search(ours.censored.begin(), ours.censored.end(), t)) kept.push_back(t);
        if (p["kept"].is_null()) CHECK(ours.censored.empty());
        else CHECK(kept == p["kept"].get<std::vector<int>>());
        // Values: nilearn demeans on the kept volumes; so do we before regression.
        for (std::size_t j = 0; j < ours.names.size(); ++j) {
            if (!p["values"].contains(ours.names[j])) continue;
            const auto v = p["values"][ours.names[j]].get<std::vector<double>>();
            double mean = 0;
            for (int t : kept) mean += ours.regressors(t, Eigen::Index(j));
            mean /= double(kept.size());
            for (int t = 0; t < T; ++t) CHECK(ours.regressors(t, Eigen::Index(j)) - mean == Approx(v[std::size_t(t)]).margin(1e-9));
        }
    }
}

TEST_CASE("scrubbing censors outliers and the segments shorter than the minimum between them", "[signal][confounds]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    //                      0    1    2    3    4    5    6    7    8    9   10   11   12   13   14
    std::vector<double> fd{nan, 0.1, 0.1, 0.5, 0.1, 0.1, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    std::vector<double> dvars(fd.size(), 1.0);
    dvars[12] = 4.0;
    // Outliers 3, 6 (FD) and 12 (DVARS). Kept segments: [0,2] (3 < 5: censored), [4,5] (2),
    // [7,11] (5: kept), [13,14] (2: censored, at the end).
    CHECK(scrubVolumes(fd, dvars, 0.2, 3.0, 5) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 12, 13, 14});
    CHECK(scrubVolumes(fd, dvars, 0.2, 3.0, 0) == std::vector<int>{3, 6, 12});
    CHECK(scrubVolumes(fd, dvars, 1.0, 5.0, 5).empty());
}

TEST_CASE("confound strategies name the file, the missing columns and the presets", "[signal][confounds]") {
    test::TempDir dir;
    const auto file = dir / "sub-01_task-x_desc-confounds_timeseries.tsv";
    std::vector<std::vector<std::string>> rows;
    for (int t = 0; t < 10; ++t)
        rows.push_back({std::to_string(0.01 * t), std::to_string(0.02 * t * t), "0.1", "0.2", "0.3", "0.4", t == 0 ? "n/a" : "0.05",
                        t < 2 ? "1" : "0"});
    io::writeTable(file, io::Table({"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "framewise_displacement",
                                    "non_steady_state_outlier_00"},
                                   rows));
    const RunConfounds basic = loadConfounds(file, 10, ConfoundStrategy());
    CHECK(basic.names.size() == 6);
    CHECK(basic.censored == std::vector<int>{0, 1});  // non_steady_state_outlier_00 at volumes 0 and 1
    try {
        (void)loadConfounds(file, 10, ConfoundStrategy::preset("simple"));
        FAIL("expected an error");
    } catch (const InputError& e) {
        const std::string m = e.what();
        CHECK(m.find(file.filename().string()) != std::string::npos);
        CHECK(m.find("trans_x_derivative1") != std::string::npos);
        CHECK(m.find("white_matter") != std::string::npos);
    }
    CHECK_THROWS_WITH(loadConfounds(file, 12, ConfoundStrategy()), Catch::Contains("10 rows for a run of 12 volumes"));
    CHECK_THROWS_WITH(ConfoundStrategy::preset("aroma"), Catch::Contains("simple, scrubbing, compcor"));
    ConfoundStrategy s;
    s.scrub = true;
    CHECK_THROWS_WITH(loadConfounds(file, 10, s), Catch::Contains("std_dvars"));
    s = ConfoundStrategy::none();
    s.columns = {"rot_*"};
    const RunConfounds rot = loadConfounds(file, 10, s);
    CHECK(rot.names == std::vector<std::string>{"rot_x", "rot_y", "rot_z"});
    CHECK(rot.censored.empty());
    // The JSON round trip keeps the strategy.
    const ConfoundStrategy back = ConfoundStrategy::fromJson(ConfoundStrategy::preset("scrubbing").toJson(), "test");
    CHECK(back.toJson() == ConfoundStrategy::preset("scrubbing").toJson());
    CHECK_THROWS_WITH(ConfoundStrategy::fromJson({{"compcor", "anat"}}, "x"), Catch::Contains("anat_combined"));
}

TEST_CASE("censoring by spike regressors equals removing the censored volumes", "[signal][confounds]") {
    test::TempDir dir;
    const int T = 40;
    std::mt19937 rng(3);
    std::normal_distribution<double> n(0.0, 1.0);
    // A 3×3×3 run and its confounds: two motion-like columns, FD with outliers at 10 and 25.
    Volume bold;
    bold.geometry.dims = {3, 3, 3};
    bold.geometry.affine = Eigen::Matrix4d::Identity();
    bold.frames = T;
    bold.repetitionTime = 2.0;
    bold.data.resize(27 * std::size_t(T));
    for (auto& x : bold.data) x = float(100.0 + n(rng));
    io::writeNifti(dir / "bold.nii.gz", bold);
    std::vector<std::vector<std::string>> rows;
    std::vector<double> a(T), b(T);
    for (int t = 0; t < T; ++t) {
        a[std::size_t(t)] = std::stod(std::to_string(n(rng)));  // the values the table holds
        b[std::size_t(t)] = std::stod(std::to_string(n(rng)));
        rows.push_back({std::to_string(a[std::size_t(t)]), std::to_string(b[std::size_t(t)]), t == 0 ? "n/a" : (t == 10 || t == 25 ? "0.9" : "0.01"), "1.0"});
    }
    io::writeTable(dir / "conf.tsv", io::Table({"trans_x", "trans_y", "framewise_displacement", "std_dvars"}, rows));
    RunFiles run{dir / "bold.nii.gz", dir / "conf.tsv", 2.0};
    BrainMask mask;
    mask.geometry = bold.geometry;
    for (int i = 0; i < 27; ++i) mask.voxels.push_back(i);
    PreprocessOptions o;
    o.confounds = ConfoundStrategy::none();
    o.confounds.columns = {"trans_x", "trans_y"};
    o.confounds.scrub = true;
    o.confounds.scrubMinSegment = 0;
    o.highPassSeconds = 0;
    o.detrend = true;
    const NuisanceModel model = nuisanceModel(run, T, 2.0, o);
    CHECK(model.censored == std::vector<int>{10, 25});
    const RowMatrixF cleaned = preprocessRun(run, mask, o);
    CHECK(cleaned.row(10).cwiseAbs().maxCoeff() == 0.0f);
    CHECK(cleaned.row(25).cwiseAbs().maxCoeff() == 0.0f);
    // Reference: drop the two volumes, regress constant, trend, trans_x, trans_y, z-score.
    std::vector<int> kept;
    for (int t = 0; t < T; ++t)
        if (t != 10 && t != 25) kept.push_back(t);
    const Eigen::Index K = Eigen::Index(kept.size());
    Eigen::MatrixXd X(K, 4);
    Eigen::MatrixXd Y(K, 27);
    for (Eigen::Index i = 0; i < K; ++i) {
        const int t = kept[std::size_t(i)];
        X(i, 0) = 1.0;
        X(i, 1) = -1.0 + 2.0 * t / (T - 1);
        X(i, 2) = a[std::size_t(t)];
        X(i, 3) = b[std::size_t(t)];
        for (int v = 0; v < 27; ++v) Y(i, v) = bold.data[std::size_t(t) * 27 + std::size_t(v)];
    }
    Eigen::MatrixXd R = Y - X * X.colPivHouseholderQr().solve(Y);
    for (int v = 0; v < 27; ++v) R.col(v) /= std::sqrt(R.col(v).squaredNorm() / double(K - 1));
    for (Eigen::Index i = 0; i < K; ++i)
        for (int v = 0; v < 27; ++v) CHECK(cleaned(kept[std::size_t(i)], v) == Approx(R(i, v)).margin(2e-4));
}
