#include "anatomy/TemplateBrain.hpp"

#include "anatomy/Isosurface.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "jobs/Checkpoint.hpp"


#include <chrono>
#include <sstream>

namespace nm::anatomy {

std::string cacheKey(const std::filesystem::path& input, const std::string& parameters) {
    std::error_code ec;
    std::ostringstream s;
    s << std::filesystem::absolute(input, ec).string() << '|' << std::filesystem::file_size(input, ec) << '|'
      << std::filesystem::last_write_time(input, ec).time_since_epoch().count() << '|' << parameters;
    return jobs::fingerprintOf(s.str());
}

CachedMesh loadTemplateBrain(const TemplateBrainOptions& optionsIn, jobs::Progress* progress) {
    const auto start = std::chrono::steady_clock::now();
    auto options = optionsIn;
    if (options.t1.empty()) options.t1 = paths::mricronTemplatesDir() / "ch2bet.nii.gz";
    if (!std::filesystem::exists(options.t1))
        throw fileError(options.t1, "MNI template not found; install the Debian package mricron-data "
                                    "(scripts/setup-deps.sh does) or set NEUROMOSAIC_MRICRON_DIR");
    std::ostringstream params;
    params << "brain-v1 iso=" << options.isoLevel << " sigma=" << options.smoothingSigmaMm
           << " tri=" << options.targetTriangles;
    CachedMesh result;
    result.cacheFile = paths::cacheDir() / "anatomy" / ("template-brain-" + cacheKey(options.t1, params.str()) + ".nmmesh");
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

    if (std::filesystem::exists(result.cacheFile)) {
        try {
            result.mesh = readMeshBinary(result.cacheFile);
            result.fromCache = true;
            result.seconds = elapsed();
            return result;
        } catch (const Error& e) {
            if (progress) progress->warn("rebuilding damaged cache file: " + std::string(e.what()));
        }
    }

    if (progress) progress->plan({{"read template", 1}, {"isosurface", 4}});
    if (progress) progress->begin("read template", options.t1.string());
    const Volume t1 = io::readNifti(options.t1);
    if (progress) progress->begin("isosurface");
    IsosurfaceOptions iso;
    iso.level = options.isoLevel;
    iso.smoothingSigmaMm = options.smoothingSigmaMm;
    iso.targetTriangles = options.targetTriangles;
    result.mesh = extractIsosurface(t1, iso);
    try {
        paths::ensureDirectory(result.cacheFile.parent_path());
        writeMeshBinary(result.cacheFile, result.mesh);
    } catch (const Error& e) {
        if (progress) progress->warn("cannot cache the template brain: " + std::string(e.what()));
    }
    if (progress) progress->finish();
    result.seconds = elapsed();
    return result;
}

} // namespace nm::anatomy
