#include "AtlasStructure.hpp"

#include "io/AtlasBundle.hpp"

#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace nm::fuzz {

namespace {

io::SparseMapsF sparse(int rows, int cols, float seed) {
    io::SparseMapsF m(rows, cols);
    std::vector<Eigen::Triplet<float, std::int64_t>> t;
    for (int r = 0; r < rows; ++r)
        for (int c = r % 3; c < cols; c += 3) t.emplace_back(r, c, 0.1f + seed * float(r + c));
    m.setFromTriplets(t.begin(), t.end());
    return m;
}

io::AtlasBundle baseline() {
    io::AtlasBundle b;
    b.grid.dims = {4, 4, 2};
    b.grid.affine.diagonal() << 4, 4, 4, 1;
    for (std::int64_t v = 0; v < 20; ++v) b.maskVoxels.push_back(v);
    b.surfaceSpace = "template";
    b.provenance = {{"software", "fuzz"}, {"seed", 1}};
    for (int k : {3, 5}) {
        io::AtlasScale s;
        s.components = k;
        s.maps = sparse(k, 20, 0.01f * float(k));
        for (int j = 0; j < k; ++j) s.names.push_back("component " + std::to_string(j + 1));
        s.centroids = Eigen::MatrixXf::Constant(k, 3, 1.5f);
        s.explainedVariance = Eigen::VectorXf::Constant(k, 0.01f);
        s.size = Eigen::VectorXi::Constant(k, 7);
        s.parent.assign(std::size_t(k), k == 3 ? -1 : 1);
        if (k == 5) s.overlap = sparse(5, 3, 0.05f);
        s.correlation = Eigen::MatrixXf::Identity(k, k);
        s.partialCorrelation = Eigen::MatrixXf::Identity(k, k);
        s.surfaceLeft = sparse(k, 6, 0.02f);
        s.surfaceRight = sparse(k, 6, 0.03f);
        io::ScaleLabels l;
        l.concepts = {"motor response", "working memory"};
        l.conceptIds = {"trm_1", ""};
        l.selectionFrequency = Eigen::MatrixXf::Constant(k, 2, 0.8f);
        l.coefficient = Eigen::MatrixXf::Constant(k, 2, 0.3f);
        l.forwardEffect = Eigen::MatrixXf::Constant(k, 2, 0.2f);
        l.forwardT = Eigen::MatrixXf::Constant(k, 2, 2.5f);
        l.subsamples = 100;
        l.literatureTerms.assign(std::size_t(k), "motor");
        l.literatureConcepts.assign(std::size_t(k), "motor response");
        l.literatureR = Eigen::MatrixXf::Constant(k, 1, 0.4f);
        l.agreement = Eigen::VectorXf::Constant(k, 0.5f);
        l.literatureSource = "fuzz";
        s.labels = l;
        io::ScaleSparseNetwork n;
        n.method = "graphical-lasso";
        n.alpha = 0.1;
        n.alphaSelection = "given";
        n.precision = sparse(k, k, 0.1f);
        n.partialCorrelation = sparse(k, k, 0.05f);
        n.module.assign(std::size_t(k), 1);
        n.edges = k;
        s.sparseNetwork = n;
        b.scales.push_back(std::move(s));
    }
    return b;
}

/// The baseline's bytes, written once per process with the project's writer.
const std::string& baselineBytes(const std::filesystem::path& scratch) {
    static const std::string bytes = [&] {
        const auto f = scratch.parent_path() / "baseline.nmatlas.h5";
        io::writeAtlasBundle(f, baseline());
        std::ifstream in(f, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }();
    return bytes;
}

class Bytes {
public:
    Bytes(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    std::uint8_t next() { return i_ < n_ ? d_[i_++] : 0; }
    [[nodiscard]] bool empty() const { return i_ >= n_; }

private:
    const std::uint8_t* d_;
    std::size_t n_, i_ = 0;
};

struct Objects {
    std::vector<std::string> paths;                 // groups and datasets
    std::vector<std::pair<std::string, std::string>> attributes;  // object path, attribute name
};

herr_t visitObject(hid_t, const char* name, const H5O_info_t*, void* data) {
    static_cast<Objects*>(data)->paths.emplace_back(name[0] == '.' && name[1] == 0 ? "/" : std::string("/") + name);
    return 0;
}
herr_t visitAttribute(hid_t, const char* name, const H5A_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
}

double number(Bytes& in, bool integer) {
    static const double extremes[] = {0, 1, -1, 2, 3, 5, 19, 20, 21, 1e9, -1e9, 4.0e18, -9.3e18, 2147483647.0, -2147483648.0};
    static const double reals[] = {0.5, -0.5, 1e30, -1e30, 1e-30};
    const std::uint8_t b = in.next();
    if (b < 160) return extremes[b % (sizeof extremes / sizeof *extremes)];
    if (integer) return double(int(b) - 200);
    if (b < 200) return reals[b % (sizeof reals / sizeof *reals)];
    if (b < 220) return std::numeric_limits<double>::quiet_NaN();
    if (b < 240) return std::numeric_limits<double>::infinity();
    return -std::numeric_limits<double>::infinity();
}

/// A dataset or attribute payload: type, rank 0..2, dims 0..15, values from the input.
struct Payload {
    hid_t type = H5T_NATIVE_DOUBLE;
    bool text = false, integer = false;
    std::vector<hsize_t> dims;
    std::vector<double> values;
    std::vector<std::string> strings;
    std::vector<const char*> pointers;
    [[nodiscard]] hsize_t count() const {
        hsize_t n = 1;
        for (auto d : dims) n *= d;
        return n;
    }
};

Payload payload(Bytes& in) {
    Payload p;
    const int kind = in.next() % 5;
    p.type = kind == 0 ? H5T_NATIVE_INT32 : kind == 1 ? H5T_NATIVE_INT64 : kind == 2 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    p.integer = kind <= 1;
    p.text = kind == 4;
    const int rank = in.next() % 3;
    for (int r = 0; r < rank; ++r) p.dims.push_back(in.next() % 16);
    const hsize_t n = p.count();
    for (hsize_t i = 0; i < n; ++i) {
        if (p.text) p.strings.push_back(std::string(in.next() % 4, char('a' + in.next() % 26)));
        else p.values.push_back(number(in, p.integer));
    }
    for (const auto& s : p.strings) p.pointers.push_back(s.c_str());
    return p;
}

/// Writes the payload's values converted to its type (HDF5 converts from double; strings as variable-length).
void writeValues(hid_t target, bool attribute, const Payload& p, hid_t fileType) {
    if (p.count() == 0) return;
    if (p.text) {
        const char* const* data = p.pointers.data();
        attribute ? H5Awrite(target, fileType, data) : H5Dwrite(target, fileType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
        return;
    }
    // Integers from double: clamp first (HDF5's conversion of out-of-range values is defined, but keep them meaningful).
    attribute ? H5Awrite(target, H5T_NATIVE_DOUBLE, p.values.data()) : H5Dwrite(target, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.values.data());
}

hid_t fileTypeOf(const Payload& p) {
    if (!p.text) return H5Tcopy(p.type);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

} // namespace

void writeEditedAtlas(const std::uint8_t* data, std::size_t size, const std::filesystem::path& file) {
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        const auto& b = baselineBytes(file);
        out.write(b.data(), std::streamsize(b.size()));
    }
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return;
    Objects objects;
    H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, visitObject, &objects, H5O_INFO_BASIC);
    for (const auto& path : objects.paths) {
        std::vector<std::string> names;
        H5Aiterate_by_name(f, path.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, visitAttribute, &names, H5P_DEFAULT);
        for (const auto& n : names) objects.attributes.emplace_back(path, n);
    }
    Bytes in(data, size);
    for (int edit = 0; edit < 12 && !in.empty(); ++edit) {
        const int op = in.next() % 4;
        if (op <= 1 && !objects.paths.empty()) {
            const std::string path = objects.paths[in.next() % objects.paths.size()];
            if (path == "/") continue;
            if (H5Lexists(f, path.c_str(), H5P_DEFAULT) <= 0) continue;
            const bool isDataset = H5Oexists_by_name(f, path.c_str(), H5P_DEFAULT) > 0 && [&] {
                H5O_info_t info;
                return H5Oget_info_by_name2(f, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET;
            }();
            H5Ldelete(f, path.c_str(), H5P_DEFAULT);
            if (op == 1 && isDataset) {  // replace by a dataset of another type / shape
                const Payload p = payload(in);
                const hid_t space = p.dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(p.dims.size()), p.dims.data(), nullptr);
                const hid_t type = fileTypeOf(p);
                const hid_t d = H5Dcreate2(f, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                if (d >= 0) {
                    writeValues(d, false, p, type);
                    H5Dclose(d);
                }
                H5Tclose(type);
                H5Sclose(space);
            }
        } else if (!objects.attributes.empty()) {
            const auto& [path, name] = objects.attributes[in.next() % objects.attributes.size()];
            if (H5Lexists(f, path.c_str(), H5P_DEFAULT) <= 0 && path != "/") continue;
            if (H5Aexists_by_name(f, path.c_str(), name.c_str(), H5P_DEFAULT) > 0) H5Adelete_by_name(f, path.c_str(), name.c_str(), H5P_DEFAULT);
            if (op == 3) {  // replace by an attribute of another type / shape
                const Payload p = payload(in);
                const hid_t space = p.dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(p.dims.size()), p.dims.data(), nullptr);
                const hid_t type = fileTypeOf(p);
                const hid_t a = H5Acreate_by_name(f, path.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                if (a >= 0) {
                    writeValues(a, true, p, type);
                    H5Aclose(a);
                }
                H5Tclose(type);
                H5Sclose(space);
            }
        }
    }
    H5Fclose(f);
}

} // namespace nm::fuzz
