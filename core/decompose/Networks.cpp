#include "decompose/Networks.hpp"

#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "decompose/Cohort.hpp"
#include "decompose/Reconstruction.hpp"
#include "jobs/Progress.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

namespace nm::decompose {

void estimateBundleNetworks(io::AtlasBundle& bundle, const std::vector<std::vector<Eigen::MatrixXd>>& codes,
                            const std::vector<std::string>& subjects, const connectivity::SparseNetworkOptions& options,
                            const std::vector<std::size_t>& scaleIndices, jobs::Progress& progress) {
    std::vector<std::size_t> todo = scaleIndices;
    if (todo.empty())
        for (std::size_t s = 0; s < bundle.scales.size(); ++s) todo.push_back(s);
    std::sort(todo.begin(), todo.end());
    std::optional<std::pair<int, double>> crossValidated;  // (components, α) of the finest cross-validated scale
    for (std::size_t t = 0; t < todo.size(); ++t) {
        const std::size_t s = todo[t];
        const int k = bundle.scales[s].components;
        progress.checkCancelled();
        progress.update(t, todo.size(), "sparse network of " + std::to_string(k) + " components");
        connectivity::SparseNetworkOptions o = options;
        const bool inherit = !options.alpha && k > options.cvMaxComponents && crossValidated;
        if (inherit) o.alpha = crossValidated->second;
        auto n = connectivity::estimateSparseNetwork(codes[s], subjects, o);
        if (inherit) n.alphaSelection = "inherited from " + std::to_string(crossValidated->first);
        if (n.crossValidated) crossValidated = std::pair{k, n.alpha};
        bundle.scales[s].sparseNetwork = std::move(n);
    }
    for (std::size_t s = 1; s < bundle.scales.size(); ++s) {
        auto& fine = bundle.scales[s];
        const auto& coarse = bundle.scales[s - 1];
        if (fine.sparseNetwork && coarse.sparseNetwork) connectivity::relateToParent(*fine.sparseNetwork, fine.parent, *coarse.sparseNetwork);
    }
    progress.update(todo.size(), todo.size());
}

ComponentCodes loadComponentCodes(const io::AtlasBundle& bundle, const SparseNetworkJob& job, jobs::Progress& progress) {
    const auto inputs = bundleInputs(bundle, job.bundleFile);
    const auto datasets = job.datasets.empty() ? inputs.datasets : job.datasets;
    if (datasets.empty()) throw InputError(job.bundleFile.string() + ": provenance/inputs/datasets is empty; give --datasets");
    if (inputs.trainSubjects.empty()) throw InputError(job.bundleFile.string() + ": provenance/inputs/train_subjects is empty");
    ComponentCodes out;
    for (const int k : job.scales) {
        auto it = std::find_if(bundle.scales.begin(), bundle.scales.end(), [k](const auto& sc) { return sc.components == k; });
        if (it == bundle.scales.end()) throw InputError(job.bundleFile.string() + ": no scale of " + std::to_string(k) + " components");
        out.scales.push_back(std::size_t(it - bundle.scales.begin()));
    }
    if (out.scales.empty())
        for (std::size_t s = 0; s < bundle.scales.size(); ++s) out.scales.push_back(s);
    progress.begin("preprocess");
    const auto cohort = discoverCohort(datasets, inputs.filter, inputs.unit, nullptr, &inputs.studies);
    const std::set<std::string> train(inputs.trainSubjects.begin(), inputs.trainSubjects.end());
    std::vector<const CohortSubject*> subjects;
    for (const auto& c : cohort)
        if (train.count(c.key)) subjects.push_back(&c);
    if (subjects.size() < inputs.trainSubjects.size())
        progress.warn(std::to_string(inputs.trainSubjects.size() - subjects.size()) + " training subjects of the atlas are not in the datasets");
    if (subjects.empty()) throw InputError("none of the atlas's training subjects is in the datasets");
    signal::BrainMask mask;
    mask.geometry = bundle.grid;
    mask.voxels = bundle.maskVoxels;
    const SubjectStore store(job.cacheDir.empty() ? paths::cacheDir() / "learn" : job.cacheDir, mask, inputs.preprocess);
    warmCache(store, subjects, progress);
    progress.begin("codes");
    std::vector<RowMatrixF> maps(bundle.scales.size());
    for (const auto s : out.scales) maps[s] = RowMatrixF(bundle.scales[s].maps);
    std::vector<std::unique_ptr<LeastSquaresProjector>> projectors(bundle.scales.size());
    for (const auto s : out.scales) projectors[s] = std::make_unique<LeastSquaresProjector>(maps[s]);
    out.codes.resize(bundle.scales.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        progress.checkCancelled();
        const auto X = store.load(*subjects[i]);
        for (const auto s : out.scales) out.codes[s].push_back(projectors[s]->codes(X));
        out.subjects.push_back(subjects[i]->key);
        progress.update(i + 1, subjects.size());
    }
    return out;
}

SparseNetworkSummary learnSparseNetworks(io::AtlasBundle& bundle, const SparseNetworkJob& job, jobs::Progress& progress) {
    progress.plan({{"preprocess", 2}, {"codes", 1}, {"networks", 8}});
    const auto codes = loadComponentCodes(bundle, job, progress);
    for (const auto s : codes.scales)
        if (bundle.scales[s].correlation.size() == 0)
            throw InputError(job.bundleFile.string() + ": scale " + std::to_string(bundle.scales[s].components) +
                             " has no correlation network; learn it with the network stage on");
    progress.begin("networks");
    estimateBundleNetworks(bundle, codes.codes, codes.subjects, job.options, codes.scales, progress);
    SparseNetworkSummary summary;
    summary.subjects = int(codes.subjects.size());
    for (const auto s : codes.scales) summary.scales.push_back(bundle.scales[s].components);
    return summary;
}

} // namespace nm::decompose
