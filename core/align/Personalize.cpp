#include "align/Personalize.hpp"

#include "align/MeshKernels.hpp"
#include "anatomy/Projection.hpp"
#include "anatomy/Surfaces.hpp"

#include "common/Error.hpp"
#include "common/Text.hpp"
#include "common/Paths.hpp"
#include "connectivity/Covariance.hpp"
#include "decompose/Cohort.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Annotations.hpp"
#include "semantics/ComponentSignals.hpp"
#include "semantics/Ontology.hpp"

#include <Eigen/Dense>

#include <cctype>
#include <chrono>
#include <map>
#include <set>
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

MatrixXf PersonalizeResult::toGroup(const MatrixXf& subjectMaps) const {
    return coarseToFine ? transportToSource(sparsePlan, subjectMaps) : transportToSource(densePlan, subjectMaps);
}

Eigen::VectorXf groupConceptMap(const io::AtlasBundle& group, const std::string& conceptName) {
    const Index p = Index(group.maskVoxels.size());
    const std::string want = lowercase(conceptName);
    for (auto it = group.scales.rbegin(); it != group.scales.rend(); ++it) {
        if (!it->labels) continue;
        const auto& l = *it->labels;
        for (std::size_t c = 0; c < l.concepts.size(); ++c)
            if (lowercase(l.concepts[c]) == want && l.forwardEffect.cols() == Index(l.concepts.size())) {
                Eigen::VectorXf out = Eigen::VectorXf::Zero(p);
                const Eigen::VectorXf w = l.forwardEffect.col(Index(c));
                for (Index r = 0; r < it->maps.outerSize(); ++r)
                    for (io::SparseMapsF::InnerIterator e(it->maps, r); e; ++e) out[Index(e.col())] += w[r] * e.value();
                return out;
            }
    }
    return {};
}

std::vector<std::string> labelledConcepts(const io::AtlasBundle& group) {
    std::set<std::string> names;
    for (const auto& s : group.scales)
        if (s.labels) names.insert(s.labels->concepts.begin(), s.labels->concepts.end());
    return {names.begin(), names.end()};
}

