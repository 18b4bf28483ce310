#include "ann/SeRnn.hpp"

#include "common/Error.hpp"

#include <Eigen/QR>
#include <unsupported/Eigen/MatrixFunctions>

#include <cmath>
#include <random>

namespace nm::ann {

std::string toString(Regularizer r) {
    switch (r) {
    case Regularizer::None: return "none";
    case Regularizer::L1: return "l1";
    case Regularizer::SE1: return "se1";
    case Regularizer::SE1Comm: return "se1comm";
    }
    return "none";
}

Regularizer regularizerFromName(const std::string& name) {
    if (name == "none") return Regularizer::None;
    if (name == "l1") return Regularizer::L1;
    if (name == "se1") return Regularizer::SE1;
    if (name == "se1comm" || name == "se1-comm" || name == "sernn") return Regularizer::SE1Comm;
    throw InputError("unknown regulariser '" + name + "' (expected none, l1, se1 or se1comm)");
}

void SeRnnConfig::validate() const {
    for (int g : grid)
        if (g < 1) throw InputError("seRNN: every grid dimension must be at least 1");
    if (units() < 2) throw InputError("seRNN: the grid must hold at least 2 units");
    if (!(lambda >= 0) || !std::isfinite(lambda)) throw InputError("seRNN: lambda must be a finite number ≥ 0 (got " + std::to_string(lambda) + ")");
    if (!(inputNoise >= 0)) throw InputError("seRNN: the input noise σ must be ≥ 0");
    if (!(learningRate > 0)) throw InputError("seRNN: the learning rate must be > 0");
    if (batch < 1) throw InputError("seRNN: the batch size must be at least 1");
    if (epochs < 0) throw InputError("seRNN: the number of epochs must be ≥ 0");
    if (!(commFactor > 0) || !(distancePower > 0)) throw InputError("seRNN: the communicability factor and distance power must be > 0");
}

Eigen::MatrixXd gridCoordinates(const std::array<int, 3>& g) {
    Eigen::MatrixXd xyz(Eigen::Index(g[0]) * g[1] * g[2], 3);
    Eigen::Index u = 0;
    for (int y = 0; y < g[1]; ++y)  // meshgrid's default 'xy' indexing puts y outermost
        for (int x = 0; x < g[0]; ++x)
            for (int z = 0; z < g[2]; ++z, ++u) xyz.row(u) << x, y, z;
    return xyz;
}

Eigen::MatrixXd gridDistances(const std::array<int, 3>& grid, double power) {
    const Eigen::MatrixXd xyz = gridCoordinates(grid);
    const Eigen::Index n = xyz.rows();
    Eigen::MatrixXd D(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) D(i, j) = std::pow((xyz.row(i) - xyz.row(j)).norm(), power);
    return D;
}

SeRnnWeights initialSeRnn(int inputs, int units, int classes, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto glorot = [&](int fanIn, int fanOut) {
        std::uniform_real_distribution<double> u(-std::sqrt(6.0 / (fanIn + fanOut)), std::sqrt(6.0 / (fanIn + fanOut)));
        Eigen::MatrixXd m(fanIn, fanOut);
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = u(rng);
        return m;
    };
    SeRnnWeights w;
    w.input = glorot(inputs, units);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd g(units, units);
    for (Eigen::Index j = 0; j < g.cols(); ++j)
        for (Eigen::Index i = 0; i < g.rows(); ++i) g(i, j) = normal(rng);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);  // tf.keras.initializers.Orthogonal: q · sign(diag r)
    Eigen::MatrixXd q = qr.householderQ();
    const Eigen::MatrixXd r = qr.matrixQR().triangularView<Eigen::Upper>();
    for (Eigen::Index k = 0; k < q.cols(); ++k)
        if (r(k, k) < 0) q.col(k) = -q.col(k);
    w.recurrent = q;
    w.bias = Eigen::VectorXd::Zero(units);
    w.output = glorot(units, classes);
    w.outputBias = Eigen::VectorXd::Zero(classes);
    return w;
}

