// FreeSurfer's formats are documented by its source (utils/mrisurf.c, fsio) and by nibabel's
// readers (nibabel.freesurfer.io, nibabel.freesurfer.mghformat); all are big-endian.
// No Debian library reads them, hence this small hand-written reader/writer.
#include "io/FreeSurfer.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Table.hpp"

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

namespace nm::io {

namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Big-endian reader over a byte buffer with bounds checks that name the file.
class BigEndianReader {
public:
    BigEndianReader(std::string bytes, std::filesystem::path file) : bytes_(std::move(bytes)), file_(std::move(file)) {}
    template <typename T>
    T get(const char* field) {
        need(sizeof(T), field);
        unsigned char b[sizeof(T)];
        std::memcpy(b, bytes_.data() + pos_, sizeof(T));
        std::reverse(b, b + sizeof(T));
        T v;
        std::memcpy(&v, b, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    int int24(const char* field) {
        need(3, field);
        const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + pos_);
        pos_ += 3;
        return (p[0] << 16) | (p[1] << 8) | p[2];
    }
    std::string bytes(std::size_t n, const char* field) {
        need(n, field);
        std::string s = bytes_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    void need(std::size_t n, const char* field) const {
        if (pos_ + n > bytes_.size())
            throw fileError(file_, field, "file is truncated (" + std::to_string(bytes_.size()) + " bytes)");
    }
    /// n raw bytes (bounds-checked), advancing past them.
    const unsigned char* raw(std::size_t n, const char* field) {
        need(n, field);
        const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + pos_);
        pos_ += n;
        return p;
    }
    [[nodiscard]] std::size_t remaining() const { return bytes_.size() - pos_; }
    [[nodiscard]] std::size_t position() const { return pos_; }
    void seek(std::size_t p) { pos_ = p; }
    [[nodiscard]] const std::string& data() const { return bytes_; }

private:
    std::string bytes_;
    std::filesystem::path file_;
    std::size_t pos_ = 0;
};

class BigEndianWriter {
public:
    template <typename T>
    void put(T v) {
        unsigned char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        std::reverse(b, b + sizeof(T));
        out.append(reinterpret_cast<const char*>(b), sizeof(T));
    }
    void int24(int v) {
        out.push_back(char((v >> 16) & 0xff));
        out.push_back(char((v >> 8) & 0xff));
        out.push_back(char(v & 0xff));
    }
    std::string out;
};

constexpr int kTriangleMagic = 0xFFFFFE;
constexpr int kCurvMagic = 0xFFFFFF;

} // namespace

Mesh readFreeSurferSurface(const std::filesystem::path& file) {
    BigEndianReader r(readFileBytes(file), file);
    const int magic = r.int24("magic");
    if (magic != kTriangleMagic)
        throw fileError(file, "magic", "expected a FreeSurfer triangle surface (0xFFFFFE); quad surfaces are not supported");
    // "created by <user> on <date>\n\n"
    const auto& d = r.data();
    const auto end = d.find("\n\n", r.position());
    if (end == std::string::npos) throw fileError(file, "header", "missing the creation line");
    r.seek(end + 2);
    const int nv = r.get<std::int32_t>("vertex count");
    const int nf = r.get<std::int32_t>("face count");
    if (nv < 0 || nf < 0) throw fileError(file, "counts", "negative vertex or face count");
    r.need(std::size_t(nv) * 12 + std::size_t(nf) * 12, "data");
    Mesh m;
    m.vertices.resize(nv, 3);
    for (int i = 0; i < nv; ++i)
        for (int c = 0; c < 3; ++c) m.vertices(i, c) = r.get<float>("vertices");
    m.triangles.resize(nf, 3);
    for (int i = 0; i < nf; ++i)
        for (int c = 0; c < 3; ++c) m.triangles(i, c) = r.get<std::int32_t>("faces");
    if (!m.vertices.allFinite()) throw fileError(file, "vertices", "coordinates contain NaN or infinite values");
    if (nf && (m.triangles.minCoeff() < 0 || m.triangles.maxCoeff() >= nv))
        throw fileError(file, "faces", "vertex indices out of range");
    return m;
}

void writeFreeSurferSurface(const std::filesystem::path& file, const Mesh& mesh) {
    mesh.validate(file.string());
    BigEndianWriter w;
    w.int24(kTriangleMagic);
    w.out += "created by neuromosaic\n\n";
    w.put<std::int32_t>(std::int32_t(mesh.vertexCount()));
    w.put<std::int32_t>(std::int32_t(mesh.triangleCount()));
    for (Eigen::Index i = 0; i < mesh.vertexCount(); ++i)
        for (int c = 0; c < 3; ++c) w.put<float>(mesh.vertices(i, c));
    for (Eigen::Index i = 0; i < mesh.triangleCount(); ++i)
        for (int c = 0; c < 3; ++c) w.put<std::int32_t>(mesh.triangles(i, c));
    writeFileAtomic(file, w.out);
}

Eigen::VectorXf readFreeSurferCurv(const std::filesystem::path& file, Eigen::Index expectedVertices) {
    BigEndianReader r(readFileBytes(file), file);
    const int magic = r.int24("magic");
    if (magic != kCurvMagic) throw fileError(file, "magic", "expected a FreeSurfer 'new' curvature file (0xFFFFFF)");
    const int nv = r.get<std::int32_t>("vertex count");
    r.get<std::int32_t>("face count");
    const int perVertex = r.get<std::int32_t>("values per vertex");
    if (nv < 0 || perVertex != 1) throw fileError(file, "header", "expected one value per vertex");
    if (expectedVertices >= 0 && nv != expectedVertices)
        throw fileError(file, "vertex count", "overlay has " + std::to_string(nv) + " vertices, the surface has " +
                                                  std::to_string(expectedVertices));
    r.need(std::size_t(nv) * 4, "values");
    Eigen::VectorXf v(nv);
    for (int i = 0; i < nv; ++i) v[i] = r.get<float>("values");
    return v;
}

void writeFreeSurferCurv(const std::filesystem::path& file, const Eigen::VectorXf& values, int faceCount) {
    BigEndianWriter w;
    w.int24(kCurvMagic);
    w.put<std::int32_t>(std::int32_t(values.size()));
    w.put<std::int32_t>(faceCount);
    w.put<std::int32_t>(1);
    for (Eigen::Index i = 0; i < values.size(); ++i) w.put<float>(values[i]);
    writeFileAtomic(file, w.out);
}

Annotation readFreeSurferAnnot(const std::filesystem::path& file, Eigen::Index expectedVertices) {
    BigEndianReader r(readFileBytes(file), file);
    const int nv = r.get<std::int32_t>("vertex count");
    if (nv < 0) throw fileError(file, "vertex count", "negative");
    if (expectedVertices >= 0 && nv != expectedVertices)
        throw fileError(file, "vertex count", "annotation has " + std::to_string(nv) + " vertices, the surface has " +
                                                  std::to_string(expectedVertices));
    r.need(std::size_t(nv) * 8, "vertex labels");
    std::vector<int> values(std::size_t(nv), 0);
    for (int i = 0; i < nv; ++i) {
        const int vno = r.get<std::int32_t>("vertex number");
        const int value = r.get<std::int32_t>("label value");
        if (vno < 0 || vno >= nv) throw fileError(file, "vertex number", "out of range");
        values[std::size_t(vno)] = value;
    }
    Annotation a;
    if (r.remaining() >= 4 && r.get<std::int32_t>("colour table flag") == 1) {
        int count = r.get<std::int32_t>("colour table size");
        if (count > 0) {
            // Old format: count entries follow after the table name.
            const int nameLen = r.get<std::int32_t>("colour table name length");
            a.colortableName = r.bytes(std::size_t(std::max(0, nameLen)), "colour table name");
            for (int i = 0; i < count; ++i) {
                AnnotationEntry e;
                const int len = r.get<std::int32_t>("entry name length");
                e.name = r.bytes(std::size_t(std::max(0, len)), "entry name");
                for (int c = 0; c < 4; ++c) e.rgba[std::size_t(c)] = r.get<std::int32_t>("entry colour");
                a.table.push_back(e);
            }
        } else {
            const int version = -count;
            if (version != 2) throw fileError(file, "colour table version", "expected 2, found " + std::to_string(version));
            const int maxStructure = r.get<std::int32_t>("colour table entries");
            const int nameLen = r.get<std::int32_t>("colour table name length");
            a.colortableName = r.bytes(std::size_t(std::max(0, nameLen)), "colour table name");
            const int toRead = r.get<std::int32_t>("entries to read");
            // Each entry read takes at least 24 bytes; the table spans structure ids 0..maxStructure − 1, which
            // FreeSurfer keeps below a few thousand: a corrupt count must not allocate gigabytes.
            if (maxStructure < 0 || maxStructure > (1 << 20))
                throw fileError(file, "colour table entries", std::to_string(maxStructure) + " is not a colour table size (0..2^20)");
            a.table.resize(std::size_t(maxStructure));
            for (int i = 0; i < toRead; ++i) {
                const int structure = r.get<std::int32_t>("structure id");
                if (structure < 0 || structure >= maxStructure) throw fileError(file, "structure id", "out of range");
                AnnotationEntry e;
                const int len = r.get<std::int32_t>("entry name length");
                e.name = r.bytes(std::size_t(std::max(0, len)), "entry name");
                for (int c = 0; c < 4; ++c) e.rgba[std::size_t(c)] = r.get<std::int32_t>("entry colour");
                a.table[std::size_t(structure)] = e;
            }
        }
        for (auto& e : a.table) {
            e.name.erase(std::find(e.name.begin(), e.name.end(), '\0'), e.name.end());
            // FreeSurfer's annotation value R + G·256 + B·65536 of 8-bit channels; wider values wrap as
            // mris_read_annot's do (unsigned: no signed overflow on a corrupt colour table).
            e.annotationValue = std::int32_t(std::uint32_t(e.rgba[0]) + std::uint32_t(e.rgba[1]) * 256u + std::uint32_t(e.rgba[2]) * 65536u);
        }
    }
    a.labels.setConstant(nv, -1);
    for (int i = 0; i < nv; ++i)
        for (std::size_t k = 0; k < a.table.size(); ++k)
            if (!a.table[k].name.empty() && a.table[k].annotationValue == values[std::size_t(i)]) {
                a.labels[i] = int(k);
                break;
            }
    return a;
}

void writeFreeSurferAnnot(const std::filesystem::path& file, const Annotation& a) {
    BigEndianWriter w;
    const auto nv = std::int32_t(a.labels.size());
    w.put<std::int32_t>(nv);
    for (std::int32_t i = 0; i < nv; ++i) {
        w.put<std::int32_t>(i);
        const int k = a.labels[i];
        const auto& e = k >= 0 && std::size_t(k) < a.table.size() ? a.table[std::size_t(k)] : AnnotationEntry{};
        w.put<std::int32_t>(k >= 0 ? e.rgba[0] + e.rgba[1] * 256 + e.rgba[2] * 65536 : 0);
    }
    w.put<std::int32_t>(1);
    w.put<std::int32_t>(-2);
    w.put<std::int32_t>(std::int32_t(a.table.size()));
    const std::string ctab = a.colortableName.empty() ? std::string("neuromosaic") : a.colortableName;
    w.put<std::int32_t>(std::int32_t(ctab.size() + 1));
    w.out += ctab;
    w.out.push_back('\0');
    w.put<std::int32_t>(std::int32_t(a.table.size()));
    for (std::size_t k = 0; k < a.table.size(); ++k) {
        w.put<std::int32_t>(std::int32_t(k));
        w.put<std::int32_t>(std::int32_t(a.table[k].name.size() + 1));
        w.out += a.table[k].name;
        w.out.push_back('\0');
        for (int c = 0; c < 4; ++c) w.put<std::int32_t>(a.table[k].rgba[std::size_t(c)]);
    }
    writeFileAtomic(file, w.out);
}

SurfaceLabel readFreeSurferLabel(const std::filesystem::path& file) {
    const std::string text = readFileBytes(file);
    std::istringstream in(text);
    SurfaceLabel l;
    std::getline(in, l.comment);
    if (l.comment.rfind("#", 0) != 0) throw fileError(file, "line 1", "expected a '#' comment line (FreeSurfer .label)");
    long long count = -1;
    if (!(in >> count) || count < 0) throw fileError(file, "line 2", "expected the number of vertices");
    // Each vertex takes a line of five numbers (at least 10 bytes): a count the file cannot hold is refused before allocating.
    if (count > (long long)(text.size() / 10 + 1))
        throw fileError(file, "line 2", std::to_string(count) + " vertices announced, but the file (" + std::to_string(text.size()) + " bytes) cannot hold them");
    l.vertices.resize(count);
    l.coordinates.resize(count, 3);
    l.values.resize(count);
    for (long long i = 0; i < count; ++i) {
        double v, x, y, z, s;
        if (!(in >> v >> x >> y >> z >> s))
            throw fileError(file, "line " + std::to_string(i + 3), "expected 'vertex x y z value' (file truncated?)");
        if (!(v >= 0 && v <= double(std::numeric_limits<int>::max()) && v == std::floor(v)))
            throw fileError(file, "line " + std::to_string(i + 3), "vertex index " + std::to_string(v) + " is not a non-negative integer");
        l.vertices[i] = int(v);
        l.coordinates.row(i) << float(x), float(y), float(z);
        l.values[i] = float(s);
    }
    return l;
}

void writeFreeSurferLabel(const std::filesystem::path& file, const SurfaceLabel& l) {
    std::ostringstream out;
    out << (l.comment.empty() ? "#!ascii label, from neuromosaic" : l.comment) << '\n' << l.vertices.size() << '\n';
    out.precision(7);
    for (Eigen::Index i = 0; i < l.vertices.size(); ++i)
        out << l.vertices[i] << "  " << l.coordinates(i, 0) << "  " << l.coordinates(i, 1) << "  " << l.coordinates(i, 2)
            << " " << l.values[i] << '\n';
    writeFileAtomic(file, out.str());
}

// MGH header (284 bytes): version, width, height, depth, nframes, type, dof (int32), goodRAS
// (int16), then if goodRAS: spacing (3 float), Mdc (9 float, column-major x_ras y_ras z_ras), c_ras
// (3 float). Voxels follow in Fortran order. Types: 0 uchar, 1 int32, 3 float32, 4 int16.
Volume readMgh(const std::filesystem::path& file) {
    const std::string name = file.string();
    if (!endsWith(name, ".mgh") && !endsWith(name, ".mgz") && !endsWith(name, ".mgh.gz"))
        throw fileError(file, "file name", "expected .mgh or .mgz");
    BigEndianReader r(readMaybeGzipped(file), file);
    const int version = r.get<std::int32_t>("version");
    if (version != 1) throw fileError(file, "version", "expected 1, found " + std::to_string(version) + " (not an MGH file?)");
    std::array<int, 4> dims{};
    for (auto& d : dims) d = r.get<std::int32_t>("dimensions");
    for (int d : dims)
        if (d < 1) throw fileError(file, "dimensions", "expected positive sizes");
    const int type = r.get<std::int32_t>("type");
    r.get<std::int32_t>("dof");
    const int goodRas = r.get<std::int16_t>("goodRASflag");
    Eigen::Vector3d spacing(1, 1, 1), cRas(0, 0, 0);
    Eigen::Matrix3d mdc;
    mdc << -1, 0, 0, 0, 0, 1, 0, -1, 0;  // FreeSurfer's default (coronal, LIA)
    if (goodRas > 0) {
        for (int i = 0; i < 3; ++i) spacing[i] = r.get<float>("spacing");
        for (int c = 0; c < 3; ++c)
            for (int row = 0; row < 3; ++row) mdc(row, c) = r.get<float>("direction cosines");
        for (int i = 0; i < 3; ++i) cRas[i] = r.get<float>("c_ras");
    }
    r.seek(284);
    int bytes = 0;
    std::string typeName;
    switch (type) {
    case 0: bytes = 1; typeName = "uint8"; break;
    case 1: bytes = 4; typeName = "int32"; break;
    case 3: bytes = 4; typeName = "float32"; break;
    case 4: bytes = 2; typeName = "int16"; break;
    default: throw fileError(file, "type", "unsupported MGH data type " + std::to_string(type));
    }
    Volume v;
    v.geometry.dims = {dims[0], dims[1], dims[2]};
    v.frames = dims[3];
    v.sourceDataType = typeName;
    const Eigen::Matrix3d m = mdc * spacing.asDiagonal();
    const Eigen::Vector3d centre(dims[0] / 2.0, dims[1] / 2.0, dims[2] / 2.0);
    v.geometry.affine.setIdentity();
    v.geometry.affine.topLeftCorner<3, 3>() = m;
    v.geometry.affine.topRightCorner<3, 1>() = cRas - m * centre;
    const std::size_t count = v.voxelCount() * std::size_t(v.frames);
    const unsigned char* p = r.raw(count * std::size_t(bytes), "data");
    v.data.resize(count);
    auto bigEndian = [](const unsigned char* q, auto zero) {
        using T = decltype(zero);
        unsigned char b[sizeof(T)];
        std::reverse_copy(q, q + sizeof(T), b);
        T x;
        std::memcpy(&x, b, sizeof(T));
        return x;
    };
    for (std::size_t i = 0; i < count; ++i) {
        switch (type) {
        case 0: v.data[i] = float(p[i]); break;
        case 1: v.data[i] = float(bigEndian(p + 4 * i, std::int32_t{})); break;
        case 3: v.data[i] = bigEndian(p + 4 * i, float{}); break;
        default: v.data[i] = float(bigEndian(p + 2 * i, std::int16_t{})); break;
        }
    }
    if (r.remaining() >= 4) {
        const float tr = r.get<float>("TR");  // optional trailer, milliseconds
        if (std::isfinite(tr) && tr > 0) v.repetitionTime = tr / 1000.0;
    }
    return v;
}

void writeMgh(const std::filesystem::path& file, const Volume& v) {
    const std::string name = file.string();
    const bool gz = endsWith(name, ".mgz") || endsWith(name, ".mgh.gz");
    if (!gz && !endsWith(name, ".mgh")) throw fileError(file, "file name", "expected .mgh or .mgz");
    BigEndianWriter w;
    w.put<std::int32_t>(1);
    for (int d = 0; d < 3; ++d) w.put<std::int32_t>(v.geometry.dims[std::size_t(d)]);
    w.put<std::int32_t>(v.frames);
    w.put<std::int32_t>(3);
    w.put<std::int32_t>(0);
    w.put<std::int16_t>(1);
    const Eigen::Matrix3d m = v.geometry.affine.topLeftCorner<3, 3>();
    const Eigen::Vector3d spacing = m.colwise().norm();
    for (int i = 0; i < 3; ++i) w.put<float>(float(spacing[i]));
    for (int c = 0; c < 3; ++c)
        for (int row = 0; row < 3; ++row) w.put<float>(float(m(row, c) / spacing[c]));
    const Eigen::Vector3d centre(v.geometry.dims[0] / 2.0, v.geometry.dims[1] / 2.0, v.geometry.dims[2] / 2.0);
    const Eigen::Vector3d cRas = m * centre + v.geometry.affine.topRightCorner<3, 1>();
    for (int i = 0; i < 3; ++i) w.put<float>(float(cRas[i]));
    w.out.resize(284, '\0');
    for (float x : v.data) w.put<float>(x);
    w.put<float>(float(v.repetitionTime * 1000.0));
    if (!gz) {
        writeFileAtomic(file, w.out);
        return;
    }
    const auto tmp = atomicTemporaryFor(file);
    gzFile out = gzopen(tmp.c_str(), "wb6");
    if (!out) throw Error(name + ": cannot open for writing");
    const int wrote = gzwrite(out, w.out.data(), unsigned(w.out.size()));
    gzclose(out);
    if (wrote != int(w.out.size())) throw Error(name + ": write failed");
    commitAtomic(tmp, file);
}

} // namespace nm::io
