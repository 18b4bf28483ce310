#pragma once
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace nm {

/// Writes a file atomically: the content goes to "<path>.tmp-<pid>" in the same directory, is
/// flushed, and is renamed over `path` only when complete — a crash never leaves a half-written
/// file behind. Throws nm::Error naming the file on failure.
void writeFileAtomic(const std::filesystem::path& path, std::string_view bytes);
void writeFileAtomic(const std::filesystem::path& path,
                     const std::function<void(std::ostream&)>& writer);

/// A temporary path next to `path` for writers that need a file name (HDF5, ITK); pair it with
/// commitAtomic(tmp, path) once the file is closed.
std::filesystem::path atomicTemporaryFor(const std::filesystem::path& path);
void commitAtomic(const std::filesystem::path& temporary, const std::filesystem::path& path);

/// Reads a whole file; throws nm::InputError naming the file if it cannot be read.
std::string readFileBytes(const std::filesystem::path& path);

} // namespace nm
