#pragma once
// Decoders of brain maps. (1) Multinomial logistic regression with an L2 penalty, fitted by L-BFGS
// (Nocedal 1980; Liu & Nocedal 1989) — the per-study baseline at the voxel and component levels,
// and the classifier of single volumes (Haxby). (2) The multi-study decoder of Mensch, Mairal,
// Thirion & Varoquaux 2021 (PLoS Comp. Biol., "Extracting representations of cognition across
// neuroimaging studies improves brain decoding"): component signals → a shared low-rank linear
// layer learned across all studies → one softmax head per study, trained with dropout on the input
// and latent layers and per-study minibatches (Adam, Kingma & Ba 2015). (3) The evaluation that
// compares them study by study under leave-subjects-out cross-validation (leave-runs-out for
// single-subject studies): per-study accuracy, the mean gain and the fraction of studies improved.
#include "jobs/Progress.hpp"
#include "semantics/ComponentSignals.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace nm::semantics {

struct SoftmaxOptions {
    double l2 = 1e-2;              ///< penalty λ/2 ‖W‖² (not on the intercepts), loss averaged over samples
    int maxIterations = 500;
    double tolerance = 1e-6;       ///< on the gradient's max norm
    int memory = 10;               ///< L-BFGS history
};

/// A fitted multinomial model: p(c | x) ∝ exp(x·W_c + b_c).
struct SoftmaxModel {
    Eigen::MatrixXd weights;       ///< features × classes
    Eigen::VectorXd intercepts;    ///< classes
    int iterations = 0;
    double objective = 0.0;
    [[nodiscard]] Eigen::MatrixXd logits(const Eigen::MatrixXd& X) const;
    [[nodiscard]] std::vector<int> predict(const Eigen::MatrixXd& X) const;
};

/// `labels` in 0..classes−1 (every class present is fitted; absent ones get −∞ intercepts).
SoftmaxModel fitSoftmax(const Eigen::MatrixXd& X, const std::vector<int>& labels, int classes, const SoftmaxOptions& options = {});

/// Fraction of `predicted` equal to `truth`.
double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth);

struct MultiStudyOptions {
    int latent = 64;               ///< shared layer width (capped at the number of components)
    double inputDropout = 0.25, latentDropout = 0.5;
    /// Weight decay — the per-study decoder's L2 (SoftmaxOptions::l2): with ~10 subjects per study
    /// the shared layer overfits at 1e-4 (demo cohorts, 1024 components: −9.0 and −6.7 points
    /// against the per-study decoder at 1e-4 with one model; +0.0 and +0.2 at 1e-2 with 5 models).
    double l2 = 1e-2;
    double learningRate = 1e-3;
    int epochs = 300;
    int batch = 32;
    /// Models fitted from different seeds whose class probabilities are averaged (Mensch et al.
    /// 2021 ensemble their models too): the shared layer is learned from few samples per study,
    /// and averaging removes much of the variance of one initialisation and dropout sequence.
    int ensemble = 5;
    /// Candidates for the Adam step and the latent dropout, chosen per outer fold by an inner split
    /// of its training subjects (the next fold held out; mean per-study accuracy of one model).
    /// Empty: learningRate and latentDropout; one value: that value. The right step differs by an
    /// order of magnitude between cohorts whose studies share a subspace (1e-2 with latent dropout
    /// 0.1: +6 to +8 points over per-study decoders on synthetic studies, tests) and the simulator's
    /// four-study cohorts, whose per-study decoders are near ceiling (1e-3, 0.5: parity) — but
    /// with ~10 subjects per study the inner split is noisy (1–3 points below the fixed default
    /// there), so selection is opt-in.
    std::vector<double> learningRates;
    std::vector<double> latentDropouts;
    std::uint64_t seed = 0;
};

/// The shared layer and the heads.
struct MultiStudyModel {
    Eigen::MatrixXd shared;                        ///< features × latent
    Eigen::VectorXd sharedBias;
    std::vector<Eigen::MatrixXd> heads;            ///< per study: latent × classes
    std::vector<Eigen::VectorXd> headBias;
    [[nodiscard]] std::vector<int> predict(const Eigen::MatrixXd& X, int study) const;
    /// Class probabilities of the study's head (rows: samples).
    [[nodiscard]] Eigen::MatrixXd probabilities(const Eigen::MatrixXd& X, int study) const;
};

/// `study` and `labels` per sample; `classes[s]` per study.
MultiStudyModel fitMultiStudy(const Eigen::MatrixXd& X, const std::vector<int>& study, const std::vector<int>& labels,
                              const std::vector<int>& classes, const MultiStudyOptions& options);

struct DecoderOptions {
    int folds = 5;                 ///< leave-subjects-out folds per study
    int scale = 0;                 ///< components of the scale to decode from (0: the finest)
    bool voxels = true;            ///< the voxel-level baseline (needs the voxel effects)
    bool multiStudyDecoder = true; ///< false: per-study decoders only (multiStudy accuracies NaN)
    SoftmaxOptions softmax;
    MultiStudyOptions multiStudy;
    std::uint64_t seed = 0;
};

struct StudyDecoding {
    std::string study;
    int classes = 0, samples = 0, subjects = 0;
    double chance = 0.0;
    double multiStudy = 0.0, components = 0.0, voxels = 0.0;   ///< cross-validated accuracies (voxels: NaN when not run)
    std::string scheme;            ///< "leave-subjects-out (5 folds)" or "leave-runs-out"
};

struct DecodingTable {
    int components = 0;
    std::vector<StudyDecoding> studies;
    double meanGainOverComponents = 0.0, meanGainOverVoxels = 0.0;
    double fractionImprovedOverComponents = 0.0, fractionImprovedOverVoxels = 0.0;
    /// Per outer fold: the multi-study decoder's chosen (Adam step, latent dropout).
    std::vector<std::pair<double, double>> multiStudyChoices;
    double seconds = 0.0;
};

/// Cross-validated decoding of each study's conditions from the effects of `scale` (an index of
/// ce.effects) and, when present, ce.voxelEffects.
DecodingTable evaluateDecoders(const ConditionEffects& ce, std::size_t scale, const DecoderOptions& options, jobs::Progress& progress);

} // namespace nm::semantics
