// NIfTI-1 / NIfTI-2 reading and NIfTI-1 writing are our own (zlib); ITK resamples (Resample.cpp).
//
// Why not ITK's NIfTI IO: ITK 5.2's NiftiImageIO (a) prefers the qform over the sform when both
// are set, while nibabel, nilearn, FSL and SPM use the sform — the mricron Harvard–Oxford atlas
// has a qform without translation and would land 126 mm away from its true place; and (b) does
// not report a truncated .nii.gz: it returns the partial data without error. Both would give
// silently wrong results, so the header is parsed here with nibabel's rules
// (Nifti1Header.get_best_affine) and every short read is an error naming the file. Writing is
// ours too: ITK compresses at a fixed level, and the simulator writes gigabytes of BOLD data.
#include "io/Nifti.hpp"

#include "common/AtomicFile.hpp"
#include "common/ByteOrder.hpp"
#include "common/Error.hpp"

#include <zlib.h>

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unistd.h>

namespace nm::io {

namespace {

bool hasExtension(const std::filesystem::path& file, std::string_view ext) {
    const auto s = file.string();
    return s.size() >= ext.size() && s.compare(s.size() - ext.size(), ext.size(), ext) == 0;
}

struct GzCloser {
    void operator()(gzFile_s* f) const {
        if (f) gzclose(f);
    }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile openGz(const std::filesystem::path& file) {
    requireReadableFile(file, "NIfTI image");
    GzFile f(gzopen(file.c_str(), "rb"));
    if (!f) throw fileError(file, "cannot be opened");
    gzbuffer(f.get(), 1 << 18);
    return f;
}

/// Reads exactly n bytes (gzread works on plain files too); a short read is an error.
void readExactly(gzFile_s* f, void* dst, std::size_t n, const std::filesystem::path& file, const char* what) {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
        const unsigned chunk = unsigned(std::min<std::size_t>(n, std::size_t(1) << 30));
        const int got = gzread(f, p, chunk);
        if (got <= 0) {
            int err = Z_OK;
            const char* msg = gzerror(f, &err);
            const std::string reason = (got < 0 || (err != Z_OK && err != Z_STREAM_END)) && msg && *msg
                                           ? std::string(msg)
                                           : std::string("unexpected end of file");
            throw fileError(file, what, "file is truncated or corrupt (" + reason + ")");
        }
        p += got;
        n -= std::size_t(got);
    }
}

void skipBytes(gzFile_s* f, std::size_t n, const std::filesystem::path& file) {
    std::vector<char> buf(std::min<std::size_t>(n, 1 << 16));
    while (n > 0) {
        const std::size_t k = std::min(n, buf.size());
        readExactly(f, buf.data(), k, file, "header extension");
        n -= k;
    }
}

struct Header {
    int version = 1;
    bool swap = false;
    std::array<std::int64_t, 8> dim{};
    std::array<double, 8> pixdim{};
    int datatype = 0;
    std::int64_t voxOffset = 0;
    double sclSlope = 0.0, sclInter = 0.0;
    int qformCode = 0, sformCode = 0;
    double quatern[3]{}, qoffset[3]{};
    double srow[3][4]{};
    int xyztUnits = 0;
    bool singleFile = true;
};

struct TypeInfo {
    const char* name;
    int bytes;
};
TypeInfo typeInfo(int datatype) {
    switch (datatype) {
    case 2: return {"uint8", 1};
    case 4: return {"int16", 2};
    case 8: return {"int32", 4};
    case 16: return {"float32", 4};
    case 64: return {"float64", 8};
    case 256: return {"int8", 1};
    case 512: return {"uint16", 2};
    case 768: return {"uint32", 4};
    case 1024: return {"int64", 8};
    case 1280: return {"uint64", 8};
    case 32: return {"complex64", 0};
    case 128: return {"rgb24", 0};
    case 1792: return {"complex128", 0};
    case 2304: return {"rgba32", 0};
    default: return {"unknown", 0};
    }
}

Header parseHeader(gzFile_s* f, const std::filesystem::path& file) {
    unsigned char h1[348];
    readExactly(f, h1, 4, file, "header");
    Header h;
    std::int32_t size;
    std::memcpy(&size, h1, 4);
    std::int32_t swapped = loadBytes<std::int32_t>(h1, true);
    if (size == 348 || swapped == 348) {
        h.version = 1;
        h.swap = size != 348;
        readExactly(f, h1 + 4, 344, file, "header");
        const bool ni1 = std::memcmp(h1 + 344, "ni1\0", 4) == 0;
        if (!ni1 && std::memcmp(h1 + 344, "n+1\0", 4) != 0)
            throw fileError(file, "magic", "expected \"n+1\" or \"ni1\" (NIfTI-1); Analyze 7.5 files are not supported");
        h.singleFile = !ni1;
        for (int i = 0; i < 8; ++i) h.dim[std::size_t(i)] = loadBytes<std::int16_t>(h1 + 40 + 2 * i, h.swap);
        h.datatype = loadBytes<std::int16_t>(h1 + 70, h.swap);
        for (int i = 0; i < 8; ++i) h.pixdim[std::size_t(i)] = loadBytes<float>(h1 + 76 + 4 * i, h.swap);
        const float voxOffset = loadBytes<float>(h1 + 108, h.swap);
        // vox_offset is a float in NIfTI-1: check its range before the cast (a cast out of range is undefined).
        if (!(voxOffset >= 0.0f && voxOffset < 9.0e18f)) throw fileError(file, "vox_offset", "expected a non-negative byte offset, found " + std::to_string(voxOffset));
        h.voxOffset = std::int64_t(voxOffset);
        h.sclSlope = loadBytes<float>(h1 + 112, h.swap);
        h.sclInter = loadBytes<float>(h1 + 116, h.swap);
        h.xyztUnits = h1[123];
        h.qformCode = loadBytes<std::int16_t>(h1 + 252, h.swap);
        h.sformCode = loadBytes<std::int16_t>(h1 + 254, h.swap);
        for (int i = 0; i < 3; ++i) h.quatern[i] = loadBytes<float>(h1 + 256 + 4 * i, h.swap);
        for (int i = 0; i < 3; ++i) h.qoffset[i] = loadBytes<float>(h1 + 268 + 4 * i, h.swap);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) h.srow[r][c] = loadBytes<float>(h1 + 280 + 16 * r + 4 * c, h.swap);
        return h;
    }
    unsigned char h2[540];
    std::memcpy(h2, h1, 4);
    if (size == 540 || swapped == 540) {
        h.version = 2;
        h.swap = size != 540;
        readExactly(f, h2 + 4, 536, file, "header");
        const bool ni2 = std::memcmp(h2 + 4, "ni2\0\r\n\032\n", 8) == 0;
        if (!ni2 && std::memcmp(h2 + 4, "n+2\0\r\n\032\n", 8) != 0)
            throw fileError(file, "magic", "expected \"n+2\" (NIfTI-2)");
        h.singleFile = !ni2;
        h.datatype = loadBytes<std::int16_t>(h2 + 12, h.swap);
        for (int i = 0; i < 8; ++i) h.dim[std::size_t(i)] = loadBytes<std::int64_t>(h2 + 16 + 8 * i, h.swap);
        for (int i = 0; i < 8; ++i) h.pixdim[std::size_t(i)] = loadBytes<double>(h2 + 104 + 8 * i, h.swap);
        h.voxOffset = loadBytes<std::int64_t>(h2 + 168, h.swap);
        h.sclSlope = loadBytes<double>(h2 + 176, h.swap);
        h.sclInter = loadBytes<double>(h2 + 184, h.swap);
        h.qformCode = loadBytes<std::int32_t>(h2 + 344, h.swap);
        h.sformCode = loadBytes<std::int32_t>(h2 + 348, h.swap);
        for (int i = 0; i < 3; ++i) h.quatern[i] = loadBytes<double>(h2 + 352 + 8 * i, h.swap);
        for (int i = 0; i < 3; ++i) h.qoffset[i] = loadBytes<double>(h2 + 376 + 8 * i, h.swap);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) h.srow[r][c] = loadBytes<double>(h2 + 400 + 32 * r + 8 * c, h.swap);
        h.xyztUnits = loadBytes<std::int32_t>(h2 + 500, h.swap);
        return h;
    }
    throw fileError(file, "sizeof_hdr", "expected 348 (NIfTI-1) or 540 (NIfTI-2), found " + std::to_string(size) +
                                            " — not a NIfTI file");
}

