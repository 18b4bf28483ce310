#pragma once
// A training run on disk — what `ann train` writes and `ann analyze` / `ann sweep` read:
//   run.json            the specification (model, task, hyper-parameters, data sizes, seed)
//   positions.tsv       unit, x, y, z (the spatial embedding)
//   weights/epoch_NNN.npy  recurrent weights W (units × units, W(i, j): unit i → unit j) after
//                       epoch NNN (000: the initial network), float64
//   network.npz         the whole network after the last epoch (input, recurrent, bias, output, output_bias)
//   metrics.tsv         one row per epoch: loss, regularization, train/validation accuracy, seconds
//   summary.json        test accuracy, times, and whether the run was resumed
//   checkpoint.pt       model + Adam state + records after the last finished epoch (LibTorch archive)
// A run folder with a checkpoint resumes where it stopped and ends with the same files as an
// uninterrupted run.
#include "ann/SeRnn.hpp"
#include "ann/Tasks.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace nm::ann {

struct RunSpec {
    std::string model = "sernn";
    std::string task = "maze";
    SeRnnConfig config;
    MazeTiming timing;
    int trainProblems = 5120, validationProblems = 2560, testProblems = 2560;  ///< seRNN's sizes
    void validate() const;  ///< throws nm::InputError naming the field
};
nlohmann::json toJson(const RunSpec& spec);
/// Reads a run.json; `file` names it in errors.
RunSpec runSpecFromJson(const nlohmann::json& j, const std::string& file);

struct RunData {
    SequenceData train, validation, test;
};
/// The task's data sets for a specification (each set its own stream of the run's seed).
RunData makeRunData(const RunSpec& spec);

/// Trains (or resumes) the run in `dir`, writing the files above.
TrainResult trainRun(const RunSpec& spec, const std::filesystem::path& dir, jobs::Progress* progress = nullptr);

/// A run folder read back.
struct SavedRun {
    std::filesystem::path dir;
    RunSpec spec;
    std::vector<int> epochs;                 ///< epochs with saved weights, ascending
    nlohmann::json summary;                  ///< empty while the run is unfinished
    std::vector<EpochRecord> records;        ///< from metrics.tsv
    Eigen::MatrixXd positions;               ///< units × 3
};
SavedRun openRun(const std::filesystem::path& dir);
std::filesystem::path epochWeightsPath(const std::filesystem::path& dir, int epoch);
Eigen::MatrixXd readEpochWeights(const SavedRun& run, int epoch);
SeRnnWeights readNetwork(const std::filesystem::path& dir);

} // namespace nm::ann
