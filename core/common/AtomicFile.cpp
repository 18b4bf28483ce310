#include "common/AtomicFile.hpp"

#include "common/Error.hpp"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace nm {

std::filesystem::path atomicTemporaryFor(const std::filesystem::path& path) {
    auto tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    return tmp;
}

void commitAtomic(const std::filesystem::path& temporary, const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw Error(path.string() + ": cannot write (rename failed: " + ec.message() + ")");
    }
}

void writeFileAtomic(const std::filesystem::path& path,
                     const std::function<void(std::ostream&)>& writer) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    const auto tmp = atomicTemporaryFor(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path.string() + ": cannot open for writing");
        try {
            writer(out);
        } catch (...) {
            out.close();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw;
        }
        out.flush();
        if (!out) {
            out.close();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw Error(path.string() + ": write failed (disk full?)");
        }
    }
    commitAtomic(tmp, path);
}

void writeFileAtomic(const std::filesystem::path& path, std::string_view bytes) {
    writeFileAtomic(path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

std::string readFileBytes(const std::filesystem::path& path) {
    requireReadableFile(path);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw fileError(path, "read failed");
    return std::move(ss).str();
}

} // namespace nm
