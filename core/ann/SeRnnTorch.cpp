// seRNN training on LibTorch (CPU). The only translation unit of the seRNN that includes torch.
#include "ann/SeRnn.hpp"

#include "common/Error.hpp"
#include "jobs/Progress.hpp"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <thread>

namespace nm::ann {

namespace {

using Clock = std::chrono::steady_clock;

torch::Tensor toTensor(const Eigen::MatrixXd& m) {
    // Eigen is column-major; a row-major float copy goes to torch.
    torch::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kFloat32);
    auto a = t.accessor<float, 2>();
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) a[i][j] = float(m(i, j));
    return t;
}
torch::Tensor toTensor(const Eigen::VectorXd& v) {
    torch::Tensor t = torch::empty({v.size()}, torch::kFloat32);
    auto a = t.accessor<float, 1>();
    for (Eigen::Index i = 0; i < v.size(); ++i) a[i] = float(v[i]);
    return t;
}
Eigen::MatrixXd toMatrix(const torch::Tensor& t0) {
    const torch::Tensor t = t0.detach().to(torch::kFloat64).contiguous();
    if (t.dim() == 1) {
        Eigen::MatrixXd m(t.size(0), 1);
        auto a = t.accessor<double, 1>();
        for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, 0) = a[i];
        return m;
    }
    Eigen::MatrixXd m(t.size(0), t.size(1));
    auto a = t.accessor<double, 2>();
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = a[i][j];
    return m;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct Model {
    torch::Tensor win, wrec, b, wout, bout;
    std::vector<torch::Tensor> parameters() const { return {win, wrec, b, wout, bout}; }
    SeRnnWeights weights() const {
        SeRnnWeights w;
        w.input = toMatrix(win);
        w.recurrent = toMatrix(wrec);
        w.bias = toMatrix(b).col(0);
        w.output = toMatrix(wout);
        w.outputBias = toMatrix(bout).col(0);
        return w;
    }
    /// Logits of the last step; x is [batch, steps, inputs].
    torch::Tensor forward(const torch::Tensor& x) const {
        const torch::Tensor drive = torch::matmul(x, win) + b;  // [B, T, U]: the input part of every step at once
        torch::Tensor h = torch::relu(drive.select(1, 0));
        for (int64_t t = 1; t < x.size(1); ++t) h = torch::relu(drive.select(1, t) + torch::mm(h, wrec));
        return torch::mm(h, wout) + bout;
    }
};

torch::Tensor regularizer(const Model& m, const torch::Tensor& D, const SeRnnConfig& c) {
    const torch::Tensor A = m.wrec.abs();
    switch (c.regularizer) {
    case Regularizer::None: return torch::zeros({}, torch::kFloat32);
    case Regularizer::L1: return c.lambda * A.sum();
    case Regularizer::SE1: return c.lambda * (A * D).sum();
    case Regularizer::SE1Comm: {
        const torch::Tensor s = A.sum(1);
        const torch::Tensor r = torch::where(s > 0, s.clamp_min(1e-30).rsqrt(), torch::zeros_like(s));
        const torch::Tensor M = r.unsqueeze(1) * A * r.unsqueeze(0);
        torch::Tensor C = torch::matrix_exp(M) * (1 - torch::eye(A.size(0), torch::kFloat32));
        if (c.commFactor != 1.0) C = C.pow(c.commFactor);
        return c.lambda * (A * C * D).sum();
    }
    }
    return torch::zeros({}, torch::kFloat32);
}

torch::Tensor batchInputs(const SequenceData& d, int first, int count) {
    const int64_t per = int64_t(d.steps) * d.inputs;
    return torch::from_blob(const_cast<float*>(d.x.data()) + int64_t(first) * per, {count, d.steps, d.inputs}, torch::kFloat32);
}
torch::Tensor batchLabels(const SequenceData& d, int first, int count) {
    torch::Tensor t = torch::empty({count}, torch::kInt64);
    auto a = t.accessor<int64_t, 1>();
    for (int i = 0; i < count; ++i) a[i] = d.label[std::size_t(first + i)];
    return t;
}

