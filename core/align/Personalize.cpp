#include "align/Personalize.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "connectivity/Covariance.hpp"
#include "decompose/Cohort.hpp"
#include "jobs/Progress.hpp"

#include <Eigen/Dense>

#include <chrono>
#include <cmath>

namespace nm::align {

using Eigen::Index;
using Eigen::MatrixXf;

PersonalizeOptions::PersonalizeOptions() {
    for (FugwOptions* f : {&solver.coarse, &solver.fine}) {
        f->alpha = 0.5;
        f->rhoSource = f->rhoTarget = 1.0;
        f->eps = 1e-4;
        f->epsStart = 1e-2;
        f->bcdIterations = 10;
        f->innerIterations = 10;
    }
}

MatrixXf denseScaleMaps(const io::AtlasScale& scale, Index voxels) {
    MatrixXf out = MatrixXf::Zero(scale.components, voxels);
    for (Index r = 0; r < scale.maps.outerSize(); ++r)
        for (io::SparseMapsF::InnerIterator it(scale.maps, r); it; ++it) out(r, Index(it.col())) = it.value();
    return out;
}

MatrixXf dualRegression(const signal::RowMatrixF& data, const MatrixXf& groupMaps) {
    if (data.cols() != groupMaps.cols())
        throw InputError("dual regression: the data have " + std::to_string(data.cols()) + " voxels, the maps " +
                         std::to_string(groupMaps.cols()));
    // stage 1: time courses by spatial regression (ridge-stabilised normal equations)
    Eigen::MatrixXd gram = (groupMaps * groupMaps.transpose()).cast<double>();
    gram.diagonal().array() += 1e-6 * std::max(1e-12, gram.diagonal().mean());
    const Eigen::MatrixXd xg = (data * groupMaps.transpose()).cast<double>();  // t × k
    const Eigen::MatrixXd t = gram.ldlt().solve(xg.transpose()).transpose();   // t × k
    // stage 2: subject maps by temporal regression
    Eigen::MatrixXd tt = t.transpose() * t;
    tt.diagonal().array() += 1e-6 * std::max(1e-12, tt.diagonal().mean());
    const MatrixXf tx = t.cast<float>().transpose() * data;  // k × p
    return tt.ldlt().solve(tx.cast<double>()).cast<float>();
}

namespace {

Eigen::MatrixXd voxelCoordinates(const io::AtlasBundle& b) {
    Eigen::MatrixXd x(Index(b.maskVoxels.size()), 3);
    const auto& g = b.grid;
    for (Index r = 0; r < x.rows(); ++r) {
        const auto v = std::size_t(b.maskVoxels[std::size_t(r)]);
        const std::size_t i = v % std::size_t(g.dims[0]), j = (v / std::size_t(g.dims[0])) % std::size_t(g.dims[1]),
                          k = v / (std::size_t(g.dims[0]) * std::size_t(g.dims[1]));
        x.row(r) = g.worldOf(double(i), double(j), double(k)).transpose();
    }
    return x;
}

io::SparseMapsF toSparse(const MatrixXf& maps) {
    std::vector<Eigen::Triplet<float, std::int64_t>> t;
    for (Index r = 0; r < maps.rows(); ++r)
        for (Index c = 0; c < maps.cols(); ++c)
            if (maps(r, c) != 0) t.emplace_back(r, c, maps(r, c));
    io::SparseMapsF s(maps.rows(), maps.cols());
    s.setFromTriplets(t.begin(), t.end());
    return s;
}

} // namespace

PersonalizeResult personalizeSignals(const io::AtlasBundle& group, const signal::RowMatrixF& data,
                                     const PersonalizeOptions& options, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const Index p = Index(group.maskVoxels.size());
    if (data.cols() != p)
        throw InputError("personalize: the subject's data have " + std::to_string(data.cols()) +
                         " voxels, the atlas's mask " + std::to_string(p));
    if (data.rows() < 10) throw InputError("personalize: the subject has fewer than 10 volumes");
    progress.plan({{"features", 1}, {"align", 8}, {"transport", 1}, {"network", 1}});
    progress.begin("features", "dual regression");
    PersonalizeResult res;
    res.identity.method = "identity";
    res.dualRegression.method = "dual regression";
    res.fugw.method = "fugw";
    std::vector<int> featureScales = options.featureScales;
    if (featureScales.empty())
        for (const auto& s : group.scales)
            if (s.components <= 256) featureScales.push_back(s.components);
    if (featureScales.empty()) featureScales.push_back(group.scales.front().components);
    Index featureCount = 0;
    for (int k : featureScales) featureCount += group.scale(k).components;
    MatrixXf fs(p, featureCount), ft(p, featureCount);
    Index col = 0;
    for (const auto& s : group.scales) {
        const MatrixXf g = denseScaleMaps(s, p);
        const MatrixXf dr = dualRegression(data, g);
        res.identity.scales.push_back(g);
        res.dualRegression.scales.push_back(dr);
        if (std::find(featureScales.begin(), featureScales.end(), s.components) != featureScales.end()) {
            fs.middleCols(col, s.components) = g.transpose();
            ft.middleCols(col, s.components) = dr.transpose();
            col += s.components;
        }
    }
    fs = normaliseFeatures(fs);
    ft = normaliseFeatures(ft);
    const Eigen::MatrixXd x = voxelCoordinates(group);
    if (options.anatomyMm > 0) {
        std::vector<float> mismatch(static_cast<std::size_t>(p));
        for (Index i = 0; i < p; ++i) mismatch[std::size_t(i)] = (fs.row(i) - ft.row(i)).squaredNorm();
        std::nth_element(mismatch.begin(), mismatch.begin() + std::ptrdiff_t(p / 2), mismatch.end());
        const double lambda = std::sqrt(std::max(1e-12, double(mismatch[std::size_t(p / 2)]))) / options.anatomyMm;
        fs.conservativeResize(Eigen::NoChange, fs.cols() + 3);
        ft.conservativeResize(Eigen::NoChange, ft.cols() + 3);
        fs.rightCols(3) = (lambda * x).cast<float>();
        ft.rightCols(3) = (lambda * x).cast<float>();
    }

    progress.begin("align", "FUGW group → subject");
    const Geometry geometry = Geometry::fromEmbedding(x);
    MatrixXf densePlan;
    CoarseToFineResult c2f;
    res.coarseToFine = p > options.maxDense;
    {
        auto child = progress.child();
        if (!res.coarseToFine) {
            const MatrixXf cost = featureCost(fs, ft);
            const FugwResult r = solveFugw(cost, geometry, geometry, options.solver.coarse, {}, {}, nullptr, &child);
            densePlan = r.plan;
            res.loss = r.loss.back();
            res.planEntries = std::int64_t(p) * p;
        } else {
            c2f = alignCoarseToFine(fs, ft, x, x, geometry, geometry, options.solver, &child);
            res.loss = c2f.fine.loss.back();
            res.planEntries = c2f.plan.nonZeros();
        }
    }

    progress.begin("transport", "carrying every component to the subject");
    auto transport = [&](const MatrixXf& mapsT) {
        return res.coarseToFine ? transportToTarget(c2f.plan, mapsT) : transportToTarget(densePlan, mapsT);
    };
    res.bundle = group;
    for (std::size_t si = 0; si < group.scales.size(); ++si) {
        MatrixXf moved = transport(res.identity.scales[si].transpose()).transpose();  // k × p
        for (Index r = 0; r < moved.rows(); ++r) {
            const float peak = moved.row(r).maxCoeff();
            const float cut = float(options.mapThreshold) * peak;
            moved.row(r) = (moved.row(r).array() >= cut && moved.row(r).array() > 0).select(moved.row(r), 0.0f);
        }
        res.fugw.scales.push_back(moved);
        auto& s = res.bundle.scales[si];
        s.maps = toSparse(moved);
        for (Index r = 0; r < moved.rows(); ++r) {
            s.size[r] = int((moved.row(r).array() > 0).count());
            const double w = moved.row(r).cast<double>().sum();
            if (w > 0) s.centroids.row(r) = ((moved.row(r).cast<double>() * x) / w).cast<float>();
        }
        s.surfaceLeft.reset();  // the group's projections no longer describe the subject's maps
        s.surfaceRight.reset();
    }
    // displacement: distance between each voxel and the barycentre of the mass it sent
    {
        const MatrixXf xf = x.cast<float>();
        MatrixXf bary;
        Eigen::VectorXd mass;
        if (res.coarseToFine) {
            bary = c2f.plan.times(xf);
            mass = c2f.plan.rowSums();
        } else {
            bary = densePlan * xf;
            mass = densePlan.rowwise().sum().cast<double>();
        }
        res.displacementMm.resize(p);
        res.displacementVectors = MatrixXf::Zero(p, 3);
        for (Index i = 0; i < p; ++i)
            if (mass[i] > 0) {
                res.displacementVectors.row(i) = (bary.row(i).cast<double>() / mass[i] - x.row(i)).cast<float>();
                res.displacementMm[i] = res.displacementVectors.row(i).norm();
            } else {
                res.displacementMm[i] = 0.0f;
            }
        res.bundle.displacementMm = res.displacementMm;
    }

    progress.begin("network", "the network on the subject's signals");
    for (std::size_t si = 0; si < group.scales.size(); ++si) {
        auto& s = res.bundle.scales[si];
        const MatrixXf& m = res.fugw.scales[si];
        Eigen::MatrixXd gram = (m * m.transpose()).cast<double>();
        gram.diagonal().array() += 1e-6 * std::max(1e-12, gram.diagonal().mean());
        const Eigen::MatrixXd series = gram.ldlt().solve((data * m.transpose()).cast<double>().transpose()).transpose();
        const auto lw = connectivity::ledoitWolf(series);
        s.correlation = connectivity::correlationFromCovariance(lw.covariance).cast<float>();
        s.partialCorrelation = connectivity::partialCorrelationFromCovariance(lw.covariance).cast<float>();
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& o = options.solver.coarse;
    res.bundle.provenance["personalization"] = {
        {"method", "fused unbalanced Gromov-Wasserstein (Thual et al. 2022), group to subject, Euclidean voxel geometry"},
        {"feature_scales", featureScales},
        {"features", "dual-regression maps of the subject on the group components (standardised per map)"},
        {"anatomy_mm", options.anatomyMm},
        {"alpha", o.alpha},
        {"rho", o.rhoSource},
        {"eps", o.eps},
        {"eps_start", o.epsStart},
        {"bcd_iterations", o.bcdIterations},
        {"coarse_to_fine", res.coarseToFine},
        {"plan_entries", res.planEntries},
        {"loss", res.loss.total},
        {"seconds", res.seconds},
        {"volumes", data.rows()},
        {"median_displacement_mm", [&] {
             std::vector<float> d(res.displacementMm.data(), res.displacementMm.data() + p);
             std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(d.size() / 2), d.end());
             return double(d[d.size() / 2]);
         }()}};
    progress.finish("personalized");
    return res;
}

PersonalizeResult personalize(const io::AtlasBundle& group, const std::filesystem::path& groupFile,
                              const decompose::CohortSubject& subject, const PersonalizeOptions& options,
                              jobs::Progress& progress) {
    const auto inputs = decompose::bundleInputs(group, groupFile);
    signal::BrainMask mask;
    mask.geometry = group.grid;
    mask.voxels = group.maskVoxels;
    const decompose::SubjectStore store(options.cacheDir.empty() ? paths::cacheDir() / "learn" : options.cacheDir, mask,
                                        inputs.preprocess);
    progress.plan({{"preprocess", 1}, {"personalize", 9}});
    progress.begin("preprocess", "preprocessing " + subject.key + " as learning did");
    const signal::RowMatrixF data = store.load(subject);
    progress.begin("personalize");
    auto child = progress.child();
    PersonalizeResult r = personalizeSignals(group, data, options, child);
    r.bundle.provenance["personalization"]["group_atlas"] = groupFile.string();
    r.bundle.provenance["personalization"]["subject"] = subject.key;
    return r;
}

} // namespace nm::align
