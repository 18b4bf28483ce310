#pragma once
// NIfTI-1 and NIfTI-2 images (.nii, .nii.gz), 3-D and 4-D. World coordinates are RAS+ millimetres
// as nibabel gives them; voxel values are returned as float after scl_slope / scl_inter.
#include "io/Volume.hpp"

#include <filesystem>
#include <memory>

namespace nm::io {

/// Header only: grid, number of frames, voxel type. Validates the header against the file.
struct NiftiInfo {
    VolumeGeometry geometry;
    int frames = 1;
    double repetitionTime = 0.0;
    std::string dataType;
    int fileDimensions = 3;
};
NiftiInfo readNiftiInfo(const std::filesystem::path& file);

/// Reads the whole image. Throws nm::InputError naming the file and the problem (missing file,
/// wrong magic, truncated data, more than 4 dimensions, vector-valued voxels).
Volume readNifti(const std::filesystem::path& file);

enum class NiftiStorage { Float32, Int16, Int32, UInt8 };

/// Writes a NIfTI-1 file atomically (.nii or .nii.gz by extension). sform and qform both encode
/// the affine (qform as the closest rigid + scaling transform); TR goes to pixdim[4] in seconds.
/// `compressionLevel` (1–9) applies to .nii.gz; 1 is several times faster than 6 on fMRI data.
void writeNifti(const std::filesystem::path& file, const Volume& volume,
                NiftiStorage storage = NiftiStorage::Float32, int compressionLevel = 6);

/// Streams a 4-D NIfTI-1 file frame by frame (bounded memory for many maps or long runs). The
/// file appears atomically at close(); destroying an unclosed writer discards it.
class NiftiWriter {
public:
    NiftiWriter(const std::filesystem::path& file, const VolumeGeometry& geometry, int frames,
                NiftiStorage storage = NiftiStorage::Float32, int compressionLevel = 6, double repetitionTime = 0.0);
    ~NiftiWriter();
    NiftiWriter(const NiftiWriter&) = delete;
    NiftiWriter& operator=(const NiftiWriter&) = delete;
    /// One frame of geometry.voxelCount() values (i fastest).
    void writeFrame(const float* values);
    /// Flushes, checks that every frame was written and renames into place.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nm::io
