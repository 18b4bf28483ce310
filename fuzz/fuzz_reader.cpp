// One libFuzzer harness per reader (issue 17), built once per target with -DNM_FUZZ_TARGET=<name>
// (fuzz/CMakeLists.txt). The readers take paths — as users give them — so each input is written
// to a per-process file with the target's file name and read back.
//
// The contract checked: any input either reads, or throws nm::InputError (the clear error the CLI
// turns into exit code 2). A crash, a hang, a leak, an absurd allocation (the fuzzers run with
// -malloc_limit_mb) or any other exception (std::bad_alloc, std::out_of_range, a library's own
// error type leaking out) is a finding: the harness aborts on it so that libFuzzer keeps the input.
#include "AtlasStructure.hpp"
#include "common/Error.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "io/Connectome.hpp"
#include "io/FreeSurfer.hpp"
#include "io/Gifti.hpp"
#include "io/Nifti.hpp"
#include "io/Npy.hpp"
#include "io/Session.hpp"
#include "io/Table.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <typeinfo>
#include <unistd.h>

// NM_FUZZ_TARGET: the reader of this libFuzzer binary. NM_FUZZ_REPLAY: instead, a main() that
// reads saved inputs with a reader named on the command line (the regression test in ctest).
#if !defined(NM_FUZZ_TARGET) && !defined(NM_FUZZ_REPLAY)
#error "define NM_FUZZ_TARGET or NM_FUZZ_REPLAY (see fuzz/CMakeLists.txt, tests/CMakeLists.txt)"
#endif
#define NM_STR2(x) #x
#define NM_STR(x) NM_STR2(x)

namespace {

struct Target {
    const char* name;
    const char* fileName;  ///< the readers dispatch on it (extension, BIDS suffix)
    void (*read)(const std::filesystem::path&);
    /// Structure-aware targets make the file from the input (default: the input's bytes are the file).
    void (*make)(const std::uint8_t*, std::size_t, const std::filesystem::path&) = nullptr;
};

const Target targets[] = {
    {"nifti", "input.nii", [](const auto& f) { (void)nm::io::readNifti(f); }},
    {"nifti_gz", "input.nii.gz", [](const auto& f) { (void)nm::io::readNifti(f); }},
    {"gifti", "input.func.gii", [](const auto& f) { (void)nm::io::readGifti(f); }},
    {"gifti_surface", "input.surf.gii", [](const auto& f) { (void)nm::io::readGiftiSurface(f); }},
    {"fs_surface", "lh.white", [](const auto& f) { (void)nm::io::readFreeSurferSurface(f); }},
    {"fs_curv", "lh.curv", [](const auto& f) { (void)nm::io::readFreeSurferCurv(f); }},
    {"fs_annot", "lh.aparc.annot", [](const auto& f) { (void)nm::io::readFreeSurferAnnot(f); }},
    {"fs_label", "lh.cortex.label", [](const auto& f) { (void)nm::io::readFreeSurferLabel(f); }},
    {"mgh", "input.mgh", [](const auto& f) { (void)nm::io::readMgh(f); }},
    {"mgz", "input.mgz", [](const auto& f) { (void)nm::io::readMgh(f); }},
    {"table", "input.tsv", [](const auto& f) { (void)nm::io::readTable(f); }},
    {"npy", "input.npy", [](const auto& f) { (void)nm::io::readNpy(f); }},
    {"npz", "input.npz", [](const auto& f) { (void)nm::io::readNpz(f); }},
    {"sparse_npz", "input.npz", [](const auto& f) { (void)nm::io::readSparseNpz(f); }},
    {"connectome_csv", "input.csv", [](const auto& f) { (void)nm::io::readConnectome(f); }},
    {"connectome_edges", "input.edges", [](const auto& f) { (void)nm::io::readConnectome(f); }},
    {"connectome_gml", "input.gml", [](const auto& f) { (void)nm::io::readConnectome(f); }},
    {"connectome_zip", "input.zip", [](const auto& f) { (void)nm::io::readConnectome(f); }},
    {"bids_events", "sub-01_task-x_events.tsv", [](const auto& f) { (void)nm::io::readBidsEvents(f); }},
    {"session", "input.nmsession.json", [](const auto& f) { (void)nm::io::readSession(f); }},
    {"atlas_bundle", "input.nmatlas.h5", [](const auto& f) { (void)nm::io::readAtlasBundle(f); }},
    {"atlas_structure", "input.nmatlas.h5", [](const auto& f) { (void)nm::io::readAtlasBundle(f); }, nm::fuzz::writeEditedAtlas},
};

const Target* findTarget(const std::string& name) {
    for (const auto& x : targets)
        if (name == x.name) return &x;
    return nullptr;
}

#ifdef NM_FUZZ_REPLAY
const Target* chosen = nullptr;
const Target& target() { return *chosen; }
#else
const Target& target() {
    static const Target* t = [] {
        if (const auto* x = findTarget(NM_STR(NM_FUZZ_TARGET))) return x;
        std::fprintf(stderr, "fuzz: unknown target %s\n", NM_STR(NM_FUZZ_TARGET));
        std::abort();
    }();
    return *t;
}
#endif

/// A directory of this process's own (parallel fuzzing jobs must not share input files).
const std::filesystem::path& inputFile() {
    static const std::filesystem::path file = [] {
        // In memory when the machine has /dev/shm: a disk-backed /tmp costs most of each execution.
        const char* base = std::getenv("NM_FUZZ_TMPDIR");
        const std::filesystem::path root = base ? base : (std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp");
        auto dir = root / ("nm-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        return dir / target().fileName;
    }();
    return file;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& file = inputFile();
    if (target().make) {
        target().make(data, size, file);
    } else {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    }
    try {
        target().read(file);
    } catch (const nm::InputError& e) {
        // the contract: a clear error about the input (NM_FUZZ_VERBOSE=1 shows it: checking seeds)
        static const bool verbose = std::getenv("NM_FUZZ_VERBOSE") != nullptr;
        if (verbose) std::fprintf(stderr, "fuzz %s: input error: %s\n", target().name, e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz %s: not an nm::InputError (%s): %s\n", target().name, typeid(e).name(), e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz %s: a non-standard exception\n", target().name);
        std::abort();
    }
    return 0;
}

#ifdef NM_FUZZ_REPLAY
/// nm_fuzz_replay TARGET FILE…: each file through the target's reader, as the fuzzer ran it.
int main(int argc, char** argv) {
    if (argc < 3 || !(chosen = findTarget(argv[1]))) {
        std::fprintf(stderr, "usage: %s TARGET FILE...  (targets:", argv[0]);
        for (const auto& x : targets) std::fprintf(stderr, " %s", x.name);
        std::fprintf(stderr, ")\n");
        return 2;
    }
    for (int i = 2; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 2;
        }
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::error_code ec;
    std::filesystem::remove_all(inputFile().parent_path(), ec);
    return 0;
}
#endif
