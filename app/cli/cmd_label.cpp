// neuromosaic-cli label: cognitive labels for every component of an atlas, from the annotations of
// the data (stability selection of L1 logistic models) and from the literature (correlation with
// Neurosynth / NeuroQuery term maps). Writes them into the bundle (atomically) or a copy.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "semantics/Labelling.hpp"

#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct LabelCliOptions {
    semantics::LabelOptions label;
    std::string bundle, out, literature, cognitiveAtlas, checkpoint, cache, report;
    std::vector<std::string> datasets, mappings;
    bool noStudyMappings = false, noAncestors = false, noExtraColumns = false, noAr1 = false;
    std::string samples = "conditions";
};
} // namespace

Command makeLabelCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("label", "Cognitive labels for every component of an atlas, from the data's task annotations and the literature");
    auto o = std::make_shared<LabelCliOptions>();
    auto& l = o->label;
    app->add_option("atlas", o->bundle, "Atlas bundle (*.nmatlas.h5)")->required()->check(CLI::ExistingFile);
    app->add_option("datasets", o->datasets, "BIDS datasets with task runs and events.tsv (default: those the atlas was learned from)")
        ->check(CLI::ExistingDirectory);
    app->add_option("-o,--out", o->out, "Labelled bundle to write (default: the labels go into ATLAS itself)");
    app->add_option("--literature", o->literature,
                    "Folder of Neurosynth / NeuroQuery databases, as neurosynth-data and neuroquery_data publish them "
                    "(default: $NEUROMOSAIC_LITERATURE; without one the literature columns stay empty)")
        ->check(CLI::ExistingDirectory);
    app->add_option("--databases", l.databases, "Preferred literature database(s), in order: neuroquery, neurosynth")
        ->delimiter(',')
        ->capture_default_str();
    app->add_option("--cognitive-atlas", o->cognitiveAtlas,
                    "Cognitive Atlas folder (cogat_aliases.csv, cogat_relationships.csv; default: <literature>/cognitive_atlas)")
        ->check(CLI::ExistingDirectory);
    app->add_option("--mapping", o->mappings, "TSV mapping conditions to concepts (columns task, trial_type, concept; task may be '*')")
        ->check(CLI::ExistingFile);
    app->add_flag("--no-study-mappings", o->noStudyMappings, "Ignore derivatives/annotations/condition_mappings.tsv of the datasets");
    app->add_flag("--no-ancestors", o->noAncestors, "Do not label the Cognitive Atlas ancestors of the mapped concepts");
    app->add_flag("--no-extra-columns", o->noExtraColumns, "Use trial_type only (not the other events columns)");
    app->add_option("--scales", l.scales, "Scales to label (default: all)")->delimiter(',');
    app->add_option("--subsamples", l.stability.subsamples, "Stability selection: subsamples of half the subjects")
        ->check(CLI::Range(10, 100000))
        ->capture_default_str();
    app->add_option("--threshold", l.stability.threshold, "Selection frequency at or above which a component carries a concept")
        ->check(CLI::Range(0.55, 1.0))
        ->capture_default_str();
    app->add_option("--weakness", l.stability.weakness, "Randomised lasso: penalty weights drawn in [weakness, 1]")
        ->check(CLI::Range(0.05, 1.0))
        ->capture_default_str();
    app->add_option("--terms", l.literatureTerms, "Literature terms kept per component")->check(CLI::Range(1, 100))->capture_default_str();
    app->add_flag("--no-ar1", o->noAr1, "GLM without AR(1) prewhitening");
    app->add_option("--samples", o->samples, "Effects per event/block (LSS, more samples) or per run and condition")
        ->check(CLI::IsMember({"events", "conditions"}))
        ->capture_default_str();
    app->add_option("--false-selections", l.stability.targetFalseSelections,
                    "Choose the penalties so that the expected false selections per concept stay below this (0: fixed fractions of lambda_max)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app->add_option("--seed", l.stability.seed, "Random seed (subsamples, penalty weights)")->capture_default_str();
    app->add_option("--cache", o->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    app->add_option("--checkpoint", o->checkpoint, "Directory for checkpoints (a stopped job resumes scale by scale)");
    app->add_option("--report", o->report, "JSON report: conditions and how they were mapped, labels per scale, timings");
    return {app, [o, app, &options] {
                auto& l = o->label;
                l.bundle = o->bundle;
                if (!o->out.empty()) l.out = o->out;
                for (const auto& d : o->datasets) l.datasets.emplace_back(d);
                for (const auto& m : o->mappings) l.annotations.userMappings.emplace_back(m);
                if (!o->literature.empty()) l.literature = o->literature;
                if (!o->cognitiveAtlas.empty()) l.cognitiveAtlas = o->cognitiveAtlas;
                if (!o->checkpoint.empty()) l.checkpointDir = o->checkpoint;
                if (!o->cache.empty()) l.cacheDir = o->cache;
                l.annotations.studyMappings = !o->noStudyMappings;
                l.annotations.ancestors = !o->noAncestors;
                l.annotations.extraColumns = !o->noExtraColumns;
                l.ar1 = !o->noAr1;
                l.samples = o->samples == "events" ? semantics::EffectOptions::Samples::Events : semantics::EffectOptions::Samples::Conditions;
                JobContext job(options);
                const auto r = semantics::labelAtlas(l, job.progress());
                if (!o->report.empty()) writeFileAtomic(o->report, r.toJson().dump(2) + "\n");
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(2);
                int unmapped = 0;
                for (const auto& c : r.conditions) unmapped += c.concepts.empty() ? 1 : 0;
                msg << r.conditions.size() << " conditions (" << unmapped << " unmapped), " << r.concepts.size() << " concepts, " << r.samples
                    << " effects from " << r.taskRuns << " task runs of " << r.subjects << " subjects (" << r.effectSeconds << " s)\n";
                for (const auto& s : r.scales)
                    msg << "  k=" << std::setw(4) << s.components << ": " << s.labelledComponents << " components labelled, " << s.labels
                        << " labels, E[false selections] <= " << s.expectedFalseSelections << " per concept (" << s.seconds << " s)\n";
                if (!r.skippedConcepts.empty()) {
                    msg << "  not labelled (fewer than 2 subjects):";
                    for (const auto& c : r.skippedConcepts) msg << " '" << c << "'";
                    msg << "\n";
                }
                msg << "literature: " << r.literature << "\n";
                msg << "labelled atlas: " << r.out.string() << " (" << r.seconds << " s)\n";
                job.succeed("labels written to " + r.out.string(), r.toJson());
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
