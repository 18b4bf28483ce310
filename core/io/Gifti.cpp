#include "io/Gifti.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Table.hpp"

#include <expat.h>
#include <zlib.h>

// libgiftiio is C without extern "C" guards.
extern "C" {
#include <gifti/gifti_io.h>
}

#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <vector>
#include <unistd.h>

namespace nm::io {

namespace {

// libgiftiio keeps global state (verbosity, XML buffers): serialise every call.
std::mutex& giftiMutex() {
    static std::mutex m;
    return m;
}

struct GiftiDeleter {
    void operator()(gifti_image* g) const {
        if (g) gifti_free_image(g);
    }
};
using GiftiPtr = std::unique_ptr<gifti_image, GiftiDeleter>;

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A scratch file removed on destruction (libgiftiio reads and writes only named files).
struct ScratchFile {
    std::filesystem::path path;
    ~ScratchFile() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove(path, ec);
    }
};

std::filesystem::path scratchPath(const std::string& tag) {
    static std::atomic<int> counter{0};
    return std::filesystem::temp_directory_path() /
           ("nm-gifti-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + tag + ".gii");
}

std::map<std::string, std::string> metaOf(const giiMetaData& md) {
    std::map<std::string, std::string> m;
    for (int i = 0; i < md.length; ++i)
        if (md.name[i]) m[md.name[i]] = md.value[i] ? md.value[i] : "";
    return m;
}

double valueAt(const giiDataArray* da, long long i) {
    switch (da->datatype) {
    case NIFTI_TYPE_UINT8: return static_cast<const std::uint8_t*>(da->data)[i];
    case NIFTI_TYPE_INT8: return static_cast<const std::int8_t*>(da->data)[i];
    case NIFTI_TYPE_INT16: return static_cast<const std::int16_t*>(da->data)[i];
    case NIFTI_TYPE_UINT16: return static_cast<const std::uint16_t*>(da->data)[i];
    case NIFTI_TYPE_INT32: return static_cast<const std::int32_t*>(da->data)[i];
    case NIFTI_TYPE_UINT32: return static_cast<const std::uint32_t*>(da->data)[i];
    case NIFTI_TYPE_INT64: return double(static_cast<const std::int64_t*>(da->data)[i]);
    case NIFTI_TYPE_FLOAT32: return static_cast<const float*>(da->data)[i];
    case NIFTI_TYPE_FLOAT64: return static_cast<const double*>(da->data)[i];
    default: return std::nan("");
    }
}

bool isIntegerType(int t) {
    return t == NIFTI_TYPE_UINT8 || t == NIFTI_TYPE_INT8 || t == NIFTI_TYPE_INT16 || t == NIFTI_TYPE_UINT16 ||
           t == NIFTI_TYPE_INT32 || t == NIFTI_TYPE_UINT32 || t == NIFTI_TYPE_INT64;
}

int encodingCode(GiftiEncoding e) {
    switch (e) {
    case GiftiEncoding::Ascii: return GIFTI_ENCODING_ASCII;
    case GiftiEncoding::Base64Binary: return GIFTI_ENCODING_B64BIN;
    case GiftiEncoding::GZipBase64Binary: return GIFTI_ENCODING_B64GZ;
    }
    return GIFTI_ENCODING_B64GZ;
}

/// The GIFTI 1.0 document structure, checked with expat before libgiftiio sees the file.
/// libgiftiio trusts the structure: a child element outside its parent (a <Data> with no open
/// <DataArray>, a <Label> outside <LabelTable>) dereferences a null pointer inside the library, and
/// it allocates whatever Dim0 × Dim1 … claim (found by fuzz/fuzz_reader.cpp). So: the DTD's nesting
/// (unknown elements refused), each DataArray's required attributes with known values, dimensions
/// whose product fits the data limit, NumberOfDataArrays equal to the arrays present, and no
/// ExternalFileBinary (it would read any path the file names).
class GiftiStructure {
public:
    explicit GiftiStructure(std::string file) : file_(std::move(file)) {}
    void check(const std::string& xml) {
        std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(XML_ParserCreate(nullptr), XML_ParserFree);
        if (!parser) throw Error("GIFTI: cannot create an XML parser");
        XML_SetUserData(parser.get(), this);
        XML_SetElementHandler(parser.get(), &GiftiStructure::start, &GiftiStructure::end);
        if (xml.size() > std::size_t(std::numeric_limits<int>::max())) fail("XML", "larger than 2 GB");
        if (XML_Parse(parser.get(), xml.data(), int(xml.size()), 1) == XML_STATUS_ERROR) {
            if (!error_.empty()) throw InputError(error_);
            fail("XML", std::string(XML_ErrorString(XML_GetErrorCode(parser.get()))) + " at line " +
                            std::to_string(XML_GetCurrentLineNumber(parser.get())));
        }
        if (!error_.empty()) throw InputError(error_);
        if (!sawRoot_) fail("root element", "not a GIFTI file (no <GIFTI> element)");
        if (declaredArrays_ >= 0 && declaredArrays_ != arrays_)
            fail("NumberOfDataArrays", std::to_string(declaredArrays_) + " declared, " + std::to_string(arrays_) + " present");
    }

private:
    static void start(void* self, const XML_Char* name, const XML_Char** attrs) {
        auto* g = static_cast<GiftiStructure*>(self);
        if (g->error_.empty()) g->open(name, attrs);
    }
    static void end(void* self, const XML_Char*) {
        auto* g = static_cast<GiftiStructure*>(self);
        if (!g->stack_.empty()) {
            if (g->error_.empty() && g->stack_.back() == "DataArray" && !g->sawData_)
                g->error_ = g->message("DataArray " + std::to_string(g->arrays_), "has no <Data> element");
            g->stack_.pop_back();
            g->children_.pop_back();
        }
    }
    void open(const std::string& name, const XML_Char** attrs) {
        static const std::map<std::string, std::set<std::string>> allowed = {
            {"", {"GIFTI"}},
            {"GIFTI", {"MetaData", "LabelTable", "DataArray"}},
            {"MetaData", {"MD"}},
            {"MD", {"Name", "Value"}},
            {"LabelTable", {"Label"}},
            {"DataArray", {"MetaData", "CoordinateSystemTransformMatrix", "Data"}},
            {"CoordinateSystemTransformMatrix", {"DataSpace", "TransformedSpace", "MatrixData"}},
        };
        static const std::set<std::string> once = {"MetaData", "LabelTable", "Data", "Name", "Value", "DataSpace", "TransformedSpace", "MatrixData"};
        const std::string parent = stack_.empty() ? "" : stack_.back();
        const auto it = allowed.find(parent);
        if (it == allowed.end() || !it->second.count(name)) {
            error_ = message("element <" + name + ">", parent.empty() ? "expected <GIFTI> as the root element"
                                                                       : "not allowed inside <" + parent + "> (GIFTI 1.0)");
            return;
        }
        if (once.count(name) && !children_.empty() && !children_.back().insert(name).second) {
            error_ = message("element <" + name + ">", "appears twice inside <" + parent + ">");
            return;
        }
        if (stack_.size() > 16) {
            error_ = message("XML", "nested too deep");
            return;
        }
        std::map<std::string, std::string> a;
        for (int i = 0; attrs[i]; i += 2) a[attrs[i]] = attrs[i + 1];
        if (name == "GIFTI") {
            sawRoot_ = true;
            if (a.count("NumberOfDataArrays")) declaredArrays_ = integer(a["NumberOfDataArrays"], "NumberOfDataArrays", 0, 1 << 20);
        } else if (name == "DataArray") {
            ++arrays_;
            sawData_ = false;
            dataArray(a);
        } else if (name == "Data") {
            sawData_ = true;
        } else if (name == "Label") {
            // libgiftiio sizes its colour array from the first label: colours on all labels or on none
            // (a label missing one channel made it read past that array).
            int channels = 0;
            for (const char* c : {"Red", "Green", "Blue", "Alpha"}) channels += int(a.count(c));
            if (channels != 0 && channels != 4) {
                error_ = message("Label " + std::to_string(labels_ + 1), "has " + std::to_string(channels) + " of the colour attributes Red, Green, Blue, Alpha");
                return;
            }
            if (labels_ > 0 && (channels == 4) != coloured_) {
                error_ = message("Label " + std::to_string(labels_ + 1), "colours on some labels and not on others");
                return;
            }
            coloured_ = channels == 4;
            ++labels_;
        }
        stack_.push_back(name);
        children_.emplace_back();
    }
    void dataArray(std::map<std::string, std::string>& a) {
        const std::string where = "DataArray " + std::to_string(arrays_);
        for (const char* key : {"Intent", "DataType", "Dimensionality", "Encoding"})
            if (!a.count(key)) {
                error_ = message(where, std::string("has no ") + key + " attribute");
                return;
            }
        static const std::map<std::string, int> bytes = {
            {"NIFTI_TYPE_UINT8", 1}, {"NIFTI_TYPE_INT8", 1}, {"NIFTI_TYPE_INT16", 2}, {"NIFTI_TYPE_UINT16", 2}, {"NIFTI_TYPE_INT32", 4},
            {"NIFTI_TYPE_UINT32", 4}, {"NIFTI_TYPE_INT64", 8}, {"NIFTI_TYPE_UINT64", 8}, {"NIFTI_TYPE_FLOAT32", 4}, {"NIFTI_TYPE_FLOAT64", 8}};
        const auto type = bytes.find(a["DataType"]);
        if (type == bytes.end()) {
            error_ = message(where + " DataType", "'" + a["DataType"] + "' is not a GIFTI data type");
            return;
        }
        const std::string& enc = a["Encoding"];
        if (enc == "ExternalFileBinary") {
            error_ = message(where + " Encoding", "ExternalFileBinary is not supported (the data must be inside the file)");
            return;
        }
        if (enc != "ASCII" && enc != "Base64Binary" && enc != "GZipBase64Binary") {
            error_ = message(where + " Encoding", "'" + enc + "' is not ASCII, Base64Binary or GZipBase64Binary");
            return;
        }
        if (a.count("Endian") && a["Endian"] != "LittleEndian" && a["Endian"] != "BigEndian") {
            error_ = message(where + " Endian", "'" + a["Endian"] + "' is not LittleEndian or BigEndian");
            return;
        }
        if (a.count("ArrayIndexingOrder") && a["ArrayIndexingOrder"] != "RowMajorOrder" && a["ArrayIndexingOrder"] != "ColumnMajorOrder") {
            error_ = message(where + " ArrayIndexingOrder", "'" + a["ArrayIndexingOrder"] + "' is not RowMajorOrder or ColumnMajorOrder");
            return;
        }
        const long long dims = integer(a["Dimensionality"], where + " Dimensionality", 1, 6);
        if (!error_.empty()) return;
        // The decoded array must fit the data limit (2 GiB): a header claiming more is refused before anything is allocated.
        long double total = type->second;
        for (long long d = 0; d < dims; ++d) {
            const std::string key = "Dim" + std::to_string(d);
            if (!a.count(key)) {
                error_ = message(where, "has Dimensionality " + std::to_string(dims) + " but no " + key + " attribute");
                return;
            }
            total *= (long double)integer(a[key], where + " " + key, 0, std::numeric_limits<int>::max());
            if (!error_.empty()) return;
        }
        if (total > (long double)(1ull << 31)) error_ = message(where, "its dimensions claim more than 2 GiB of data");
    }
    long long integer(const std::string& text, const std::string& what, long long lo, long long hi) {
        long long v = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < lo || v > hi) {
            if (error_.empty()) error_ = message(what, "'" + text + "' is not an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
            return lo;
        }
        return v;
    }
    [[nodiscard]] std::string message(const std::string& field, const std::string& problem) const { return fileError(file_, field, problem).what(); }
    [[noreturn]] void fail(const std::string& field, const std::string& problem) const { throw fileError(file_, field, problem); }

    std::string file_, error_;
    std::vector<std::string> stack_;
    std::vector<std::set<std::string>> children_;
    bool sawRoot_ = false, sawData_ = false, coloured_ = false;
    int arrays_ = 0, labels_ = 0;
    long long declaredArrays_ = -1;
};

} // namespace

GiftiFile readGifti(const std::filesystem::path& file) {
    requireReadableFile(file, "GIFTI file");
    const std::string name = file.string();
    ScratchFile scratch;
    std::filesystem::path source = file;
    const std::string xml = readMaybeGzipped(file);
    if (xml.substr(0, 512).find("<GIFTI") == std::string::npos)
        throw fileError(file, "root element", "not a GIFTI file (no <GIFTI> element at the start)");
    GiftiStructure(name).check(xml);
    if (endsWith(name, ".gz")) {
        // Whole-file gzip (nilearn's fsaverage): decompress to a scratch file for libgiftiio.
        scratch.path = scratchPath("read");
        writeFileAtomic(scratch.path, xml);
        source = scratch.path;
    }
    GiftiPtr g;
    {
        std::lock_guard lock(giftiMutex());
        gifti_set_verb(0);
        gxml_set_verb(0);
        g.reset(gifti_read_image(source.c_str(), 1));
    }
    if (!g) throw fileError(file, "XML", "malformed GIFTI (the XML or a data array could not be decoded)");
    GiftiFile out;
    out.meta = metaOf(g->meta);
    for (int i = 0; i < g->labeltable.length; ++i) {
        GiftiLabel l;
        l.key = g->labeltable.key[i];
        l.name = g->labeltable.label[i] ? g->labeltable.label[i] : "";
        if (g->labeltable.rgba)
            for (int c = 0; c < 4; ++c) l.rgba[std::size_t(c)] = g->labeltable.rgba[4 * i + c];
        out.labels.push_back(l);
    }
    for (int a = 0; a < g->numDA; ++a) {
        const giiDataArray* da = g->darray[a];
        GiftiArray arr;
        const char* intent = gifti_intent_to_string(da->intent);
        arr.intent = intent ? intent : "NIFTI_INTENT_NONE";
        arr.meta = metaOf(da->meta);
        if (!da->data) throw fileError(file, "DataArray " + std::to_string(a), "has no data");
        if (da->num_dim < 1 || da->num_dim > 2)
            throw fileError(file, "DataArray " + std::to_string(a) + " Dimensionality",
                            "expected 1 or 2, found " + std::to_string(da->num_dim));
        for (int d = 0; d < da->num_dim; ++d) arr.dims.push_back(da->dims[d]);
        arr.integer = isIntegerType(da->datatype);
        if (!arr.integer && da->datatype != NIFTI_TYPE_FLOAT32 && da->datatype != NIFTI_TYPE_FLOAT64)
            throw fileError(file, "DataArray " + std::to_string(a) + " DataType", "unsupported data type");
        arr.values.resize(std::size_t(da->nvals));
        const bool columnMajor = da->ind_ord == GIFTI_IND_ORD_COL_MAJOR && da->num_dim == 2;
        const long long rows = da->dims[0], cols = da->num_dim == 2 ? da->dims[1] : 1;
        for (long long r = 0; r < rows; ++r)
            for (long long c = 0; c < cols; ++c)
                arr.values[std::size_t(r * cols + c)] = valueAt(da, columnMajor ? c * rows + r : r * cols + c);
        if (da->numCS > 0 && da->coordsys && da->coordsys[0]) {
            const giiCoordSystem* cs = da->coordsys[0];
            for (int r = 0; r < 4; ++r)
                for (int c = 0; c < 4; ++c) arr.transform(r, c) = cs->xform[r][c];
            arr.dataSpace = cs->dataspace ? cs->dataspace : "";
            arr.transformSpace = cs->xformspace ? cs->xformspace : "";
        }
        out.arrays.push_back(std::move(arr));
    }
    return out;
}

void writeGifti(const std::filesystem::path& file, const GiftiFile& gifti, GiftiEncoding encoding) {
    const std::string name = file.string();
    const bool gz = endsWith(name, ".gii.gz");
    if (!gz && !endsWith(name, ".gii"))
        throw fileError(file, "file name", "expected a GIFTI file name ending in .gii or .gii.gz");
    ScratchFile scratch;
    scratch.path = scratchPath("write");
    {
        std::lock_guard lock(giftiMutex());
        gifti_set_verb(0);
        GiftiPtr g(gifti_create_image(0, NIFTI_INTENT_NONE, NIFTI_TYPE_FLOAT32, 0, nullptr, 0));
        if (!g) throw Error(name + ": cannot create a GIFTI image");
        for (const auto& [k, v] : gifti.meta) gifti_add_to_meta(&g->meta, k.c_str(), v.c_str(), 1);
        if (!gifti.labels.empty()) {
            auto& lt = g->labeltable;
            lt.length = int(gifti.labels.size());
            lt.key = static_cast<int*>(std::calloc(gifti.labels.size(), sizeof(int)));
            lt.label = static_cast<char**>(std::calloc(gifti.labels.size(), sizeof(char*)));
            lt.rgba = static_cast<float*>(std::calloc(4 * gifti.labels.size(), sizeof(float)));
            for (std::size_t i = 0; i < gifti.labels.size(); ++i) {
                lt.key[i] = gifti.labels[i].key;
                lt.label[i] = strdup(gifti.labels[i].name.c_str());
                for (int c = 0; c < 4; ++c) lt.rgba[4 * i + std::size_t(c)] = gifti.labels[i].rgba[std::size_t(c)];
            }
        }
        for (const auto& arr : gifti.arrays) {
            if (gifti_add_empty_darray(g.get(), 1) != 0) throw Error(name + ": cannot add a data array");
            giiDataArray* da = g->darray[g->numDA - 1];
            da->intent = gifti_intent_from_string(arr.intent.c_str());
            if (da->intent == 0 && arr.intent != "NIFTI_INTENT_NONE")
                throw Error(name + ": unknown GIFTI intent " + arr.intent);
            da->datatype = arr.integer ? NIFTI_TYPE_INT32 : NIFTI_TYPE_FLOAT32;
            da->ind_ord = GIFTI_IND_ORD_ROW_MAJOR;
            da->num_dim = int(arr.dims.size());
            long long n = 1;
            for (std::size_t d = 0; d < arr.dims.size(); ++d) {
                da->dims[d] = arr.dims[d];
                n *= arr.dims[d];
            }
            if (std::size_t(n) != arr.values.size()) throw Error(name + ": data array size does not match its dims");
            da->encoding = encodingCode(encoding);
            da->endian = GIFTI_ENDIAN_LITTLE;
            da->nvals = n;
            da->nbyper = 4;
            da->data = std::calloc(std::size_t(n), 4);
            for (long long i = 0; i < n; ++i) {
                if (arr.integer) static_cast<std::int32_t*>(da->data)[i] = std::int32_t(std::llround(arr.values[std::size_t(i)]));
                else static_cast<float*>(da->data)[i] = float(arr.values[std::size_t(i)]);
            }
            for (const auto& [k, v] : arr.meta) gifti_add_to_meta(&da->meta, k.c_str(), v.c_str(), 1);
            if (arr.intent == "NIFTI_INTENT_POINTSET") {
                da->numCS = 1;
                da->coordsys = static_cast<giiCoordSystem**>(std::calloc(1, sizeof(giiCoordSystem*)));
                da->coordsys[0] = static_cast<giiCoordSystem*>(std::calloc(1, sizeof(giiCoordSystem)));
                da->coordsys[0]->dataspace = strdup(arr.dataSpace.empty() ? "NIFTI_XFORM_UNKNOWN" : arr.dataSpace.c_str());
                da->coordsys[0]->xformspace = strdup(arr.transformSpace.empty() ? "NIFTI_XFORM_UNKNOWN" : arr.transformSpace.c_str());
                for (int r = 0; r < 4; ++r)
                    for (int c = 0; c < 4; ++c) da->coordsys[0]->xform[r][c] = arr.transform(r, c);
            }
        }
        if (gifti_write_image(g.get(), scratch.path.c_str(), 1) != 0) throw Error(name + ": cannot write GIFTI");
    }
    std::string bytes = readFileBytes(scratch.path);
    if (!gz) {
        writeFileAtomic(file, bytes);
        return;
    }
    const auto tmp = atomicTemporaryFor(file);
    gzFile out = gzopen(tmp.c_str(), "wb6");
    if (!out) throw Error(name + ": cannot open for writing");
    const int wrote = gzwrite(out, bytes.data(), unsigned(bytes.size()));
    gzclose(out);
    if (wrote != int(bytes.size())) {
        std::filesystem::remove(tmp);
        throw Error(name + ": write failed");
    }
    commitAtomic(tmp, file);
}

Mesh readGiftiSurface(const std::filesystem::path& file) {
    const GiftiFile g = readGifti(file);
    const GiftiArray* points = nullptr;
    const GiftiArray* tris = nullptr;
    for (const auto& a : g.arrays) {
        if (a.intent == "NIFTI_INTENT_POINTSET" && !points) points = &a;
        if (a.intent == "NIFTI_INTENT_TRIANGLE" && !tris) tris = &a;
    }
    if (!points || !tris) throw fileError(file, "DataArray", "expected a NIFTI_INTENT_POINTSET and a NIFTI_INTENT_TRIANGLE array (not a surface)");
    if (points->dims.size() != 2 || points->dims[1] != 3) throw fileError(file, "POINTSET dims", "expected N×3");
    if (tris->dims.size() != 2 || tris->dims[1] != 3) throw fileError(file, "TRIANGLE dims", "expected M×3");
    Mesh m;
    m.vertices.resize(points->dims[0], 3);
    for (int i = 0; i < points->dims[0] * 3; ++i) m.vertices.data()[i] = float(points->values[std::size_t(i)]);
    m.triangles.resize(tris->dims[0], 3);
    for (int i = 0; i < tris->dims[0] * 3; ++i) {
        // Checked before the cast (a float TRIANGLE array may hold anything; an out-of-range cast is undefined).
        const double v = tris->values[std::size_t(i)];
        if (!(v >= 0 && v < double(points->dims[0])))
            throw fileError(file, "TRIANGLE", "vertex indices out of range [0, " + std::to_string(points->dims[0]) + ")");
        m.triangles.data()[i] = std::int32_t(v);
    }
    if (!m.vertices.allFinite()) throw fileError(file, "POINTSET", "coordinates contain NaN or infinite values");
    if (m.triangles.size() && (m.triangles.minCoeff() < 0 || m.triangles.maxCoeff() >= m.vertexCount()))
        throw fileError(file, "TRIANGLE", "vertex indices out of range [0, " + std::to_string(m.vertexCount()) + ")");
    return m;
}

void writeGiftiSurface(const std::filesystem::path& file, const Mesh& mesh, const std::string& structure,
                       GiftiEncoding encoding) {
    mesh.validate(file.string());
    GiftiFile g;
    GiftiArray p;
    p.intent = "NIFTI_INTENT_POINTSET";
    p.dims = {int(mesh.vertexCount()), 3};
    p.values.assign(mesh.vertices.data(), mesh.vertices.data() + mesh.vertices.size());
    p.dataSpace = "NIFTI_XFORM_TALAIRACH";
    p.transformSpace = "NIFTI_XFORM_TALAIRACH";
    if (!structure.empty()) p.meta["AnatomicalStructurePrimary"] = structure;
    GiftiArray t;
    t.intent = "NIFTI_INTENT_TRIANGLE";
    t.integer = true;
    t.dims = {int(mesh.triangleCount()), 3};
    t.values.assign(mesh.triangles.data(), mesh.triangles.data() + mesh.triangles.size());
    g.arrays = {std::move(p), std::move(t)};
    writeGifti(file, g, encoding);
}

Eigen::MatrixXf readGiftiData(const std::filesystem::path& file, Eigen::Index expectedVertices) {
    const GiftiFile g = readGifti(file);
    std::vector<const GiftiArray*> arrays;
    for (const auto& a : g.arrays)
        if (a.intent != "NIFTI_INTENT_POINTSET" && a.intent != "NIFTI_INTENT_TRIANGLE") arrays.push_back(&a);
    if (arrays.empty()) throw fileError(file, "DataArray", "no per-vertex data arrays (is this a surface file?)");
    const int n = arrays[0]->dims[0];
    int cols = 0;
    for (const auto* a : arrays) {
        if (a->dims[0] != n)
            throw fileError(file, "DataArray Dim0", "arrays disagree in length (" + std::to_string(a->dims[0]) + " vs " + std::to_string(n) + ")");
        cols += a->dims.size() == 2 ? a->dims[1] : 1;
    }
    if (expectedVertices >= 0 && n != expectedVertices)
        throw fileError(file, "Dim0", "overlay has " + std::to_string(n) + " vertices, the surface has " + std::to_string(expectedVertices));
    Eigen::MatrixXf out(n, cols);
    int col = 0;
    for (const auto* a : arrays) {
        const int k = a->dims.size() == 2 ? a->dims[1] : 1;
        for (int r = 0; r < n; ++r)
            for (int c = 0; c < k; ++c) out(r, col + c) = float(a->values[std::size_t(r * k + c)]);
        col += k;
    }
    return out;
}

void writeGiftiData(const std::filesystem::path& file, const Eigen::MatrixXf& data, const std::string& intent,
                    GiftiEncoding encoding) {
    GiftiFile g;
    for (Eigen::Index c = 0; c < data.cols(); ++c) {
        GiftiArray a;
        a.intent = intent;
        a.dims = {int(data.rows())};
        a.values.assign(data.col(c).data(), data.col(c).data() + data.rows());
        g.arrays.push_back(std::move(a));
    }
    writeGifti(file, g, encoding);
}

SurfaceLabels readGiftiLabels(const std::filesystem::path& file, Eigen::Index expectedVertices) {
    const GiftiFile g = readGifti(file);
    for (const auto& a : g.arrays) {
        if (a.intent != "NIFTI_INTENT_LABEL") continue;
        if (expectedVertices >= 0 && a.dims[0] != expectedVertices)
            throw fileError(file, "Dim0", "label array has " + std::to_string(a.dims[0]) + " vertices, the surface has " +
                                              std::to_string(expectedVertices));
        SurfaceLabels s;
        s.labels.resize(a.dims[0]);
        for (int i = 0; i < a.dims[0]; ++i) s.labels[i] = int(std::lround(a.values[std::size_t(i)]));
        s.table = g.labels;
        return s;
    }
    throw fileError(file, "DataArray", "no NIFTI_INTENT_LABEL array");
}

void writeGiftiLabels(const std::filesystem::path& file, const SurfaceLabels& labels, GiftiEncoding encoding) {
    GiftiFile g;
    g.labels = labels.table;
    GiftiArray a;
    a.intent = "NIFTI_INTENT_LABEL";
    a.integer = true;
    a.dims = {int(labels.labels.size())};
    a.values.assign(labels.labels.data(), labels.labels.data() + labels.labels.size());
    g.arrays.push_back(std::move(a));
    writeGifti(file, g, encoding);
}

} // namespace nm::io
