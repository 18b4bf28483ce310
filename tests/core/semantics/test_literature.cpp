#include "jobs/Progress.hpp"
#include "semantics/Literature.hpp"
#include "signal/Preprocess.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

using namespace nm;

namespace {
/// Six studies, two terms, peaks on a 9³ grid of 2 mm voxels centred on the origin.
semantics::LiteratureDatabase miniDatabase() {
    semantics::LiteratureDatabase db;
    db.name = "mini";
    db.vocabularyName = "terms";
    for (int s = 0; s < 6; ++s) db.studyIds.push_back(std::to_string(100 + s));
    const double x[6] = {0, 0, 0, 6, 6, -6};
    db.peaks = Eigen::MatrixXd::Zero(6, 3);
    for (int s = 0; s < 6; ++s) {
        db.peaks(s, 0) = x[s];
        db.peakStudy.push_back(s);
    }
    db.terms = {"alpha", "beta", "rare"};
    std::vector<Eigen::Triplet<float>> t;
    for (int s = 0; s < 3; ++s) t.emplace_back(s, 0, 1.0f);
    for (int s = 3; s < 6; ++s) t.emplace_back(s, 1, 2.0f);
    t.emplace_back(5, 2, 1.0f);  // one study only: no map
    db.features.resize(6, 3);
    db.features.setFromTriplets(t.begin(), t.end());
    return db;
}
VolumeGeometry miniGrid() {
    VolumeGeometry g;
    g.dims = {9, 9, 9};
    g.affine = Eigen::Matrix4d::Identity();
    g.affine.topLeftCorner<3, 3>() *= 2.0;
    g.affine.topRightCorner<3, 1>().setConstant(-8.0);
    return g;
}
} // namespace

TEST_CASE("Benjamini-Hochberg threshold and the Talairach to MNI transform", "[semantics][literature]") {
    // m = 8, q = 0.05: p(2) = 0.008 <= 0.0125 is the last to pass (R: p.adjust(p, "BH")[2] = 0.032).
    CHECK(semantics::benjaminiHochbergThreshold({0.041, 0.001, 0.039, 0.008, 0.042, 0.06, 0.074, 0.205}, 0.05) == 0.008);
    CHECK(semantics::benjaminiHochbergThreshold({0.5, 0.9}, 0.05) == 0.0);
    // Lancaster et al. 2007 tal2icbm_other, as NiMARE's tal2mni computes it.
    const Eigen::Vector3d m = semantics::talairachToMni({-40, -20, 50});
    CHECK(m[0] == Approx(-41.17368204).margin(1e-6));
    CHECK(m[1] == Approx(-15.9528552).margin(1e-6));
    CHECK(m[2] == Approx(53.50311546).margin(1e-6));
}

