#include "common/Paths.hpp"

#include "common/Error.hpp"
#include "jobs/Checkpoint.hpp"

#include <sstream>

#include <cstdlib>

namespace nm::paths {
namespace {
std::optional<std::filesystem::path> envPath(const char* name) {
    const char* v = std::getenv(name);
    if (v && *v) return std::filesystem::path(v);
    return std::nullopt;
}
} // namespace

std::filesystem::path cacheDir() {
    if (auto p = envPath("NEUROMOSAIC_CACHE_DIR")) return *p;
    if (auto p = envPath("XDG_CACHE_HOME")) return *p / "neuromosaic";
    if (auto p = envPath("HOME")) return *p / ".cache" / "neuromosaic";
    return std::filesystem::temp_directory_path() / "neuromosaic-cache";
}

std::filesystem::path mricronTemplatesDir() {
    if (auto p = envPath("NEUROMOSAIC_MRICRON_DIR")) return *p;
    return "/usr/share/mricron/templates";
}

std::optional<std::filesystem::path> testDataDir() {
    if (auto p = envPath("NEUROMOSAIC_TEST_DATA")) {
        if (std::filesystem::is_directory(*p)) return *p;
        return std::nullopt;
    }
    std::error_code ec;
    for (auto dir = std::filesystem::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
        auto candidate = dir / ".." / "shared" / "data";
        if (std::filesystem::is_directory(candidate, ec))
            return std::filesystem::weakly_canonical(candidate, ec);
        if (dir == dir.parent_path()) break;
    }
#ifdef NM_SOURCE_DIR
    auto fromSource = std::filesystem::path(NM_SOURCE_DIR) / ".." / "shared" / "data";
    if (std::filesystem::is_directory(fromSource, ec))
        return std::filesystem::weakly_canonical(fromSource, ec);
#endif
    return std::nullopt;
}

std::string cacheKey(const std::filesystem::path& input, const std::string& parameters) {
    std::error_code ec;
    std::ostringstream s;
    s << std::filesystem::absolute(input, ec).string() << '|' << std::filesystem::file_size(input, ec) << '|'
      << std::filesystem::last_write_time(input, ec).time_since_epoch().count() << '|' << parameters;
    return jobs::fingerprintOf(s.str());
}

std::filesystem::path ensureDirectory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw InputError(dir.string() + ": cannot create directory (" + ec.message() + ")");
    return dir;
}

} // namespace nm::paths
