#include "ann/Run.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Npy.hpp"
#include "io/Table.hpp"
#include "jobs/Progress.hpp"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace nm::ann {

namespace fs = std::filesystem;

void RunSpec::validate() const {
    if (model != "sernn") throw InputError("ann: unknown model '" + model + "' (expected sernn)");
    if (task != "maze") throw InputError("ann: unknown task '" + task + "' for the seRNN (expected maze)");
    config.validate();
    if (trainProblems < 1 || validationProblems < 1 || testProblems < 1)
        throw InputError("ann: the training, validation and test sets need at least one problem each");
}

nlohmann::json toJson(const RunSpec& s) {
    const SeRnnConfig& c = s.config;
    return {{"model", s.model},
            {"task", s.task},
            {"grid", c.grid},
            {"regularizer", toString(c.regularizer)},
            {"lambda", c.lambda},
            {"comm_factor", c.commFactor},
            {"distance_power", c.distancePower},
            {"input_noise", c.inputNoise},
            {"learning_rate", c.learningRate},
            {"batch", c.batch},
            {"epochs", c.epochs},
            {"seed", c.seed},
            {"maze_timing", {{"goal", s.timing.goal}, {"delay", s.timing.delay}, {"choices", s.timing.choices}}},
            {"problems", {{"train", s.trainProblems}, {"validation", s.validationProblems}, {"test", s.testProblems}}}};
}

RunSpec runSpecFromJson(const nlohmann::json& j, const std::string& file) {
    RunSpec s;
    try {
        s.model = j.at("model");
        s.task = j.at("task");
        s.config.grid = j.at("grid").get<std::array<int, 3>>();
        s.config.regularizer = regularizerFromName(j.at("regularizer"));
        s.config.lambda = j.at("lambda");
        s.config.commFactor = j.value("comm_factor", 1.0);
        s.config.distancePower = j.value("distance_power", 1.0);
        s.config.inputNoise = j.at("input_noise");
        s.config.learningRate = j.at("learning_rate");
        s.config.batch = j.at("batch");
        s.config.epochs = j.at("epochs");
        s.config.seed = j.at("seed");
        const auto& t = j.at("maze_timing");
        s.timing = {t.at("goal"), t.at("delay"), t.at("choices")};
        const auto& p = j.at("problems");
        s.trainProblems = p.at("train");
        s.validationProblems = p.at("validation");
        s.testProblems = p.at("test");
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file + ": not a valid run specification (" + e.what() + ")");
    }
    s.validate();
    return s;
}

RunData makeRunData(const RunSpec& s) {
    s.validate();
    const std::uint64_t base = s.config.seed * 0x9e3779b97f4a7c15ull;
    return {makeMaze(s.trainProblems, base + 1, s.timing), makeMaze(s.validationProblems, base + 2, s.timing), makeMaze(s.testProblems, base + 3, s.timing)};
}

fs::path epochWeightsPath(const fs::path& dir, int epoch) {
    char name[32];
    std::snprintf(name, sizeof name, "epoch_%03d.npy", epoch);
    return dir / "weights" / name;
}

namespace {
std::string fmt(double v) {
    std::ostringstream s;
    s << std::setprecision(10) << v;
    return s.str();
}
void writeMetrics(const fs::path& dir, const std::vector<EpochRecord>& records) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : records)
        rows.push_back({std::to_string(r.epoch), fmt(r.loss), fmt(r.regularization), fmt(r.trainAccuracy), fmt(r.validationLoss),
                        fmt(r.validationAccuracy), fmt(r.seconds)});
    io::writeTable(dir / "metrics.tsv",
                   io::Table({"epoch", "loss", "regularization", "train_accuracy", "validation_loss", "validation_accuracy", "seconds"}, rows), '\t');
}
void writeNetwork(const fs::path& file, const SeRnnWeights& w) {
    io::writeNpz(file, {{"input", io::npyBytes(w.input)},
                        {"recurrent", io::npyBytes(w.recurrent)},
                        {"bias", io::npyBytes(std::vector<double>(w.bias.data(), w.bias.data() + w.bias.size()))},
                        {"output", io::npyBytes(w.output)},
                        {"output_bias", io::npyBytes(std::vector<double>(w.outputBias.data(), w.outputBias.data() + w.outputBias.size()))}});
}
} // namespace

