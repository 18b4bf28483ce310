#pragma once
// The structure-aware harness of the atlas bundle (fuzz_reader.cpp's `atlas_structure`). Raw-byte
// fuzzing of an HDF5 file mostly exercises libhdf5's own parser (which crashes and allocates
// terabytes on corrupt files: fuzz/README.md); this one fuzzes our validation layer on top of it.
// A valid bundle (two scales with overlaps, networks, surfaces, labels and a sparse network) is
// written with the project's writer, then the input drives up to 12 edits through the HDF5 API —
// delete any object or attribute, replace a dataset or an attribute by one of another type, rank,
// shape and values (extremes, NaN, negative indices) — and the result is read back.
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace nm::fuzz {

void writeEditedAtlas(const std::uint8_t* data, std::size_t size, const std::filesystem::path& file);

} // namespace nm::fuzz
