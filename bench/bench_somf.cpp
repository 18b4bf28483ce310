// Dictionary-learning throughput on preprocessed volumes (a .npy written by
// `neuromosaic-cli learn --dump-data`): initialisation, then partialFit on minibatches, timed;
// reports seconds, GFLOP/s of the learner, peak RSS, and a dense GEMM roofline measured in the
// same process (Eigen float GEMM of the same shape as the statistics update, k × b × p).
//   nm_bench_somf TRAIN.npy K [ITERATIONS] [BATCH] [REDUCTION]
#include "decompose/Initialization.hpp"
#include "decompose/OnlineDictionaryLearner.hpp"
#include "io/Npy.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

using namespace nm;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double peakRssMiB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}
/// Rows [first, first + count) of a C-order float32 .npy, read directly (the file can be large).
decompose::RowMatrixF readRows(const std::string& file, std::size_t& totalRows, std::size_t& cols, std::size_t first, std::size_t count) {
    std::ifstream in(file, std::ios::binary);
    char head[10];
    in.read(head, 10);
    if (!in || std::memcmp(head, "\x93NUMPY", 6) != 0) throw std::runtime_error(file + ": not a .npy file");
    std::uint16_t len = 0;
    std::memcpy(&len, head + 8, 2);
    std::string dict(len, '\0');
    in.read(dict.data(), len);
    if (dict.find("'<f4'") == std::string::npos) throw std::runtime_error(file + ": expected float32");
    const auto s = dict.find("'shape': (");
    if (std::sscanf(dict.c_str() + s, "'shape': (%zu, %zu)", &totalRows, &cols) != 2) throw std::runtime_error(file + ": expected a 2-D shape");
    count = std::min(count, totalRows - std::min(first, totalRows));
    decompose::RowMatrixF X(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(cols));
    in.seekg(std::streamoff(10 + len + first * cols * 4));
    in.read(reinterpret_cast<char*>(X.data()), std::streamsize(count * cols * 4));
    return X;
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: nm_bench_somf TRAIN.npy K [ITERATIONS=20] [BATCH=128] [REDUCTION=4]\n";
        return 2;
    }
    const std::string file = argv[1];
    const int k = std::stoi(argv[2]);
    const int iterations = argc > 3 ? std::stoi(argv[3]) : 20;
    const int batch = argc > 4 ? std::stoi(argv[4]) : 128;
    const int reduction = argc > 5 ? std::stoi(argv[5]) : 4;
    std::size_t rows = 0, cols = 0;
    const auto X = readRows(file, rows, cols, 0, std::size_t(iterations) * std::size_t(batch) + 600);
    const auto p = Eigen::Index(cols);

    auto t = Clock::now();
    const auto init = decompose::clusterInitialization(X.topRows(std::min<Eigen::Index>(600, X.rows())), k, 1);
    const double initSeconds = since(t);
    decompose::SomfOptions o;
    o.components = k;
    o.reduction = reduction;
    decompose::OnlineDictionaryLearner learner(p, o);
    learner.initialize(init);
    double flops = 0.0, seconds = 0.0;
    for (int i = 0; i < iterations; ++i) {
        const Eigen::Index start = (Eigen::Index(i) * batch) % std::max<Eigen::Index>(1, X.rows() - batch);
        const decompose::RowMatrixF b = X.middleRows(start, batch);
        t = Clock::now();
        learner.partialFit(b);
        seconds += since(t);
        flops += learner.lastFlops();
    }
    // Roofline: the dense GEMM of the statistics update (k × b) · (b × p), best of 3.
    Eigen::MatrixXf codes = Eigen::MatrixXf::Random(k, batch);
    decompose::RowMatrixF B = decompose::RowMatrixF::Zero(k, p);
    double gemm = 1e300;
    for (int r = 0; r < 3; ++r) {
        t = Clock::now();
        B.noalias() += codes * X.topRows(batch);
        gemm = std::min(gemm, since(t));
    }
    const double roof = 2.0 * double(k) * double(batch) * double(p) / gemm / 1e9;
    const double density = double((learner.maps().array() != 0.0f).count()) / double(learner.maps().size());
    std::printf("{\"k\": %d, \"voxels\": %td, \"batch\": %d, \"reduction\": %d, \"iterations\": %d, \"init_seconds\": %.3f, "
                "\"seconds_per_iteration\": %.4f, \"gflops\": %.2f, \"gemm_gflops\": %.2f, \"fraction_of_gemm\": %.3f, "
                "\"density\": %.4f, \"peak_rss_mib\": %.0f, \"threads\": %d}\n",
                k, p, batch, reduction, iterations, initSeconds, seconds / iterations, flops / seconds / 1e9, roof,
                flops / seconds / 1e9 / roof, density, peakRssMiB(), Eigen::nbThreads());
    return 0;
}