/// Mean cross-entropy and accuracy over a data set, noise-free.
std::pair<double, double> evaluate(const Model& m, const SequenceData& d, int batch) {
    torch::NoGradGuard guard;
    double loss = 0, hits = 0;
    for (int first = 0; first < d.count; first += batch) {
        const int n = std::min(batch, d.count - first);
        const torch::Tensor logits = m.forward(batchInputs(d, first, n));
        const torch::Tensor y = batchLabels(d, first, n);
        loss += torch::nn::functional::cross_entropy(logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
        hits += logits.argmax(1).eq(y).sum().item<double>();
    }
    return {loss / std::max(1, d.count), hits / std::max(1, d.count)};
}

nlohmann::json recordsJson(const std::vector<EpochRecord>& records) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : records)
        j.push_back({{"epoch", r.epoch}, {"loss", r.loss}, {"regularization", r.regularization}, {"train_accuracy", r.trainAccuracy},
                     {"validation_loss", r.validationLoss}, {"validation_accuracy", r.validationAccuracy}, {"seconds", r.seconds}});
    return j;
}
std::vector<EpochRecord> recordsFromJson(const nlohmann::json& j) {
    std::vector<EpochRecord> out;
    for (const auto& e : j) {
        EpochRecord r;
        r.epoch = e.at("epoch");
        r.loss = e.at("loss");
        r.regularization = e.at("regularization");
        r.trainAccuracy = e.at("train_accuracy");
        r.validationLoss = e.at("validation_loss");
        r.validationAccuracy = e.at("validation_accuracy");
        r.seconds = e.at("seconds");
        out.push_back(r);
    }
    return out;
}

/// The configuration fields a checkpoint must agree with to be resumed.
std::string fingerprint(const SeRnnConfig& c, const SequenceData& train) {
    nlohmann::json j = {{"grid", c.grid}, {"regularizer", toString(c.regularizer)}, {"lambda", c.lambda}, {"comm_factor", c.commFactor},
                        {"distance_power", c.distancePower}, {"noise", c.inputNoise}, {"lr", c.learningRate}, {"batch", c.batch},
                        {"seed", c.seed}, {"train", {train.count, train.steps, train.inputs, train.classes}}};
    return j.dump();
}

} // namespace

