#pragma once
// GIFTI (.gii, and gzip-compressed .gii.gz as nilearn ships fsaverage) through libgiftiio:
// surfaces (POINTSET + TRIANGLE), shape/func/time-series arrays and label tables, in ASCII,
// Base64Binary and GZipBase64Binary encodings.
#include "anatomy/Mesh.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nm::io {

enum class GiftiEncoding { Ascii, Base64Binary, GZipBase64Binary };

struct GiftiArray {
    std::string intent = "NIFTI_INTENT_NONE";  ///< e.g. NIFTI_INTENT_POINTSET, _TRIANGLE, _SHAPE, _LABEL
    std::vector<int> dims;                      ///< row-major dims (ColumnMajor files are transposed)
    bool integer = false;                       ///< int8..int32 / uint8 data (labels, triangles)
    std::vector<double> values;                 ///< row-major values
    std::map<std::string, std::string> meta;
    Eigen::Matrix4d transform = Eigen::Matrix4d::Identity();  ///< coordinate system (pointsets)
    std::string dataSpace, transformSpace;
};

struct GiftiLabel {
    int key = 0;
    std::string name;
    std::array<float, 4> rgba{0, 0, 0, 0};
};

struct GiftiFile {
    std::vector<GiftiArray> arrays;
    std::vector<GiftiLabel> labels;
    std::map<std::string, std::string> meta;
};

/// Throws nm::InputError naming the file (missing, not GIFTI, malformed arrays).
GiftiFile readGifti(const std::filesystem::path& file);
/// Writes atomically; ".gii.gz" names are gzip-compressed as a whole.
void writeGifti(const std::filesystem::path& file, const GiftiFile& gifti,
                GiftiEncoding encoding = GiftiEncoding::GZipBase64Binary);

/// The surface of a GIFTI file (its first POINTSET and TRIANGLE arrays).
Mesh readGiftiSurface(const std::filesystem::path& file);
void writeGiftiSurface(const std::filesystem::path& file, const Mesh& mesh, const std::string& structure = "",
                       GiftiEncoding encoding = GiftiEncoding::GZipBase64Binary);

/// Per-vertex data: vertices × arrays (one column per data array; a 2-D array contributes its
/// columns). Throws if arrays disagree in length or `expectedVertices` (>= 0) does not match.
Eigen::MatrixXf readGiftiData(const std::filesystem::path& file, Eigen::Index expectedVertices = -1);
void writeGiftiData(const std::filesystem::path& file, const Eigen::MatrixXf& data,
                    const std::string& intent = "NIFTI_INTENT_SHAPE",
                    GiftiEncoding encoding = GiftiEncoding::GZipBase64Binary);

/// A label array with its table.
struct SurfaceLabels {
    Eigen::VectorXi labels;            ///< per vertex
    std::vector<GiftiLabel> table;
};
SurfaceLabels readGiftiLabels(const std::filesystem::path& file, Eigen::Index expectedVertices = -1);
void writeGiftiLabels(const std::filesystem::path& file, const SurfaceLabels& labels,
                      GiftiEncoding encoding = GiftiEncoding::GZipBase64Binary);

} // namespace nm::io
