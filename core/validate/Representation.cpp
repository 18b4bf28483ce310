#include "validate/Representation.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Reconstruction.hpp"
#include "io/AtlasBundle.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"
#include "jobs/Progress.hpp"
#include "semantics/Literature.hpp"
#include "validate/Reconstruction.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

namespace nm::validate {

namespace {

bool isNifti(const std::filesystem::path& f) {
    const std::string n = f.filename().string();
    auto ends = [&](const std::string& e) { return n.size() > e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0; };
    return ends(".nii") || ends(".nii.gz");
}

/// Every map of the files and folders on the bundle's mask voxels (resampled when the grid differs).
RowMatrixF readMaps(const std::vector<std::filesystem::path>& inputs, const io::AtlasBundle& bundle, std::vector<std::string>& names) {
    std::vector<std::filesystem::path> files;
    for (const auto& in : inputs) {
        if (std::filesystem::is_directory(in)) {
            std::vector<std::filesystem::path> found;
            for (const auto& e : std::filesystem::recursive_directory_iterator(in))
                if (e.is_regular_file() && isNifti(e.path())) found.push_back(e.path());
            std::sort(found.begin(), found.end());
            if (found.empty()) throw InputError(in.string() + ": no NIfTI map (.nii or .nii.gz) in this folder");
            files.insert(files.end(), found.begin(), found.end());
        } else if (std::filesystem::is_regular_file(in)) {
            if (!isNifti(in)) throw InputError(in.string() + ": expected a NIfTI map (.nii or .nii.gz)");
            files.push_back(in);
        } else {
            throw InputError(in.string() + ": no such file or folder");
        }
    }
    std::vector<Eigen::VectorXf> rows;
    for (const auto& f : files) {
        Volume v = io::readNifti(f);
        if (!v.geometry.sameGrid(bundle.grid)) v = io::resampleToGrid(v, bundle.grid, io::Interpolation::Linear, 0.0f);
        for (int t = 0; t < v.frames; ++t) {
            Eigen::VectorXf m(Eigen::Index(bundle.maskVoxels.size()));
            const float* d = v.frame(t);
            for (std::size_t i = 0; i < bundle.maskVoxels.size(); ++i) {
                const float x = d[std::size_t(bundle.maskVoxels[i])];
                m[Eigen::Index(i)] = std::isfinite(x) ? x : 0.0f;  // NaN outside a map's own mask (SPM) counts as 0
            }
            if (m.squaredNorm() == 0.0f) throw InputError(f.string() + (v.frames > 1 ? " frame " + std::to_string(t) : "") + ": the map is zero on the atlas's mask");
            rows.push_back(std::move(m));
            names.push_back(f.filename().string() + (v.frames > 1 ? "[" + std::to_string(t) + "]" : ""));
        }
    }
    RowMatrixF out(Eigen::Index(rows.size()), Eigen::Index(bundle.maskVoxels.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) out.row(Eigen::Index(r)) = rows[r].transpose();
    return out;
}

} // namespace

std::vector<double> explainedFraction(const RowMatrixF& maps, const RowMatrixF& dictionary) {
    const decompose::LeastSquaresProjector projector(dictionary);
    std::vector<double> out;
    out.reserve(std::size_t(maps.rows()));
    for (Eigen::Index b = 0; b < maps.rows(); b += 256) {
        const Eigen::Index n = std::min<Eigen::Index>(256, maps.rows() - b);
        const RowMatrixF block = maps.middleRows(b, n);
        const Eigen::MatrixXd codes = projector.codes(block);
        const Eigen::MatrixXd residual = block.cast<double>() - codes * dictionary.cast<double>();
        for (Eigen::Index i = 0; i < n; ++i) {
            const double total = block.row(i).cast<double>().squaredNorm();
            out.push_back(total > 0 ? 1.0 - residual.row(i).squaredNorm() / total : 0.0);
        }
    }
    return out;
}

double medianOf(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

RepresentationScore representationScore(const std::string& source, const std::string& method, const RowMatrixF& maps,
                                        const RowMatrixF& dictionary) {
    RepresentationScore s;
    s.source = source;
    s.method = method;
    s.components = int(dictionary.rows());
    s.explained = explainedFraction(maps, dictionary);
    s.mean = std::accumulate(s.explained.begin(), s.explained.end(), 0.0) / double(std::max<std::size_t>(1, s.explained.size()));
    s.median = medianOf(s.explained);
    return s;
}

double RepresentationReport::meanOf(const std::string& source, const std::string& method, int components) const {
    for (const auto& s : scores)
        if (s.source == source && s.method == method && s.components == components) return s.mean;
    return std::nan("");
}

nlohmann::json RepresentationReport::toJson() const {
    nlohmann::json j = {{"kind", "representation"}, {"seconds", seconds}, {"sources", nlohmann::json::array()}, {"scores", nlohmann::json::array()}};
    for (const auto& [source, names] : sources) j["sources"].push_back({{"source", source}, {"maps", names}});
    for (const auto& s : scores)
        j["scores"].push_back({{"source", s.source}, {"method", s.method}, {"components", s.components}, {"mean", s.mean}, {"median", s.median},
                               {"explained", s.explained}});
    nlohmann::json w = nlohmann::json::array();
    for (const auto& [source, list] : worst) {
        nlohmann::json l = nlohmann::json::array();
        for (const auto& [name, ev] : list) l.push_back({{"map", name}, {"explained", ev}});
        w.push_back({{"source", source}, {"maps", l}});
    }
    j["worst"] = w;
    j["measure"] = "fraction of each map's energy over the atlas's mask explained by least squares on the components: 1 - |y - D'c|^2 / |y|^2";
    return j;
}

io::Table RepresentationReport::toTable() const {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : scores) rows.push_back({s.source, s.method, std::to_string(s.components), std::to_string(s.mean), std::to_string(s.median)});
    return io::Table({"source", "method", "components", "mean_explained", "median_explained"}, rows);
}

RepresentationReport validateRepresentation(const RepresentationOptions& o, jobs::Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (o.maps.empty() && !o.literature) throw InputError("validate representation: give --maps (NIfTI files or folders) and/or --literature");
    progress.plan({{"read", 1}, {"maps", 2}, {"pca", 6}, {"evaluate", 3}});
    progress.begin("read", o.bundle.string());
    const io::AtlasBundle bundle = io::readAtlasBundle(o.bundle);
    // The maps to represent, per source.
    std::vector<std::pair<std::string, RowMatrixF>> collections;
    RepresentationReport report;
    progress.begin("maps");
    if (!o.maps.empty()) {
        std::vector<std::string> names;
        collections.emplace_back("maps", readMaps(o.maps, bundle, names));
        report.sources.emplace_back("maps", names);
    }
    if (o.literature) {
        const auto files = semantics::chooseLiteratureDatabase(*o.literature, o.databases);
        auto child = progress.child();
        const auto terms = semantics::cachedTermMaps(files, bundle.grid, bundle.maskVoxels, {}, child);
        int n = int(terms.terms.size());
        if (o.maxTerms > 0) n = std::min(n, o.maxTerms);
        // The terms with the most studies first (the literature's best-estimated maps).
        std::vector<int> order(terms.terms.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return terms.studies[std::size_t(a)] > terms.studies[std::size_t(b)]; });
        RowMatrixF m(n, terms.voxels());
        std::vector<std::string> names;
        for (int i = 0; i < n; ++i) {
            m.row(i) = terms.termMap(order[std::size_t(i)]).transpose();
            names.push_back(terms.terms[std::size_t(order[std::size_t(i)])]);
        }
        collections.emplace_back(terms.database, std::move(m));
        report.sources.emplace_back(terms.database, names);
    }
    // The dictionaries: the atlas's scales and the baselines fitted on the atlas's training subjects.
    std::vector<const decompose::CohortSubject*> train;
    std::vector<decompose::CohortSubject> cohort;
    const bool wantPca = std::find(o.baselines.begin(), o.baselines.end(), "pca") != o.baselines.end();
    signal::BrainMask mask;
    mask.geometry = bundle.grid;
    mask.voxels = bundle.maskVoxels;
    // PCA needs the atlas's training data (its provenance); the parcellations do not.
    const auto inputs = wantPca ? decompose::bundleInputs(bundle, o.bundle) : decompose::BundleInputs{};
    const auto datasets = o.datasets.empty() ? inputs.datasets : o.datasets;
    const decompose::SubjectStore store(o.cacheDir.empty() ? paths::cacheDir() / "learn" : o.cacheDir, mask, inputs.preprocess);
    if (wantPca) {
        cohort = decompose::discoverCohort(datasets, inputs.filter, inputs.unit, nullptr, &inputs.studies);
        const std::set<std::string> keys(inputs.trainSubjects.begin(), inputs.trainSubjects.end());
        for (const auto& s : cohort)
            if (keys.count(s.key)) train.push_back(&s);
        decompose::warmCache(store, train, progress);
    }
    progress.begin("pca");
    std::vector<Dictionary> dictionaries = atlasAndBaselines(bundle, store, train, o.baselines, o.powerIterations, o.seed, progress);
    for (const auto& other : o.compare) {
        const io::AtlasBundle b = io::readAtlasBundle(other);
        if (!b.grid.sameGrid(bundle.grid) || b.maskVoxels != bundle.maskVoxels)
            throw InputError(other.string() + ": mask or grid differs from " + o.bundle.string() + "; compare atlases on the same voxels");
        for (const auto& sc : b.scales) dictionaries.push_back({"seed: " + other.filename().string(), denseMaps(sc)});
    }
    progress.begin("evaluate");
    const int finest = bundle.scales.back().components;
    for (std::size_t c = 0; c < collections.size(); ++c) {
        const auto& [source, maps] = collections[c];
        for (std::size_t d = 0; d < dictionaries.size(); ++d) {
            progress.checkCancelled();
            RepresentationScore s = representationScore(source, dictionaries[d].method, maps, dictionaries[d].maps);
            if (s.method == "atlas" && s.components == finest) {
                std::vector<std::size_t> idx(s.explained.size());
                std::iota(idx.begin(), idx.end(), std::size_t(0));
                std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return s.explained[a] < s.explained[b]; });
                std::vector<std::pair<std::string, double>> list;
                for (std::size_t i = 0; i < idx.size() && int(i) < o.worst; ++i)
                    list.emplace_back(report.sources[c].second[idx[i]], s.explained[idx[i]]);
                report.worst.emplace_back(source, list);
            }
            report.scores.push_back(std::move(s));
            progress.update(double(c * dictionaries.size() + d + 1) / double(collections.size() * dictionaries.size()));
        }
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish("representation validated");
    return report;
}

} // namespace nm::validate
