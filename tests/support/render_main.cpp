// Test driver for the render library: off-screen VTK rendering needs an X display (Xvfb);
// without one the run reports "skipped" (ctest SKIP_RETURN_CODE 77).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--list", 6) == 0) listing = true;
    const char* display = std::getenv("DISPLAY");
    if (!listing && (!display || !*display)) {
        std::fprintf(stderr, "skipped: no X display; rendering tests run under xvfb-run (./scripts/test.sh does)\n");
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