Eigen::MatrixXd communicability(const Eigen::MatrixXd& W) {
    const Eigen::MatrixXd A = W.cwiseAbs();
    // A unit without outgoing weight would divide by zero (NaN in the authors' code); its row of
    // S^-½ is taken as 0 instead, which leaves that unit out of the communicability.
    Eigen::VectorXd s = A.rowwise().sum();
    for (Eigen::Index i = 0; i < s.size(); ++i) s[i] = s[i] > 0 ? 1.0 / std::sqrt(s[i]) : 0.0;
    const Eigen::MatrixXd M = s.asDiagonal() * A * s.asDiagonal();
    Eigen::MatrixXd C = M.exp();
    C.diagonal().setZero();
    return C;
}

double regularization(const Eigen::MatrixXd& W, const Eigen::MatrixXd& D, Regularizer r, double lambda, double commFactor) {
    const Eigen::MatrixXd A = W.cwiseAbs();
    switch (r) {
    case Regularizer::None: return 0.0;
    case Regularizer::L1: return lambda * A.sum();
    case Regularizer::SE1: return lambda * A.cwiseProduct(D).sum();
    case Regularizer::SE1Comm: {
        Eigen::MatrixXd C = communicability(W);
        if (commFactor != 1.0) C = C.array().pow(commFactor).matrix();
        return lambda * A.cwiseProduct(C).cwiseProduct(D).sum();
    }
    }
    return 0.0;
}

namespace {
void checkShapes(const SeRnnWeights& w, const SequenceData& data) {
    if (data.inputs != w.input.rows())
        throw InputError("seRNN: the data have " + std::to_string(data.inputs) + " inputs but the network " + std::to_string(w.input.rows()));
}
} // namespace

Eigen::MatrixXd finalStates(const SeRnnWeights& w, const SequenceData& data, const std::vector<int>& silenced) {
    checkShapes(w, data);
    const Eigen::Index U = w.recurrent.rows();
    Eigen::VectorXd keep = Eigen::VectorXd::Ones(U);
    for (int u : silenced) {
        if (u < 0 || u >= U) throw InputError("lesion: unit " + std::to_string(u) + " is outside 0.." + std::to_string(U - 1));
        keep[u] = 0.0;
    }
    Eigen::MatrixXd H(data.count, U);
    // Sequences in blocks: one matrix product per step for the whole block.
    const Eigen::MatrixXd WinT = w.input.transpose(), WrecT = w.recurrent.transpose();
#pragma omp parallel for schedule(static)
    for (int n0 = 0; n0 < data.count; n0 += 256) {
        const int nb = std::min(256, data.count - n0);
        Eigen::MatrixXd h = Eigen::MatrixXd::Zero(U, nb), x(data.inputs, nb);
        for (int t = 0; t < data.steps; ++t) {
            for (int b = 0; b < nb; ++b) {
                const float* s = data.sequence(n0 + b) + std::size_t(t) * std::size_t(data.inputs);
                for (int i = 0; i < data.inputs; ++i) x(i, b) = s[i];
            }
            Eigen::MatrixXd a = WinT * x + WrecT * h;
            a.colwise() += w.bias;
            h = a.cwiseMax(0.0).array().colwise() * keep.array();
        }
        H.middleRows(n0, nb) = h.transpose();
    }
    return H;
}

Eigen::MatrixXd forward(const SeRnnWeights& w, const SequenceData& data, const std::vector<int>& silenced) {
    Eigen::MatrixXd logits = finalStates(w, data, silenced) * w.output;
    logits.rowwise() += w.outputBias.transpose();
    return logits;
}

double accuracy(const Eigen::MatrixXd& logits, const std::vector<int>& label) {
    if (logits.rows() != Eigen::Index(label.size())) throw Error("accuracy: scores and labels differ in number");
    if (label.empty()) return 0.0;
    std::size_t hit = 0;
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        Eigen::Index k = 0;
        logits.row(n).maxCoeff(&k);
        hit += k == label[std::size_t(n)];
    }
    return double(hit) / double(label.size());
}

} // namespace nm::ann
