#pragma once
// Internal to nmcore (hdf5 is a private dependency): the one lock of the serial HDF5 library and
// an RAII handle for its identifiers, shared by every HDF5 file format (atlas bundles, plans).
#include <hdf5.h>

#include <mutex>

namespace nm::io {

// The serial HDF5 library is not thread-safe: one call at a time.
inline std::mutex& hdf5Mutex() {
    static std::mutex m;
    return m;
}

struct Handle {
    hid_t id = -1;
    herr_t (*close)(hid_t) = nullptr;
    Handle() = default;
    Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& o) noexcept : id(o.id), close(o.close) { o.id = -1; }
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            if (id >= 0 && close) close(id);
            id = o.id;
            close = o.close;
            o.id = -1;
        }
        return *this;
    }
    ~Handle() {
        if (id >= 0 && close) close(id);
    }
    operator hid_t() const { return id; }
};


} // namespace nm::io
