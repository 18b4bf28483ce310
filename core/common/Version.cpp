#include "common/Version.hpp"

#include "common/BuildInfo.hpp"
#include "io/ResampleItk.hpp"

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <vtkVersion.h>
#include <zlib.h>

#define NM_STR2(x) #x
#define NM_STR(x) NM_STR2(x)

namespace nm {

std::string version() { return NM_VERSION_STRING; }
std::string gitRevision() { return NM_GIT_REVISION; }

std::vector<std::pair<std::string, std::string>> libraryVersions() {
    std::vector<std::pair<std::string, std::string>> v;
    v.emplace_back("NeuroMosaic", version() + " (" + gitRevision() + ")");
    v.emplace_back("Eigen", NM_STR(EIGEN_WORLD_VERSION) "." NM_STR(EIGEN_MAJOR_VERSION) "." NM_STR(
                                EIGEN_MINOR_VERSION));
    v.emplace_back("ITK", io::itkbridge::itkVersion());
    v.emplace_back("VTK", vtkVersion::GetVTKVersion());
    v.emplace_back("nlohmann_json", NM_STR(NLOHMANN_JSON_VERSION_MAJOR) "." NM_STR(
                                        NLOHMANN_JSON_VERSION_MINOR) "." NM_STR(NLOHMANN_JSON_VERSION_PATCH));
    v.emplace_back("zlib", zlibVersion());
    v.emplace_back("compiler", NM_COMPILER_STRING);
    return v;
}

} // namespace nm
