#include "io/Npy.hpp"

#include "common/AtomicFile.hpp"
#include "common/ByteOrder.hpp"
#include "common/Error.hpp"
#include "io/Zip.hpp"

#include <zip.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <numeric>
#include <regex>
#include <sstream>

namespace nm::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

struct Dtype {
    char endian = '<';  // '<', '>', '|', '='
    char kind = 'f';    // b, i, u, f, S, U
    std::size_t size = 8;
};

Dtype parseDescr(const std::string& descr, const std::string& name) {
    static const std::regex re(R"(^([<>|=]?)([biufSU])(\d+)$)");
    std::smatch m;
    if (!std::regex_match(descr, m, re))
        throw InputError(name + ": dtype '" + descr + "' is not supported (expected bool, int, uint, float or string)");
    Dtype d;
    d.endian = m[1].length() ? m[1].str()[0] : '=';
    d.kind = m[2].str()[0];
    // Item sizes are small: strings of 1 to 2^20 characters (a zero-size item would let any shape pass the length check).
    if (m[3].length() > 7) throw InputError(name + ": dtype '" + descr + "': item size out of range");
    d.size = std::stoul(m[3].str());
    const bool ok = (d.kind == 'b' && d.size == 1) || ((d.kind == 'i' || d.kind == 'u') && (d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8)) ||
                    (d.kind == 'f' && (d.size == 2 || d.size == 4 || d.size == 8)) || ((d.kind == 'S' || d.kind == 'U') && d.size >= 1 && d.size <= (1u << 20));
    if (!ok) throw InputError(name + ": dtype '" + descr + "' is not supported");
    return d;
}

bool bigEndian(const Dtype& d) { return d.endian == '>'; }

double halfToDouble(std::uint16_t h) {
    const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0) v = std::ldexp(frac, -24);
    else if (exp == 31) v = frac ? std::nan("") : INFINITY;
    else v = std::ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

double loadNumber(const unsigned char* p, const Dtype& d) {
    const bool swap = bigEndian(d);
    switch (d.kind) {
    case 'b': return *p ? 1.0 : 0.0;
    case 'i':
        switch (d.size) {
        case 1: return double(static_cast<std::int8_t>(*p));
        case 2: return double(loadBytes<std::int16_t>(p, swap));
        case 4: return double(loadBytes<std::int32_t>(p, swap));
        default: return double(loadBytes<std::int64_t>(p, swap));
        }
    case 'u':
        switch (d.size) {
        case 1: return double(*p);
        case 2: return double(loadBytes<std::uint16_t>(p, swap));
        case 4: return double(loadBytes<std::uint32_t>(p, swap));
        default: return double(loadBytes<std::uint64_t>(p, swap));
        }
    default:
        switch (d.size) {
        case 2: return halfToDouble(loadBytes<std::uint16_t>(p, swap));
        case 4: return double(loadBytes<float>(p, swap));
        default: return loadBytes<double>(p, swap);
        }
    }
}

/// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
void parseHeaderDict(const std::string& header, NpyArray& a, const std::string& name) {
    static const std::regex descrRe(R"('descr'\s*:\s*'([^']*)')");
    static const std::regex fortranRe(R"('fortran_order'\s*:\s*(True|False))");
    static const std::regex shapeRe(R"('shape'\s*:\s*\(([^)]*)\))");
    std::smatch m;
    if (!std::regex_search(header, m, descrRe))
        throw InputError(name + ": header: no 'descr' (structured dtypes are not supported)");
    a.dtype = m[1].str();
    if (!std::regex_search(header, m, fortranRe)) throw InputError(name + ": header: no 'fortran_order'");
    a.fortranOrder = m[1].str() == "True";
    if (!std::regex_search(header, m, shapeRe)) throw InputError(name + ": header: no 'shape'");
    std::string dims = m[1].str();
    std::replace(dims.begin(), dims.end(), ',', ' ');
    std::istringstream in(dims);
    for (long long d; in >> d;) {
        if (d < 0) throw InputError(name + ": header: negative dimension in shape");
        a.shape.push_back(std::size_t(d));
    }
    // Extraction stops at anything that is not a long long (a 20-digit extent): not silently a shorter shape.
    if (!in.eof()) throw InputError(name + ": header: shape: expected non-negative integers, found '" + m[1].str() + "'");
}

} // namespace

