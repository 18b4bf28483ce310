#pragma once
// Helpers shared by the test executables: temporary directories, the shared test data and the
// location of the built executables.
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::test {

/// A fresh directory removed on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "nmtest");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

/// Sets an environment variable for the current scope, restoring the old value afterwards.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

/// ../shared/data (or $NEUROMOSAIC_TEST_DATA); nullopt when absent (tests then skip with a message).
std::optional<std::filesystem::path> sharedData();
/// A matrix as whitespace-separated text with 17 significant digits (numpy.loadtxt reads it).
void writeMatrixText(const std::filesystem::path& file, const Eigen::MatrixXd& matrix);

/// ../shared/peers/<name> (beside the shared data, or under $NEUROMOSAIC_PEERS); nullopt when absent.
std::optional<std::filesystem::path> peer(const std::string& name);
/// /usr/share/mricron/templates/<name> if present.
std::optional<std::filesystem::path> mricronFile(const std::string& name);
/// How much slower than a release build this build runs: 1, or 10 under the sanitizers (ASan +
/// UBSan at -O1). Time limits in tests are multiplied by it: they check performance targets of
/// release builds and only catch hangs in sanitizer builds.
double slowdown();
/// How much more memory this build takes: 1, or 3 under AddressSanitizer (shadow memory, quarantine).
double memoryOverhead();

/// Directory of the built executables (neuromosaic-cli, neuromosaic).
std::filesystem::path binaryDir();

struct ProcessResult {
    int exitCode = -1;       ///< exit status, or -1 when killed by a signal
    int signal = 0;          ///< the terminating signal, 0 for a normal exit
    std::string out, err;
};
/// The built neuromosaic-cli, quoted for /bin/sh.
std::string cliCommand();
/// The last JSON line of a `--progress json` run's stdout (its result line); null when none.
nlohmann::json lastJsonLine(const std::string& out);
/// The log messages of a `--progress json` run's stdout, one per line.
std::string progressMessages(const std::string& out);

/// The components of a simulated scale that a concept drives, from the ground truth's
/// concept_components.tsv (empty when it lists none).
std::vector<int> trueComponents(const std::filesystem::path& truthDir, const std::string& concept_, int scale);

/// Runs a command line through /bin/sh, capturing stdout and stderr.
ProcessResult run(const std::string& commandLine);
/// Quotes a string for /bin/sh.
std::string shellQuote(const std::string& s);
/// A path quoted for /bin/sh.
inline std::string shellQuote(const std::filesystem::path& p) { return shellQuote(p.string()); }

} // namespace nm::test

/// Skips the rest of a Catch2 test case with a visible message (Catch2 v2 has no SKIP).
#define NM_SKIP(msg)                      \
    do {                                  \
        WARN("skipped: " << msg);         \
        return;                           \
    } while (0)
