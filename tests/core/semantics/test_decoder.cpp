// The decoders: multinomial logistic regression recovers separable classes; the multi-study decoder
// (Mensch et al. 2021) beats per-study decoders when the studies share a low-dimensional
// discriminative subspace and each has few samples — the situation it is made for — and its
// ensemble is no worse than one model; the per-study-only mode leaves the multi-study figures NaN.
#include "semantics/Decoder.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nm;

namespace {

/// S studies, each with `classes` conditions whose means lie in one shared r-dimensional subspace
/// of p features; `subjects` subjects per study, one sample per subject and condition; unit noise.
semantics::ConditionEffects sharedSubspaceStudies(int S, int classes, int subjects, int p, int r, double separation, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Eigen::MatrixXd basis(r, p);
    for (Eigen::Index i = 0; i < basis.size(); ++i) basis.data()[i] = normal(rng);
    for (int i = 0; i < r; ++i) basis.row(i).normalize();
    semantics::ConditionEffects ce;
    ce.scales = {p};
    std::vector<Eigen::RowVectorXd> rows;
    for (int s = 0; s < S; ++s) {
        ce.studies.push_back("d/study" + std::to_string(s));
        std::vector<Eigen::RowVectorXd> means;
        for (int c = 0; c < classes; ++c) {
            Eigen::RowVectorXd coef(r);
            for (int i = 0; i < r; ++i) coef[i] = normal(rng);
            means.push_back(separation * coef.normalized() * basis);
            ce.conditions.emplace_back("study" + std::to_string(s), "c" + std::to_string(c));
        }
        for (int j = 0; j < subjects; ++j) {
            const int subject = int(ce.subjects.size());
            ce.subjects.push_back("d/sub-" + std::to_string(s) + "-" + std::to_string(j));
            ce.runs.push_back("run" + std::to_string(subject));
            for (int c = 0; c < classes; ++c) {
                Eigen::RowVectorXd x = means[std::size_t(c)];
                for (int i = 0; i < p; ++i) x[i] += normal(rng);
                rows.push_back(x);
                ce.samples.push_back({subject, s, s * classes + c, subject, -1});
            }
        }
    }
    Eigen::MatrixXf E(Eigen::Index(rows.size()), p);
    for (std::size_t i = 0; i < rows.size(); ++i) E.row(Eigen::Index(i)) = rows[i].cast<float>();
    ce.effects = {E};
    return ce;
}

double mean(const semantics::DecodingTable& t, double semantics::StudyDecoding::*field) {
    double s = 0;
    for (const auto& d : t.studies) s += d.*field;
    return s / double(t.studies.size());
}

} // namespace

TEST_CASE("softmax regression separates classes", "[semantics][decoder]") {
    std::mt19937_64 rng(1);
    std::normal_distribution<double> normal;
    const int n = 300, p = 5, k = 3;
    Eigen::MatrixXd X(n, p);
    std::vector<int> y(n);
    for (int i = 0; i < n; ++i) {
        y[std::size_t(i)] = i % k;
        for (int j = 0; j < p; ++j) X(i, j) = normal(rng) + (j == y[std::size_t(i)] ? 3.0 : 0.0);
    }
    const auto m = semantics::fitSoftmax(X, y, k);
    CHECK(semantics::accuracy(m.predict(X), y) > 0.9);
}

TEST_CASE("the multi-study decoder wins where studies share a subspace", "[semantics][decoder]") {
    // 8 studies × 3 conditions × 10 subjects, 150 features, a shared 4-dimensional subspace: each
    // study alone has 24 training samples for 150 features; together they pin the subspace down.
    const auto ce = sharedSubspaceStudies(8, 3, 10, 150, 4, 2.5, 7);
    semantics::DecoderOptions o;
    o.voxels = false;
    o.multiStudy.latent = 16;
    o.multiStudy.epochs = 150;
    o.multiStudy.ensemble = 3;
    o.multiStudy.learningRate = 1e-2;
    o.multiStudy.latentDropout = 0.1;
    jobs::Progress progress;
    const auto table = semantics::evaluateDecoders(ce, 0, o, progress);
    REQUIRE(table.studies.size() == 8);
    const double multi = mean(table, &semantics::StudyDecoding::multiStudy), per = mean(table, &semantics::StudyDecoding::components);
    INFO("multi-study " << multi << ", per-study " << per);
    CHECK(per > 1.0 / 3 + 0.1);                   // the per-study decoder learns something
    CHECK(multi > per + 0.03);                    // sharing the subspace helps (here 0.750 vs 0.688)
    CHECK(table.fractionImprovedOverComponents >= 0.5);  // here 5 of 8
    CHECK(table.meanGainOverComponents == Approx(multi - per).margin(1e-12));
    REQUIRE(table.multiStudyChoices.size() == 5);
    CHECK(table.multiStudyChoices[0] == std::pair<double, double>{1e-2, 0.1});

    // Chosen by an inner split: every fold picks among the candidates, here the larger step.
    o.multiStudy.ensemble = 1;
    o.multiStudy.learningRates = {1e-3, 1e-2};
    o.multiStudy.latentDropouts = {0.1};
    const auto chosen = semantics::evaluateDecoders(ce, 0, o, progress);
    REQUIRE(chosen.multiStudyChoices.size() == 5);
    int larger = 0;
    for (const auto& [lr, dl] : chosen.multiStudyChoices) {
        CHECK((lr == 1e-3 || lr == 1e-2));
        CHECK(dl == 0.1);
        larger += lr == 1e-2;
    }
    CHECK(larger >= 3);

    // Per-study only: the multi-study figures are NaN, the per-study ones unchanged.
    o.multiStudyDecoder = false;
    const auto perOnly = semantics::evaluateDecoders(ce, 0, o, progress);
    REQUIRE(perOnly.studies.size() == 8);
    CHECK(std::isnan(perOnly.studies[0].multiStudy));
    CHECK(std::isnan(perOnly.meanGainOverComponents));
    CHECK(perOnly.multiStudyChoices.empty());
    CHECK(mean(perOnly, &semantics::StudyDecoding::components) == Approx(per));
}
