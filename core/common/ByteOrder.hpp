#pragma once
// Reading numbers of either byte order from raw file bytes (NIfTI, NPY, FreeSurfer, MGH).
#include <algorithm>
#include <cstring>

namespace nm {

/// The value of type T stored at `p`, byte-swapped when `swap` is true.
template <typename T>
T loadBytes(const unsigned char* p, bool swap) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if (swap) {
        auto* b = reinterpret_cast<unsigned char*>(&v);
        std::reverse(b, b + sizeof(T));
    }
    return v;
}

} // namespace nm
