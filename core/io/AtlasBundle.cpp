#include "io/AtlasBundle.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include "io/Hdf5.hpp"

#include <charconv>

#include <mutex>

namespace nm::io {

namespace {

class Writer {
public:
    explicit Writer(const std::filesystem::path& file) : file_(file) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        f_ = Handle(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        if (f_ < 0) throw Error(file.string() + ": cannot create HDF5 file");
    }
    hid_t root() const { return f_; }
    Handle group(hid_t parent, const std::string& name) {
        Handle g(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        check(g, name);
        return g;
    }
    template <typename T>
    void dataset(hid_t parent, const std::string& name, const T* data, std::vector<hsize_t> dims, hid_t type) {
        Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
        hsize_t total = 1;
        for (auto d : dims) total *= d;
        Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        if (total > 4096 && dims.size() <= 2) {
            std::vector<hsize_t> chunk = dims;
            for (auto& c : chunk) c = std::min<hsize_t>(c, dims.size() == 1 ? 65536 : 256);
            H5Pset_chunk(plist, int(chunk.size()), chunk.data());
            H5Pset_deflate(plist, 4);
        }
        Handle d(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
        check(d, name);
        if (total > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) throw Error(file_.string() + ": cannot write " + name);
    }
    void strings(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
        std::vector<const char*> ptrs;
        for (const auto& v : values) ptrs.push_back(v.c_str());
        Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        const hsize_t n = values.size();
        Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
        Handle d(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
        check(d, name);
        if (n > 0 && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) throw Error(file_.string() + ": cannot write " + name);
    }
    void attribute(hid_t obj, const std::string& name, const std::string& value) {
        Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type, value.size() + 1);
        H5Tset_cset(type, H5T_CSET_UTF8);
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        check(a, name);
        H5Awrite(a, type, value.c_str());
    }
    void attribute(hid_t obj, const std::string& name, double value) {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(H5Acreate2(obj, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        check(a, name);
        H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
    }
    void attribute(hid_t obj, const std::string& name, long long value) {
        Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Handle a(H5Acreate2(obj, name.c_str(), H5T_NATIVE_LLONG, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        check(a, name);
        H5Awrite(a, H5T_NATIVE_LLONG, &value);
    }
    void sparse(hid_t parent, const std::string& name, const SparseMapsF& m) {
        SparseMapsF c = m;
        c.makeCompressed();
        Handle g = group(parent, name);
        dataset(g, "data", c.valuePtr(), {hsize_t(c.nonZeros())}, H5T_NATIVE_FLOAT);
        dataset(g, "indices", c.innerIndexPtr(), {hsize_t(c.nonZeros())}, H5T_NATIVE_INT64);
        dataset(g, "indptr", c.outerIndexPtr(), {hsize_t(c.rows() + 1)}, H5T_NATIVE_INT64);
        attribute(g, "format", std::string("csr"));
        attribute(g, "rows", (long long)c.rows());
        attribute(g, "cols", (long long)c.cols());
    }

private:
    void check(hid_t h, const std::string& what) const {
        if (h < 0) throw Error(file_.string() + ": cannot create " + what);
    }
    std::filesystem::path file_;
    Handle f_;
};

class Reader {
public:
    explicit Reader(const std::filesystem::path& file) : file_(file) {
        requireReadableFile(file, "atlas bundle");
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        if (H5Fis_hdf5(file.c_str()) <= 0) throw fileError(file, "not an HDF5 file (expected a *.nmatlas.h5 atlas bundle)");
        f_ = Handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        if (f_ < 0) throw fileError(file, "cannot open the HDF5 file (damaged?)");
    }
    hid_t root() const { return f_; }
    bool exists(hid_t parent, const std::string& name) const { return H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0; }
    Handle group(hid_t parent, const std::string& name, const std::string& path) const {
        if (!exists(parent, name)) throw fileError(file_, path, "missing");
        Handle g(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
        if (g < 0) throw fileError(file_, path, "is not a group");
        return g;
    }
    std::vector<hsize_t> shape(hid_t parent, const std::string& name, const std::string& path) const {
        if (!exists(parent, name)) throw fileError(file_, path, "missing");
        Handle d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
        if (d < 0) throw fileError(file_, path, "is not a dataset");
        Handle s(H5Dget_space(d), H5Sclose);
        const int nd = H5Sget_simple_extent_ndims(s);
        std::vector<hsize_t> dims(std::size_t(std::max(nd, 0)));
        H5Sget_simple_extent_dims(s, dims.data(), nullptr);
        return dims;
    }
    template <typename T>
    std::vector<T> read(hid_t parent, const std::string& name, hid_t type, const std::string& path,
                        std::optional<hsize_t> expected = std::nullopt) const {
        const auto dims = shape(parent, name, path);
        hsize_t total = 1;
        for (auto d : dims) total *= d;
        if (expected && total != *expected)
            throw fileError(file_, path, "has " + std::to_string(total) + " values, expected " + std::to_string(*expected));
        if (total > (hsize_t(1) << 34)) throw fileError(file_, path, "implausibly large");
        std::vector<T> out(total);
        Handle d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
        if (total > 0 && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
            throw fileError(file_, path, "cannot be read (damaged file?)");
        return out;
    }
    std::vector<std::string> strings(hid_t parent, const std::string& name, const std::string& path, hsize_t expected) const {
        const auto dims = shape(parent, name, path);
        if (dims.size() != 1 || dims[0] != expected) throw fileError(file_, path, "expected " + std::to_string(expected) + " names");
        Handle d(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
        Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type, H5T_VARIABLE);
        {
            // Read in the file's character set (HDF5 does not convert ASCII ↔ UTF-8).
            Handle fileType(H5Dget_type(d), H5Tclose);
            H5Tset_cset(type, H5Tget_cset(fileType));
        }
        std::vector<char*> ptrs(expected, nullptr);
        if (expected > 0 && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
            throw fileError(file_, path, "cannot be read");
        std::vector<std::string> out;
        for (char* p : ptrs) {
            out.emplace_back(p ? p : "");
        }
        Handle space(H5Dget_space(d), H5Sclose);
        if (expected > 0) H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
        return out;
    }
    /// Attributes are read into one value: one with another shape is refused (reading it would
    /// write past that value; found by fuzz/AtlasStructure.cpp).
    void requireScalar(hid_t a, const std::string& name) const {
        Handle space(H5Aget_space(a), H5Sclose);
        if (space < 0 || H5Sget_simple_extent_npoints(space) != 1)
            throw fileError(file_, "attribute " + name, "expected a single value");
    }
    std::optional<std::string> stringAttribute(hid_t obj, const std::string& name) const {
        if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
        Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
        requireScalar(a, name);
        Handle type(H5Aget_type(a), H5Tclose);
        if (H5Tget_class(type) != H5T_STRING) return std::nullopt;
        if (H5Tis_variable_str(type) > 0) {
            char* p = nullptr;
            Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
            H5Tset_size(mem, H5T_VARIABLE);
            H5Aread(a, mem, &p);
            std::string s = p ? p : "";
            H5free_memory(p);
            return s;
        }
        const std::size_t n = H5Tget_size(type);
        std::string s(n, '\0');
        H5Aread(a, type, s.data());
        s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        return s;
    }
    std::optional<long long> intAttribute(hid_t obj, const std::string& name) const {
        if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
        Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
        requireScalar(a, name);
        long long v = 0;
        if (H5Aread(a, H5T_NATIVE_LLONG, &v) < 0) return std::nullopt;
        return v;
    }
    std::optional<double> doubleAttribute(hid_t obj, const std::string& name) const {
        if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
        Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
        requireScalar(a, name);
        double v = 0;
        if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
        return v;
    }
    SparseMapsF sparse(hid_t parent, const std::string& name, const std::string& path, long long rows, long long cols) const {
        Handle g = group(parent, name, path);
        // Building the matrix allocates per row and per column: a size only the file vouches for (the
        // surfaces' vertex count) is bounded first (found by fuzz/AtlasStructure.cpp: cols = 10^18).
        if (rows < 0 || cols < 0 || rows > (1ll << 26) || cols > (1ll << 26))
            throw fileError(file_, path, "shape " + std::to_string(rows) + "×" + std::to_string(cols) + " is implausible");
        const auto r = intAttribute(g, "rows"), c = intAttribute(g, "cols");
        if (!r || !c || *r != rows || *c != cols)
            throw fileError(file_, path, "shape " + std::to_string(r.value_or(-1)) + "×" + std::to_string(c.value_or(-1)) +
                                             ", expected " + std::to_string(rows) + "×" + std::to_string(cols));
        const auto indptr = read<std::int64_t>(g, "indptr", H5T_NATIVE_INT64, path + "/indptr", hsize_t(rows + 1));
        const auto nnz = hsize_t(indptr.back());
        const auto data = read<float>(g, "data", H5T_NATIVE_FLOAT, path + "/data", nnz);
        const auto indices = read<std::int64_t>(g, "indices", H5T_NATIVE_INT64, path + "/indices", nnz);
        std::vector<Eigen::Triplet<float, std::int64_t>> t;
        t.reserve(nnz);
        for (long long i = 0; i < rows; ++i) {
            if (indptr[std::size_t(i)] > indptr[std::size_t(i) + 1] || indptr[std::size_t(i)] < 0)
                throw fileError(file_, path + "/indptr", "not increasing");
            for (auto k = indptr[std::size_t(i)]; k < indptr[std::size_t(i) + 1]; ++k) {
                if (indices[std::size_t(k)] < 0 || indices[std::size_t(k)] >= cols) throw fileError(file_, path + "/indices", "out of range");
                t.emplace_back(i, indices[std::size_t(k)], data[std::size_t(k)]);
            }
        }
        SparseMapsF m(rows, cols);
        m.setFromTriplets(t.begin(), t.end());
        return m;
    }
    const std::filesystem::path& file() const { return file_; }

private:
    std::filesystem::path file_;
    Handle f_;
};

std::string scaleGroup(int k) { return "scale-" + std::to_string(k); }

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void writeLabels(Writer& w, hid_t scale, const ScaleLabels& l, int k) {
    auto g = w.group(scale, "labels");
    w.strings(g, "concepts", l.concepts);
    w.strings(g, "concept_ids", l.conceptIds);
    const hsize_t c = l.concepts.size();
    const std::pair<const char*, const Eigen::MatrixXf*> mats[] = {{"selection_frequency", &l.selectionFrequency},
                                                                   {"coefficient", &l.coefficient},
                                                                   {"forward_effect", &l.forwardEffect},
                                                                   {"forward_t", &l.forwardT}};
    for (const auto& [name, m] : mats) {
        const RowMatrixXf r = *m;
        w.dataset(g, name, r.data(), {hsize_t(k), c}, H5T_NATIVE_FLOAT);
    }
    w.attribute(g, "threshold", l.threshold);
    w.attribute(g, "expected_false_selections", l.expectedFalseSelections);
    w.attribute(g, "subsamples", (long long)l.subsamples);
    w.attribute(g, "literature_source", l.literatureSource);
    const hsize_t m = hsize_t(l.literatureR.cols());
    w.attribute(g, "literature_count", (long long)m);
    if (m > 0) {
        w.strings(g, "literature_terms", l.literatureTerms);
        w.strings(g, "literature_concepts", l.literatureConcepts);
        const RowMatrixXf r = l.literatureR;
        w.dataset(g, "literature_r", r.data(), {hsize_t(k), m}, H5T_NATIVE_FLOAT);
    }
    if (l.agreement.size()) w.dataset(g, "agreement", l.agreement.data(), {hsize_t(k)}, H5T_NATIVE_FLOAT);
}

ScaleLabels readLabels(const Reader& r, hid_t scale, const std::string& path, int k) {
    auto g = r.group(scale, "labels", path);
    ScaleLabels l;
    const auto cshape = r.shape(g, "concepts", path + "/concepts");
    if (cshape.size() != 1) throw fileError(r.file(), path + "/concepts", "expected a list of names");
    const hsize_t c = cshape[0];
    l.concepts = r.strings(g, "concepts", path + "/concepts", c);
    l.conceptIds = r.strings(g, "concept_ids", path + "/concept_ids", c);
    auto matrix = [&](const char* name, hsize_t cols) {
        const auto v = r.read<float>(g, name, H5T_NATIVE_FLOAT, path + "/" + name, hsize_t(k) * cols);
        return Eigen::MatrixXf(Eigen::Map<const RowMatrixXf>(v.data(), k, Eigen::Index(cols)));
    };
    l.selectionFrequency = matrix("selection_frequency", c);
    l.coefficient = matrix("coefficient", c);
    l.forwardEffect = matrix("forward_effect", c);
    l.forwardT = matrix("forward_t", c);
    l.threshold = r.doubleAttribute(g, "threshold").value_or(0.7);
    l.expectedFalseSelections = r.doubleAttribute(g, "expected_false_selections").value_or(0.0);
    if (!(l.threshold > 0 && l.threshold <= 1)) throw fileError(r.file(), path + " attr threshold", "expected a frequency in (0, 1]");
    l.subsamples = int(r.intAttribute(g, "subsamples").value_or(0));
    l.literatureSource = r.stringAttribute(g, "literature_source").value_or("");
    const long long m = r.intAttribute(g, "literature_count").value_or(0);
    if (m < 0 || m > 1000) throw fileError(r.file(), path + " attr literature_count", "implausible: " + std::to_string(m));
    if (m > 0) {
        l.literatureTerms = r.strings(g, "literature_terms", path + "/literature_terms", hsize_t(k) * hsize_t(m));
        l.literatureConcepts = r.strings(g, "literature_concepts", path + "/literature_concepts", hsize_t(k) * hsize_t(m));
        l.literatureR = matrix("literature_r", hsize_t(m));
    } else {
        l.literatureR.resize(k, 0);
    }
    if (r.exists(g, "agreement")) {
        const auto a = r.read<float>(g, "agreement", H5T_NATIVE_FLOAT, path + "/agreement", hsize_t(k));
        l.agreement = Eigen::Map<const Eigen::VectorXf>(a.data(), k);
    }
    return l;
}

void writeSparseNetwork(Writer& w, hid_t network, const ScaleSparseNetwork& n, int k) {
    auto g = w.group(network, "sparse");
    w.attribute(g, "method", n.method);
    w.attribute(g, "alpha", n.alpha);
    w.attribute(g, "cross_validated", (long long)(n.crossValidated ? 1 : 0));
    w.attribute(g, "alpha_selection", n.alphaSelection);
    w.attribute(g, "objective", n.objective);
    w.attribute(g, "duality_gap", n.dualityGap);
    w.attribute(g, "iterations", (long long)n.iterations);
    w.attribute(g, "converged", (long long)(n.converged ? 1 : 0));
    w.attribute(g, "edges", (long long)n.edges);
    w.attribute(g, "seconds", n.seconds);
    w.attribute(g, "modularity", n.modularity);
    w.attribute(g, "parent_correlation", n.parentCorrelation);
    w.attribute(g, "parent_support_recall", n.parentSupportRecall);
    if (!n.cvAlphas.empty()) {
        w.dataset(g, "cv_alphas", n.cvAlphas.data(), {hsize_t(n.cvAlphas.size())}, H5T_NATIVE_DOUBLE);
        w.dataset(g, "cv_scores", n.cvScores.data(), {hsize_t(n.cvScores.size())}, H5T_NATIVE_DOUBLE);
    }
    w.sparse(g, "precision", n.precision);
    w.sparse(g, "partial_correlation", n.partialCorrelation);
    w.dataset(g, "module", n.module.data(), {hsize_t(k)}, H5T_NATIVE_INT);
    if (!n.subjectPrecisions.empty()) {
        w.strings(g, "subjects", n.subjects);
        auto subj = w.group(g, "subject_precisions");
        for (std::size_t i = 0; i < n.subjectPrecisions.size(); ++i) w.sparse(subj, std::to_string(i), n.subjectPrecisions[i]);
    }
}

ScaleSparseNetwork readSparseNetwork(const Reader& r, hid_t network, const std::string& path, int k) {
    auto g = r.group(network, "sparse", path);
    ScaleSparseNetwork n;
    n.method = r.stringAttribute(g, "method").value_or("");
    if (n.method != "group-sparse" && n.method != "graphical-lasso")
        throw fileError(r.file(), path + " attr method", "expected group-sparse or graphical-lasso, got '" + n.method + "'");
    n.alpha = r.doubleAttribute(g, "alpha").value_or(0.0);
    n.crossValidated = r.intAttribute(g, "cross_validated").value_or(0) != 0;
    n.alphaSelection = r.stringAttribute(g, "alpha_selection").value_or(n.crossValidated ? "cv" : "given");
    n.objective = r.doubleAttribute(g, "objective").value_or(0.0);
    n.dualityGap = r.doubleAttribute(g, "duality_gap").value_or(0.0);
    n.iterations = int(r.intAttribute(g, "iterations").value_or(0));
    n.converged = r.intAttribute(g, "converged").value_or(0) != 0;
    n.edges = r.intAttribute(g, "edges").value_or(0);
    n.seconds = r.doubleAttribute(g, "seconds").value_or(0.0);
    n.modularity = r.doubleAttribute(g, "modularity").value_or(0.0);
    n.parentCorrelation = r.doubleAttribute(g, "parent_correlation").value_or(std::numeric_limits<double>::quiet_NaN());
    n.parentSupportRecall = r.doubleAttribute(g, "parent_support_recall").value_or(std::numeric_limits<double>::quiet_NaN());
    if (r.exists(g, "cv_alphas")) {
        n.cvAlphas = r.read<double>(g, "cv_alphas", H5T_NATIVE_DOUBLE, path + "/cv_alphas");
        n.cvScores = r.read<double>(g, "cv_scores", H5T_NATIVE_DOUBLE, path + "/cv_scores", n.cvAlphas.size());
    }
    n.precision = r.sparse(g, "precision", path + "/precision", k, k);
    n.partialCorrelation = r.sparse(g, "partial_correlation", path + "/partial_correlation", k, k);
    n.module = r.read<int>(g, "module", H5T_NATIVE_INT, path + "/module", hsize_t(k));
    if (r.exists(g, "subject_precisions")) {
        const auto shape = r.shape(g, "subjects", path + "/subjects");
        if (shape.size() != 1) throw fileError(r.file(), path + "/subjects", "expected a list of subject names");
        n.subjects = r.strings(g, "subjects", path + "/subjects", shape[0]);
        auto subj = r.group(g, "subject_precisions", path + "/subject_precisions");
        for (std::size_t i = 0; i < n.subjects.size(); ++i)
            n.subjectPrecisions.push_back(r.sparse(subj, std::to_string(i), path + "/subject_precisions/" + std::to_string(i), k, k));
    }
    return n;
}

} // namespace

int ScaleSparseNetwork::moduleCount() const {
    return module.empty() ? 0 : *std::max_element(module.begin(), module.end());
}

std::vector<std::pair<int, float>> ScaleLabels::labelsOf(int component, bool positiveOnly) const {
    std::vector<std::pair<int, float>> out;
    if (component < 0 || component >= selectionFrequency.rows()) return out;
    for (Eigen::Index c = 0; c < selectionFrequency.cols(); ++c) {
        const float pi = selectionFrequency(component, c);
        // In float: π = 70/100 stored as 0.7f is below the double 0.7.
        if (pi >= float(threshold) && (!positiveOnly || coefficient(component, c) > 0)) out.emplace_back(int(c), pi);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

const AtlasScale& AtlasBundle::scale(int components) const {
    for (const auto& s : scales)
        if (s.components == components) return s;
    std::string have;
    for (const auto& s : scales) have += (have.empty() ? "" : ", ") + std::to_string(s.components);
    throw InputError("atlas: no scale with " + std::to_string(components) + " components (has " + have + ")");
}

AtlasScale& AtlasBundle::scale(int components) {
    return const_cast<AtlasScale&>(static_cast<const AtlasBundle&>(*this).scale(components));
}

Volume AtlasBundle::mapsVolume(std::size_t index) const {
    const auto& s = scales.at(index);
    Volume v;
    v.geometry = grid;
    v.frames = s.components;
    v.data.assign(grid.voxelCount() * std::size_t(s.components), 0.0f);
    for (Eigen::Index c = 0; c < s.maps.outerSize(); ++c) {
        float* f = v.frame(int(c));
        for (SparseMapsF::InnerIterator it(s.maps, c); it; ++it) f[std::size_t(maskVoxels[std::size_t(it.col())])] = it.value();
    }
    return v;
}

void AtlasBundle::validate(const std::string& what) const {
    const auto p = Eigen::Index(maskVoxels.size());
    for (std::size_t i = 1; i < maskVoxels.size(); ++i)
        if (maskVoxels[i] <= maskVoxels[i - 1]) throw InputError(what + ": mask voxels must increase");
    if (!maskVoxels.empty() && (maskVoxels.front() < 0 || std::size_t(maskVoxels.back()) >= grid.voxelCount()))
        throw InputError(what + ": mask voxels outside the grid");
    for (const auto& s : scales) {
        const std::string w = what + ": " + scaleGroup(s.components);
        if (s.maps.rows() != s.components || s.maps.cols() != p) throw InputError(w + ": maps have the wrong shape");
        if (int(s.names.size()) != s.components) throw InputError(w + ": names");
        if (s.centroids.rows() != s.components || s.centroids.cols() != 3) throw InputError(w + ": centroids");
        if (s.explainedVariance.size() != s.components) throw InputError(w + ": explained_variance");
        if (s.size.size() != s.components) throw InputError(w + ": size");
        if (int(s.parent.size()) != s.components) throw InputError(w + ": parent");
        const int previous = &s == &scales.front() ? 0 : (&s - 1)->components;
        for (int q : s.parent)
            if (q < -1 || q >= previous) throw InputError(w + ": parent " + std::to_string(q) + " is not a component of the previous scale");
        if (s.overlap.size() != 0 && (s.overlap.rows() != s.components || s.overlap.cols() != previous))
            throw InputError(w + ": overlap must be components × components of the previous scale");
        for (const auto* m : {&s.correlation, &s.partialCorrelation})
            if (m->size() != 0 && (m->rows() != s.components || m->cols() != s.components)) throw InputError(w + ": network");
        if (s.sparseNetwork) {
            const auto& n = *s.sparseNetwork;
            if (s.correlation.size() == 0) throw InputError(w + ": a sparse network needs the correlation network of the scale");
            for (const auto* m : {&n.precision, &n.partialCorrelation})
                if (m->rows() != s.components || m->cols() != s.components) throw InputError(w + ": network/sparse matrices must be components × components");
            if (int(n.module.size()) != s.components) throw InputError(w + ": network/sparse/module must have one entry per component");
            if (n.subjects.size() != n.subjectPrecisions.size()) throw InputError(w + ": network/sparse: one subject name per subject precision");
            for (const auto& m : n.subjectPrecisions)
                if (m.rows() != s.components || m.cols() != s.components) throw InputError(w + ": network/sparse/subject_precisions shape");
            if (n.cvAlphas.size() != n.cvScores.size()) throw InputError(w + ": network/sparse: cv_alphas and cv_scores differ in length");
        }
        if (s.labels) {
            const auto& l = *s.labels;
            const auto c = Eigen::Index(l.concepts.size());
            if (Eigen::Index(l.conceptIds.size()) != c) throw InputError(w + ": labels/concept_ids must have one entry per concept");
            for (const auto* m : {&l.selectionFrequency, &l.coefficient, &l.forwardEffect, &l.forwardT})
                if (m->rows() != s.components || m->cols() != c) throw InputError(w + ": labels: matrices must be components × concepts");
            const auto m = l.literatureR.cols();
            if (l.literatureR.size() && l.literatureR.rows() != s.components) throw InputError(w + ": labels/literature_r rows");
            if (Eigen::Index(l.literatureTerms.size()) != s.components * m || Eigen::Index(l.literatureConcepts.size()) != s.components * m)
                throw InputError(w + ": labels/literature_terms must be components × terms");
            if (l.agreement.size() != 0 && l.agreement.size() != s.components) throw InputError(w + ": labels/agreement size");
        }
    }
}

void writeAtlasBundle(const std::filesystem::path& file, const AtlasBundle& b) {
    b.validate(file.string());
    std::lock_guard lock(hdf5Mutex());
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    const auto tmp = atomicTemporaryFor(file);
    try {
        Writer w(tmp);
        w.attribute(w.root(), "format", std::string("neuromosaic-atlas"));
        w.attribute(w.root(), "schema_version", (long long)AtlasBundle::kSchemaVersion);
        {
            auto space = w.group(w.root(), "space");
            w.attribute(space, "template_id", b.templateId);
            const int dims[3] = {b.grid.dims[0], b.grid.dims[1], b.grid.dims[2]};
            w.dataset(space, "dims", dims, {3}, H5T_NATIVE_INT);
            Eigen::Matrix<double, 4, 4, Eigen::RowMajor> affine = b.grid.affine;
            w.dataset(space, "affine", affine.data(), {4, 4}, H5T_NATIVE_DOUBLE);
            w.dataset(space, "mask_voxels", b.maskVoxels.data(), {hsize_t(b.maskVoxels.size())}, H5T_NATIVE_INT64);
            if (!b.surfaceSpace.empty()) w.attribute(space, "surface_space", b.surfaceSpace);
        }
        auto scales = w.group(w.root(), "scales");
        for (const auto& s : b.scales) {
            auto g = w.group(scales, scaleGroup(s.components));
            w.attribute(g, "components", (long long)s.components);
            w.sparse(g, "maps", s.maps);
            w.strings(g, "names", s.names);
            Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> c = s.centroids;
            w.dataset(g, "centroids", c.data(), {hsize_t(s.components), 3}, H5T_NATIVE_FLOAT);
            w.dataset(g, "explained_variance", s.explainedVariance.data(), {hsize_t(s.components)}, H5T_NATIVE_FLOAT);
            w.dataset(g, "size", s.size.data(), {hsize_t(s.components)}, H5T_NATIVE_INT);
            w.dataset(g, "parent", s.parent.data(), {hsize_t(s.components)}, H5T_NATIVE_INT);
            if (s.overlap.size() != 0) w.sparse(g, "overlap", s.overlap);
            if (s.correlation.size() > 0) {
                auto net = w.group(g, "network");
                Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> corr = s.correlation, part = s.partialCorrelation;
                w.dataset(net, "correlation", corr.data(), {hsize_t(s.components), hsize_t(s.components)}, H5T_NATIVE_FLOAT);
                if (part.size() > 0)
                    w.dataset(net, "partial_correlation", part.data(), {hsize_t(s.components), hsize_t(s.components)}, H5T_NATIVE_FLOAT);
                if (s.sparseNetwork) writeSparseNetwork(w, net, *s.sparseNetwork, s.components);
            }
            if (s.surfaceLeft && s.surfaceRight) {
                auto surf = w.group(g, "surface");
                w.sparse(surf, "left", *s.surfaceLeft);
                w.sparse(surf, "right", *s.surfaceRight);
            }
            if (s.labels) writeLabels(w, g, *s.labels, s.components);
        }
        auto prov = w.group(w.root(), "provenance");
        w.attribute(prov, "json", b.provenance.dump());
        if (b.displacementMm) {
            auto pers = w.group(w.root(), "personalization");
            w.dataset(pers, "displacement_mm", b.displacementMm->data(), {hsize_t(b.displacementMm->size())}, H5T_NATIVE_FLOAT);
        }
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    commitAtomic(tmp, file);
}

AtlasBundle readAtlasBundle(const std::filesystem::path& file) {
    std::lock_guard lock(hdf5Mutex());
    Reader r(file);
    if (r.stringAttribute(r.root(), "format").value_or("") != "neuromosaic-atlas")
        throw fileError(file, "format", "not a NeuroMosaic atlas bundle (attribute format != neuromosaic-atlas)");
    AtlasBundle b;
    b.schemaVersion = int(r.intAttribute(r.root(), "schema_version").value_or(0));
    if (b.schemaVersion < 1 || b.schemaVersion > AtlasBundle::kSchemaVersion)
        throw fileError(file, "schema_version", std::to_string(b.schemaVersion) + " is not supported by this version (1.." +
                                                    std::to_string(AtlasBundle::kSchemaVersion) + "); update NeuroMosaic");
    {
        auto space = r.group(r.root(), "space", "/space");
        b.templateId = r.stringAttribute(space, "template_id").value_or("");
        b.surfaceSpace = r.stringAttribute(space, "surface_space").value_or("");
        const auto dims = r.read<int>(space, "dims", H5T_NATIVE_INT, "/space/dims", 3);
        for (int i = 0; i < 3; ++i) {
            if (dims[std::size_t(i)] < 1 || dims[std::size_t(i)] > 4096) throw fileError(file, "/space/dims", "implausible grid size");
            b.grid.dims[std::size_t(i)] = dims[std::size_t(i)];
        }
        const auto affine = r.read<double>(space, "affine", H5T_NATIVE_DOUBLE, "/space/affine", 16);
        for (int i = 0; i < 16; ++i) b.grid.affine(i / 4, i % 4) = affine[std::size_t(i)];
        b.maskVoxels = r.read<std::int64_t>(space, "mask_voxels", H5T_NATIVE_INT64, "/space/mask_voxels");
    }
    const auto p = (long long)b.maskVoxels.size();
    auto scales = r.group(r.root(), "scales", "/scales");
    hsize_t count = 0;
    H5Gget_num_objs(scales, &count);
    std::vector<std::pair<int, std::string>> names;
    for (hsize_t i = 0; i < count; ++i) {
        char name[256];
        H5Gget_objname_by_idx(scales, i, name, sizeof name);
        const std::string n(name);
        if (n.rfind("scale-", 0) != 0) continue;
        int k = 0;
        const auto digits = n.substr(6);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
        if (ec != std::errc() || end != digits.data() + digits.size() || k < 1)
            throw fileError(file, "/scales/" + n, "expected a group named scale-<components>");
        names.emplace_back(k, n);
    }
    std::sort(names.begin(), names.end());
    for (const auto& [k, n] : names) {
        const std::string path = "/scales/" + n;
        auto g = r.group(scales, n, path);
        AtlasScale s;
        s.components = k;
        s.maps = r.sparse(g, "maps", path + "/maps", k, p);
        s.names = r.strings(g, "names", path + "/names", hsize_t(k));
        const auto c = r.read<float>(g, "centroids", H5T_NATIVE_FLOAT, path + "/centroids", hsize_t(k) * 3);
        s.centroids = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>>(c.data(), k, 3);
        const auto ev = r.read<float>(g, "explained_variance", H5T_NATIVE_FLOAT, path + "/explained_variance", hsize_t(k));
        s.explainedVariance = Eigen::Map<const Eigen::VectorXf>(ev.data(), k);
        const auto sz = r.read<int>(g, "size", H5T_NATIVE_INT, path + "/size", hsize_t(k));
        s.size = Eigen::Map<const Eigen::VectorXi>(sz.data(), k);
        s.parent = r.read<int>(g, "parent", H5T_NATIVE_INT, path + "/parent", hsize_t(k));
        if (r.exists(g, "overlap")) {
            auto ov = r.group(g, "overlap", path + "/overlap");
            s.overlap = r.sparse(g, "overlap", path + "/overlap", k, r.intAttribute(ov, "cols").value_or(0));
        }
        if (r.exists(g, "network")) {
            auto net = r.group(g, "network", path + "/network");
            const auto corr = r.read<float>(net, "correlation", H5T_NATIVE_FLOAT, path + "/network/correlation", hsize_t(k) * hsize_t(k));
            s.correlation = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(corr.data(), k, k);
            if (r.exists(net, "partial_correlation")) {
                const auto part = r.read<float>(net, "partial_correlation", H5T_NATIVE_FLOAT, path + "/network/partial_correlation",
                                                hsize_t(k) * hsize_t(k));
                s.partialCorrelation = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(part.data(), k, k);
            }
            if (r.exists(net, "sparse")) s.sparseNetwork = readSparseNetwork(r, net, path + "/network/sparse", k);
        }
        if (r.exists(g, "surface")) {
            auto surf = r.group(g, "surface", path + "/surface");
            auto left = r.group(surf, "left", path + "/surface/left");
            const auto cl = r.intAttribute(left, "cols").value_or(0);
            auto right = r.group(surf, "right", path + "/surface/right");
            const auto cr = r.intAttribute(right, "cols").value_or(0);
            s.surfaceLeft = r.sparse(surf, "left", path + "/surface/left", k, cl);
            s.surfaceRight = r.sparse(surf, "right", path + "/surface/right", k, cr);
        }
        if (r.exists(g, "labels")) s.labels = readLabels(r, g, path + "/labels", k);
        b.scales.push_back(std::move(s));
    }
    if (b.scales.empty()) throw fileError(file, "/scales", "the bundle has no scale");
    if (r.exists(r.root(), "personalization")) {
        auto pers = r.group(r.root(), "personalization", "/personalization");
        const auto d = r.read<float>(pers, "displacement_mm", H5T_NATIVE_FLOAT, "/personalization/displacement_mm",
                                     b.maskVoxels.size());
        b.displacementMm = Eigen::Map<const Eigen::VectorXf>(d.data(), Eigen::Index(d.size()));
    }
    if (r.exists(r.root(), "provenance")) {
        auto prov = r.group(r.root(), "provenance", "/provenance");
        const auto j = r.stringAttribute(prov, "json");
        if (j) b.provenance = nlohmann::json::parse(*j, nullptr, false);
        if (b.provenance.is_discarded()) throw fileError(file, "/provenance", "not valid JSON");
    }
    b.validate(file.string());
    return b;
}

} // namespace nm::io