TrainResult trainRun(const RunSpec& spec, const fs::path& dir, jobs::Progress* progress) {
    spec.validate();
    fs::create_directories(dir / "weights");
    const nlohmann::json specJson = toJson(spec);
    if (fs::exists(dir / "run.json")) {
        nlohmann::json old;
        try {
            old = nlohmann::json::parse(readFileBytes(dir / "run.json"));
        } catch (const nlohmann::json::exception& e) {
            throw InputError((dir / "run.json").string() + ": not valid JSON (" + e.what() + ")");
        }
        if (old != specJson)
            throw InputError((dir / "run.json").string() + ": this folder holds a run with another specification; use another --out or delete it");
    }
    writeFileAtomic(dir / "run.json", specJson.dump(2) + "\n");
    {
        const Eigen::MatrixXd xyz = gridCoordinates(spec.config.grid);
        std::vector<std::vector<std::string>> rows;
        for (Eigen::Index u = 0; u < xyz.rows(); ++u) rows.push_back({std::to_string(u), fmt(xyz(u, 0)), fmt(xyz(u, 1)), fmt(xyz(u, 2))});
        io::writeTable(dir / "positions.tsv", io::Table({"unit", "x", "y", "z"}, rows), '\t');
    }
    const RunData data = makeRunData(spec);
    std::vector<EpochRecord> records;
    TrainHooks hooks;
    hooks.progress = progress;
    hooks.epochDone = [&](const EpochRecord& r, const SeRnnWeights& w) {
        const fs::path f = epochWeightsPath(dir, r.epoch);
        writeFileAtomic(f, io::npyBytes(w.recurrent));
        if (progress)
            progress->info("epoch " + std::to_string(r.epoch) + ": loss " + fmt(r.loss) + ", validation accuracy " + fmt(r.validationAccuracy));
    };
    TrainResult result = trainSeRnn(spec.config, data.train, data.validation, data.test, dir / "checkpoint.pt", hooks);
    writeMetrics(dir, result.epochs);
    writeNetwork(dir / "network.npz", result.weights);
    double trainSeconds = 0;
    for (const auto& r : result.epochs) trainSeconds += r.seconds;
    const nlohmann::json summary = {{"test_accuracy", result.testAccuracy},
                                    {"final_validation_accuracy", result.epochs.back().validationAccuracy},
                                    {"final_regularization", result.epochs.back().regularization},
                                    {"epochs", spec.config.epochs},
                                    {"training_seconds", trainSeconds},
                                    {"resumed_from_epoch", result.resumedFrom}};
    writeFileAtomic(dir / "summary.json", summary.dump(2) + "\n");
    return result;
}

SavedRun openRun(const fs::path& dir) {
    SavedRun r;
    r.dir = dir;
    const fs::path spec = dir / "run.json";
    if (!fs::exists(spec)) throw InputError(dir.string() + ": not an ann run folder (no run.json; `ann train --out` makes one)");
    try {
        r.spec = runSpecFromJson(nlohmann::json::parse(readFileBytes(spec)), spec.string());
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(spec.string() + ": not valid JSON (" + e.what() + ")");
    }
    for (int e = 0; e <= r.spec.config.epochs; ++e)
        if (fs::exists(epochWeightsPath(dir, e))) r.epochs.push_back(e);
    if (r.epochs.empty()) throw InputError(dir.string() + ": no saved weights (weights/epoch_000.npy …): the run has not started");
    if (fs::exists(dir / "summary.json")) r.summary = nlohmann::json::parse(readFileBytes(dir / "summary.json"));
    if (fs::exists(dir / "metrics.tsv")) {
        const io::Table t = io::readTable(dir / "metrics.tsv");
        const auto epoch = t.numbers("epoch"), loss = t.numbers("loss"), reg = t.numbers("regularization"), ta = t.numbers("train_accuracy"),
                   vl = t.numbers("validation_loss"), va = t.numbers("validation_accuracy"), sec = t.numbers("seconds");
        for (std::size_t i = 0; i < t.rowCount(); ++i)
            r.records.push_back({int(epoch[i]), loss[i], reg[i], ta[i], vl[i], va[i], sec[i]});
    }
    r.positions = gridCoordinates(r.spec.config.grid);
    return r;
}

Eigen::MatrixXd readEpochWeights(const SavedRun& run, int epoch) {
    const fs::path f = epochWeightsPath(run.dir, epoch);
    const Eigen::MatrixXd W = io::readNpy(f).matrix(f.string());
    const Eigen::Index n = run.spec.config.units();
    if (W.rows() != n || W.cols() != n)
        throw InputError(f.string() + ": expected " + std::to_string(n) + " × " + std::to_string(n) + " recurrent weights, got " +
                         std::to_string(W.rows()) + " × " + std::to_string(W.cols()));
    return W;
}

SeRnnWeights readNetwork(const fs::path& dir) {
    const fs::path f = dir / "network.npz";
    if (!fs::exists(f)) throw InputError(f.string() + ": missing (the run has not finished)");
    const auto a = io::readNpz(f);
    auto get = [&](const std::string& k) {
        const auto it = a.find(k);
        if (it == a.end()) throw InputError(f.string() + ": no array '" + k + "'");
        return it->second.matrix(f.string() + ":" + k);
    };
    SeRnnWeights w;
    w.input = get("input");
    w.recurrent = get("recurrent");
    w.bias = get("bias").col(0);
    w.output = get("output");
    w.outputBias = get("output_bias").col(0);
    return w;
}

} // namespace nm::ann
