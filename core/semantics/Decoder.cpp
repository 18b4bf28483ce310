#include "semantics/Decoder.hpp"

#include "common/Error.hpp"
#include "decompose/Cohort.hpp"

#include <LBFGS.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <numeric>
#include <random>
#include <set>

namespace nm::semantics {

namespace {

/// Row-wise softmax probabilities of logits, in place.
void softmaxRows(Eigen::MatrixXd& z) {
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        const double m = z.row(i).maxCoeff();
        z.row(i) = (z.row(i).array() - m).exp();
        z.row(i) /= z.row(i).sum();
    }
}

/// Column z-scores with the statistics of `train` applied to both.
void standardise(Eigen::MatrixXd& train, Eigen::MatrixXd& test) {
    for (Eigen::Index j = 0; j < train.cols(); ++j) {
        const double m = train.col(j).mean();
        const double sd = std::sqrt((train.col(j).array() - m).square().mean());
        const double s = sd > 1e-12 ? 1.0 / sd : 0.0;
        train.col(j) = (train.col(j).array() - m) * s;
        test.col(j) = (test.col(j).array() - m) * s;
    }
}

} // namespace

Eigen::MatrixXd SoftmaxModel::logits(const Eigen::MatrixXd& X) const {
    Eigen::MatrixXd z = X * weights;
    z.rowwise() += intercepts.transpose();
    return z;
}

std::vector<int> SoftmaxModel::predict(const Eigen::MatrixXd& X) const {
    const Eigen::MatrixXd z = logits(X);
    std::vector<int> out(static_cast<std::size_t>(z.rows()));
    for (Eigen::Index i = 0; i < z.rows(); ++i) z.row(i).maxCoeff(&out[std::size_t(i)]);
    return out;
}

SoftmaxModel fitSoftmax(const Eigen::MatrixXd& X, const std::vector<int>& labels, int classes, const SoftmaxOptions& o) {
    const Eigen::Index n = X.rows(), p = X.cols(), C = classes;
    if (Eigen::Index(labels.size()) != n) throw std::invalid_argument("fitSoftmax: one label per row");
    if (C < 2) throw std::invalid_argument("fitSoftmax: need two classes or more");
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(n, C);
    std::vector<char> present(std::size_t(C), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
        const int c = labels[std::size_t(i)];
        if (c < 0 || c >= C) throw std::invalid_argument("fitSoftmax: label out of range");
        Y(i, c) = 1;
        present[std::size_t(c)] = 1;
    }
    // Parameters: W (p × C, column-major) then b (C).
    auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
        const Eigen::Map<const Eigen::MatrixXd> W(theta.data(), p, C);
        const Eigen::Map<const Eigen::VectorXd> b(theta.data() + p * C, C);
        Eigen::MatrixXd z = X * W;
        z.rowwise() += b.transpose();
        double loss = 0;
        for (Eigen::Index i = 0; i < n; ++i) {
            const double m = z.row(i).maxCoeff();
            loss += m + std::log((z.row(i).array() - m).exp().sum()) - z.row(i).dot(Y.row(i));
        }
        softmaxRows(z);
        z -= Y;  // P − Y
        grad.resize(theta.size());
        Eigen::Map<Eigen::MatrixXd> gW(grad.data(), p, C);
        Eigen::Map<Eigen::VectorXd> gb(grad.data() + p * C, C);
        gW.noalias() = X.transpose() * z / double(n);
        gW += o.l2 * W;
        gb = z.colwise().sum().transpose() / double(n);
        return loss / double(n) + 0.5 * o.l2 * W.squaredNorm();
    };
    LBFGSpp::LBFGSParam<double> param;
    param.m = o.memory;
    param.epsilon = o.tolerance;
    param.epsilon_rel = o.tolerance;
    param.max_iterations = o.maxIterations;
    LBFGSpp::LBFGSSolver<double> solver(param);
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(p * C + C);
    double fx = 0;
    SoftmaxModel m;
    try {
        m.iterations = solver.minimize(objective, theta, fx);
    } catch (const std::runtime_error&) {
        // LBFGS++ throws when the line search makes no progress at the optimum's numerical floor;
        // theta holds the last accepted point.
        m.iterations = o.maxIterations;
    }
    m.weights = Eigen::Map<const Eigen::MatrixXd>(theta.data(), p, C);
    m.intercepts = theta.tail(C);
    for (Eigen::Index c = 0; c < C; ++c)
        if (!present[std::size_t(c)]) m.intercepts[c] = -std::numeric_limits<double>::infinity();
    m.objective = fx;
    return m;
}