/// nibabel's rules: sform if sform_code > 0, else qform if qform_code > 0, else the Analyze
/// default (LAS scaling, origin at the centre of the grid).
Eigen::Matrix4d bestAffine(const Header& h, const std::array<int, 3>& dims) {
    Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
    if (h.sformCode > 0) {
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) a(r, c) = h.srow[r][c];
        return a;
    }
    const double dx = h.pixdim[1], dy = h.pixdim[2], dz = h.pixdim[3];
    if (h.qformCode > 0) {
        double b = h.quatern[0], c = h.quatern[1], d = h.quatern[2];
        double w2 = 1.0 - (b * b + c * c + d * d);
        double w = 0.0;
        if (w2 < 0.0) {  // numerically non-unit quaternion: normalise (b, c, d), w = 0
            const double n = std::sqrt(b * b + c * c + d * d);
            b /= n;
            c /= n;
            d /= n;
        } else {
            w = std::sqrt(w2);
        }
        Eigen::Matrix3d R;
        R << w * w + b * b - c * c - d * d, 2 * b * c - 2 * w * d, 2 * b * d + 2 * w * c,  //
            2 * b * c + 2 * w * d, w * w + c * c - b * b - d * d, 2 * c * d - 2 * w * b,   //
            2 * b * d - 2 * w * c, 2 * c * d + 2 * w * b, w * w + d * d - c * c - b * b;
        const double qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
        a.topLeftCorner<3, 3>() = R * Eigen::Vector3d(dx, dy, dz * qfac).asDiagonal();
        a.topRightCorner<3, 1>() << h.qoffset[0], h.qoffset[1], h.qoffset[2];
        return a;
    }
    a.topLeftCorner<3, 3>() = Eigen::Vector3d(-std::abs(dx), std::abs(dy), std::abs(dz)).asDiagonal();
    a.topRightCorner<3, 1>() << std::abs(dx) * (dims[0] - 1) / 2.0, -std::abs(dy) * (dims[1] - 1) / 2.0,
        -std::abs(dz) * (dims[2] - 1) / 2.0;
    return a;
}

