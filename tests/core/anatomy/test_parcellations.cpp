#include "anatomy/Parcellations.hpp"
#include "common/Error.hpp"
#include "decompose/AtlasExport.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace nm;

TEST_CASE("AAL and Harvard-Oxford load with their published region counts", "[anatomy][parcellation]") {
    if (!test::mricronFile("aal.nii.gz")) NM_SKIP("mricron-data is not installed");
    const auto aal = anatomy::loadAal();
    CHECK(aal.names.size() == 116);  // Tzourio-Mazoyer et al. 2002
    CHECK(aal.names.at(1) == "Precentral_L");
    std::set<int> present;
    for (float v : aal.labels.data)
        if (v > 0) present.insert(int(v));
    CHECK(present.size() == 116);

    const auto ho = anatomy::loadHarvardOxford();
    CHECK(ho.names.size() == 96);  // 48 cortical regions split at the midline (nilearn symmetric_split)
    int left = 0, right = 0;
    for (const auto& [label, name] : ho.names) {
        left += name.rfind("Left ", 0) == 0;
        right += name.rfind("Right ", 0) == 0;
    }
    CHECK(left == 48);
    CHECK(right == 48);
    CHECK(anatomy::loadHarvardOxford(false).names.size() == 48);
    CHECK_THROWS_AS(anatomy::loadParcellation("destrieux"), InputError);

    // On a coarse grid: every mask voxel gets the label under it; the dictionary is an indicator.
    VolumeGeometry grid = aal.labels.geometry;
    grid.affine.topLeftCorner<3, 3>() *= 4.0;
    for (auto& d : grid.dims) d = d / 4;
    std::vector<std::int64_t> voxels;
    for (std::int64_t v = 0; v < std::int64_t(grid.voxelCount()); v += 3) voxels.push_back(v);
    const auto labels = anatomy::labelsOnVoxels(aal, grid, voxels);
    const auto dict = anatomy::parcelDictionary(aal, grid, voxels);
    CHECK(dict.maps.rows() == Eigen::Index(dict.labels.size()));
    CHECK(dict.maps.rows() > 90);
    Eigen::Index mismatches = 0;
    for (Eigen::Index r = 0; r < dict.maps.rows(); ++r)
        for (Eigen::Index c = 0; c < dict.maps.cols(); ++c)
            mismatches += dict.maps(r, c) != float(labels[std::size_t(c)] == dict.labels[std::size_t(r)]);
    CHECK(mismatches == 0);

    // Naming: the region holding most of a map's mass, numbered when repeated.
    io::SparseMapsF maps(3, Eigen::Index(voxels.size()));
    std::vector<Eigen::Index> ones, twos;
    for (std::size_t c = 0; c < voxels.size(); ++c) {
        if (labels[c] == 1) ones.push_back(Eigen::Index(c));
        if (labels[c] == 2) twos.push_back(Eigen::Index(c));
    }
    REQUIRE(ones.size() >= 2);
    REQUIRE(!twos.empty());
    maps.insert(0, ones[0]) = 1.0f;
    maps.insert(1, ones[1]) = 0.5f;
    maps.insert(2, twos[0]) = 1.0f;
    const auto regions = decompose::dominantRegions(maps, labels, aal.names);
    CHECK(regions.region[0] == "Precentral_L");
    CHECK(regions.fraction[0] == Approx(1.0));
    const auto names = decompose::anatomicalNames(regions);
    CHECK(names[0] == "Precentral_L");
    CHECK(names[1] == "Precentral_L 2");
    CHECK(names[2] == "Precentral_R");
}
