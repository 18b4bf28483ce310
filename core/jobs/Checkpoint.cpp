#include "jobs/Checkpoint.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace nm::jobs {

namespace {
constexpr std::string_view kMagic = "NMCKPT1\n";
}

std::string fingerprintOf(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64-bit offset basis
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

CheckpointStore::CheckpointStore(std::filesystem::path directory, std::string fingerprint)
    : dir_(std::move(directory)), fingerprint_(std::move(fingerprint)) {
    if (fingerprint_.find('\n') != std::string::npos)
        throw std::logic_error("CheckpointStore: fingerprint must be a single line");
    paths::ensureDirectory(dir_);
}

std::filesystem::path CheckpointStore::pathOf(const std::string& name) const {
    return dir_ / (name + ".nmckpt");
}

void CheckpointStore::save(const std::string& name, std::string_view bytes) const {
    std::string content;
    content.reserve(kMagic.size() + fingerprint_.size() + 1 + bytes.size());
    content.append(kMagic);
    content.append(fingerprint_);
    content.push_back('\n');
    content.append(bytes);
    writeFileAtomic(pathOf(name), content);
}

std::optional<std::string> CheckpointStore::load(const std::string& name) const {
    skipReason_.clear();
    const auto path = pathOf(name);
    if (!std::filesystem::exists(path)) {
        skipReason_ = "no checkpoint";
        return std::nullopt;
    }
    std::string content = readFileBytes(path);
    if (content.compare(0, kMagic.size(), kMagic) != 0) {
        skipReason_ = path.string() + ": not a NeuroMosaic checkpoint (bad magic)";
        return std::nullopt;
    }
    const auto eol = content.find('\n', kMagic.size());
    if (eol == std::string::npos) {
        skipReason_ = path.string() + ": truncated checkpoint header";
        return std::nullopt;
    }
    const auto fp = content.substr(kMagic.size(), eol - kMagic.size());
    if (fp != fingerprint_) {
        skipReason_ = path.string() + ": written for other parameters (fingerprint " + fp +
                      ", expected " + fingerprint_ + ")";
        return std::nullopt;
    }
    return content.substr(eol + 1);
}

void CheckpointStore::remove(const std::string& name) const {
    std::error_code ec;
    std::filesystem::remove(pathOf(name), ec);
}

} // namespace nm::jobs
