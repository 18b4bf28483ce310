#pragma once
// Checkpoints of long jobs: named blobs saved atomically in a directory, with a fingerprint of
// the job's parameters so that a resumed job never mixes state from a different configuration.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace nm::jobs {

class CheckpointStore {
public:
    /// `fingerprint` identifies the job's inputs and parameters (e.g. a hash of its options);
    /// a checkpoint written under another fingerprint is ignored on load (with a reason).
    CheckpointStore(std::filesystem::path directory, std::string fingerprint);

    /// Saves atomically (temporary file + rename): a crash mid-write keeps the previous one.
    void save(const std::string& name, std::string_view bytes) const;
    /// The saved bytes, or nullopt if none exists or it belongs to another fingerprint.
    [[nodiscard]] std::optional<std::string> load(const std::string& name) const;
    void remove(const std::string& name) const;

    [[nodiscard]] const std::filesystem::path& directory() const { return dir_; }
    [[nodiscard]] std::filesystem::path pathOf(const std::string& name) const;
    /// Why the last load() returned nullopt ("" when it did not).
    [[nodiscard]] const std::string& lastSkipReason() const { return skipReason_; }

private:
    std::filesystem::path dir_;
    std::string fingerprint_;
    mutable std::string skipReason_;
};

/// FNV-1a 64-bit hash as 16 hex digits; used for parameter fingerprints and cache keys.
std::string fingerprintOf(std::string_view text);

} // namespace nm::jobs