TEST_CASE("MKDA chi-square term maps equal the contingency-table formulas", "[semantics][literature]") {
    const auto db = miniDatabase();
    const auto grid = miniGrid();
    std::vector<std::int64_t> mask(grid.voxelCount());
    for (std::size_t v = 0; v < mask.size(); ++v) mask[v] = std::int64_t(v);
    semantics::TermMapOptions o;
    o.radiusMm = 3.0;  // 19 voxels: the centre, 6 faces and 12 edges at 2 mm
    o.minStudies = 2;
    jobs::Progress progress;
    semantics::MkdaStatistics full;
    const auto maps = semantics::buildTermMaps(db, grid, mask, o, progress, &full);
    REQUIRE(maps.terms == std::vector<std::string>{"alpha", "beta"});
    CHECK(maps.studies == std::vector<int>{3, 3});
    const auto centre = grid.index(4, 4, 4), right = grid.index(7, 4, 4), far = grid.index(0, 0, 0);
    // Centre: active in the three "alpha" studies only. N = 6, chi2 = N (a nU - b nS)^2 / (row0 row1 nS nU) = 6.
    CHECK(full.associationZ(Eigen::Index(centre), 0) == Approx(std::sqrt(6.0)));
    CHECK(full.associationZ(Eigen::Index(centre), 1) == Approx(-std::sqrt(6.0)));
    CHECK(full.associationP(Eigen::Index(centre), 0) == Approx(std::erfc(std::sqrt(3.0))));
    // x = +6 mm: active in two "beta" studies: chi2 = 6 (0*3 - 2*3)^2 / (2*4*3*3) = 3.
    CHECK(full.associationZ(Eigen::Index(right), 0) == Approx(-std::sqrt(3.0)));
    CHECK(full.associationZ(Eigen::Index(right), 1) == Approx(std::sqrt(3.0)));
    CHECK(full.associationZ(Eigen::Index(far), 0) == 0.0f);
    CHECK(maps.z100(Eigen::Index(centre), 0) == std::lround(100 * std::sqrt(6.0)));
    // Uniformity: the one-way chi2 of the counts (3 on 19 voxels, 0 elsewhere) against their mean.
    const double mean = 3.0 * 19 / 729.0;
    CHECK(full.uniformityZ(Eigen::Index(centre), 0) == Approx(std::sqrt((3 - mean) * (3 - mean) * 3 / (mean * (3 - mean)))));
    // The correlation decoder: a term's own map correlates 1 with it, and -r with its opposite here.
    const Eigen::VectorXf alpha = maps.termMap(0);
    const Eigen::VectorXf r = maps.correlate(alpha);
    CHECK(r[0] == Approx(1.0).margin(1e-5));
    Eigen::VectorXf shifted = alpha.array() + 5.0f;  // Pearson r ignores an offset
    CHECK(maps.correlate(shifted)[1] == Approx(r[1]).margin(1e-5));
}

TEST_CASE("NeuroQuery term maps: a hand-motor peak decodes as motor", "[semantics][literature][real]") {
    const auto data = test::sharedData();
    if (!data || !std::filesystem::exists(*data / "literature" / "neuroquery_v1")) NM_SKIP("NeuroQuery (../shared/data/literature) is absent");
    const auto dbs = semantics::findLiteratureDatabases(*data / "literature");
    const semantics::LiteratureFiles* nq = nullptr;
    for (const auto& d : dbs)
        if (d.name == "neuroquery_v1") nq = &d;
    REQUIRE(nq);
    CHECK(nq->features.size() == 3);  // abstract, keywords, title
    const auto db = semantics::readLiteratureDatabase(*nq);
    CHECK(db.studyIds.size() == 13459);
    CHECK(db.terms.size() == 7547);
    // An 8 mm grid keeps the test fast; the mask is the MNI brain.
    VolumeGeometry grid;
    grid.dims = {23, 28, 23};
    grid.affine = Eigen::Matrix4d::Identity();
    grid.affine.topLeftCorner<3, 3>() *= 8.0;
    grid.affine.topRightCorner<3, 1>() = Eigen::Vector3d(-90, -126, -72);
    const auto mask = signal::templateMask(grid);
    jobs::Progress progress;
    const auto maps = semantics::buildTermMaps(db, grid, mask.voxels, {}, progress);
    CHECK(maps.terms.size() > 3000);
    // A 12 mm ball at the left hand knob of the precentral gyrus (MNI -38, -22, 56).
    Eigen::VectorXf ball = Eigen::VectorXf::Zero(Eigen::Index(mask.voxels.size()));
    for (std::size_t v = 0; v < mask.voxels.size(); ++v) {
        const auto idx = mask.voxels[v];
        const int i = int(idx % 23), j = int((idx / 23) % 28), k = int(idx / (23 * 28));
        if ((grid.worldOf(i, j, k) - Eigen::Vector3d(-38, -22, 56)).norm() <= 12) ball[Eigen::Index(v)] = 1;
    }
    const Eigen::VectorXf r = maps.correlate(ball);
    std::vector<int> order(std::size_t(r.size()));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 10, order.end(), [&](int a, int b) { return r[a] > r[b]; });
    bool motor = false;
    std::string top;
    for (int i = 0; i < 10; ++i) {
        const auto& t = maps.terms[std::size_t(order[std::size_t(i)])];
        top += t + "; ";
        for (const char* m : {"motor", "hand", "finger", "movement", "sensorimotor", "precentral", "primary motor"})
            motor = motor || t.find(m) != std::string::npos;
    }
    INFO("top terms: " << top);
    CHECK(motor);
}