double accuracy(const std::vector<int>& predicted, const std::vector<int>& truth) {
    if (predicted.size() != truth.size() || truth.empty()) return std::numeric_limits<double>::quiet_NaN();
    int ok = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) ok += predicted[i] == truth[i];
    return double(ok) / double(truth.size());
}

Eigen::MatrixXd MultiStudyModel::probabilities(const Eigen::MatrixXd& X, int study) const {
    Eigen::MatrixXd h = X * shared;
    h.rowwise() += sharedBias.transpose();
    Eigen::MatrixXd z = h * heads[std::size_t(study)];
    z.rowwise() += headBias[std::size_t(study)].transpose();
    softmaxRows(z);
    return z;
}

std::vector<int> MultiStudyModel::predict(const Eigen::MatrixXd& X, int study) const {
    const Eigen::MatrixXd z = probabilities(X, study);
    std::vector<int> out(static_cast<std::size_t>(z.rows()));
    for (Eigen::Index i = 0; i < z.rows(); ++i) z.row(i).maxCoeff(&out[std::size_t(i)]);
    return out;
}

MultiStudyModel fitMultiStudy(const Eigen::MatrixXd& X, const std::vector<int>& study, const std::vector<int>& labels,
                              const std::vector<int>& classes, const MultiStudyOptions& o) {
    // Written by hand rather than through LibTorch: two linear layers, dropout and per-study softmax
    // heads are a few matrix products in Eigen, and the decoder then costs no 25 s torch compile.
    const Eigen::Index n = X.rows(), p = X.cols();
    const int S = int(classes.size());
    const Eigen::Index d = std::min<Eigen::Index>(o.latent, p);
    auto rng = decompose::seededRng(o.seed, 91);
    std::normal_distribution<double> normal(0.0, 1.0);
    MultiStudyModel m;
    // Glorot-scaled initialisation.
    m.shared.resize(p, d);
    for (Eigen::Index i = 0; i < m.shared.size(); ++i) m.shared.data()[i] = normal(rng) * std::sqrt(2.0 / double(p + d));
    m.sharedBias = Eigen::VectorXd::Zero(d);
    for (int s = 0; s < S; ++s) {
        Eigen::MatrixXd h(d, classes[std::size_t(s)]);
        for (Eigen::Index i = 0; i < h.size(); ++i) h.data()[i] = normal(rng) * std::sqrt(2.0 / double(d + classes[std::size_t(s)]));
        m.heads.push_back(h);
        m.headBias.push_back(Eigen::VectorXd::Zero(classes[std::size_t(s)]));
    }
    // Adam state, one slot per parameter block: shared, sharedBias, then heads and biases.
    struct Adam {
        Eigen::MatrixXd m1, m2;
    };
    auto zeroLike = [](const Eigen::MatrixXd& a) { return Adam{Eigen::MatrixXd::Zero(a.rows(), a.cols()), Eigen::MatrixXd::Zero(a.rows(), a.cols())}; };
    Adam aW = zeroLike(m.shared), ab = zeroLike(m.sharedBias);
    std::vector<Adam> aH, aHb;
    for (int s = 0; s < S; ++s) {
        aH.push_back(zeroLike(m.heads[std::size_t(s)]));
        aHb.push_back(zeroLike(m.headBias[std::size_t(s)]));
    }
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    long step = 0;
    auto update = [&](Eigen::MatrixXd& param, Adam& a, const Eigen::MatrixXd& g, bool decay) {
        Eigen::MatrixXd grad = g;
        if (decay) grad += o.l2 * param;
        a.m1 = b1 * a.m1 + (1 - b1) * grad;
        a.m2 = b2 * a.m2 + (1 - b2) * grad.array().square().matrix();
        const double c1 = 1 - std::pow(b1, double(step)), c2 = 1 - std::pow(b2, double(step));
        param.array() -= o.learningRate * (a.m1.array() / c1) / ((a.m2.array() / c2).sqrt() + eps);
    };
    auto updateVec = [&](Eigen::VectorXd& v, Adam& a, const Eigen::VectorXd& g) {
        Eigen::MatrixXd pm = v;
        update(pm, a, g, false);
        v = pm.col(0);
    };

    std::vector<std::vector<Eigen::Index>> rowsOf(static_cast<std::size_t>(S));
    for (Eigen::Index i = 0; i < n; ++i) rowsOf[std::size_t(study[std::size_t(i)])].push_back(i);
    std::bernoulli_distribution keepIn(1.0 - o.inputDropout), keepLatent(1.0 - o.latentDropout);
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        // Per-study minibatches, interleaved in random order (each study seen in proportion to its size).
        std::vector<std::pair<int, std::vector<Eigen::Index>>> batches;
        for (int s = 0; s < S; ++s) {
            auto rows = rowsOf[std::size_t(s)];
            std::shuffle(rows.begin(), rows.end(), rng);
            for (std::size_t at = 0; at < rows.size(); at += std::size_t(o.batch))
                batches.emplace_back(s, std::vector<Eigen::Index>(rows.begin() + long(at), rows.begin() + long(std::min(rows.size(), at + std::size_t(o.batch)))));
        }
        std::shuffle(batches.begin(), batches.end(), rng);
        for (const auto& [s, rows] : batches) {
            const auto B = Eigen::Index(rows.size());
            Eigen::MatrixXd x(B, p);
            Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(B, classes[std::size_t(s)]);
            for (Eigen::Index i = 0; i < B; ++i) {
                x.row(i) = X.row(rows[std::size_t(i)]);
                Y(i, labels[std::size_t(rows[std::size_t(i)])]) = 1;
            }
            // Inverted dropout: kept units are scaled so that expectations match at test time.
            Eigen::MatrixXd maskIn(B, p), maskLatent(B, d);
            for (Eigen::Index i = 0; i < maskIn.size(); ++i) maskIn.data()[i] = keepIn(rng) ? 1.0 / (1.0 - o.inputDropout) : 0.0;
            for (Eigen::Index i = 0; i < maskLatent.size(); ++i) maskLatent.data()[i] = keepLatent(rng) ? 1.0 / (1.0 - o.latentDropout) : 0.0;
            const Eigen::MatrixXd xd = x.cwiseProduct(maskIn);
            Eigen::MatrixXd h = xd * m.shared;
            h.rowwise() += m.sharedBias.transpose();
            const Eigen::MatrixXd hd = h.cwiseProduct(maskLatent);
            Eigen::MatrixXd z = hd * m.heads[std::size_t(s)];
            z.rowwise() += m.headBias[std::size_t(s)].transpose();
            softmaxRows(z);
            const Eigen::MatrixXd dz = (z - Y) / double(B);
            const Eigen::MatrixXd gHead = hd.transpose() * dz;
            const Eigen::VectorXd gHeadBias = dz.colwise().sum().transpose();
            const Eigen::MatrixXd dh = (dz * m.heads[std::size_t(s)].transpose()).cwiseProduct(maskLatent);
            const Eigen::MatrixXd gShared = xd.transpose() * dh;
            const Eigen::VectorXd gSharedBias = dh.colwise().sum().transpose();
            ++step;
            update(m.heads[std::size_t(s)], aH[std::size_t(s)], gHead, true);
            updateVec(m.headBias[std::size_t(s)], aHb[std::size_t(s)], gHeadBias);
            update(m.shared, aW, gShared, true);
            updateVec(m.sharedBias, ab, gSharedBias);
        }
    }
    return m;
}

