// Benchmark driver of the semantics (bench/literature.sh, bench/stability_vs_sklearn.sh):
//   nm_bench_semantics mkda LITERATURE_DIR OUT_DIR TERM[,TERM...]
//       all term maps of the preferred database on the default 4 mm grid, timed; the listed terms'
//       association z-maps, the mask and the grid written as .npy for the peer.
//   nm_bench_semantics stability BUNDLE SCALE OUT_DIR [SUBSAMPLES=100]
//       the component effects of the bundle's datasets at SCALE, then for every concept the
//       stability selection (timed), and the exact fits of the first concept (rows, penalty
//       factors, λ path, coefficients) written for the peer to redo with scikit-learn.
//   nm_bench_semantics haxby HAXBY_DIR OUT_DIR
//       leave-one-run-out decoding of the 8 object categories from single volumes of the Haxby
//       slice by NeuroMosaic's multinomial logistic regression (the per-study decoder), on the
//       features written for the peer (masked voxels, z-scored per run, rest removed).
#include "decompose/Cohort.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Npy.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Annotations.hpp"
#include "semantics/ComponentSignals.hpp"
#include "semantics/Labelling.hpp"
#include "semantics/Literature.hpp"
#include "semantics/StabilitySelection.hpp"
#include "io/Nifti.hpp"
#include "io/Table.hpp"
#include "semantics/Decoder.hpp"
#include "signal/Preprocess.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

using namespace nm;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int mkda(const std::filesystem::path& dir, const std::filesystem::path& out, const std::string& termList) {
    const auto dbs = semantics::findLiteratureDatabases(dir);
    if (dbs.empty()) throw std::runtime_error("no database in " + dir.string());
    const semantics::LiteratureFiles* nq = &dbs.front();
    for (const auto& d : dbs)
        if (d.name.rfind("neuroquery", 0) == 0) nq = &d;
    auto t0 = Clock::now();
    const auto db = semantics::readLiteratureDatabase(*nq);
    const double readSeconds = since(t0);
    const auto grid = semantics::defaultLiteratureGrid();
    const auto mask = signal::templateMask(grid).voxels;
    jobs::Progress progress;
    t0 = Clock::now();
    const auto maps = semantics::buildTermMaps(db, grid, mask, {}, progress);
    const double buildSeconds = since(t0);
    std::filesystem::create_directories(out);
    std::vector<std::string> wanted;
    std::stringstream ss(termList);
    for (std::string t; std::getline(ss, t, ',');) wanted.push_back(t);
    Eigen::MatrixXd z(Eigen::Index(mask.size()), Eigen::Index(wanted.size()));
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const auto it = std::find(maps.terms.begin(), maps.terms.end(), wanted[i]);
        if (it == maps.terms.end()) throw std::runtime_error("term without a map: " + wanted[i]);
        z.col(Eigen::Index(i)) = maps.termMap(int(it - maps.terms.begin())).cast<double>();
    }
    io::writeNpy(out / "z.npy", z);
    Eigen::MatrixXd m(Eigen::Index(mask.size()), 1);
    for (std::size_t i = 0; i < mask.size(); ++i) m(Eigen::Index(i), 0) = double(mask[i]);
    io::writeNpy(out / "mask_voxels.npy", m);
    Eigen::MatrixXd g = grid.affine;
    io::writeNpy(out / "affine.npy", g);
    int fdrTerms = 0;
    for (int n : maps.fdrVoxels) fdrTerms += n > 0;
    std::cout << nlohmann::json{{"database", maps.database}, {"studies", db.studyIds.size()}, {"peaks", db.peaks.rows()},
                                {"terms", maps.terms.size()}, {"voxels", mask.size()}, {"read_seconds", readSeconds},
                                {"build_seconds", buildSeconds}, {"terms_with_fdr_voxels", fdrTerms},
                                {"grid", {grid.dims[0], grid.dims[1], grid.dims[2]}}}
                     .dump()
              << std::endl;
    return 0;
}