std::size_t NpyArray::size() const {
    return std::accumulate(shape.begin(), shape.end(), std::size_t(1), std::multiplies<>());
}

Eigen::MatrixXd NpyArray::matrix(const std::string& what) const {
    if (isString()) throw InputError(what + ": expected a numeric array, found dtype " + dtype);
    if (shape.size() == 1) return Eigen::Map<const Eigen::VectorXd>(values.data(), Eigen::Index(values.size()));
    if (shape.size() != 2)
        throw InputError(what + ": expected a 2-D array, found " + std::to_string(shape.size()) + " dimensions");
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
        values.data(), Eigen::Index(shape[0]), Eigen::Index(shape[1]));
}

NpyArray parseNpy(const std::string& bytes, const std::string& name) {
    if (bytes.size() < 10 || bytes.compare(0, 6, kMagic) != 0)
        throw InputError(name + ": magic: not a NumPy .npy file");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen, offset;
    if (major == 1) {
        headerLen = loadBytes<std::uint16_t>(reinterpret_cast<const unsigned char*>(bytes.data() + 8), false);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw InputError(name + ": header: truncated");
        headerLen = loadBytes<std::uint32_t>(reinterpret_cast<const unsigned char*>(bytes.data() + 8), false);
        offset = 12;
    } else {
        throw InputError(name + ": version: .npy format version " + std::to_string(major) + " is not supported (1–3)");
    }
    if (offset + headerLen > bytes.size()) throw InputError(name + ": header: truncated");
    NpyArray a;
    parseHeaderDict(bytes.substr(offset, headerLen), a, name);
    const Dtype d = parseDescr(a.dtype, name);
    const std::size_t itemBytes = d.kind == 'U' ? 4 * d.size : d.size;
    const std::size_t dataStart = offset + headerLen;
    // The element count, without overflow: it must fit the bytes the file holds.
    std::size_t n = 1;
    for (const auto extent : a.shape) {
        if (extent != 0 && n > (bytes.size() - dataStart) / itemBytes / extent)
            throw InputError(name + ": data: truncated (" + std::to_string(bytes.size() - dataStart) + " bytes cannot hold the shape in the header)");
        n *= extent;
    }
    if (bytes.size() - dataStart < n * itemBytes)
        throw InputError(name + ": data: truncated (" + std::to_string(bytes.size() - dataStart) + " bytes, shape needs " +
                         std::to_string(n * itemBytes) + ")");
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data() + dataStart);
    // Fortran order: element (i0, i1, ...) is at i0 + s0*(i1 + s1*(...)); we store C order.
    auto sourceIndex = [&](std::size_t c) {
        if (!a.fortranOrder || a.shape.size() < 2) return c;
        std::size_t rem = c, f = 0, stride = 1;
        std::vector<std::size_t> idx(a.shape.size());
        for (std::size_t k = a.shape.size(); k-- > 0;) {
            idx[k] = rem % a.shape[k];
            rem /= a.shape[k];
        }
        for (std::size_t k = 0; k < a.shape.size(); ++k) {
            f += idx[k] * stride;
            stride *= a.shape[k];
        }
        return f;
    };
    if (d.kind == 'S' || d.kind == 'U') {
        a.strings.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* p = data + sourceIndex(i) * itemBytes;
            std::string s;
            if (d.kind == 'S') {
                s.assign(reinterpret_cast<const char*>(p), d.size);
            } else {
                for (std::size_t k = 0; k < d.size; ++k) {
                    const std::uint32_t cp = loadBytes<std::uint32_t>(p + 4 * k, bigEndian(d));
                    if (cp == 0) break;
                    if (cp < 0x80) s.push_back(char(cp));
                    else if (cp < 0x800) { s.push_back(char(0xC0 | (cp >> 6))); s.push_back(char(0x80 | (cp & 0x3F))); }
                    else if (cp < 0x10000) { s.push_back(char(0xE0 | (cp >> 12))); s.push_back(char(0x80 | ((cp >> 6) & 0x3F))); s.push_back(char(0x80 | (cp & 0x3F))); }
                    else { s.push_back(char(0xF0 | (cp >> 18))); s.push_back(char(0x80 | ((cp >> 12) & 0x3F))); s.push_back(char(0x80 | ((cp >> 6) & 0x3F))); s.push_back(char(0x80 | (cp & 0x3F))); }
                }
            }
            s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
            a.strings[i] = std::move(s);
        }
        return a;
    }
    a.values.resize(n);
    if (!a.fortranOrder || a.shape.size() < 2) {
        for (std::size_t i = 0; i < n; ++i) a.values[i] = loadNumber(data + i * itemBytes, d);
    } else if (a.shape.size() == 2) {
        const std::size_t rows = a.shape[0], cols = a.shape[1];
        for (std::size_t c = 0; c < cols; ++c)
            for (std::size_t r = 0; r < rows; ++r) a.values[r * cols + c] = loadNumber(data + (c * rows + r) * itemBytes, d);
    } else {
        for (std::size_t i = 0; i < n; ++i) a.values[i] = loadNumber(data + sourceIndex(i) * itemBytes, d);
    }
    return a;
}