std::vector<SubjectContrast> subjectContrasts(const io::AtlasBundle& group, const std::filesystem::path& groupFile,
                                              const decompose::CohortSubject& subject, const PersonalizeOptions& options,
                                              jobs::Progress& progress) {
    std::vector<SubjectContrast> out;
    bool labelled = false;
    for (const auto& s : group.scales) labelled = labelled || s.labels.has_value();
    if (!labelled || subject.runs.empty()) return out;
    const auto inputs = decompose::bundleInputs(group, groupFile);
    // the subject's dataset: the folder above sub-<label> (<root>/sub-<label>[/ses-<s>]/func/<run>)
    std::filesystem::path root = subject.runs.front().bold.parent_path();
    while (!root.empty() && root.filename().string().rfind("sub-", 0) != 0 && root != root.parent_path()) root = root.parent_path();
    if (root.filename().string().rfind("sub-", 0) != 0)
        throw fileError(subject.runs.front().bold, "path", "not inside a sub-<label> folder (expected a BIDS dataset)");
    root = root.parent_path();
    std::vector<io::BidsDataset> datasets{io::readBidsDataset(root, inputs.filter)};
    semantics::Ontology ontology;
    if (const auto cogat = semantics::findCognitiveAtlas()) ontology = semantics::Ontology::load(*cogat);
    const semantics::ConceptMap concepts = semantics::mapConditions(datasets, ontology);
    semantics::EffectOptions eo;
    eo.preprocess = inputs.preprocess;
    eo.cacheDir = options.cacheDir;
    eo.voxels = true;
    eo.scales = {group.scales.front().components};
    const auto ce = semantics::componentEffects(group, {subject}, datasets, eo, progress);
    if (!ce.voxelEffects || ce.samples.empty()) return out;
    std::map<std::string, std::pair<Eigen::VectorXf, int>> sum;
    std::map<std::string, std::set<std::string>> from;
    for (std::size_t i = 0; i < ce.samples.size(); ++i) {
        const auto& [task, trialType] = ce.conditions[std::size_t(ce.samples[i].condition)];
        for (const auto& c : concepts.conceptsOf(task, trialType)) {
            if (groupConceptMap(group, c.name).size() == 0) continue;  // the atlas does not label it
            auto& acc = sum[c.name];
            if (acc.first.size() == 0) acc.first = Eigen::VectorXf::Zero(ce.voxelEffects->cols());
            acc.first += ce.voxelEffects->row(Index(i)).transpose();
            ++acc.second;
            from[c.name].insert(task + "/" + trialType);
        }
    }
    for (auto& [name, acc] : sum) {
        std::string src;
        for (const auto& f : from[name]) src += (src.empty() ? "" : ", ") + f;
        out.push_back({name, acc.first / float(acc.second), src + " (" + std::to_string(acc.second) + " run × condition effects)"});
    }
    return out;
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

std::vector<MatrixXf> piecewiseProcrustes(const MatrixXf& source, const MatrixXf& target, const Eigen::VectorXi& parcels,
                                          const std::vector<MatrixXf>& mapSets) {
    const Index p = source.cols();
    if (target.cols() != p || target.rows() != source.rows() || parcels.size() != p)
        throw InputError("Procrustes: sources, targets and parcels disagree in size");
    for (const auto& m : mapSets)
        if (m.cols() != p) throw InputError("Procrustes: the maps do not cover the parcels' voxels");
    std::vector<MatrixXf> out = mapSets;
    const int count = parcels.size() ? parcels.maxCoeff() + 1 : 0;
    std::vector<std::vector<Index>> members(static_cast<std::size_t>(std::max(0, count)));
    for (Index v = 0; v < p; ++v)
        if (parcels[v] >= 0) members[std::size_t(parcels[v])].push_back(v);
#pragma omp parallel for schedule(dynamic, 1)
    for (int q = 0; q < count; ++q) {
        const auto& idx = members[std::size_t(q)];
        const Index m = Index(idx.size());
        if (m < 2) continue;
        Eigen::MatrixXd x(source.rows(), m), y(target.rows(), m);
        for (Index a = 0; a < m; ++a) {
            x.col(a) = source.col(idx[std::size_t(a)]).cast<double>();
            y.col(a) = target.col(idx[std::size_t(a)]).cast<double>();
        }
        // one rotation per parcel for every set of maps (divide-and-conquer SVD of XᵀY)
        Eigen::BDCSVD<Eigen::MatrixXd> svd(x.transpose() * y, Eigen::ComputeFullU | Eigen::ComputeFullV);
        const Eigen::MatrixXd r = svd.matrixU() * svd.matrixV().transpose();  // m × m orthogonal
        for (std::size_t set = 0; set < mapSets.size(); ++set) {
            Eigen::MatrixXd w(mapSets[set].rows(), m);
            for (Index a = 0; a < m; ++a) w.col(a) = mapSets[set].col(idx[std::size_t(a)]).cast<double>();
            const Eigen::MatrixXd moved = w * r;
            for (Index a = 0; a < m; ++a) out[set].col(idx[std::size_t(a)]) = moved.col(a).cast<float>();
        }
    }
    return out;
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

/// The anatomical prior: the coordinates x (mm) join both feature sets, scaled so that a
/// displacement of `mm` costs the median feature mismatch at the identity. Returns the columns added.
int appendAnatomy(MatrixXf& fs, MatrixXf& ft, const Eigen::MatrixXd& x, double mm) {
    if (!(mm > 0)) return 0;
    const Index p = fs.rows();
    std::vector<float> mismatch(static_cast<std::size_t>(p));
    for (Index i = 0; i < p; ++i) mismatch[std::size_t(i)] = (fs.row(i) - ft.row(i)).squaredNorm();
    std::nth_element(mismatch.begin(), mismatch.begin() + std::ptrdiff_t(p / 2), mismatch.end());
    const double lambda = std::sqrt(std::max(1e-12, double(mismatch[std::size_t(p / 2)]))) / mm;
    for (MatrixXf* f : {&fs, &ft}) {
        f->conservativeResize(Eigen::NoChange, f->cols() + 3);
        f->rightCols(3) = (lambda * x).cast<float>();
    }
    return 3;
}

/// Keeps each map's values ≥ threshold × its peak (and > 0).
void thresholdMaps(MatrixXf& maps, double threshold) {
    for (Index r = 0; r < maps.rows(); ++r) {
        const float cut = float(threshold) * maps.row(r).maxCoeff();
        maps.row(r) = (maps.row(r).array() >= cut && maps.row(r).array() > 0).select(maps.row(r), 0.0f);
    }
}

/// FUGW of the group's to the subject's features on one hemisphere's mid-thickness surface.
SurfaceHemisphereResult personalizeHemisphere(const io::AtlasBundle& group, const anatomy::HemisphereSurfaces& hemi,
                                              std::vector<MatrixXf> groupSurfaceMaps, const MatrixXf& groupFeatures,
                                              const MatrixXf& subjectFeatures, double anatomyMm,
                                              const PersonalizeOptions& options, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    SurfaceHemisphereResult r;
    const anatomy::VolumeToSurface projection(hemi, group.grid);
    MatrixXf fs = normaliseFeatures(projection.projectValues(groupFeatures, group.maskVoxels));
    MatrixXf ft = normaliseFeatures(projection.projectValues(subjectFeatures, group.maskVoxels));
    const Mesh& mesh = hemi.midthickness;
    const Eigen::MatrixXd x = mesh.vertices.cast<double>();
    appendAnatomy(fs, ft, x, anatomyMm);
    progress.plan({{"geometry", 1}, {"align", 6}, {"transport", 1}});
    progress.begin("geometry", "geodesic embedding of the surface");
    const Geometry geometry = meshGeometry(mesh, false, options.surfaceLandmarks, options.surfaceDims);
    progress.begin("align", "FUGW on the surface");
    auto child = progress.child();
    const CoarseToFineResult c2f = alignCoarseToFine(fs, ft, x, x, geometry, geometry, options.solver, &child);
    r.loss = c2f.fine.loss.back();
    r.planEntries = c2f.plan.nonZeros();
    progress.begin("transport", "every scale on the surface");
    for (auto& g : groupSurfaceMaps) {
        MatrixXf moved = transportToTarget(c2f.plan, g.transpose()).transpose();  // k × vertices
        thresholdMaps(moved, options.mapThreshold);
        r.fugw.push_back(std::move(moved));
    }
    r.identity = std::move(groupSurfaceMaps);
    const Eigen::MatrixXf xf = x.cast<float>();
    const MatrixXf bary = c2f.plan.times(xf);
    const Eigen::VectorXd mass = c2f.plan.rowSums();
    r.displacementMm = Eigen::VectorXf::Zero(x.rows());
    for (Index i = 0; i < x.rows(); ++i)
        if (mass[i] > 0) r.displacementMm[i] = float((bary.row(i).cast<double>() / mass[i] - x.row(i)).norm());
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

} // namespace

PersonalizeResult personalizeSignals(const io::AtlasBundle& group, const signal::RowMatrixF& data,
                                     const PersonalizeOptions& options, jobs::Progress& progress,
                                     const std::vector<SubjectContrast>& contrasts) {
    const auto t0 = std::chrono::steady_clock::now();
    const Index p = Index(group.maskVoxels.size());
    const bool signals = data.rows() > 0;
    if (signals && data.cols() != p)
        throw InputError("personalize: the subject's data have " + std::to_string(data.cols()) +
                         " voxels, the atlas's mask " + std::to_string(p));
    if (signals && data.rows() < 10) throw InputError("personalize: the subject has fewer than 10 volumes");
    // the contrasts the group can be compared with
    std::vector<std::pair<const SubjectContrast*, Eigen::VectorXf>> usable;
    if (options.contrastFeatures || !signals)
        for (const auto& c : contrasts) {
            if (c.map.size() != p)
                throw InputError("personalize: the contrast '" + c.name + "' (" + c.source + ") has " +
                                 std::to_string(c.map.size()) + " voxels, the atlas's mask " + std::to_string(p));
            Eigen::VectorXf g = groupConceptMap(group, c.name);
            if (g.size() == p) usable.emplace_back(&c, std::move(g));
        }
    if (!signals && usable.empty()) {
        std::string known;
        for (const auto& c : labelledConcepts(group)) known += (known.empty() ? "" : ", ") + c;
        throw InputError("personalize: no contrast names a concept the atlas labels" +
                         (known.empty() ? std::string(" (the atlas has no labels: run neuromosaic-cli label first)")
                                        : " (expected one of: " + known + ")"));
    }
    if (options.surfaces)
        progress.plan({{"features", 1}, {"align", 8}, {"transport", 1}, {"surfaces", 8}, {"network", 1}});
    else
        progress.plan({{"features", 1}, {"align", 8}, {"transport", 1}, {"network", 1}});
    progress.begin("features", "dual regression");
    PersonalizeResult res;
    res.identity.method = "identity";
    res.dualRegression.method = "dual regression";
    res.procrustes.method = "procrustes";
    res.fugw.method = "fugw";
    std::vector<int> featureScales = options.featureScales;
    if (featureScales.empty())
        for (const auto& s : group.scales)
            if (s.components <= 256) featureScales.push_back(s.components);
    if (featureScales.empty()) featureScales.push_back(group.scales.front().components);
    Index featureCount = 0;
    if (signals)
        for (int k : featureScales) featureCount += group.scale(k).components;
    MatrixXf fs(p, featureCount), ft(p, featureCount);
    Index col = 0;
    for (const auto& s : group.scales) {
        const MatrixXf g = denseScaleMaps(s, p);
        res.identity.scales.push_back(g);
        if (!signals) continue;
        const MatrixXf dr = dualRegression(data, g);
        res.dualRegression.scales.push_back(dr);
        if (std::find(featureScales.begin(), featureScales.end(), s.components) != featureScales.end()) {
            fs.middleCols(col, s.components) = g.transpose();
            ft.middleCols(col, s.components) = dr.transpose();
            col += s.components;
        }
    }
    fs = normaliseFeatures(fs);
    ft = normaliseFeatures(ft);
    // contrasts: the group's expected concept maps vs the subject's, one standardised column each,
    // the block scaled to weigh contrastWeight × the maps block (its squared norm = columns)
    if (!usable.empty()) {
        const Index c = Index(usable.size());
        MatrixXf gc(p, c), sc(p, c);
        for (Index j = 0; j < c; ++j) {
            gc.col(j) = usable[std::size_t(j)].second;
            sc.col(j) = usable[std::size_t(j)].first->map;
            res.contrastConcepts.push_back(usable[std::size_t(j)].first->name);
        }
        const float w = featureCount > 0 ? float(std::sqrt(options.contrastWeight * double(featureCount) / double(c))) : 1.0f;
        fs.conservativeResize(Eigen::NoChange, featureCount + c);
        ft.conservativeResize(Eigen::NoChange, featureCount + c);
        fs.rightCols(c) = w * normaliseFeatures(gc);
        ft.rightCols(c) = w * normaliseFeatures(sc);
    }
    const Index mapColumns = fs.cols();  // maps and contrasts: what the surfaces sample too
    // connectivity profiles to the components of the finest feature scale: the subject's voxel-to-
    // time-course correlations, and their group expectation (group maps × the group's component
    // correlation matrix, stored in the bundle)
    Index connectivityColumns = 0, anatomyColumns = 0;
    if (signals) {  // always computed: the main run or the validation's variant uses them
        const int kc = *std::max_element(featureScales.begin(), featureScales.end());
        const auto& sc = group.scale(kc);
        if (sc.correlation.rows() == kc) {
            std::size_t si = 0;
            while (group.scales[si].components != kc) ++si;
            const MatrixXf& g = res.identity.scales[si];
            Eigen::MatrixXd gram = (g * g.transpose()).cast<double>();
            gram.diagonal().array() += 1e-6 * std::max(1e-12, gram.diagonal().mean());
            Eigen::MatrixXd t = gram.ldlt().solve((data * g.transpose()).cast<double>().transpose()).transpose();  // t × k
            t.rowwise() -= t.colwise().mean();
            for (Index c = 0; c < t.cols(); ++c)
                if (t.col(c).norm() > 0) t.col(c).normalize();
            const MatrixXf subjectProfile = (data.transpose() * t.cast<float>());  // p × k (covariances with unit courses)
            const MatrixXf groupProfile = g.transpose() * sc.correlation;        // p × k
            connectivityColumns = kc;
            fs.conservativeResize(Eigen::NoChange, fs.cols() + kc);
            ft.conservativeResize(Eigen::NoChange, ft.cols() + kc);
            fs.rightCols(kc) = normaliseFeatures(groupProfile);
            ft.rightCols(kc) = normaliseFeatures(subjectProfile);
        }
    }
    // baseline: piecewise Procrustes on the same features, parcels = the coarsest scale's winners
    if (signals) {
        const MatrixXf& coarse = res.identity.scales.front();
        Eigen::VectorXi parcels(p);
        for (Index v = 0; v < p; ++v) {
            Index best = 0;
            const float mx = coarse.col(v).maxCoeff(&best);
            parcels[v] = mx > 0 ? int(best) : -1;
        }
        const MatrixXf xs = fs.transpose(), xt = ft.transpose();
        res.procrustes.scales = piecewiseProcrustes(xs, xt, parcels, res.identity.scales);
    }
    const Eigen::MatrixXd x = voxelCoordinates(group);
    const double anatomyMm = options.anatomyMm < 0 ? 2.5 * group.grid.voxelSize().mean() : options.anatomyMm;
    anatomyColumns = appendAnatomy(fs, ft, x, anatomyMm);

    progress.begin("align", "FUGW group → subject");
    const Geometry geometry = Geometry::fromEmbedding(x);
    res.coarseToFine = p > options.maxDense;
    MatrixXf densePlan;
    CoarseToFineResult c2f;
    // aligns on the features given, returns the transported maps of every scale
    auto alignOn = [&](const MatrixXf& sf, const MatrixXf& tf, jobs::Progress& child, bool keep) {
        MatrixXf dense;
        CoarseToFineResult sparse;
        if (!res.coarseToFine) {
            const FugwResult r = solveFugw(featureCost(sf, tf), geometry, geometry, options.solver.coarse, {}, {}, nullptr, &child);
            dense = r.plan;
            if (keep) res.loss = r.loss.back(), res.planEntries = std::int64_t(p) * p;
        } else {
            sparse = alignCoarseToFine(sf, tf, x, x, geometry, geometry, options.solver, &child);
            if (keep) res.loss = sparse.fine.loss.back(), res.planEntries = sparse.plan.nonZeros();
        }
        std::vector<MatrixXf> out;
        for (const auto& g : res.identity.scales) {
            MatrixXf moved = (res.coarseToFine ? transportToTarget(sparse.plan, g.transpose())
                                               : transportToTarget(dense, g.transpose()))
                                 .transpose();  // k × p
            thresholdMaps(moved, options.mapThreshold);
            out.push_back(std::move(moved));
        }
        if (keep) {
            densePlan = std::move(dense);
            c2f = std::move(sparse);
        }
        return out;
    };
    // the features without the connectivity columns (anatomy columns, when on, stay at the end)
    auto withoutConnectivity = [&](const MatrixXf& f) {
        MatrixXf out(p, f.cols() - connectivityColumns);
        const Index maps = f.cols() - connectivityColumns - anatomyColumns;
        out.leftCols(maps) = f.leftCols(maps);
        if (anatomyColumns) out.rightCols(anatomyColumns) = f.rightCols(anatomyColumns);
        return out;
    };
    const bool useConnectivity = options.connectivityFeatures && connectivityColumns > 0;
    if (options.compareConnectivity && connectivityColumns > 0) {
        // the other choice of features, for validation
        auto child = progress.child();
        res.fugwVariant.method = useConnectivity ? "fugw (maps only)" : "fugw + connectivity";
        res.fugwVariant.scales = useConnectivity ? alignOn(withoutConnectivity(fs), withoutConnectivity(ft), child, false)
                                                 : alignOn(fs, ft, child, false);
    }
    {
        auto child = progress.child();
        res.fugw.scales = useConnectivity ? alignOn(fs, ft, child, true)
                                          : alignOn(withoutConnectivity(fs), withoutConnectivity(ft), child, true);
    }

    progress.begin("transport", "the subject's bundle");
    res.bundle = group;
    for (std::size_t si = 0; si < group.scales.size(); ++si) {
        const MatrixXf& moved = res.fugw.scales[si];
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

    if (options.surfaces) {
        progress.begin("surfaces", "FUGW on both hemispheres' surfaces");
        const auto space = anatomy::loadSurfaceSpace(options.surfaceSpace);
        // the features without connectivity or anatomy columns: the maps, projected per hemisphere
        const MatrixXf gf = fs.leftCols(mapColumns), sf = ft.leftCols(mapColumns);
        for (const auto h : {anatomy::Hemisphere::Left, anatomy::Hemisphere::Right}) {
            const auto& hemi = space.hemisphere(h);
            const bool left = h == anatomy::Hemisphere::Left;
            std::vector<MatrixXf> groupMaps;
            std::optional<anatomy::VolumeToSurface> projection;
            for (const auto& sc : group.scales) {
                const auto& stored = left ? sc.surfaceLeft : sc.surfaceRight;
                if (stored && group.surfaceSpace == space.id && stored->cols() == hemi.vertexCount()) {
                    groupMaps.emplace_back(MatrixXf(*stored));
                } else {
                    if (!projection) projection.emplace(hemi, group.grid);
                    groupMaps.emplace_back(MatrixXf(projection->projectSparse(sc.maps, group.maskVoxels)));
                }
            }
            auto child = progress.child();
            auto r = personalizeHemisphere(group, hemi, std::move(groupMaps), gf, sf, anatomyMm, options, child);
            for (std::size_t si = 0; si < group.scales.size(); ++si)
                (left ? res.bundle.scales[si].surfaceLeft : res.bundle.scales[si].surfaceRight) = toSparse(r.fugw[si]);
            (left ? res.surfaceLeft : res.surfaceRight) = std::move(r);
        }
        res.bundle.surfaceSpace = space.id;
    }

    if (res.coarseToFine)
        res.sparsePlan = std::move(c2f.plan);
    else
        res.densePlan = std::move(densePlan);

    progress.begin("network", signals ? "the network on the subject's signals" : "the group's network kept (no signals)");
    for (std::size_t si = 0; si < group.scales.size() && signals; ++si) {
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
        {"features", std::string(!signals ? "" : options.connectivityFeatures && connectivityColumns > 0
                         ? "dual-regression maps of the subject on the group components and connectivity profiles to the "
                           "components of the finest feature scale (standardised per column)"
                         : "dual-regression maps of the subject on the group components (standardised per map)") +
                         (usable.empty() ? "" : std::string(signals ? "; " : "") +
                                                    "the subject's contrast maps of concepts the atlas labels vs the group's expected "
                                                    "concept maps (Σ_k forward effect × map)")},
        {"anatomy_mm", anatomyMm},
        {"contrast_features", res.contrastConcepts},
        {"network", signals ? "re-estimated on the subject's signals (Ledoit-Wolf)" : "the group's (no signals given)"},
        {"alpha", o.alpha},
        {"rho", o.rhoSource},
        {"eps", o.eps},
        {"eps_start", o.epsStart},
        {"bcd_iterations", o.bcdIterations},
        {"coarse_to_fine", res.coarseToFine},
        {"surfaces", [&] {
             nlohmann::json j = nullptr;
             if (!res.surfaceLeft) return j;
             j = nlohmann::json::object();
             j["space"] = res.bundle.surfaceSpace;
             j["geometry"] = "squared Landmark-MDS geodesic distances of the mid-thickness surface (" +
                             std::to_string(options.surfaceLandmarks) + " landmarks, " + std::to_string(options.surfaceDims) +
                             " dimensions), coarse-to-fine";
             for (const auto* h : {&*res.surfaceLeft, &*res.surfaceRight}) {
                 std::vector<float> d(h->displacementMm.data(), h->displacementMm.data() + h->displacementMm.size());
                 std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(d.size() / 2), d.end());
                 j[h == &*res.surfaceLeft ? "left" : "right"] = {{"vertices", d.size()},
                                                                 {"plan_entries", h->planEntries},
                                                                 {"loss", h->loss.total},
                                                                 {"seconds", h->seconds},
                                                                 {"median_displacement_mm", d[d.size() / 2]}};
             }
             return j;
         }()},
        {"plan_entries", res.planEntries},
        {"loss", res.loss.total},
        {"seconds", res.seconds},
        {"volumes", data.rows()},
        {"contrasts", [&] {
             nlohmann::json c = nlohmann::json::array();
             for (const auto& [sc, g] : usable) c.push_back({{"concept", sc->name}, {"source", sc->source}});
             return c;
         }()},
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
                              jobs::Progress& progress, const std::vector<SubjectContrast>& given) {
    const auto inputs = decompose::bundleInputs(group, groupFile);
    signal::BrainMask mask;
    mask.geometry = group.grid;
    mask.voxels = group.maskVoxels;
    const decompose::SubjectStore store(options.cacheDir.empty() ? paths::cacheDir() / "learn" : options.cacheDir, mask,
                                        inputs.preprocess);
    progress.plan({{"preprocess", 1}, {"contrasts", 1}, {"personalize", 9}});
    progress.begin("preprocess", "preprocessing " + subject.key + " as learning did");
    const signal::RowMatrixF data = store.load(subject);
    progress.begin("contrasts", "the subject's contrast maps of the labelled concepts");
    std::vector<SubjectContrast> contrasts;
    if (options.contrastFeatures) {
        auto c = progress.child();
        contrasts = subjectContrasts(group, groupFile, subject, options, c);
    }
    for (const auto& g : given) {
        const auto same = std::find_if(contrasts.begin(), contrasts.end(),
                                       [&](const SubjectContrast& c) { return lowercase(c.name) == lowercase(g.name); });
        if (same != contrasts.end())
            *same = g;
        else
            contrasts.push_back(g);
    }
    progress.begin("personalize");
    auto child = progress.child();
    PersonalizeResult r = personalizeSignals(group, data, options, child, contrasts);
    r.bundle.provenance["personalization"]["group_atlas"] = groupFile.string();
    r.bundle.provenance["personalization"]["subject"] = subject.key;
    return r;
}

} // namespace nm::align
