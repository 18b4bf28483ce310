#include "align/AlignIo.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Gifti.hpp"
#include "io/Hdf5.hpp"
#include "io/Nifti.hpp"

#include <cstring>
#include <limits>
#include <type_traits>
#include <fstream>
#include <sstream>

namespace nm::align {

Eigen::MatrixXf readSurfaceFeatures(const std::vector<std::filesystem::path>& files, Eigen::Index vertices) {
    if (files.empty()) throw InputError("features: no file given");
    std::vector<Eigen::MatrixXf> parts;
    Eigen::Index cols = 0;
    for (const auto& f : files) {
        parts.push_back(io::readGiftiData(f, vertices));
        if (!parts.back().allFinite()) throw fileError(f, "data", "NaN or infinite values (expected finite features)");
        cols += parts.back().cols();
    }
    Eigen::MatrixXf out(vertices, cols);
    Eigen::Index c = 0;
    for (const auto& p : parts) {
        out.middleCols(c, p.cols()) = p;
        c += p.cols();
    }
    return out;
}

VolumeFeatures readVolumeFeatures(const std::vector<std::filesystem::path>& files, const std::filesystem::path& mask) {
    if (files.empty()) throw InputError("features: no file given");
    const Volume m = io::readNifti(mask);
    VolumeFeatures out;
    for (std::size_t v = 0; v < m.voxelCount(); ++v)
        if (m.data[v] > 0) out.voxels.push_back(std::int64_t(v));
    if (out.voxels.empty()) throw fileError(mask, "data", "the mask has no voxel > 0");
    const Eigen::Index n = Eigen::Index(out.voxels.size());
    out.coordinatesMm.resize(n, 3);
    const auto& g = m.geometry;
    for (Eigen::Index r = 0; r < n; ++r) {
        const auto v = std::size_t(out.voxels[std::size_t(r)]);
        const std::size_t i = v % std::size_t(g.dims[0]), j = (v / std::size_t(g.dims[0])) % std::size_t(g.dims[1]),
                          k = v / (std::size_t(g.dims[0]) * std::size_t(g.dims[1]));
        out.coordinatesMm.row(r) = g.worldOf(double(i), double(j), double(k)).transpose();
    }
    std::vector<Volume> vols;
    Eigen::Index cols = 0;
    for (const auto& f : files) {
        vols.push_back(io::readNifti(f));
        if (!vols.back().geometry.sameGrid(g))
            throw fileError(f, "grid", "not on the grid of the mask " + mask.string() + " (resample it first)");
        cols += vols.back().frames;
    }
    out.features.resize(n, cols);
    Eigen::Index c = 0;
    for (std::size_t fi = 0; fi < vols.size(); ++fi) {
        const auto& vol = vols[fi];
        for (int t = 0; t < vol.frames; ++t, ++c)
            for (Eigen::Index r = 0; r < n; ++r) {
                const float x = vol.frame(t)[std::size_t(out.voxels[std::size_t(r)])];
                if (!std::isfinite(x))
                    throw fileError(files[fi], "data", "NaN inside the mask (voxel " + std::to_string(out.voxels[std::size_t(r)]) + ")");
                out.features(r, c) = x;
            }
    }
    return out;
}

namespace {
using io::Handle;

template <class T>
hid_t nativeType() {
    if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else return H5T_NATIVE_INT64;
}

/// A 1-D or 2-D dataset, chunked and deflated when large.
template <class T>
void writeArray(hid_t f, const std::filesystem::path& file, const char* name, const T* data, hsize_t rows, hsize_t cols) {
    const int rank = cols == 0 ? 1 : 2;
    const hsize_t dims[2] = {rows, cols};
    Handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose);
    Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    const hsize_t total = rows * std::max<hsize_t>(cols, 1);
    if (total > 4096) {
        const hsize_t chunk[2] = {rank == 1 ? std::min<hsize_t>(rows, 1 << 16) : std::min<hsize_t>(rows, 256),
                                  std::min<hsize_t>(cols, 256)};
        H5Pset_chunk(plist, rank, chunk);
        H5Pset_shuffle(plist);
        H5Pset_deflate(plist, 1);
    }
    Handle d(H5Dcreate2(f, name, nativeType<T>(), space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
    if (d < 0 || H5Dwrite(d, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        throw Error(file.string() + ": cannot write " + name);
}

template <class T>
std::vector<T> readArray(hid_t f, const std::filesystem::path& file, const char* name, hsize_t expected) {
    Handle d(H5Dopen2(f, name, H5P_DEFAULT), H5Dclose);
    if (d < 0) throw fileError(file, name, "missing (expected a plan written by neuromosaic-cli align)");
    Handle space(H5Dget_space(d), H5Sclose);
    hsize_t dims[1] = {0};
    if (H5Sget_simple_extent_ndims(space) != 1) throw fileError(file, name, "expected a 1-D dataset");
    H5Sget_simple_extent_dims(space, dims, nullptr);
    if (expected != hsize_t(-1) && dims[0] != expected)
        throw fileError(file, name, std::to_string(dims[0]) + " entries (expected " + std::to_string(expected) + ")");
    std::vector<T> out(static_cast<std::size_t>(dims[0]));
    if (!out.empty() && H5Dread(d, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
        throw fileError(file, name, "unreadable");
    return out;
}

void writeStringAttribute(hid_t f, const std::filesystem::path& file, const char* name, const std::string& value) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type, value.size() + 1);
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle attr(H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (attr < 0 || H5Awrite(attr, type, value.c_str()) < 0) throw Error(file.string() + ": cannot write " + name);
}

/// The plan file's common part: /loss and the metadata; `body` writes the plan itself.
template <class Body>
void writePlanFile(const std::filesystem::path& file, const std::vector<FugwLoss>& losses, const nlohmann::json& metadata,
                   Body&& body) {
    std::lock_guard lock(io::hdf5Mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const auto temporary = atomicTemporaryFor(file);
    {
        Handle f(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        if (f < 0) throw Error(file.string() + ": cannot create HDF5 file");
        body(hid_t(f));
        Eigen::Matrix<float, Eigen::Dynamic, 6, Eigen::RowMajor> loss(Eigen::Index(losses.size()), 6);
        for (std::size_t i = 0; i < losses.size(); ++i) {
            const auto& l = losses[i];
            loss.row(Eigen::Index(i)) << float(l.wasserstein), float(l.gromovWasserstein), float(l.marginalSource),
                float(l.marginalTarget), float(l.regularization), float(l.total);
        }
        writeArray(f, file, "loss", loss.data(), hsize_t(loss.rows()), 6);
        writeStringAttribute(f, file, "metadata", metadata.dump());
    }
    commitAtomic(temporary, file);
}
} // namespace

void writePlan(const std::filesystem::path& file, const FugwResult& result, const nlohmann::json& metadata) {
    writePlanFile(file, result.loss, metadata, [&](hid_t f) {
        // HDF5 is row-major: store the plan as (source, target) from Eigen's column-major data by
        // writing its transpose's memory
        const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rowMajor = result.plan;
        writeArray(f, file, "plan", rowMajor.data(), hsize_t(rowMajor.rows()), hsize_t(rowMajor.cols()));
    });
}

void writePlan(const std::filesystem::path& file, const SparsePlan& plan, const std::vector<FugwLoss>& loss,
               const nlohmann::json& metadata) {
    writePlanFile(file, loss, metadata, [&](hid_t f) {
        Handle g(H5Gcreate2(f, "plan_csr", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        if (g < 0) throw Error(file.string() + ": cannot create /plan_csr");
        writeArray(g, file, "indptr", plan.rowStart.data(), hsize_t(plan.rowStart.size()), 0);
        writeArray(g, file, "indices", plan.col.data(), hsize_t(plan.col.size()), 0);
        writeArray(g, file, "data", plan.value.data(), hsize_t(plan.value.size()), 0);
        const std::int64_t shape[2] = {std::int64_t(plan.rows), std::int64_t(plan.cols)};
        writeArray(g, file, "shape", shape, 2, 0);
    });
}

PlanFile readPlan(const std::filesystem::path& file) {
    requireReadableFile(file, "plan");
    std::lock_guard lock(io::hdf5Mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (f < 0) throw fileError(file, "not an HDF5 file (expected a plan written by neuromosaic-cli align)");
    PlanFile out;
    if (H5Lexists(f, "plan_csr", H5P_DEFAULT) > 0) {
        out.sparse = true;
        const auto shape = readArray<std::int64_t>(f, file, "plan_csr/shape", 2);
        if (shape[0] < 0 || shape[1] < 0 || shape[1] > std::numeric_limits<std::int32_t>::max())
            throw fileError(file, "plan_csr/shape", "invalid");
        auto& p = out.sparsePlan;
        p.rows = shape[0];
        p.cols = shape[1];
        p.rowStart = readArray<std::int64_t>(f, file, "plan_csr/indptr", hsize_t(p.rows + 1));
        p.col = readArray<std::int32_t>(f, file, "plan_csr/indices", hsize_t(-1));
        const auto v = readArray<float>(f, file, "plan_csr/data", hsize_t(p.col.size()));
        if (p.rowStart.front() != 0 || p.rowStart.back() != std::int64_t(p.col.size()))
            throw fileError(file, "plan_csr/indptr", "does not span plan_csr/indices (expected 0 … nnz)");
        for (std::size_t i = 0; i + 1 < p.rowStart.size(); ++i)
            if (p.rowStart[i + 1] < p.rowStart[i]) throw fileError(file, "plan_csr/indptr", "decreasing at row " + std::to_string(i));
        for (auto c : p.col)
            if (c < 0 || c >= p.cols) throw fileError(file, "plan_csr/indices", "column " + std::to_string(c) + " outside the shape");
        p.value = Eigen::Map<const Eigen::VectorXf>(v.data(), Eigen::Index(v.size()));
        p.indexColumns();
    } else {
        Handle d(H5Dopen2(f, "plan", H5P_DEFAULT), H5Dclose);
        if (d < 0) throw fileError(file, "/plan", "missing (expected a plan written by neuromosaic-cli align)");
        Handle space(H5Dget_space(d), H5Sclose);
        hsize_t dims[2] = {0, 0};
        if (H5Sget_simple_extent_ndims(space) != 2) throw fileError(file, "/plan", "expected a 2-D dataset");
        H5Sget_simple_extent_dims(space, dims, nullptr);
        const auto rows = static_cast<Eigen::Index>(dims[0]), cols = static_cast<Eigen::Index>(dims[1]);
        Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rowMajor(rows, cols);
        if (H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, rowMajor.data()) < 0)
            throw fileError(file, "/plan", "unreadable");
        out.plan = rowMajor;
    }
    if (H5Aexists(f, "metadata") > 0) {
        Handle attr(H5Aopen(f, "metadata", H5P_DEFAULT), H5Aclose);
        Handle type(H5Aget_type(attr), H5Tclose);
        Handle space(H5Aget_space(attr), H5Sclose);
        // One string (fixed or variable length, as h5py writes it): any other shape or type would be read past the buffer.
        if (H5Sget_simple_extent_npoints(space) != 1 || H5Tget_class(type) != H5T_STRING)
            throw fileError(file, "metadata", "expected one JSON string");
        std::string s;
        Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
        herr_t status = -1;
        if (H5Tis_variable_str(type) > 0) {
            char* p = nullptr;
            H5Tset_size(mem, H5T_VARIABLE);
            status = H5Aread(attr, mem, &p);
            if (status >= 0 && p) s = p;
            H5free_memory(p);
        } else {
            s.assign(H5Tget_size(type) + 1, '\0');
            H5Tset_size(mem, s.size());
            status = H5Aread(attr, mem, s.data());
            s.resize(std::strlen(s.c_str()));
        }
        if (status >= 0) {
            try {
                out.metadata = nlohmann::json::parse(s);
            } catch (const std::exception&) {
                throw fileError(file, "metadata", "not JSON");
            }
        }
    }
    return out;
}

void writeMatches(const std::filesystem::path& file, const std::vector<Match>& matches) {
    std::ostringstream s;
    s << "source_vertex\ttarget_vertex\tmass\n";
    s.precision(6);
    for (std::size_t i = 0; i < matches.size(); ++i)
        s << i << '\t' << matches[i].target << '\t' << matches[i].mass << '\n';
    writeFileAtomic(file, s.str());
}

} // namespace nm::align