int stability(const std::filesystem::path& bundlePath, int k, const std::filesystem::path& out, int subsamples) {
    const auto bundle = io::readAtlasBundle(bundlePath);
    const auto inputs = decompose::bundleInputs(bundle, bundlePath);
    std::vector<io::BidsDataset> ds;
    for (const auto& d : inputs.datasets) ds.push_back(io::readBidsDataset(d, inputs.filter));
    semantics::Ontology ontology;
    if (const auto c = semantics::findCognitiveAtlas()) ontology = semantics::Ontology::load(*c);
    const auto concepts = semantics::mapConditions(ds, ontology);
    semantics::EffectOptions eo;
    eo.preprocess = inputs.preprocess;
    eo.scales = {k};
    jobs::Progress progress;
    auto t0 = Clock::now();
    const auto ce = semantics::componentEffects(bundle, decompose::discoverCohort(inputs.datasets, inputs.filter), ds, eo, progress);
    const double effectSeconds = since(t0);
    semantics::StabilityOptions so;
    so.subsamples = subsamples;
    t0 = Clock::now();
    int fits = 0;
    const auto labels = semantics::labelScale(ce, 0, concepts, so, nullptr, &fits);
    const double labelSeconds = since(t0);

    // The first concept's problem, and 'subsamples' half-subsamples with random penalty factors,
    // fitted here exactly as stability selection does, for the peer to redo.
    const Eigen::Index n = ce.effects[0].rows(), p = ce.effects[0].cols();
    Eigen::MatrixXd X = ce.effects[0].cast<double>();
    for (Eigen::Index j = 0; j < p; ++j) {
        X.col(j).array() -= X.col(j).mean();
        const double sd = std::sqrt(X.col(j).squaredNorm() / double(n));
        if (sd > 1e-12) X.col(j) /= sd;
        else X.col(j).setZero();
    }
    const std::string concept0 = labels.concepts.front();
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& [task, trial] = ce.conditions[std::size_t(ce.samples[std::size_t(i)].condition)];
        const auto cs = concepts.conceptsOf(task, trial);
        y[i] = std::any_of(cs.begin(), cs.end(), [&](const auto& c) { return c.name == concept0; }) ? 1.0 : 0.0;
    }
    std::mt19937_64 rng(11);
    std::vector<int> subjectsList;
    for (const auto& s : ce.samples) subjectsList.push_back(s.subject);
    std::set<int> subjectSet(subjectsList.begin(), subjectsList.end());
    std::vector<int> subjects(subjectSet.begin(), subjectSet.end());
    const double lmax = semantics::l1LogisticLambdaMax(X, y, Eigen::VectorXd(), Eigen::VectorXd());
    std::vector<double> lambdas;
    for (double f : {0.5, 0.35, 0.25, 0.18, 0.12}) lambdas.push_back(f * lmax);
    Eigen::MatrixXd rowsOut = Eigen::MatrixXd::Zero(subsamples, n), factorsOut(subsamples, p), coefOut(subsamples, p * Eigen::Index(lambdas.size()));
    std::vector<Eigen::MatrixXd> Xs;
    std::vector<Eigen::VectorXd> ys, fs;
    int used = 0;
    while (used < subsamples) {
        std::shuffle(subjects.begin(), subjects.end(), rng);
        std::set<int> half(subjects.begin(), subjects.begin() + long(subjects.size() / 2));
        std::vector<Eigen::Index> rows;
        for (Eigen::Index i = 0; i < n; ++i)
            if (half.count(ce.samples[std::size_t(i)].subject)) rows.push_back(i);
        Eigen::MatrixXd xs(Eigen::Index(rows.size()), p);
        Eigen::VectorXd yy(Eigen::Index(rows.size()));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            xs.row(Eigen::Index(i)) = X.row(rows[i]);
            yy[Eigen::Index(i)] = y[rows[i]];
        }
        if (yy.sum() < 1 || yy.sum() > double(rows.size()) - 1) continue;
        std::uniform_real_distribution<double> w(0.5, 1.0);
        Eigen::VectorXd f(p);
        for (Eigen::Index j = 0; j < p; ++j) f[j] = 1.0 / w(rng);
        for (auto r : rows) rowsOut(used, r) = 1;
        factorsOut.row(used) = f.transpose();
        Xs.push_back(std::move(xs));
        ys.push_back(std::move(yy));
        fs.push_back(std::move(f));
        ++used;
    }
    semantics::L1LogisticOptions lo;
    t0 = Clock::now();
    int sweeps = 0;
    for (int b = 0; b < subsamples; ++b) {
        const auto path = semantics::fitL1LogisticPath(Xs[std::size_t(b)], ys[std::size_t(b)], lambdas, {}, fs[std::size_t(b)], lo);
        sweeps += path.sweeps;
        for (std::size_t l = 0; l < lambdas.size(); ++l) coefOut.block(b, Eigen::Index(l) * p, 1, p) = path.coefficients.col(Eigen::Index(l)).transpose();
    }
    const double fitSeconds = since(t0);
    std::filesystem::create_directories(out);
    io::writeNpy(out / "X.npy", X);
    io::writeNpy(out / "y.npy", Eigen::MatrixXd(y));
    io::writeNpy(out / "rows.npy", rowsOut);
    io::writeNpy(out / "factors.npy", factorsOut);
    io::writeNpy(out / "coefficients.npy", coefOut);
    Eigen::MatrixXd lam = Eigen::Map<const Eigen::VectorXd>(lambdas.data(), Eigen::Index(lambdas.size()));
    io::writeNpy(out / "lambdas.npy", lam);
    std::cout << nlohmann::json{{"samples", n},
                                {"components", p},
                                {"concepts", labels.concepts.size()},
                                {"subsamples", subsamples},
                                {"effect_seconds", effectSeconds},
                                {"stability_seconds_all_concepts", labelSeconds},
                                {"fits_all_concepts", fits},
                                {"first_concept", concept0},
                                {"first_concept_positives", y.sum()},
                                {"first_concept_fit_seconds", fitSeconds},
                                {"first_concept_sweeps", sweeps},
                                {"threads", Eigen::nbThreads()}}
                     .dump()
              << std::endl;
    return 0;
}
int haxby(const std::filesystem::path& dir, const std::filesystem::path& out) {
    const Volume bold = io::readNifti(dir / "bold.nii.gz");
    const auto mask = signal::BrainMask::fromVolume(io::readNifti(dir / "mask.nii.gz"));
    std::ifstream attr(dir / "attributes_literal.txt");
    std::vector<std::string> label;
    std::vector<int> run;
    for (std::string l, r; attr >> l >> r;) {
        label.push_back(l);
        run.push_back(std::stoi(r));
    }
    if (int(label.size()) != bold.frames) throw std::runtime_error("attributes do not match the volumes");
    const Eigen::Index T = bold.frames, p = mask.size();
    Eigen::MatrixXd X(T, p);
    for (Eigen::Index t = 0; t < T; ++t)
        for (Eigen::Index v = 0; v < p; ++v) X(t, v) = bold.frame(int(t))[mask.voxels[std::size_t(v)]];
    // z-score each voxel within each run (as nilearn's standardize=True per session).
    for (int r = 0; r <= *std::max_element(run.begin(), run.end()); ++r) {
        std::vector<Eigen::Index> rows;
        for (Eigen::Index t = 0; t < T; ++t)
            if (run[std::size_t(t)] == r) rows.push_back(t);
        for (Eigen::Index v = 0; v < p; ++v) {
            double m = 0, ss = 0;
            for (auto t : rows) m += X(t, v);
            m /= double(rows.size());
            for (auto t : rows) ss += (X(t, v) - m) * (X(t, v) - m);
            const double sd = std::sqrt(ss / double(rows.size()));
            for (auto t : rows) X(t, v) = sd > 0 ? (X(t, v) - m) / sd : 0.0;
        }
    }
    std::vector<std::string> categories;
    for (const auto& l : label)
        if (l != "rest" && std::find(categories.begin(), categories.end(), l) == categories.end()) categories.push_back(l);
    std::sort(categories.begin(), categories.end());
    std::vector<Eigen::Index> keep;
    for (Eigen::Index t = 0; t < T; ++t)
        if (label[std::size_t(t)] != "rest") keep.push_back(t);
    Eigen::MatrixXd F(Eigen::Index(keep.size()), p);
    std::vector<int> y, groups;
    for (std::size_t i = 0; i < keep.size(); ++i) {
        F.row(Eigen::Index(i)) = X.row(keep[i]);
        y.push_back(int(std::find(categories.begin(), categories.end(), label[std::size_t(keep[i])]) - categories.begin()));
        groups.push_back(run[std::size_t(keep[i])]);
    }
    std::filesystem::create_directories(out);
    io::writeNpy(out / "X.npy", F);
    Eigen::MatrixXd yy(Eigen::Index(y.size()), 2);
    for (std::size_t i = 0; i < y.size(); ++i) {
        yy(Eigen::Index(i), 0) = y[i];
        yy(Eigen::Index(i), 1) = groups[i];
    }
    io::writeNpy(out / "y_runs.npy", yy);
    // Leave one run out, multinomial logistic regression with scikit-learn's default penalty (C = 1).
    const auto t0 = Clock::now();
    int correct = 0;
    std::vector<double> perRun;
    for (int r = 0; r <= *std::max_element(groups.begin(), groups.end()); ++r) {
        std::vector<Eigen::Index> tr, te;
        for (std::size_t i = 0; i < y.size(); ++i) (groups[i] == r ? te : tr).push_back(Eigen::Index(i));
        Eigen::MatrixXd Xtr(Eigen::Index(tr.size()), p), Xte(Eigen::Index(te.size()), p);
        std::vector<int> ytr, yte;
        for (std::size_t i = 0; i < tr.size(); ++i) {
            Xtr.row(Eigen::Index(i)) = F.row(tr[i]);
            ytr.push_back(y[std::size_t(tr[i])]);
        }
        for (std::size_t i = 0; i < te.size(); ++i) {
            Xte.row(Eigen::Index(i)) = F.row(te[i]);
            yte.push_back(y[std::size_t(te[i])]);
        }
        semantics::SoftmaxOptions so;
        so.l2 = 1.0 / double(tr.size());
        const auto pred = semantics::fitSoftmax(Xtr, ytr, int(categories.size()), so).predict(Xte);
        const double acc = semantics::accuracy(pred, yte);
        perRun.push_back(acc);
        correct += int(std::lround(acc * double(te.size())));
    }
    std::cout << nlohmann::json{{"volumes", y.size()}, {"voxels", p}, {"classes", categories.size()},
                                {"accuracy", double(correct) / double(y.size())}, {"per_run", perRun}, {"seconds", since(t0)}}
                     .dump()
              << std::endl;
    return 0;
}
} // namespace

int main(int argc, char** argv) {
    try {
        const std::string what = argc > 1 ? argv[1] : "";
        if (what == "mkda" && argc == 5) return mkda(argv[2], argv[3], argv[4]);
        if (what == "haxby" && argc == 4) return haxby(argv[2], argv[3]);
        if (what == "stability" && argc >= 5) return stability(argv[2], std::stoi(argv[3]), argv[4], argc > 5 ? std::stoi(argv[5]) : 100);
        std::cerr << "usage: nm_bench_semantics mkda LITERATURE OUT TERMS | stability BUNDLE SCALE OUT [SUBSAMPLES] | haxby DIR OUT\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "nm_bench_semantics: " << e.what() << "\n";
        return 1;
    }
}
