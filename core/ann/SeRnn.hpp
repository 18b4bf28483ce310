#pragma once
// Spatially embedded recurrent neural networks (seRNN; Achterberg, Akarca et al., Nature Machine
// Intelligence 2023), as the authors' Keras model (8erberg/spatially-embedded-RNN, seRNN_demo):
// Gaussian input noise (σ 0.05, training only) → SimpleRNN of ReLU units (Glorot-uniform input
// kernel, orthogonal recurrent kernel, zero bias) → dense softmax readout of the last state,
// Adam (Keras defaults: lr 1e-3, β 0.9/0.999, ε 1e-7), categorical cross-entropy plus a
// regulariser on the recurrent weights W (unit i → unit j is W(i, j), Keras' layout):
//   L1        λ Σ |W|
//   SE1       λ Σ |W| ∘ D                          (D: Euclidean distances of the units' grid)
//   SE1+comm  λ Σ |W| ∘ C ∘ D, C = expm(S^-½ |W| S^-½) with zero diagonal, S = diag(row sums of |W|)
//             (weighted communicability, Crofts & Higham 2009; seRNN's SE1_sWc).
// Training (SeRnnTorch.cpp) runs on LibTorch; everything in this header is torch-free, and the
// forward pass below (Eigen, double precision) evaluates saved networks, with lesions, for the
// analyses of unfamiliar scenarios.
#include "ann/Tasks.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace nm::jobs { class Progress; }

namespace nm::ann {

enum class Regularizer { None, L1, SE1, SE1Comm };
std::string toString(Regularizer r);                 ///< none, l1, se1, se1comm
Regularizer regularizerFromName(const std::string& name);

struct SeRnnConfig {
    std::array<int, 3> grid{5, 5, 4};  ///< units on an nx × ny × nz grid (100 units)
    Regularizer regularizer = Regularizer::SE1Comm;
    double lambda = 0.05;
    double commFactor = 1.0;           ///< C^commFactor (seRNN's comms_factor)
    double distancePower = 1.0;        ///< D^distancePower (seRNN's distance_power)
    double inputNoise = 0.05;
    double learningRate = 1e-3;
    int batch = 128;
    int epochs = 10;
    std::uint64_t seed = 1;
    int threads = 0;                   ///< LibTorch intra-op threads; 0: one (faster at this size)
    [[nodiscard]] int units() const { return grid[0] * grid[1] * grid[2]; }
    void validate() const;             ///< throws nm::InputError naming the bad field
};

/// Unit coordinates of the grid in seRNN's order: numpy's meshgrid(nx, ny, nz) raveled, i.e.
/// unit u = (y·nx + x)·nz + z sits at (x, y, z). Rows are units, columns x, y, z.
Eigen::MatrixXd gridCoordinates(const std::array<int, 3>& grid);
/// Euclidean distances between units, raised to `power`.
Eigen::MatrixXd gridDistances(const std::array<int, 3>& grid, double power = 1.0);

struct SeRnnWeights {
    Eigen::MatrixXd input;       ///< inputs × units (Keras kernel)
    Eigen::MatrixXd recurrent;   ///< units × units, W(i, j): unit i → unit j
    Eigen::VectorXd bias;        ///< units
    Eigen::MatrixXd output;      ///< units × classes
    Eigen::VectorXd outputBias;  ///< classes
};

/// Keras' initialisers, drawn from `seed`: Glorot-uniform kernels, orthogonal recurrent kernel
/// (QR of a standard normal matrix, signs fixed by R's diagonal), zero biases.
SeRnnWeights initialSeRnn(int inputs, int units, int classes, std::uint64_t seed);

/// The regulariser's value on W (without λ when `lambda` is 1) — the same formula as the
/// training loss, in double precision (tests compare the two).
double regularization(const Eigen::MatrixXd& W, const Eigen::MatrixXd& D, Regularizer r, double lambda, double commFactor = 1.0);
/// Weighted communicability C of |W| with zero diagonal (the SE1+comm weighting).
Eigen::MatrixXd communicability(const Eigen::MatrixXd& W);

/// Class scores (logits) of every sequence, noise-free. `silenced` units (if any) are held at 0
/// at every step: a lesion.
Eigen::MatrixXd forward(const SeRnnWeights& w, const SequenceData& data, const std::vector<int>& silenced = {});
/// Final hidden states (sequences × units), for readout retraining.
Eigen::MatrixXd finalStates(const SeRnnWeights& w, const SequenceData& data, const std::vector<int>& silenced = {});
double accuracy(const Eigen::MatrixXd& logits, const std::vector<int>& label);

struct EpochRecord {
    int epoch = 0;                 ///< 0: before training
    double loss = 0;               ///< mean training cross-entropy + regulariser over the epoch's batches
    double regularization = 0;     ///< the regulariser term at the end of the epoch
    double trainAccuracy = 0;      ///< running accuracy over the epoch's (noisy) batches
    double validationLoss = 0, validationAccuracy = 0;
    double seconds = 0;            ///< training time of the epoch
};

struct TrainResult {
    std::vector<EpochRecord> epochs;  ///< epoch 0 … config.epochs
    SeRnnWeights weights;             ///< after the last epoch
    double testAccuracy = 0;
    int resumedFrom = -1;             ///< epoch of the checkpoint a resumed run started from, else −1
    double seconds = 0;               ///< training wall time of this call
};

struct TrainHooks {
    /// After epoch 0 (the initial network) and after every epoch, before its checkpoint.
    std::function<void(const EpochRecord&, const SeRnnWeights&)> epochDone;
    jobs::Progress* progress = nullptr;  ///< batch progress and cancellation
};

/// Trains an seRNN on `train`, validating on `validation` after each epoch and testing once at
/// the end. With a `checkpoint` path, the model, the optimiser and the records are saved there
/// after every epoch (atomically) and a run finding one resumes from it — to the same result as
/// an uninterrupted run: the batch noise is drawn from (seed, epoch, batch) and batches are taken
/// in order, as the authors' tf.data pipeline without shuffling.
TrainResult trainSeRnn(const SeRnnConfig& config, const SequenceData& train, const SequenceData& validation,
                       const SequenceData& test, const std::filesystem::path& checkpoint = {}, const TrainHooks& hooks = {});

} // namespace nm::ann