struct Parsed {
    Header header;
    NiftiInfo info;
    std::size_t bytesPerVoxel = 0;
    std::filesystem::path dataFile;
};

Parsed parse(gzFile_s* f, const std::filesystem::path& file) {
    Parsed p;
    p.header = parseHeader(f, file);
    const Header& h = p.header;
    const std::int64_t nd = h.dim[0];
    if (nd < 1 || nd > 7)
        throw fileError(file, "dim[0]", "expected 1..7 dimensions, found " + std::to_string(nd) + " (corrupt header?)");
    for (int i = 5; i <= nd; ++i)
        if (h.dim[std::size_t(i)] > 1)
            throw fileError(file, "dim[" + std::to_string(i) + "]",
                            "images with more than 4 dimensions are not supported (found " + std::to_string(h.dim[std::size_t(i)]) + ")");
    std::array<int, 3> dims{1, 1, 1};
    for (int i = 1; i <= 3; ++i) {
        const std::int64_t d = i <= nd ? h.dim[std::size_t(i)] : 1;
        if (d < 1 || d > (1 << 20))
            throw fileError(file, "dim[" + std::to_string(i) + "]", "expected a positive size, found " + std::to_string(d));
        dims[std::size_t(i - 1)] = int(d);
    }
    const std::int64_t frames = nd >= 4 ? h.dim[4] : 1;
    if (frames < 1 || frames > (1 << 24))
        throw fileError(file, "dim[4]", "expected a positive number of frames, found " + std::to_string(frames));
    const TypeInfo t = typeInfo(h.datatype);
    if (t.bytes == 0)
        throw fileError(file, "datatype", std::string("voxel type ") + t.name + " (" + std::to_string(h.datatype) +
                                              ") is not supported; expected a real scalar type");
    for (int i = 1; i <= std::min<std::int64_t>(nd, 3); ++i)
        if (!std::isfinite(h.pixdim[std::size_t(i)]))
            throw fileError(file, "pixdim[" + std::to_string(i) + "]", "is not finite");
    p.info.geometry.dims = dims;
    p.info.geometry.affine = bestAffine(h, dims);
    if (!p.info.geometry.affine.allFinite())
        throw fileError(file, h.sformCode > 0 ? "srow_x/y/z" : "qform", "affine contains NaN or infinite values");
    if (std::abs(p.info.geometry.affine.topLeftCorner<3, 3>().determinant()) < 1e-12)
        throw fileError(file, h.sformCode > 0 ? "srow_x/y/z" : "pixdim", "affine is singular (zero voxel size?)");
    p.info.frames = int(frames);
    p.info.fileDimensions = int(nd);
    p.info.dataType = t.name;
    p.bytesPerVoxel = std::size_t(t.bytes);
    double tr = nd >= 4 ? h.pixdim[4] : 0.0;
    switch (h.xyztUnits & 0x38) {
    case 16: tr /= 1000.0; break;       // msec
    case 24: tr /= 1000000.0; break;    // usec
    default: break;                      // sec or unknown
    }
    p.info.repetitionTime = std::isfinite(tr) && tr > 0 ? tr : 0.0;
    if (h.singleFile) {
        const std::int64_t minimum = h.version == 1 ? 352 : 544;
        if (h.voxOffset < minimum)
            throw fileError(file, "vox_offset", "expected >= " + std::to_string(minimum) + ", found " +
                                                    std::to_string(h.voxOffset));
        p.dataFile = file;
    } else {
        // Two-file NIfTI: header.hdr + header.img(.gz)
        auto img = file;
        const std::string s = file.string();
        if (hasExtension(file, ".hdr.gz")) img = s.substr(0, s.size() - 7) + ".img.gz";
        else if (hasExtension(file, ".hdr")) img = s.substr(0, s.size() - 4) + ".img";
        if (!std::filesystem::exists(img) && std::filesystem::exists(img.string() + ".gz")) img += ".gz";
        p.dataFile = img;
    }
    return p;
}

