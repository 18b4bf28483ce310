// neuromosaic-cli validate <what>: validation reports. Now: reconstruction (held-out explained
// variance vs PCA and parcellation baselines, recovery of simulated truth, stability across seeds).
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "validate/Reconstruction.hpp"

#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct ReconstructionCliOptions {
    validate::ReconstructionOptions v;
    std::string bundle, out, tsv, truth, cache;
    std::vector<std::string> compare, datasets;
};
} // namespace

Command makeValidateCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("validate", "Validation reports of learned models");
    app->require_subcommand(1);
    auto* rec = app->add_subcommand("reconstruction",
                                    "Held-out explained variance per scale vs PCA and AAL/Harvard-Oxford baselines; recovery of simulated "
                                    "ground truth; stability across seeds");
    auto o = std::make_shared<ReconstructionCliOptions>();
    rec->add_option("bundle", o->bundle, "Atlas bundle (*.nmatlas.h5)")->required()->check(CLI::ExistingFile);
    rec->add_option("--datasets", o->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    rec->add_option("--truth", o->truth, "Ground-truth directory (default: <dataset>/derivatives/ground_truth when present)")
        ->check(CLI::ExistingDirectory);
    rec->add_option("--compare", o->compare, "Bundles learned with other seeds (stability of the maps)")->check(CLI::ExistingFile);
    rec->add_option("--baselines", o->v.baselines, "Baselines: pca, aal, harvard-oxford")->delimiter(',')->capture_default_str();
    rec->add_option("--power-iterations", o->v.powerIterations, "PCA: subspace iterations")->check(CLI::Range(0, 20))->capture_default_str();
    rec->add_option("--cache", o->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    rec->add_option("--seed", o->v.seed, "Random seed (PCA)")->capture_default_str();
    rec->add_option("-o,--out", o->out, "JSON report to write")->required();
    rec->add_option("--tsv", o->tsv, "Plot-ready table (long format) to write");
    return {app, [o, rec, &options] {
                if (!rec->parsed()) return 2;
                auto& v = o->v;
                v.bundle = o->bundle;
                for (const auto& c : o->compare) v.compare.emplace_back(c);
                for (const auto& d : o->datasets) v.datasets.emplace_back(d);
                if (!o->truth.empty()) v.truth = o->truth;
                if (!o->cache.empty()) v.cacheDir = o->cache;
                JobContext job(options);
                const auto r = validate::validateReconstruction(v, job.progress());
                writeFileAtomic(o->out, r.toJson().dump(2) + "\n");
                if (!o->tsv.empty()) io::writeTable(o->tsv, r.toTable(), '\t');
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(3);
                msg << "held-out explained variance (" << r.heldOutSubjects.size() << " subjects, " << r.heldOutVolumes << " volumes):\n";
                for (const auto& e : r.explainedVariance)
                    msg << "  " << std::left << std::setw(15) << e.method << std::right << " k=" << std::setw(4) << e.components << "  " << e.explainedVariance
                        << "\n";
                if (r.truth) {
                    msg << "recovery of the ground truth (" << r.truth->string() << "):\n";
                    for (const auto& c : r.recovery)
                        msg << "  k=" << std::setw(4) << c.components << " vs truth k=" << std::setw(4) << c.truthComponents << "  mean r " << c.meanCorrelation
                            << ", median " << c.medianCorrelation << ", " << std::setprecision(1) << 100 * c.fractionAbove05 << std::setprecision(3)
                            << "% above 0.5\n";
                }
                for (const auto& s : r.stability)
                    msg << "stability k=" << s.components << " vs " << s.other << ": mean r " << s.meanCorrelation << "\n";
                msg << "report: " << o->out << (o->tsv.empty() ? "" : ", table: " + o->tsv) << "\n";
                job.succeed("validation report written to " + o->out, r.toJson());
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
