#pragma once
// NumPy .npy arrays (format versions 1–3; bool, int8–64, uint8–64, float16/32/64, byte and unicode
// strings; little or big endian; C or Fortran order) and .npz archives (zip of .npy, stored or
// deflated), including scipy.sparse matrices saved with save_npz (CSR/CSC/COO).
#include <cstdio>
#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nm::io {

/// An array as read: values converted to double (numeric types) or to strings (S/U types).
struct NpyArray {
    std::vector<std::size_t> shape;  ///< empty for a 0-d array
    std::string dtype;               ///< numpy descr, e.g. "<f8", "|u1", "|S3"
    bool fortranOrder = false;
    std::vector<double> values;      ///< numeric arrays, in C order (converted if Fortran)
    std::vector<std::string> strings;///< string arrays, in C order

    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] bool isString() const { return !strings.empty() || dtype.find_first_of("SU") != std::string::npos; }
    /// 2-D (or 1-D as a column) numeric array as a matrix; throws for other ranks.
    [[nodiscard]] Eigen::MatrixXd matrix(const std::string& what = "array") const;
};

NpyArray readNpy(const std::filesystem::path& file);
/// Parses .npy bytes; `name` appears in error messages.
NpyArray parseNpy(const std::string& bytes, const std::string& name);

/// Writes a numeric matrix as float64 (C order) atomically.
void writeNpy(const std::filesystem::path& file, const Eigen::MatrixXd& matrix);
/// .npy bytes of a matrix with the given dtype ("<f8", "<f4", "<i4", "<i8").
std::string npyBytes(const Eigen::MatrixXd& matrix, const std::string& dtype = "<f8");
std::string npyBytes(const std::vector<double>& vector, const std::string& dtype = "<f8");

/// Streams a float32 (rows × cols, C order) .npy file whose row count is known only at the end:
/// rows are appended, close() writes the final header and renames the temporary into place.
class NpyRowWriter {
public:
    NpyRowWriter(const std::filesystem::path& file, std::size_t cols);
    ~NpyRowWriter();
    NpyRowWriter(const NpyRowWriter&) = delete;
    NpyRowWriter& operator=(const NpyRowWriter&) = delete;
    void append(const float* rows, std::size_t count);
    void close();
    [[nodiscard]] std::size_t rows() const { return rows_; }

private:
    std::filesystem::path file_, tmp_;
    std::FILE* out_ = nullptr;
    std::size_t cols_, rows_ = 0;
};

/// All arrays of an .npz archive, by name without ".npy".
std::map<std::string, NpyArray> readNpz(const std::filesystem::path& file);
/// Writes an archive (deflated) atomically; values are complete .npy byte strings.
void writeNpz(const std::filesystem::path& file, const std::map<std::string, std::string>& npyByName);

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>;
/// A scipy.sparse matrix saved with scipy.sparse.save_npz (format csr, csc or coo).
SparseMatrix readSparseNpz(const std::filesystem::path& file);
/// Saves in scipy's CSR layout (data, indices, indptr, shape, format), loadable by load_npz.
void writeSparseNpz(const std::filesystem::path& file, const SparseMatrix& matrix);

} // namespace nm::io
