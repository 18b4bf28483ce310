#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "common/Version.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

TEST_CASE("atomic writes replace files whole and clean up on failure", "[common]") {
    test::TempDir dir;
    const auto f = dir / "out.txt";
    writeFileAtomic(f, std::string("first"));
    CHECK(readFileBytes(f) == "first");
    CHECK_THROWS(writeFileAtomic(f, [](std::ostream& out) {
        out << "partial";
        throw std::runtime_error("writer failed");
    }));
    CHECK(readFileBytes(f) == "first");  // the old content survives
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);  // no temporary left
}

TEST_CASE("file errors name the file and the problem", "[common]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(requireReadableFile(dir / "nope.tsv", "events table"),
                      Catch::Contains("nope.tsv") && Catch::Contains("events table does not exist"));
    CHECK_THROWS_WITH(requireReadableFile(dir.path()), Catch::Contains("is a directory"));
    CHECK(std::string(fileError("a.nii", "dim[0]", "expected 3").what()) == "a.nii: dim[0]: expected 3");
}

TEST_CASE("versions list the libraries NeuroMosaic is built on", "[common]") {
    const auto libs = libraryVersions();
    auto find = [&](const std::string& name) {
        for (const auto& [n, v] : libs)
            if (n == name) return v;
        return std::string();
    };
    CHECK(find("Eigen").rfind("3.4", 0) == 0);
    CHECK(find("ITK").rfind("5.2", 0) == 0);
    CHECK(find("VTK").rfind("9.1", 0) == 0);
    CHECK(version() == find("NeuroMosaic").substr(0, version().size()));
}

TEST_CASE("the cache directory follows NEUROMOSAIC_CACHE_DIR", "[common]") {
    {
        test::ScopedEnv env("NEUROMOSAIC_CACHE_DIR", "/tmp/nm-cache-test");
        CHECK(paths::cacheDir() == "/tmp/nm-cache-test");
    }
    ::unsetenv("NEUROMOSAIC_CACHE_DIR");
    test::ScopedEnv home("XDG_CACHE_HOME", "/tmp/xdg");
    CHECK(paths::cacheDir() == "/tmp/xdg/neuromosaic");
}