NpyArray readNpy(const std::filesystem::path& file) {
    return parseNpy(readFileBytes(file), file.string());
}

namespace {
std::string npyHeader(const std::string& dtype, const std::vector<std::size_t>& shape) {
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? ", " : "");
    std::string dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Pad with spaces so that magic + len + header + '\n' is a multiple of 64 (numpy's rule).
    std::size_t total = 10 + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict.push_back('\n');
    std::string out(kMagic, 6);
    out.push_back('\x01');
    out.push_back('\x00');
    const std::uint16_t len = std::uint16_t(dict.size());
    out.append(reinterpret_cast<const char*>(&len), 2);
    return out + dict;
}

template <typename T>
void appendValues(std::string& out, const double* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const T x = static_cast<T>(v[i]);
        out.append(reinterpret_cast<const char*>(&x), sizeof(T));
    }
}

std::string npyData(const std::string& dtype, const std::vector<std::size_t>& shape, const double* v, std::size_t n) {
    std::string out = npyHeader(dtype, shape);
    if (dtype == "<f8") appendValues<double>(out, v, n);
    else if (dtype == "<f4") appendValues<float>(out, v, n);
    else if (dtype == "<i4") appendValues<std::int32_t>(out, v, n);
    else if (dtype == "<i8") appendValues<std::int64_t>(out, v, n);
    else throw std::invalid_argument("npyBytes: unsupported dtype " + dtype);
    return out;
}
} // namespace

std::string npyBytes(const Eigen::MatrixXd& m, const std::string& dtype) {
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> c = m;
    return npyData(dtype, {std::size_t(m.rows()), std::size_t(m.cols())}, c.data(), std::size_t(c.size()));
}

std::string npyBytes(const std::vector<double>& v, const std::string& dtype) {
    return npyData(dtype, {v.size()}, v.data(), v.size());
}

namespace {
constexpr std::size_t kStreamHeader = 128;  // room for any 2-D shape; numpy accepts padded headers
std::string fixedHeader(std::size_t rows, std::size_t cols) {
    std::string h = npyHeader("<f4", {rows, cols});
    const std::size_t dictLen = h.size() - 10;
    std::string dict = h.substr(10, dictLen - 1);  // without '\n'
    while (!dict.empty() && dict.back() == ' ') dict.pop_back();
    dict.append(kStreamHeader - 10 - dict.size() - 1, ' ');
    dict.push_back('\n');
    const std::uint16_t len = std::uint16_t(dict.size());
    std::string out = h.substr(0, 8);
    out.append(reinterpret_cast<const char*>(&len), 2);
    return out + dict;
}
} // namespace