TrainResult trainSeRnn(const SeRnnConfig& c, const SequenceData& train, const SequenceData& validation, const SequenceData& test,
                       const std::filesystem::path& checkpoint, const TrainHooks& hooks) {
    c.validate();
    if (train.count < 1) throw InputError("seRNN: no training data");
    if (validation.inputs != train.inputs || test.inputs != train.inputs || validation.classes != train.classes || test.classes != train.classes)
        throw InputError("seRNN: the training, validation and test data differ in inputs or classes");
    // At 100 units the kernels are too small to share: 10 epochs took 11.5 s on one thread and 31 s
    // on two (2 cores, bench/ann_sernn.sh). Unless asked, one thread; sweeps use the cores by
    // training networks side by side.
    torch::set_num_threads(c.threads > 0 ? c.threads : 1);
    const auto start = Clock::now();

    const SeRnnWeights init = initialSeRnn(train.inputs, c.units(), train.classes, c.seed);
    Model m{toTensor(init.input).requires_grad_(true), toTensor(init.recurrent).requires_grad_(true), toTensor(init.bias).requires_grad_(true),
            toTensor(init.output).requires_grad_(true), toTensor(init.outputBias).requires_grad_(true)};
    torch::optim::Adam optimizer(m.parameters(), torch::optim::AdamOptions(c.learningRate).betas({0.9, 0.999}).eps(1e-7));
    const torch::Tensor D = toTensor(gridDistances(c.grid, c.distancePower));

    TrainResult result;
    int firstEpoch = 1;
    const std::string print = fingerprint(c, train);
    if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) {
        torch::serialize::InputArchive archive;
        try {
            archive.load_from(checkpoint.string());
        } catch (const std::exception& e) {
            throw InputError(checkpoint.string() + ": not a readable seRNN checkpoint (" + std::string(e.what()).substr(0, 200) + "); delete it to start afresh");
        }
        c10::IValue meta;
        archive.read("meta", meta);
        const auto j = nlohmann::json::parse(meta.toStringRef());
        if (j.at("fingerprint").get<std::string>() != print)
            throw InputError(checkpoint.string() + ": the checkpoint was written for another configuration (" + j.at("fingerprint").get<std::string>() +
                             "); use another output folder or delete it");
        torch::NoGradGuard guard;
        for (auto* p : {&m.win, &m.wrec, &m.b, &m.wout, &m.bout}) {
            torch::Tensor t;
            archive.read(std::string("p") + std::to_string(p - &m.win), t);
            p->copy_(t);
        }
        torch::serialize::InputArchive opt;
        archive.read("optimizer", opt);
        optimizer.load(opt);
        result.epochs = recordsFromJson(j.at("records"));
        firstEpoch = int(result.epochs.size());
        result.resumedFrom = firstEpoch - 1;
    }
    auto save = [&]() {
        if (checkpoint.empty()) return;
        torch::serialize::OutputArchive archive;
        archive.write("meta", c10::IValue(nlohmann::json{{"fingerprint", print}, {"records", recordsJson(result.epochs)}}.dump()));
        for (const auto* p : {&m.win, &m.wrec, &m.b, &m.wout, &m.bout}) archive.write(std::string("p") + std::to_string(p - &m.win), *p);
        torch::serialize::OutputArchive opt;
        optimizer.save(opt);
        archive.write("optimizer", opt);
        const auto tmp = checkpoint.string() + ".tmp";
        archive.save_to(tmp);
        std::filesystem::rename(tmp, checkpoint);
    };

    if (firstEpoch == 1) {
        EpochRecord r0;
        const auto [vl, va] = evaluate(m, validation, c.batch);
        r0.validationLoss = vl, r0.validationAccuracy = va;
        const auto [tl, ta] = evaluate(m, train, c.batch);
        {
            torch::NoGradGuard guard;
            r0.regularization = regularizer(m, D, c).item<double>();
        }
        r0.loss = tl + r0.regularization, r0.trainAccuracy = ta;
        result.epochs.push_back(r0);
        if (hooks.epochDone) hooks.epochDone(r0, m.weights());
        save();
    }

    const int batches = (train.count + c.batch - 1) / c.batch;
    for (int epoch = firstEpoch; epoch <= c.epochs; ++epoch) {
        const auto t0 = Clock::now();
        EpochRecord r;
        r.epoch = epoch;
        double lossSum = 0, hits = 0;
        for (int k = 0; k < batches; ++k) {
            if (hooks.progress) {
                hooks.progress->checkCancelled();
                hooks.progress->update(double((epoch - 1) * batches + k) / double(std::max(1, c.epochs * batches)),
                                       "epoch " + std::to_string(epoch) + "/" + std::to_string(c.epochs));
            }
            const int first = k * c.batch, n = std::min(c.batch, train.count - first);
            torch::Tensor x = batchInputs(train, first, n);
            if (c.inputNoise > 0) {
                auto gen = at::detail::createCPUGenerator(mix(mix(c.seed) ^ (std::uint64_t(epoch) << 32 | std::uint64_t(k))));
                x = x + c.inputNoise * torch::randn(x.sizes(), gen, torch::kFloat32);
            }
            const torch::Tensor y = batchLabels(train, first, n);
            optimizer.zero_grad();
            const torch::Tensor logits = m.forward(x);
            const torch::Tensor ce = torch::nn::functional::cross_entropy(logits, y);
            const torch::Tensor loss = ce + regularizer(m, D, c);
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>() * n;
            hits += logits.argmax(1).eq(y).sum().item<double>();
        }
        r.loss = lossSum / train.count;
        r.trainAccuracy = hits / train.count;
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        {
            torch::NoGradGuard guard;
            r.regularization = regularizer(m, D, c).item<double>();
        }
        const auto [vl, va] = evaluate(m, validation, c.batch);
        r.validationLoss = vl, r.validationAccuracy = va;
        result.epochs.push_back(r);
        if (hooks.epochDone) hooks.epochDone(r, m.weights());
        save();
    }
    result.weights = m.weights();
    result.testAccuracy = test.count > 0 ? evaluate(m, test, c.batch).second : 0.0;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace nm::ann