void checkName(const std::filesystem::path& file) {
    if (!(hasExtension(file, ".nii") || hasExtension(file, ".nii.gz") || hasExtension(file, ".hdr") ||
          hasExtension(file, ".hdr.gz")))
        throw fileError(file, "file name", "expected a NIfTI file ending in .nii, .nii.gz or .hdr");
}

template <typename T>
void convertChunk(const unsigned char* src, float* dst, std::size_t n, bool swap) {
    for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<float>(loadBytes<T>(src + i * sizeof(T), swap));
}

} // namespace

NiftiInfo readNiftiInfo(const std::filesystem::path& file) {
    checkName(file);
    auto f = openGz(file);
    Parsed p = parse(f.get(), file);
    // Uncompressed data: the voxels must be present before anyone allocates for them.
    if (!gzdirect(f.get())) return p.info;  // compressed: checked while reading
    const std::uintmax_t need = std::uintmax_t(p.header.singleFile ? p.header.voxOffset : 0) +
                                p.info.geometry.voxelCount() * std::uintmax_t(p.info.frames) * p.bytesPerVoxel;
    if (!hasExtension(p.dataFile, ".gz")) {
        requireReadableFile(p.dataFile, "NIfTI image data");
        const auto size = std::filesystem::file_size(p.dataFile);
        if (size < need)
            throw fileError(p.dataFile, "data", "file is truncated: " + std::to_string(size) + " bytes, header needs " +
                                                    std::to_string(need));
    }
    return p.info;
}

