#pragma once
// Reading one entry of a zip archive (libzip) without trusting its directory: used by the .npz and
// TVB connectivity readers.
#include <zip.h>

#include <cstdint>
#include <string>

namespace nm::io {

/// The bytes of entry `index` of an open archive. Its declared size is checked before anything is
/// allocated: below `limit`, and one its compressed data can hold (deflate expands at most about
/// 1032:1; a stored entry is its own size). A directory claiming gigabytes for a few bytes — found
/// by fuzzing — is an error naming `where`, not an allocation. Throws nm::InputError.
/// `archiveBytes`: the archive file's size (no entry's compressed data can be larger).
std::string readZipEntry(zip_t* archive, zip_uint64_t index, const std::string& where, std::uint64_t archiveBytes,
                         std::uint64_t limit = std::uint64_t(1) << 32);

} // namespace nm::io
