#include "io/Zip.hpp"

#include "common/Error.hpp"

namespace nm::io {

std::string readZipEntry(zip_t* z, zip_uint64_t index, const std::string& where, std::uint64_t archiveBytes, std::uint64_t limit) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
        throw InputError(where + ": the archive's directory entry is unreadable");
    if (st.size > limit)
        throw InputError(where + ": declares " + std::to_string(st.size) + " bytes, more than the " + std::to_string(limit) + " an entry may hold");
    if (st.comp_size > archiveBytes)
        throw InputError(where + ": declares " + std::to_string(st.comp_size) + " compressed bytes in a " + std::to_string(archiveBytes) +
                         "-byte archive (a corrupt archive)");
    const bool stored = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE;
    const std::uint64_t most = stored ? st.comp_size : 1032 * st.comp_size + 1024;
    if (st.size > most)
        throw InputError(where + ": declares " + std::to_string(st.size) + " bytes, more than its " + std::to_string(st.comp_size) +
                         " compressed bytes can hold (a corrupt archive)");
    zip_file_t* f = zip_fopen_index(z, index, 0);
    if (!f) throw InputError(where + ": cannot be opened in the archive (" + std::string(zip_strerror(z)) + ")");
    std::string bytes(st.size, '\0');
    const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
    zip_fclose(f);
    if (got < 0 || zip_uint64_t(got) != st.size) throw InputError(where + ": truncated or corrupt in the archive");
    return bytes;
}

} // namespace nm::io
