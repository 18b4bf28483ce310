// core/ann: the seRNN of Achterberg, Akarca et al. (2023) — its maze task, embedding, initialisers
// and regularisers against their definitions, the LibTorch training against the Eigen forward
// pass, learning the maze, and the resume-to-identical-result guarantee.
#include "ann/Run.hpp"
#include "ann/SeRnn.hpp"
#include "ann/Tasks.hpp"
#include "common/Error.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>
#include <unsupported/Eigen/MatrixFunctions>

#include <cmath>

using namespace nm::ann;

TEST_CASE("the maze task has seRNN's timing and encodings", "[ann][maze]") {
    const SequenceData d = makeMaze(800, 7);
    REQUIRE(d.steps == 50);
    REQUIRE(d.inputs == 8);
    REQUIRE(d.classes == 4);
    std::vector<int> count(8, 0);
    for (int n = 0; n < d.count; ++n) {
        const MazeProblem& p = mazeProblems()[std::size_t(d.item[std::size_t(n)])];
        ++count[std::size_t(d.item[std::size_t(n)])];
        CHECK(d.label[std::size_t(n)] == directionIndex(p.step));
        const float* s = d.sequence(n);
        const int goal = p.goal == 7 ? 0 : p.goal == 9 ? 1 : p.goal == 17 ? 2 : 3;
        for (int t = 0; t < 50; ++t)
            for (int i = 0; i < 8; ++i) {
                float expect = 0;
                if (t < 20 && i == goal) expect = 1;
                if (t >= 30 && i >= 4 && std::string(p.choices).find("lurd"[i - 4]) != std::string::npos) expect = 1;
                if (s[t * 8 + i] != expect) FAIL("problem " << n << " step " << t << " input " << i);
            }
        // The answer is one of the two open directions.
        CHECK(std::string(p.choices).find(p.step) != std::string::npos);
    }
    for (int c : count) CHECK(c > 60);  // uniform over the 8 problems: 100 each expected
    CHECK_THROWS_AS(makeMaze(0, 1), nm::InputError);
}

TEST_CASE("the unit grid is numpy's meshgrid order and its distances are scipy's", "[ann][embedding]") {
    const Eigen::MatrixXd xyz = gridCoordinates({5, 5, 4});
    REQUIRE(xyz.rows() == 100);
    CHECK(xyz.row(1) == Eigen::RowVector3d(0, 0, 1));
    CHECK(xyz.row(4) == Eigen::RowVector3d(1, 0, 0));
    CHECK(xyz.row(5) == Eigen::RowVector3d(1, 0, 1));
    CHECK(xyz.row(20) == Eigen::RowVector3d(0, 1, 0));
    CHECK(xyz.row(99) == Eigen::RowVector3d(4, 4, 3));
    const Eigen::MatrixXd D = gridDistances({5, 5, 4});
    // scipy.spatial.distance.squareform(pdist(coords)).sum() for the seRNN grid
    CHECK(D.sum() == Approx(30271.04207894714).epsilon(1e-12));
    CHECK(D(0, 99) == Approx(std::sqrt(41.0)));
}