NpyRowWriter::NpyRowWriter(const std::filesystem::path& file, std::size_t cols) : file_(file), tmp_(atomicTemporaryFor(file)), cols_(cols) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    out_ = std::fopen(tmp_.c_str(), "wb");
    if (!out_) throw Error(file.string() + ": cannot create");
    const std::string h = fixedHeader(0, cols);
    if (std::fwrite(h.data(), 1, h.size(), out_) != h.size()) throw Error(file.string() + ": write failed");
}

NpyRowWriter::~NpyRowWriter() {
    if (out_) {
        std::fclose(out_);
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }
}

void NpyRowWriter::append(const float* rows, std::size_t count) {
    if (!out_) throw Error(file_.string() + ": writer is closed");
    if (std::fwrite(rows, sizeof(float), count * cols_, out_) != count * cols_) throw Error(file_.string() + ": write failed (disk full?)");
    rows_ += count;
}

void NpyRowWriter::close() {
    if (!out_) return;
    const std::string h = fixedHeader(rows_, cols_);
    const bool ok = std::fseek(out_, 0, SEEK_SET) == 0 && std::fwrite(h.data(), 1, h.size(), out_) == h.size();
    const bool closed = std::fclose(out_) == 0;
    out_ = nullptr;
    if (!ok || !closed) throw Error(file_.string() + ": write failed");
    std::filesystem::rename(tmp_, file_);
}

void writeNpy(const std::filesystem::path& file, const Eigen::MatrixXd& matrix) {
    writeFileAtomic(file, npyBytes(matrix));
}

std::map<std::string, NpyArray> readNpz(const std::filesystem::path& file) {
    requireReadableFile(file, "NumPy archive");
    int err = 0;
    zip_t* z = zip_open(file.c_str(), ZIP_RDONLY, &err);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        const std::string msg = zip_error_strerror(&ze);
        zip_error_fini(&ze);
        throw fileError(file, "not a valid .npz (zip) archive: " + msg);
    }
    std::map<std::string, NpyArray> out;
    try {
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            const char* entryName = zip_get_name(z, zip_uint64_t(i), 0);
            if (!entryName) throw fileError(file, "entry " + std::to_string(i), "unreadable");
            std::string entry = entryName;
            if (entry.size() < 4 || entry.compare(entry.size() - 4, 4, ".npy") != 0) continue;
            const std::string bytes = readZipEntry(z, zip_uint64_t(i), file.string() + ": " + entry, std::filesystem::file_size(file));
            const std::string key = entry.substr(0, entry.size() - 4);
            out.emplace(key, parseNpy(bytes, file.string() + ":" + entry));
        }
    } catch (...) {
        zip_discard(z);
        throw;
    }
    zip_discard(z);
    return out;
}

void writeNpz(const std::filesystem::path& file, const std::map<std::string, std::string>& arrays) {
    const auto tmp = atomicTemporaryFor(file);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    int err = 0;
    zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) throw Error(file.string() + ": cannot create archive");
    for (const auto& [name, bytes] : arrays) {
        zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
        const auto idx = src ? zip_file_add(z, (name + ".npy").c_str(), src, ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) {
            if (src) zip_source_free(src);
            zip_discard(z);
            std::filesystem::remove(tmp);
            throw Error(file.string() + ": cannot add " + name + ".npy");
        }
        zip_set_file_compression(z, zip_uint64_t(idx), ZIP_CM_DEFLATE, 0);
        // A fixed time stamp (1980-01-01, as numpy writes) keeps archives byte-identical.
        zip_file_set_dostime(z, zip_uint64_t(idx), 0, (0 << 9) | (1 << 5) | 1, 0);
    }
    if (zip_close(z) != 0) {
        const std::string msg = zip_strerror(z);
        zip_discard(z);
        std::filesystem::remove(tmp);
        throw Error(file.string() + ": cannot write archive: " + msg);
    }
    commitAtomic(tmp, file);
}

namespace {
/// An index stored as a number: −1 unless it is an integer within ±2^62 (the cast is then defined).
std::int64_t asIndex(double v) { return std::abs(v) < 4.6e18 && v == std::floor(v) ? std::int64_t(v) : -1; }
} // namespace

