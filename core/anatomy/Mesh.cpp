#include "anatomy/Mesh.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include <cstring>
#include <sstream>

namespace nm {

void Mesh::validate(const std::string& what) const {
    if (!vertices.allFinite()) throw Error(what + ": vertex coordinates contain NaN or infinite values");
    if (triangles.size() > 0) {
        if (triangles.minCoeff() < 0 || triangles.maxCoeff() >= vertexCount())
            throw Error(what + ": triangle indices out of range [0, " + std::to_string(vertexCount()) + ")");
    }
    for (const auto& [name, values] : scalars)
        if (values.size() != vertexCount())
            throw Error(what + ": per-vertex array '" + name + "' has " + std::to_string(values.size()) +
                        " values, expected " + std::to_string(vertexCount()));
}

namespace {
constexpr char kMagic[8] = {'N', 'M', 'M', 'E', 'S', 'H', '1', '\n'};

template <typename T>
void put(std::ostream& out, const T& v) { out.write(reinterpret_cast<const char*>(&v), sizeof(T)); }

struct Reader {
    const std::string& bytes;
    std::size_t pos = 0;
    const std::filesystem::path& file;
    void need(std::size_t n) const {
        if (pos + n > bytes.size())
            throw fileError(file, "data", "truncated mesh file (" + std::to_string(bytes.size()) + " bytes)");
    }
    template <typename T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, bytes.data() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
    void read(void* dst, std::size_t n) {
        need(n);
        std::memcpy(dst, bytes.data() + pos, n);
        pos += n;
    }
};
} // namespace

void writeMeshBinary(const std::filesystem::path& file, const Mesh& mesh) {
    mesh.validate(file.string());
    writeFileAtomic(file, [&](std::ostream& out) {
        out.write(kMagic, 8);
        put<std::uint64_t>(out, std::uint64_t(mesh.vertexCount()));
        put<std::uint64_t>(out, std::uint64_t(mesh.triangleCount()));
        put<std::uint32_t>(out, std::uint32_t(mesh.scalars.size()));
        out.write(reinterpret_cast<const char*>(mesh.vertices.data()), std::streamsize(mesh.vertices.size() * 4));
        out.write(reinterpret_cast<const char*>(mesh.triangles.data()), std::streamsize(mesh.triangles.size() * 4));
        for (const auto& [name, values] : mesh.scalars) {
            put<std::uint32_t>(out, std::uint32_t(name.size()));
            out.write(name.data(), std::streamsize(name.size()));
            out.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * 4));
        }
    });
}

Mesh readMeshBinary(const std::filesystem::path& file) {
    const std::string bytes = readFileBytes(file);
    Reader r{bytes, 0, file};
    char magic[8];
    r.read(magic, 8);
    if (std::memcmp(magic, kMagic, 8) != 0) throw fileError(file, "magic", "not a NeuroMosaic mesh file");
    const auto nv = r.get<std::uint64_t>();
    const auto nt = r.get<std::uint64_t>();
    const auto ns = r.get<std::uint32_t>();
    if (nv * 12 + nt * 12 > bytes.size())
        throw fileError(file, "header", "counts exceed the file size (truncated file?)");
    Mesh m;
    m.vertices.resize(Eigen::Index(nv), 3);
    m.triangles.resize(Eigen::Index(nt), 3);
    r.read(m.vertices.data(), nv * 12);
    r.read(m.triangles.data(), nt * 12);
    for (std::uint32_t s = 0; s < ns; ++s) {
        const auto len = r.get<std::uint32_t>();
        if (len > 4096) throw fileError(file, "scalar name", "implausible length");
        std::string name(len, '\0');
        r.read(name.data(), len);
        Eigen::VectorXf values(static_cast<Eigen::Index>(nv));
        r.read(values.data(), nv * 4);
        m.scalars.emplace(std::move(name), std::move(values));
    }
    m.validate(file.string());
    return m;
}

} // namespace nm