TEST_CASE("Keras initialisers: orthogonal recurrent kernel, Glorot-uniform kernels, zero biases", "[ann][init]") {
    const SeRnnWeights w = initialSeRnn(8, 100, 4, 11);
    CHECK((w.recurrent.transpose() * w.recurrent - Eigen::MatrixXd::Identity(100, 100)).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(w.input.cwiseAbs().maxCoeff() <= std::sqrt(6.0 / 108.0));
    CHECK(w.input.cwiseAbs().maxCoeff() > 0.8 * std::sqrt(6.0 / 108.0));
    CHECK(w.output.cwiseAbs().maxCoeff() <= std::sqrt(6.0 / 104.0));
    CHECK(w.bias.isZero());
    CHECK(w.outputBias.isZero());
    CHECK_FALSE(initialSeRnn(8, 100, 4, 12).recurrent.isApprox(w.recurrent));
}

TEST_CASE("the regularisers are seRNN's formulas", "[ann][regularizer]") {
    // Two units joined by weight a: S^-½|W|S^-½ = [[0,1],[1,0]], whose exponential has sinh(1) off the diagonal.
    Eigen::MatrixXd W(2, 2);
    W << 0.0, -0.3, 0.3, 0.0;
    Eigen::MatrixXd D(2, 2);
    D << 0.0, 2.0, 2.0, 0.0;
    const Eigen::MatrixXd C = communicability(W);
    CHECK(C(0, 1) == Approx(std::sinh(1.0)));
    CHECK(C(0, 0) == 0.0);
    CHECK(regularization(W, D, Regularizer::L1, 0.5) == Approx(0.3));
    CHECK(regularization(W, D, Regularizer::SE1, 0.5) == Approx(0.6));
    CHECK(regularization(W, D, Regularizer::SE1Comm, 0.5) == Approx(0.5 * 2 * 0.3 * std::sinh(1.0) * 2.0));
    CHECK(regularization(W, D, Regularizer::SE1Comm, 0.5, 2.0) == Approx(0.5 * 2 * 0.3 * std::pow(std::sinh(1.0), 2) * 2.0));
    CHECK(regularization(W, D, Regularizer::None, 0.5) == 0.0);
    // A unit with no outgoing weight: no NaN.
    Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(3, 3);
    Z(0, 1) = 1.0;
    CHECK(std::isfinite(regularization(Z, gridDistances({3, 1, 1}), Regularizer::SE1Comm, 1.0)));
    CHECK(regularizerFromName("se1comm") == Regularizer::SE1Comm);
    CHECK_THROWS_AS(regularizerFromName("l2"), nm::InputError);
}

namespace {
SeRnnConfig quickConfig(Regularizer r, double lambda, int epochs) {
    SeRnnConfig c;
    c.regularizer = r;
    c.lambda = lambda;
    c.epochs = epochs;
    c.threads = 1;
    c.seed = 3;
    return c;
}
} // namespace

TEST_CASE("LibTorch training agrees with the regulariser and the forward pass in double precision", "[ann][train]") {
    const SequenceData train = makeMaze(512, 1), val = makeMaze(256, 2);
    for (Regularizer r : {Regularizer::L1, Regularizer::SE1, Regularizer::SE1Comm}) {
        SeRnnConfig c = quickConfig(r, 0.01, 1);
        c.inputNoise = 0;
        std::vector<SeRnnWeights> saved;
        std::vector<EpochRecord> records;
        TrainHooks hooks;
        hooks.epochDone = [&](const EpochRecord& e, const SeRnnWeights& w) {
            saved.push_back(w);
            records.push_back(e);
        };
        const TrainResult res = trainSeRnn(c, train, val, val, {}, hooks);
        REQUIRE(saved.size() == 2);
        const Eigen::MatrixXd D = gridDistances(c.grid);
        // Epoch 0 is Keras' initial network.
        CHECK(saved[0].recurrent.isApprox(initialSeRnn(8, 100, 4, c.seed).recurrent, 1e-6));
        for (std::size_t e = 0; e < 2; ++e) {
            INFO("regulariser " << toString(r) << " epoch " << e);
            CHECK(records[e].regularization == Approx(regularization(saved[e].recurrent, D, r, c.lambda)).epsilon(1e-4));
            CHECK(records[e].validationAccuracy == Approx(accuracy(forward(saved[e], val), val.label)).margin(1.5 / val.count));
        }
        CHECK(res.testAccuracy == Approx(records[1].validationAccuracy));
        CHECK(res.weights.recurrent.isApprox(saved[1].recurrent));
    }
}

TEST_CASE("an seRNN learns the maze", "[ann][train]") {
    // seRNN's sizes and timing, 10 epochs. The memory-free answer (from the choices alone) scores
    // 5/8 = 0.625 — the plateau the authors' own demo stays on at λ 0.5 (val_accuracy 0.614);
    // networks that keep the goal in memory reach 1. Unregularised and at λ 0.003 these seeds do.
    for (const auto& [r, lambda] : {std::pair{Regularizer::None, 0.0}, std::pair{Regularizer::SE1Comm, 0.003}}) {
        RunSpec spec;
        spec.config = quickConfig(r, lambda, 10);
        spec.config.seed = 1;
        const RunData d = makeRunData(spec);
        const TrainResult res = trainSeRnn(spec.config, d.train, d.validation, d.test);
        INFO(toString(r) << " λ " << lambda << ": validation accuracy after epoch 1 " << res.epochs[1].validationAccuracy << ", after 10 "
                         << res.epochs.back().validationAccuracy);
        CHECK(res.epochs.front().validationAccuracy < 0.5);  // chance is 0.25
        CHECK(res.testAccuracy >= 0.9);
        CHECK(res.epochs.back().loss < res.epochs[1].loss);
    }
}

TEST_CASE("a resumed run ends exactly where an uninterrupted one does", "[ann][train][resume]") {
    nm::test::TempDir dir;
    const SequenceData train = makeMaze(384, 31), val = makeMaze(128, 32);
    const SeRnnConfig full = quickConfig(Regularizer::SE1Comm, 0.05, 3);
    const TrainResult a = trainSeRnn(full, train, val, val);
    SeRnnConfig first = full;
    first.epochs = 2;  // as if killed after the second epoch's checkpoint
    const auto ckpt = dir / "checkpoint.pt";
    const TrainResult b1 = trainSeRnn(first, train, val, val, ckpt);
    CHECK(b1.resumedFrom == -1);
    const TrainResult b = trainSeRnn(full, train, val, val, ckpt);
    CHECK(b.resumedFrom == 2);
    REQUIRE(b.epochs.size() == 4);
    CHECK(b.weights.recurrent == a.weights.recurrent);
    CHECK(b.weights.output == a.weights.output);
    CHECK(b.epochs.back().loss == a.epochs.back().loss);
    // Another configuration refuses the checkpoint.
    SeRnnConfig other = full;
    other.lambda = 0.1;
    CHECK_THROWS_AS(trainSeRnn(other, train, val, val, ckpt), nm::InputError);
}

TEST_CASE("lesions silence units in the forward pass", "[ann][forward]") {
    const SeRnnWeights w = initialSeRnn(8, 100, 4, 5);
    const SequenceData d = makeMaze(64, 9);
    std::vector<int> all(100);
    for (int u = 0; u < 100; ++u) all[std::size_t(u)] = u;
    const Eigen::MatrixXd H = finalStates(w, d, all);
    CHECK(H.isZero());
    CHECK_FALSE(finalStates(w, d).isZero());
    CHECK_THROWS_AS(finalStates(w, d, {100}), nm::InputError);
}