SparseMatrix readSparseNpz(const std::filesystem::path& file) {
    auto arrays = readNpz(file);
    auto get = [&](const char* key) -> const NpyArray& {
        auto it = arrays.find(key);
        if (it == arrays.end()) throw fileError(file, key, "missing; expected a scipy.sparse matrix saved with save_npz");
        return it->second;
    };
    const auto& fmt = get("format");
    const std::string format = fmt.strings.empty() ? std::string() : fmt.strings[0];
    const auto& shape = get("shape");
    if (shape.values.size() != 2) throw fileError(file, "shape", "expected 2 values");
    // Building the matrix allocates per row and column: bounded before (found by fuzzing: a 2^31-row shape).
    for (double v : shape.values)
        if (!(v >= 0 && v <= double(1 << 26) && v == std::floor(v)))
            throw fileError(file, "shape", "expected two integers in 0..2^26");
    const auto rows = Eigen::Index(shape.values[0]), cols = Eigen::Index(shape.values[1]);
    const auto& data = get("data");
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(data.values.size());
    if (format == "csr" || format == "csc") {
        const auto& indices = get("indices");
        const auto& indptr = get("indptr");
        const bool csr = format == "csr";
        const Eigen::Index major = csr ? rows : cols, minor = csr ? cols : rows;
        if (Eigen::Index(indptr.values.size()) != major + 1)
            throw fileError(file, "indptr", "expected " + std::to_string(major + 1) + " entries, found " + std::to_string(indptr.values.size()));
        if (indices.values.size() != data.values.size())
            throw fileError(file, "indices", "length differs from data");
        for (Eigen::Index i = 0; i < major; ++i) {
            const auto b = asIndex(indptr.values[std::size_t(i)]), e = asIndex(indptr.values[std::size_t(i) + 1]);
            if (b < 0 || e < b || e > std::int64_t(data.values.size())) throw fileError(file, "indptr", "not monotone or out of range");
            for (std::int64_t k = b; k < e; ++k) {
                const auto j = asIndex(indices.values[std::size_t(k)]);
                if (j < 0 || j >= minor) throw fileError(file, "indices", "index out of range");
                triplets.emplace_back(csr ? i : j, csr ? j : i, data.values[std::size_t(k)]);
            }
        }
    } else if (format == "coo") {
        const auto& r = get("row");
        const auto& c = get("col");
        if (r.values.size() != data.values.size() || c.values.size() != data.values.size())
            throw fileError(file, "row/col", "lengths differ from data");
        for (std::size_t k = 0; k < data.values.size(); ++k) {
            const auto i = asIndex(r.values[k]), j = asIndex(c.values[k]);
            if (i < 0 || i >= rows || j < 0 || j >= cols) throw fileError(file, "row/col", "index out of range");
            triplets.emplace_back(i, j, data.values[k]);
        }
    } else {
        throw fileError(file, "format", "sparse format '" + format + "' is not supported (expected csr, csc or coo)");
    }
    SparseMatrix m(rows, cols);
    m.setFromTriplets(triplets.begin(), triplets.end());
    return m;
}

void writeSparseNpz(const std::filesystem::path& file, const SparseMatrix& input) {
    SparseMatrix m = input;
    m.makeCompressed();
    std::vector<double> data(m.valuePtr(), m.valuePtr() + m.nonZeros());
    std::vector<double> indices(m.innerIndexPtr(), m.innerIndexPtr() + m.nonZeros());
    std::vector<double> indptr(m.outerIndexPtr(), m.outerIndexPtr() + m.outerSize() + 1);
    std::string format = npyHeader("|S3", {});
    format += "csr";
    writeNpz(file, {{"data", npyBytes(data, "<f8")},
                    {"indices", npyBytes(indices, "<i4")},
                    {"indptr", npyBytes(indptr, "<i4")},
                    {"shape", npyBytes(std::vector<double>{double(m.rows()), double(m.cols())}, "<i8")},
                    {"format", format}});
}

} // namespace nm::io