Volume readNifti(const std::filesystem::path& file) {
    checkName(file);
    auto f = openGz(file);
    Parsed p = parse(f.get(), file);
    const std::size_t count = p.info.geometry.voxelCount() * std::size_t(p.info.frames);
    const std::uintmax_t dataBytes = std::uintmax_t(count) * p.bytesPerVoxel;

    GzFile dataHandle;
    gzFile_s* data = f.get();
    if (p.header.singleFile) {
        const std::uintmax_t headerBytes = p.header.version == 1 ? 348 : 540;
        skipBytes(data, std::size_t(p.header.voxOffset) - headerBytes, file);
    } else {
        dataHandle = openGz(p.dataFile);
        data = dataHandle.get();
    }
    // Check the size before allocating: plain files against their length, gzip streams against
    // deflate's maximum compression ratio (1032:1).
    const auto fileSize = std::filesystem::file_size(p.dataFile);
    const bool compressed = !gzdirect(data);
    if (!compressed && fileSize < dataBytes)
        throw fileError(p.dataFile, "data", "file is truncated: " + std::to_string(fileSize) + " bytes, header needs " +
                                                std::to_string(dataBytes) + " bytes of voxels");
    if (compressed && double(fileSize) * 1032.0 < double(dataBytes))
        throw fileError(p.dataFile, "dim", "header claims " + std::to_string(dataBytes) +
                                               " bytes of voxels, more than the compressed file can hold (truncated?)");

    Volume v;
    v.geometry = p.info.geometry;
    v.frames = p.info.frames;
    v.repetitionTime = p.info.repetitionTime;
    v.sourceDataType = p.info.dataType;
    try {
        v.data.resize(count);
    } catch (const std::bad_alloc&) {
        throw fileError(file, "dim", "not enough memory for " + std::to_string(dataBytes) + " bytes of voxels");
    }
    const int dt = p.header.datatype;
    const bool swap = p.header.swap;
    if (dt == 16) {
        readExactly(data, v.data.data(), count * 4, p.dataFile, "data");
        if (swap)
            for (auto& x : v.data) {
                auto* b = reinterpret_cast<unsigned char*>(&x);
                std::reverse(b, b + 4);
            }
    } else {
        // Convert in chunks: no second full-size buffer.
        constexpr std::size_t kChunk = 1 << 20;
        std::vector<unsigned char> buf(kChunk * p.bytesPerVoxel);
        for (std::size_t start = 0; start < count; start += kChunk) {
            const std::size_t n = std::min(kChunk, count - start);
            readExactly(data, buf.data(), n * p.bytesPerVoxel, p.dataFile, "data");
            float* dst = v.data.data() + start;
            switch (dt) {
            case 2: convertChunk<std::uint8_t>(buf.data(), dst, n, swap); break;
            case 4: convertChunk<std::int16_t>(buf.data(), dst, n, swap); break;
            case 8: convertChunk<std::int32_t>(buf.data(), dst, n, swap); break;
            case 64: convertChunk<double>(buf.data(), dst, n, swap); break;
            case 256: convertChunk<std::int8_t>(buf.data(), dst, n, swap); break;
            case 512: convertChunk<std::uint16_t>(buf.data(), dst, n, swap); break;
            case 768: convertChunk<std::uint32_t>(buf.data(), dst, n, swap); break;
            case 1024: convertChunk<std::int64_t>(buf.data(), dst, n, swap); break;
            case 1280: convertChunk<std::uint64_t>(buf.data(), dst, n, swap); break;
            default: throw fileError(file, "datatype", "unsupported");
            }
        }
    }
    // scl_slope = 0 or NaN means "no scaling" (NIfTI standard, as nibabel).
    const double slope = p.header.sclSlope, inter = std::isfinite(p.header.sclInter) ? p.header.sclInter : 0.0;
    if (std::isfinite(slope) && slope != 0.0 && (slope != 1.0 || inter != 0.0)) {
        const float s = float(slope), i = float(inter);
        for (auto& x : v.data) x = x * s + i;
    }
    return v;
}

