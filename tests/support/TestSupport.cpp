#include "TestSupport.hpp"

#include "common/Paths.hpp"
#include "io/Table.hpp"

#include <array>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace nm::test {

TempDir::TempDir(const std::string& prefix) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = std::filesystem::temp_directory_path() /
                         (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000));
        std::error_code ec;
        if (std::filesystem::create_directory(candidate, ec)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* v = std::getenv(name_.c_str())) old_ = v;
    ::setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
}

std::optional<std::filesystem::path> sharedData() { return nm::paths::testDataDir(); }

void writeMatrixText(const std::filesystem::path& file, const Eigen::MatrixXd& m) {
    std::ofstream out(file);
    out.precision(17);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) out << (j ? " " : "") << m(i, j);
        out << '\n';
    }
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::optional<std::filesystem::path> peer(const std::string& name) {
    std::filesystem::path root;
    if (const char* env = std::getenv("NEUROMOSAIC_PEERS")) root = env;
    else if (const auto data = sharedData()) root = data->parent_path() / "peers";
    if (!root.empty() && std::filesystem::exists(root / name)) return root / name;
    return std::nullopt;
}

std::optional<std::filesystem::path> mricronFile(const std::string& name) {
    auto p = nm::paths::mricronTemplatesDir() / name;
    if (std::filesystem::exists(p)) return p;
    return std::nullopt;
}

std::string cliCommand() { return shellQuote((binaryDir() / "neuromosaic-cli").string()); }

nlohmann::json lastJsonLine(const std::string& out) {
    nlohmann::json last;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
        if (!l.empty() && l.front() == '{') last = nlohmann::json::parse(l);
    return last;
}

std::string progressMessages(const std::string& out) {
    std::string all;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) {
        if (l.empty() || l.front() != '{') continue;
        const auto j = nlohmann::json::parse(l);
        if (j.contains("message") && j["message"].is_string()) all += j["message"].get<std::string>() + "\n";
    }
    return all;
}

std::vector<int> trueComponents(const std::filesystem::path& truthDir, const std::string& concept_, int scale) {
    const auto table = nm::io::readTable(truthDir / "concept_components.tsv");
    const auto names = table.strings("concept");
    const auto scales = table.numbers("scale"), components = table.numbers("component");
    std::vector<int> out;
    for (std::size_t r = 0; r < table.rowCount(); ++r)
        if (names[r] == concept_ && int(scales[r]) == scale) out.push_back(int(components[r]));
    return out;
}

double slowdown() {
#ifdef NM_SANITIZED_BUILD
    return 10.0;
#else
    return 1.0;
#endif
}

double memoryOverhead() {
#ifdef NM_SANITIZED_BUILD
    return 3.0;
#else
    return 1.0;
#endif
}

std::filesystem::path binaryDir() {
#ifdef NM_BINARY_DIR
    return NM_BINARY_DIR;
#else
    return std::filesystem::current_path();
#endif
}

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

ProcessResult run(const std::string& commandLine) {
    TempDir tmp("nmrun");
    const auto errFile = tmp / "stderr.txt";
    const std::string cmd = "(" + commandLine + ") 2>" + shellQuote(errFile.string());
    ProcessResult r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + commandLine);
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    // The shell reports a child killed by signal s as exit status 128 + s.
    if (WIFEXITED(status)) {
        r.exitCode = WEXITSTATUS(status);
        if (r.exitCode > 128 && r.exitCode < 128 + 65) {
            r.signal = r.exitCode - 128;
            r.exitCode = -1;
        }
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    }
    std::ifstream in(errFile);
    std::ostringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
}

} // namespace nm::test
