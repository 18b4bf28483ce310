#include "semantics/StabilitySelection.hpp"

#include "decompose/Cohort.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

namespace nm::semantics {

double expectedFalseSelections(double meanSelected, double threshold, int features) {
    if (threshold <= 0.5 || features <= 0) return std::numeric_limits<double>::infinity();
    return meanSelected * meanSelected / ((2 * threshold - 1) * features);
}

StabilityResult stabilitySelection(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<int>& subject,
                                   const std::vector<int>& study, const StabilityOptions& o) {
    const Eigen::Index n = X.rows(), p = X.cols();
    if (y.size() != n || Eigen::Index(subject.size()) != n || Eigen::Index(study.size()) != n)
        throw std::invalid_argument("stabilitySelection: X, y, subject and study must have one entry per sample");
    if (o.subsamples < 1) throw std::invalid_argument("stabilitySelection: need at least one subsample");
    if (!(o.weakness > 0 && o.weakness <= 1)) throw std::invalid_argument("stabilitySelection: weakness must be in (0, 1]");
    const auto L = Eigen::Index(o.lambdaFractions.size());

    auto weightsOf = [&](const std::vector<Eigen::Index>& rows) {
        Eigen::VectorXd w = Eigen::VectorXd::Ones(Eigen::Index(rows.size()));
        if (!o.balanced) return w;
        double pos = 0;
        for (auto r : rows) pos += y[r];
        const double m = double(rows.size()), neg = m - pos;
        for (std::size_t i = 0; i < rows.size(); ++i) w[Eigen::Index(i)] = y[rows[i]] > 0.5 ? m / (2 * pos) : m / (2 * neg);
        return w;
    };
    std::vector<Eigen::Index> all(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) all[std::size_t(i)] = i;
    const double lambdaMax = l1LogisticLambdaMax(X, y, weightsOf(all), Eigen::VectorXd());
    std::vector<double> lambdas;
    if (o.targetFalseSelections > 0) {
        const double q = std::sqrt(o.targetFalseSelections * (2 * o.threshold - 1) * double(p));
        std::vector<double> grid;
        for (int i = 0; i < 40; ++i) grid.push_back(lambdaMax * 0.95 * std::pow(0.005 / 0.95, i / 39.0));
        const auto path = fitL1LogisticPath(X, y, grid, weightsOf(all), Eigen::VectorXd(), o.solver);
        double lambdaMin = grid.back();
        for (std::size_t i = 0; i < grid.size(); ++i)
            if (double((path.coefficients.col(Eigen::Index(i)).array() != 0).count()) > q) {
                lambdaMin = i > 0 ? grid[i - 1] : grid.front();
                break;
            }
        const double hi = std::max(lambdaMax * 0.5, lambdaMin);
        for (int i = 0; i < 5; ++i) lambdas.push_back(hi * std::pow(lambdaMin / hi, i / 4.0));
    } else {
        for (double f : o.lambdaFractions) lambdas.push_back(f * lambdaMax);
    }
    std::sort(lambdas.rbegin(), lambdas.rend());

    // Strata: the subjects of each study.
    std::map<int, std::vector<int>> subjectsOfStudy;
    for (Eigen::Index i = 0; i < n; ++i) subjectsOfStudy[study[std::size_t(i)]].push_back(subject[std::size_t(i)]);
    for (auto& [s, v] : subjectsOfStudy) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }

    struct Fit {
        bool valid = false;
        Eigen::MatrixXd coefficients;  // p × L
        int sweeps = 0;
    };
    std::vector<Fit> fits(std::size_t(o.subsamples));
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < o.subsamples; ++b) {
        auto rng = decompose::seededRng(o.seed, 71, std::uint64_t(b));
        std::set<std::pair<int, int>> chosen;  // (study, subject)
        for (const auto& [s, v] : subjectsOfStudy) {
            std::vector<int> order = v;
            std::shuffle(order.begin(), order.end(), rng);
            const std::size_t half = std::max<std::size_t>(1, order.size() / 2);
            for (std::size_t i = 0; i < half; ++i) chosen.insert({s, order[i]});
        }
        std::vector<Eigen::Index> rows;
        for (Eigen::Index i = 0; i < n; ++i)
            if (chosen.count({study[std::size_t(i)], subject[std::size_t(i)]})) rows.push_back(i);
        std::uniform_real_distribution<double> weight(o.weakness, 1.0);
        Eigen::VectorXd factors(p);
        for (Eigen::Index j = 0; j < p; ++j) factors[j] = 1.0 / weight(rng);
        Eigen::MatrixXd Xs(Eigen::Index(rows.size()), p);
        Eigen::VectorXd ys(Eigen::Index(rows.size()));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            Xs.row(Eigen::Index(i)) = X.row(rows[i]);
            ys[Eigen::Index(i)] = y[rows[i]];
        }
        const double pos = ys.sum();
        if (pos < 1 || pos > double(rows.size()) - 1) continue;  // one class only: no fit
        const auto path = fitL1LogisticPath(Xs, ys, lambdas, weightsOf(rows), factors, o.solver);
        fits[std::size_t(b)] = {true, path.coefficients, path.sweeps};
    }

    StabilityResult res;
    for (const auto& f : fits)
        if (f.valid) {
            ++res.fits;
            res.sweeps += f.sweeps;
        }
    res.frequency = Eigen::VectorXd::Zero(p);
    res.coefficient = Eigen::VectorXd::Zero(p);
    if (res.fits == 0) return res;
    // q̄ over the first l penalties of Λ: the mean size of the union of their selections.
    auto meanSelected = [&](Eigen::Index l) {
        double selected = 0;
        for (const auto& f : fits) {
            if (!f.valid) continue;
            for (Eigen::Index j = 0; j < p; ++j) selected += (f.coefficients.row(j).head(l).array() != 0).any() ? 1 : 0;
        }
        return selected / res.fits;
    };
    // With a target, Λ is cut at its smallest penalties until the realised bound holds.
    Eigen::Index used = L;
    if (o.targetFalseSelections > 0)
        while (used > 1 && expectedFalseSelections(meanSelected(used), o.threshold, int(p)) > o.targetFalseSelections) --used;
    Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(p, used), sums = Eigen::MatrixXd::Zero(p, used);
    for (const auto& f : fits) {
        if (!f.valid) continue;
        for (Eigen::Index l = 0; l < used; ++l)
            for (Eigen::Index j = 0; j < p; ++j)
                if (f.coefficients(j, l) != 0) {
                    counts(j, l) += 1;
                    sums(j, l) += f.coefficients(j, l);
                }
    }
    for (Eigen::Index j = 0; j < p; ++j) {
        Eigen::Index best = 0;
        counts.row(j).maxCoeff(&best);
        res.frequency[j] = counts(j, best) / res.fits;
        res.coefficient[j] = counts(j, best) > 0 ? sums(j, best) / counts(j, best) : 0.0;
    }
    res.meanSelected = meanSelected(used);
    res.penalties = int(used);
    res.expectedFalseSelections = expectedFalseSelections(res.meanSelected, o.threshold, int(p));
    return res;
}

} // namespace nm::semantics