DecodingTable evaluateDecoders(const ConditionEffects& ce, std::size_t scale, const DecoderOptions& o, jobs::Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    const Eigen::MatrixXf& E = ce.effects.at(scale);
    const Eigen::Index n = E.rows();
    DecodingTable table;
    table.components = ce.scales.at(scale);
    const bool voxels = o.voxels && ce.voxelEffects.has_value();
    // Classes of each study: its conditions (in order of first appearance).
    const int S = int(ce.studies.size());
    std::vector<std::map<int, int>> classOf(static_cast<std::size_t>(S));
    std::vector<int> label(static_cast<std::size_t>(n)), study(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& smp = ce.samples[std::size_t(i)];
        auto& m = classOf[std::size_t(smp.study)];
        if (!m.count(smp.condition)) {
            const int c = int(m.size());
            m[smp.condition] = c;
        }
        label[std::size_t(i)] = m[smp.condition];
        study[std::size_t(i)] = smp.study;
    }
    std::vector<int> classes(static_cast<std::size_t>(S));
    for (int s = 0; s < S; ++s) classes[std::size_t(s)] = int(classOf[std::size_t(s)].size());
    // Folds: per study, its subjects dealt into folds (seeded); single-subject studies: its runs.
    std::vector<int> fold(static_cast<std::size_t>(n), -1);
    std::vector<std::string> scheme(static_cast<std::size_t>(S));
    for (int s = 0; s < S; ++s) {
        std::set<int> subjects, runs;
        for (Eigen::Index i = 0; i < n; ++i)
            if (study[std::size_t(i)] == s) {
                subjects.insert(ce.samples[std::size_t(i)].subject);
                runs.insert(ce.samples[std::size_t(i)].run);
            }
        const bool byRun = subjects.size() < 2;
        std::vector<int> units(byRun ? runs.begin() : subjects.begin(), byRun ? runs.end() : subjects.end());
        auto rng = decompose::seededRng(o.seed, 93, std::uint64_t(s));
        std::shuffle(units.begin(), units.end(), rng);
        const int k = std::max(2, std::min<int>(o.folds, int(units.size())));
        scheme[std::size_t(s)] = byRun ? "leave-runs-out (" + std::to_string(k) + " folds)" : "leave-subjects-out (" + std::to_string(k) + " folds)";
        std::map<int, int> unitFold;
        for (std::size_t u = 0; u < units.size(); ++u) unitFold[units[u]] = int(u) % k;
        for (Eigen::Index i = 0; i < n; ++i)
            if (study[std::size_t(i)] == s)
                fold[std::size_t(i)] = unitFold[byRun ? ce.samples[std::size_t(i)].run : ce.samples[std::size_t(i)].subject];
    }
    int folds = 0;
    for (int f : fold) folds = std::max(folds, f + 1);

    std::vector<int> pm(static_cast<std::size_t>(n), -1), pc(static_cast<std::size_t>(n), -1), pv(static_cast<std::size_t>(n), -1);
    const Eigen::MatrixXd Ed = E.cast<double>();
    for (int f = 0; f < folds; ++f) {
        progress.update(std::size_t(f), std::size_t(folds), "fold " + std::to_string(f + 1) + "/" + std::to_string(folds));
        std::vector<Eigen::Index> train, test;
        for (Eigen::Index i = 0; i < n; ++i) (fold[std::size_t(i)] == f ? test : train).push_back(i);
        if (test.empty() || train.empty()) continue;
        auto rowsOf = [](const Eigen::MatrixXd& M, const std::vector<Eigen::Index>& r) {
            Eigen::MatrixXd out(Eigen::Index(r.size()), M.cols());
            for (std::size_t i = 0; i < r.size(); ++i) out.row(Eigen::Index(i)) = M.row(r[i]);
            return out;
        };
        Eigen::MatrixXd Xtr = rowsOf(Ed, train), Xte = rowsOf(Ed, test);
        standardise(Xtr, Xte);
        // Multi-study: one model over every study's training samples.
        std::vector<int> strain, ltrain;
        for (auto i : train) {
            strain.push_back(study[std::size_t(i)]);
            ltrain.push_back(label[std::size_t(i)]);
        }
        MultiStudyOptions mo = o.multiStudy;
        mo.seed = o.seed * 7919ull + std::uint64_t(f);
        std::vector<MultiStudyModel> multi;
        const std::vector<double> rates = o.multiStudy.learningRates.empty() ? std::vector<double>{o.multiStudy.learningRate} : o.multiStudy.learningRates;
        const std::vector<double> drops = o.multiStudy.latentDropouts.empty() ? std::vector<double>{o.multiStudy.latentDropout} : o.multiStudy.latentDropouts;
        mo.learningRate = rates.front();
        mo.latentDropout = drops.front();
        if (o.multiStudyDecoder && folds > 2 && rates.size() * drops.size() > 1) {
            // Inner split: the training samples of the next fold validate (subjects stay disjoint).
            const int inner = (f + 1) % folds;
            std::vector<Eigen::Index> fit, val;
            for (std::size_t i = 0; i < train.size(); ++i) (fold[std::size_t(train[i])] == inner ? val : fit).push_back(Eigen::Index(i));
            const Eigen::MatrixXd Xfit = rowsOf(Xtr, fit), Xval = rowsOf(Xtr, val);
            std::vector<int> sfit, lfit;
            for (auto i : fit) {
                sfit.push_back(strain[std::size_t(i)]);
                lfit.push_back(ltrain[std::size_t(i)]);
            }
            double best = -1;
            for (double lr : rates)
                for (double dl : drops) {
                    MultiStudyOptions c = mo;
                    c.learningRate = lr;
                    c.latentDropout = dl;
                    const auto model = fitMultiStudy(Xfit, sfit, lfit, classes, c);
                    double sum = 0;
                    int counted = 0;
                    for (int s = 0; s < S; ++s) {
                        std::vector<Eigen::Index> rows;
                        std::vector<int> truth;
                        for (auto i : val)
                            if (strain[std::size_t(i)] == s) {
                                rows.push_back(i);
                                truth.push_back(ltrain[std::size_t(i)]);
                            }
                        if (rows.empty()) continue;
                        sum += accuracy(model.predict(rowsOf(Xtr, rows), s), truth);
                        ++counted;
                    }
                    const double score = counted ? sum / counted : 0.0;
                    if (score > best + 1e-12) {
                        best = score;
                        mo.learningRate = lr;
                        mo.latentDropout = dl;
                    }
                }
        }
        if (o.multiStudyDecoder) table.multiStudyChoices.emplace_back(mo.learningRate, mo.latentDropout);
        if (o.multiStudyDecoder)
            for (int e = 0; e < std::max(1, o.multiStudy.ensemble); ++e) {
                MultiStudyOptions me = mo;
                me.seed = mo.seed + 104729ull * std::uint64_t(e);
                multi.push_back(fitMultiStudy(Xtr, strain, ltrain, classes, me));
            }
        for (int s = 0; s < S; ++s) {
            std::vector<Eigen::Index> tr, te;
            std::vector<int> ltr;
            for (std::size_t i = 0; i < train.size(); ++i)
                if (strain[i] == s) {
                    tr.push_back(Eigen::Index(i));
                    ltr.push_back(ltrain[i]);
                }
            for (std::size_t i = 0; i < test.size(); ++i)
                if (study[std::size_t(test[i])] == s) te.push_back(Eigen::Index(i));
            if (te.empty() || tr.empty()) continue;
            const Eigen::MatrixXd xte = rowsOf(Xte, te);
            std::vector<int> yMulti(te.size(), -1);
            if (!multi.empty()) {
                Eigen::MatrixXd prob = Eigen::MatrixXd::Zero(xte.rows(), classes[std::size_t(s)]);
                for (const auto& m : multi) prob += m.probabilities(xte, s);
                for (Eigen::Index i = 0; i < prob.rows(); ++i) prob.row(i).maxCoeff(&yMulti[std::size_t(i)]);
            }
            std::set<int> distinct(ltr.begin(), ltr.end());
            std::vector<int> yComp(te.size(), ltr.front()), yVox(te.size(), ltr.front());
            if (distinct.size() > 1) {
                yComp = fitSoftmax(rowsOf(Xtr, tr), ltr, classes[std::size_t(s)], o.softmax).predict(xte);
                if (voxels) {
                    std::vector<Eigen::Index> gtr, gte;
                    for (auto i : tr) gtr.push_back(train[std::size_t(i)]);
                    for (auto i : te) gte.push_back(test[std::size_t(i)]);
                    Eigen::MatrixXd vtr(Eigen::Index(gtr.size()), ce.voxelEffects->cols()), vte(Eigen::Index(gte.size()), ce.voxelEffects->cols());
                    for (std::size_t i = 0; i < gtr.size(); ++i) vtr.row(Eigen::Index(i)) = ce.voxelEffects->row(gtr[i]).cast<double>();
                    for (std::size_t i = 0; i < gte.size(); ++i) vte.row(Eigen::Index(i)) = ce.voxelEffects->row(gte[i]).cast<double>();
                    standardise(vtr, vte);
                    yVox = fitSoftmax(vtr, ltr, classes[std::size_t(s)], o.softmax).predict(vte);
                }
            }
            for (std::size_t i = 0; i < te.size(); ++i) {
                const auto g = std::size_t(test[std::size_t(te[i])]);
                pm[g] = yMulti[i];
                pc[g] = yComp[i];
                pv[g] = yVox[i];
            }
        }
        progress.checkCancelled();
    }
    double gainC = 0, gainV = 0;
    int improvedC = 0, improvedV = 0, counted = 0;
    for (int s = 0; s < S; ++s) {
        StudyDecoding sd;
        sd.study = ce.studies[std::size_t(s)];
        sd.classes = classes[std::size_t(s)];
        sd.scheme = scheme[std::size_t(s)];
        std::vector<int> truth, a, b, c;
        std::set<int> subjects;
        for (Eigen::Index i = 0; i < n; ++i)
            if (study[std::size_t(i)] == s && pc[std::size_t(i)] >= 0) {
                truth.push_back(label[std::size_t(i)]);
                a.push_back(pm[std::size_t(i)]);
                b.push_back(pc[std::size_t(i)]);
                c.push_back(pv[std::size_t(i)]);
                subjects.insert(ce.samples[std::size_t(i)].subject);
            }
        sd.samples = int(truth.size());
        sd.subjects = int(subjects.size());
        sd.chance = sd.classes ? 1.0 / sd.classes : 0.0;
        sd.multiStudy = o.multiStudyDecoder ? accuracy(a, truth) : std::numeric_limits<double>::quiet_NaN();
        sd.components = accuracy(b, truth);
        sd.voxels = voxels ? accuracy(c, truth) : std::numeric_limits<double>::quiet_NaN();
        if (sd.classes < 2 || truth.empty()) continue;
        ++counted;
        gainC += sd.multiStudy - sd.components;
        improvedC += sd.multiStudy > sd.components;
        if (voxels) {
            gainV += sd.multiStudy - sd.voxels;
            improvedV += sd.multiStudy > sd.voxels;
        }
        table.studies.push_back(sd);
    }
    if (counted) {
        table.meanGainOverComponents = gainC / counted;
        table.fractionImprovedOverComponents = double(improvedC) / counted;
        table.meanGainOverVoxels = voxels ? gainV / counted : std::numeric_limits<double>::quiet_NaN();
        table.fractionImprovedOverVoxels = voxels ? double(improvedV) / counted : std::numeric_limits<double>::quiet_NaN();
    }
    if (!o.multiStudyDecoder)
        table.meanGainOverComponents = table.meanGainOverVoxels = table.fractionImprovedOverComponents = table.fractionImprovedOverVoxels =
            std::numeric_limits<double>::quiet_NaN();
    table.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return table;
}

} // namespace nm::semantics
