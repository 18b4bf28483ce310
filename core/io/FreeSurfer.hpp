#pragma once
// FreeSurfer formats: surfaces (triangle binary), curvature ("new" binary curv), annotations
// (.annot with colour table), labels (ASCII .label) and MGH/MGZ volumes and overlays.
// Surface coordinates are returned as stored (FreeSurfer's surface RAS, "tkr"); for fsaverage
// this is MNI305 space.
#include "anatomy/Mesh.hpp"
#include "io/Volume.hpp"

#include <Eigen/Core>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace nm::io {

Mesh readFreeSurferSurface(const std::filesystem::path& file);
void writeFreeSurferSurface(const std::filesystem::path& file, const Mesh& mesh);

/// Per-vertex curvature-like values (curv, sulc, thickness, area).
Eigen::VectorXf readFreeSurferCurv(const std::filesystem::path& file, Eigen::Index expectedVertices = -1);
void writeFreeSurferCurv(const std::filesystem::path& file, const Eigen::VectorXf& values, int faceCount = 0);

struct AnnotationEntry {
    std::string name;
    std::array<int, 4> rgba{0, 0, 0, 0};  ///< r, g, b, transparency (0..255)
    int annotationValue = 0;               ///< r + g·256 + b·65536, the value stored per vertex
};
struct Annotation {
    Eigen::VectorXi labels;                ///< index into `table` per vertex, −1 where unlabelled
    std::vector<AnnotationEntry> table;
    std::string colortableName;
};
Annotation readFreeSurferAnnot(const std::filesystem::path& file, Eigen::Index expectedVertices = -1);
void writeFreeSurferAnnot(const std::filesystem::path& file, const Annotation& annotation);

struct SurfaceLabel {
    Eigen::VectorXi vertices;
    Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> coordinates;
    Eigen::VectorXf values;
    std::string comment;
};
SurfaceLabel readFreeSurferLabel(const std::filesystem::path& file);
void writeFreeSurferLabel(const std::filesystem::path& file, const SurfaceLabel& label);

/// MGH (.mgh) and gzip-compressed MGZ (.mgz) volumes; a per-vertex overlay is an N×1×1 volume.
Volume readMgh(const std::filesystem::path& file);
void writeMgh(const std::filesystem::path& file, const Volume& volume);

} // namespace nm::io