namespace {

/// The closest rotation (with qfac for reflections) to the affine's linear part, as a quaternion
/// (b, c, d) — nifti1_io's nifti_mat44_to_quatern.
void affineToQuaternion(const Eigen::Matrix4d& a, double q[3], double& qfac, double pixdim[3]) {
    Eigen::Matrix3d m = a.topLeftCorner<3, 3>();
    for (int c = 0; c < 3; ++c) {
        pixdim[c] = m.col(c).norm();
        if (pixdim[c] > 0) m.col(c) /= pixdim[c];
    }
    // Orthogonalise (polar decomposition): the nearest orthogonal matrix.
    Eigen::JacobiSVD<Eigen::Matrix3d> svd(m, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::Matrix3d r = svd.matrixU() * svd.matrixV().transpose();
    qfac = 1.0;
    if (r.determinant() < 0) {
        qfac = -1.0;
        r.col(2) = -r.col(2);
    }
    const Eigen::Quaterniond quat(r);
    Eigen::Quaterniond qn = quat.normalized();
    if (qn.w() < 0) qn.coeffs() = -qn.coeffs();  // NIfTI stores a ≥ 0
    q[0] = qn.x();
    q[1] = qn.y();
    q[2] = qn.z();
}

template <typename T>
void put(std::string& h, std::size_t offset, T value) {
    std::memcpy(h.data() + offset, &value, sizeof(T));
}

} // namespace

struct NiftiWriter::Impl {
    std::filesystem::path file, tmp;
    gzFile f = nullptr;
    NiftiStorage storage = NiftiStorage::Float32;
    std::size_t voxels = 0;
    int frames = 0, written = 0;
    std::vector<char> buffer;
    bool failed = false;
};

NiftiWriter::NiftiWriter(const std::filesystem::path& file, const VolumeGeometry& geometry, int frames,
                         NiftiStorage storage, int level, double repetitionTime)
    : impl_(std::make_unique<Impl>()) {
    const bool gz = hasExtension(file, ".nii.gz");
    if (!gz && !hasExtension(file, ".nii"))
        throw fileError(file, "file name", "expected a NIfTI file name ending in .nii or .nii.gz");
    if (frames < 1) throw Error(file.string() + ": a NIfTI file needs at least one frame");
    if (!geometry.affine.allFinite()) throw Error(file.string() + ": affine is not finite");
    for (int i = 0; i < 3; ++i)
        if (geometry.dims[std::size_t(i)] > 32767 || geometry.dims[std::size_t(i)] < 1)
            throw Error(file.string() + ": dimension out of range for NIfTI-1");
    if (frames > 32767) throw Error(file.string() + ": too many frames for NIfTI-1");
    std::string h(352, '\0');
    put<std::int32_t>(h, 0, 348);
    const std::int16_t dims[8] = {std::int16_t(frames > 1 ? 4 : 3), std::int16_t(geometry.dims[0]), std::int16_t(geometry.dims[1]),
                                  std::int16_t(geometry.dims[2]), std::int16_t(frames), 1, 1, 1};
    for (int i = 0; i < 8; ++i) put<std::int16_t>(h, 40 + 2 * std::size_t(i), dims[i]);
    std::int16_t datatype = 16, bitpix = 32;
    switch (storage) {
    case NiftiStorage::Float32: datatype = 16; bitpix = 32; break;
    case NiftiStorage::Int16: datatype = 4; bitpix = 16; break;
    case NiftiStorage::Int32: datatype = 8; bitpix = 32; break;
    case NiftiStorage::UInt8: datatype = 2; bitpix = 8; break;
    }
    put<std::int16_t>(h, 70, datatype);
    put<std::int16_t>(h, 72, bitpix);
    double q[3], qfac, pix[3];
    affineToQuaternion(geometry.affine, q, qfac, pix);
    const float pixdim[8] = {float(qfac), float(pix[0]), float(pix[1]), float(pix[2]),
                             float(repetitionTime > 0 ? repetitionTime : 1.0), 1, 1, 1};
    for (int i = 0; i < 8; ++i) put<float>(h, 76 + 4 * std::size_t(i), pixdim[i]);
    put<float>(h, 108, 352.0f);  // vox_offset
    put<float>(h, 112, 1.0f);    // scl_slope
    put<float>(h, 116, 0.0f);    // scl_inter
    h[123] = char(2 | 8);        // xyzt_units: mm, seconds
    put<std::int16_t>(h, 252, 1);  // qform_code: scanner
    put<std::int16_t>(h, 254, 1);  // sform_code: scanner
    for (int i = 0; i < 3; ++i) put<float>(h, 256 + 4 * std::size_t(i), float(q[i]));
    for (int i = 0; i < 3; ++i) put<float>(h, 268 + 4 * std::size_t(i), float(geometry.affine(i, 3)));
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) put<float>(h, 280 + 16 * std::size_t(r) + 4 * std::size_t(c), float(geometry.affine(r, c)));
    std::memcpy(h.data() + 344, "n+1\0", 4);

    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    impl_->file = file;
    impl_->tmp = atomicTemporaryFor(file);
    impl_->storage = storage;
    impl_->voxels = geometry.voxelCount();
    impl_->frames = frames;
    const std::string mode = gz ? "wb" + std::to_string(std::clamp(level, 1, 9)) : "wbT";  // T: no compression
    impl_->f = gzopen(impl_->tmp.c_str(), mode.c_str());
    if (!impl_->f) throw Error(file.string() + ": cannot open for writing");
    gzbuffer(impl_->f, 1 << 18);
    if (gzwrite(impl_->f, h.data(), unsigned(h.size())) != int(h.size())) impl_->failed = true;
}

