#pragma once
// Where NeuroMosaic finds data and keeps its cache. Each path can be overridden by an environment
// variable so tests and clusters can redirect it.
#include <filesystem>
#include <optional>
#include <string>

namespace nm::paths {

/// Cache root: $NEUROMOSAIC_CACHE_DIR, else $XDG_CACHE_HOME/neuromosaic, else ~/.cache/neuromosaic.
std::filesystem::path cacheDir();

/// Debian mricron-data templates: $NEUROMOSAIC_MRICRON_DIR, else /usr/share/mricron/templates.
std::filesystem::path mricronTemplatesDir();

/// Shared test/benchmark data (never bundled): $NEUROMOSAIC_TEST_DATA, else ../shared/data
/// relative to the current directory or to the source tree; nullopt when absent.
std::optional<std::filesystem::path> testDataDir();

/// Cache key for a file-derived product: the input's identity (path, size, modification time)
/// and the parameters, hashed (FNV-1a 64, 16 hex digits).
std::string cacheKey(const std::filesystem::path& input, const std::string& parameters);

/// Creates `dir` (and parents) if needed; throws nm::Error naming it when that is impossible.
std::filesystem::path ensureDirectory(const std::filesystem::path& dir);

} // namespace nm::paths