NiftiWriter::~NiftiWriter() {
    if (impl_ && impl_->f) {
        gzclose(impl_->f);
        std::error_code ec;
        std::filesystem::remove(impl_->tmp, ec);
    }
}

void NiftiWriter::writeFrame(const float* src) {
    auto& w = *impl_;
    if (!w.f) throw Error(w.file.string() + ": writer is closed");
    if (w.written >= w.frames) throw Error(w.file.string() + ": more frames than declared");
    constexpr std::size_t kChunk = 1 << 20;
    for (std::size_t start = 0; start < w.voxels && !w.failed; start += kChunk) {
        const std::size_t m = std::min(kChunk, w.voxels - start);
        const float* x = src + start;
        const char* bytes = nullptr;
        std::size_t len = 0;
        switch (w.storage) {
        case NiftiStorage::Float32:
            bytes = reinterpret_cast<const char*>(x);
            len = m * 4;
            break;
        case NiftiStorage::Int16:
            w.buffer.resize(m * 2);
            for (std::size_t i = 0; i < m; ++i) {
                const auto v = std::int16_t(std::clamp(std::lround(x[i]), -32768L, 32767L));
                std::memcpy(w.buffer.data() + 2 * i, &v, 2);
            }
            bytes = w.buffer.data();
            len = m * 2;
            break;
        case NiftiStorage::Int32:
            w.buffer.resize(m * 4);
            for (std::size_t i = 0; i < m; ++i) {
                const auto v = std::int32_t(std::lround(x[i]));
                std::memcpy(w.buffer.data() + 4 * i, &v, 4);
            }
            bytes = w.buffer.data();
            len = m * 4;
            break;
        case NiftiStorage::UInt8:
            w.buffer.resize(m);
            for (std::size_t i = 0; i < m; ++i) w.buffer[i] = char(std::uint8_t(std::clamp(std::lround(x[i]), 0L, 255L)));
            bytes = w.buffer.data();
            len = m;
            break;
        }
        if (gzwrite(w.f, bytes, unsigned(len)) != int(len)) w.failed = true;
    }
    ++w.written;
}

void NiftiWriter::close() {
    auto& w = *impl_;
    if (!w.f) return;
    const bool closed = gzclose(w.f) == Z_OK;
    w.f = nullptr;
    if (w.failed || !closed || w.written != w.frames) {
        std::error_code ec;
        std::filesystem::remove(w.tmp, ec);
        if (w.written != w.frames)
            throw Error(w.file.string() + ": " + std::to_string(w.written) + " of " + std::to_string(w.frames) + " frames written");
        throw Error(w.file.string() + ": write failed (disk full?)");
    }
    commitAtomic(w.tmp, w.file);
}

void writeNifti(const std::filesystem::path& file, const Volume& volume, NiftiStorage storage, int level) {
    if (volume.data.size() != volume.voxelCount() * std::size_t(volume.frames))
        throw Error(file.string() + ": volume data size does not match its dimensions");
    NiftiWriter writer(file, volume.geometry, volume.frames, storage, level, volume.repetitionTime);
    for (int t = 0; t < volume.frames; ++t) writer.writeFrame(volume.frame(t));
    writer.close();
}

} // namespace nm::io
