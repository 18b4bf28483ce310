// neuromosaic-cli validate <what>: validation reports — reconstruction (held-out explained
// variance vs PCA and parcellation baselines, recovery of simulated truth, stability across seeds)
// and decoding (recovery of the simulated concept-component pairs by the labels, literature
// agreement, multi-study decoding).
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "validate/Decoding.hpp"
#include "validate/Summary.hpp"
#include "validate/LeaveStudyOut.hpp"
#include "validate/Network.hpp"
#include "validate/Representation.hpp"
#include "validate/Personalization.hpp"
#include "validate/Reconstruction.hpp"

#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

namespace nm::cli {

namespace {
struct DecodingCliOptions {
    validate::DecodingValidationOptions v;
    std::string bundle, out, tsv, truth, cache;
    std::vector<std::string> datasets;
    bool noDecoders = false, noVoxels = false;
};

struct ReconstructionCliOptions {
    validate::ReconstructionOptions v;
    std::string bundle, out, tsv, truth, cache;
    std::vector<std::string> compare, datasets;
};
struct PersonalizationCliOptions {
    std::string bundle, truth, cache, out, tsv;
    std::vector<std::string> datasets;
    validate::PersonalizationOptions v;
};
struct RepresentationCliOptions {
    std::string bundle, literature, cache, out, tsv;
    std::vector<std::string> maps, compare, datasets;
    validate::RepresentationOptions v;
};
struct LeaveOutCliOptions {
    std::string bundle, cache, work, out, tsv;
    std::vector<std::string> datasets;
    validate::LeaveStudyOutOptions v;
};
struct AllCliOptions {
    std::string bundle, truth, literature, cache, work, out, tsv, html;
    std::vector<std::string> datasets, maps;
    validate::AllValidationOptions v;
};
struct NetworkValidationCliOptions {
    std::string bundle, truth, cache, out, tsv;
    std::vector<std::string> datasets;
    validate::NetworkValidationOptions v;
};
/// The console summary of a leave-one-study-out report.
std::string leaveStudyOutText(const validate::LeaveStudyOutReport& r) {
    std::ostringstream msg;
    msg << std::fixed << std::setprecision(3);
    for (const auto& s : r.studies) {
        msg << "left out " << s.study << " (" << s.subjects << " subjects, " << s.runs << " runs, " << s.volumes << " volumes; atlas "
            << s.atlas.string() << (s.reused ? ", reused" : "") << "):\n";
        msg << "  k      EV without / with / pca     contrasts without / with / pca     decoding without / with\n";
        for (int k : r.scales)
            msg << "  " << std::setw(5) << k << "  " << s.ev(validate::kAtlasWithoutStudy, k) << " / " << s.ev(validate::kAtlasWithStudy, k) << " / "
                << s.ev("pca", k) << "       " << s.contrast(validate::kAtlasWithoutStudy, k) << " / " << s.contrast(validate::kAtlasWithStudy, k) << " / "
                << s.contrast("pca", k) << "              " << s.decodingAccuracy(validate::kAtlasWithoutStudy, k) << " / "
                << s.decodingAccuracy(validate::kAtlasWithStudy, k) << "\n";
        for (const auto& b : {"aal", "harvard-oxford"})
            for (const auto& e : s.explainedVariance)
                if (e.method == b)
                    msg << "  " << std::setw(14) << b << " (" << e.components << " regions): EV " << e.explainedVariance << ", contrasts "
                        << s.contrast(b, e.components) << ", decoding " << s.decodingAccuracy(b, e.components) << "\n";
        for (const auto& d : s.decoding)
            if (d.method == "voxels") msg << "  voxels: decoding " << d.task << " " << d.accuracy << " (chance " << d.chance << ")\n";
    }
    return msg.str();
}
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
    auto* dec = app->add_subcommand("decoding",
                                    "Semantics: recovery of the simulated concept-component pairs by the labels (AUC, precision, recall), "
                                    "agreement with the literature, multi-study decoding vs per-study decoders");
    auto d = std::make_shared<DecodingCliOptions>();
    dec->add_option("atlas", d->bundle, "Labelled atlas bundle (neuromosaic-cli label)")->required()->check(CLI::ExistingFile);
    dec->add_option("datasets", d->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    dec->add_option("--truth", d->truth, "Ground-truth directory (default: <dataset>/derivatives/ground_truth when present)")
        ->check(CLI::ExistingDirectory);
    dec->add_flag("--no-decoders", d->noDecoders, "Skip the decoding table");
    dec->add_flag("--no-voxels", d->noVoxels, "Skip the voxel-level baseline");
    dec->add_option("--scale", d->v.decoder.scale, "Components of the scale the decoders read (default: the finest)");
    dec->add_option("--folds", d->v.decoder.folds, "Leave-subjects-out folds per study")->check(CLI::Range(2, 100))->capture_default_str();
    dec->add_option("--latent", d->v.decoder.multiStudy.latent, "Width of the multi-study decoder's shared layer")
        ->check(CLI::Range(2, 4096))
        ->capture_default_str();
    dec->add_option("--epochs", d->v.decoder.multiStudy.epochs, "Training epochs of the multi-study decoder")->check(CLI::Range(1, 100000))->capture_default_str();
    dec->add_option("--ensemble", d->v.decoder.multiStudy.ensemble, "Multi-study models (seeds) whose probabilities are averaged")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    dec->add_option("--dropout", d->v.decoder.multiStudy.inputDropout, "Input dropout of the multi-study decoder")->check(CLI::Range(0.0, 0.95))->capture_default_str();
    dec->add_option("--latent-dropout", d->v.decoder.multiStudy.latentDropouts,
                    "Latent dropout of the multi-study decoder (default 0.5); several, e.g. 0.1,0.5: chosen per fold by an inner split of its training subjects")
        ->delimiter(',')
        ->check(CLI::Range(0.0, 0.95));
    dec->add_option("--learning-rate", d->v.decoder.multiStudy.learningRates,
                    "Adam step of the multi-study decoder (default 0.001); several, e.g. 0.001,0.01: chosen per fold by an inner split")
        ->delimiter(',')
        ->check(CLI::PositiveNumber);
    dec->add_option("--weight-decay", d->v.decoder.multiStudy.l2, "Weight decay of the multi-study decoder")->check(CLI::NonNegativeNumber)->capture_default_str();
    dec->add_option("--seed", d->v.decoder.seed, "Random seed (folds, initialisation, dropout)")->capture_default_str();
    dec->add_option("--cache", d->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    dec->add_option("-o,--out", d->out, "JSON report to write")->required();
    dec->add_option("--tsv", d->tsv, "Plot-ready table (long format) to write");
    auto* per = app->add_subcommand("personalization",
                                    "Personalization on held-out simulated subjects: correlation of each personalized "
                                    "component with the subject's true map per scale (FUGW vs identity and dual "
                                    "regression), recovery of the true displacement");
    auto pv = std::make_shared<PersonalizationCliOptions>();
    per->add_option("atlas", pv->bundle, "Atlas bundle learned with --held-out > 0")->required()->check(CLI::ExistingFile);
    per->add_option("datasets", pv->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    per->add_option("--truth", pv->truth, "Ground-truth directory (default: <dataset>/derivatives/ground_truth)")
        ->check(CLI::ExistingDirectory);
    per->add_option("--subjects", pv->v.maxSubjects, "At most this many held-out subjects (0: all)")->capture_default_str();
    per->add_flag_callback(
        "--no-variant", [pv] { pv->v.variant = false; },
        "Skip FUGW with the other choice of features (connectivity profiles on or off): half the time");
    per->add_flag_callback(
        "--all-runs", [pv] { pv->v.heldOutRun = false; },
        "Personalize on every run (default: each subject's last run is held out and scored by explained variance)");
    per->add_flag_callback(
        "--no-contrasts", [pv] { pv->v.contrasts = false; },
        "Skip the contrast maps' between-subject correlation and cross-subject decoding");
    per->add_option("--cache", pv->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    per->add_option("-o,--out", pv->out, "JSON report to write")->required();
    per->add_option("--tsv", pv->tsv, "Plot-ready table (long format) to write");
    addPersonalizeSolverOptions(per, pv->v.personalize);
    auto* net = app->add_subcommand("network",
                                    "Recovery of the simulated true sparse network: support precision, recall, F1 and AUC along "
                                    "the α path (group-sparse, graphical lasso) vs thresholded Ledoit-Wolf partial correlations");
    auto nv = std::make_shared<NetworkValidationCliOptions>();
    net->add_option("atlas", nv->bundle, "Atlas bundle learned from a simulated cohort")->required()->check(CLI::ExistingFile);
    net->add_option("datasets", nv->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    net->add_option("--truth", nv->truth, "Ground-truth directory (default: <dataset>/derivatives/ground_truth)")->check(CLI::ExistingDirectory);
    net->add_option("--min-match", nv->v.minMatch, "Leave out components matched to the truth below this map correlation")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    net->add_option("--grid", nv->v.gridSize, "α values along the path")->check(CLI::Range(2, 40))->capture_default_str();
    net->add_option("--cache", nv->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    net->add_option("-o,--out", nv->out, "JSON report to write")->required();
    net->add_option("--tsv", nv->tsv, "Plot-ready table (long format) to write");
    auto* rep = app->add_subcommand("representation",
                                    "Representation of maps the atlas never saw (NIfTI maps, literature term maps): the fraction "
                                    "of each map's energy each scale explains, against PCA, AAL, Harvard-Oxford and other seeds");
    auto rv = std::make_shared<RepresentationCliOptions>();
    rep->add_option("atlas", rv->bundle, "Atlas bundle")->required()->check(CLI::ExistingFile);
    rep->add_option("--maps", rv->maps, "NIfTI maps (3-D or 4-D files, or folders of them)");
    rep->add_option("--literature", rv->literature, "Literature folder: its term maps (NeuroQuery, else Neurosynth)")->check(CLI::ExistingDirectory);
    rep->add_option("--terms", rv->v.maxTerms, "At most this many term maps, those of the most studies first (0: all)")->capture_default_str();
    rep->add_option("--baselines", rv->v.baselines, "pca, aal, harvard-oxford (default: all three)")->delimiter(',');
    rep->add_option("--compare", rv->compare, "Atlases learned with other seeds (same voxels)")->check(CLI::ExistingFile);
    rep->add_option("--datasets", rv->datasets, "BIDS datasets of the atlas (PCA's training data; default: its provenance)");
    rep->add_option("--worst", rv->v.worst, "Maps listed as represented worst")->capture_default_str();
    rep->add_option("--cache", rv->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    rep->add_option("-o,--out", rv->out, "JSON report to write")->required();
    rep->add_option("--tsv", rv->tsv, "Plot-ready table to write");
    auto* loso = app->add_subcommand("leave-one-study-out",
                                     "Learn the atlas again without a study (same recipe, voxels and held-out subjects), then measure that "
                                     "study: explained variance of its runs, decoding of its conditions, representation of its contrast maps, "
                                     "against the atlas that saw it, PCA, AAL and Harvard-Oxford");
    auto lv = std::make_shared<LeaveOutCliOptions>();
    loso->add_option("atlas", lv->bundle, "Atlas bundle learned with every study")->required()->check(CLI::ExistingFile);
    loso->add_option("studies", lv->v.studies, "Studies to leave out, one at a time: <dataset>/<task>, <task> or <dataset>")->required();
    loso->add_option("--datasets", lv->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    loso->add_option("--work", lv->work, "Where the atlases without each study are written and reused (default: <atlas>.validation/leave-out)");
    loso->add_flag("--relearn", lv->v.relearn, "Learn again even when the work directory holds an atlas without the study");
    loso->add_option("--max-iterations", lv->v.maxIterations, "Cap on the relearning's iterations (0: the atlas's epochs)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    loso->add_option("--baselines", lv->v.baselines, "pca, aal, harvard-oxford (default: all three)")->delimiter(',');
    loso->add_option("--folds", lv->v.folds, "Leave-subjects-out folds of the decoders")->check(CLI::Range(2, 100))->capture_default_str();
    loso->add_flag_callback(
        "--no-voxels", [lv] { lv->v.voxels = false; }, "Skip the voxel-level decoder");
    loso->add_option("--seed", lv->v.seed, "Random seed (folds, PCA)")->capture_default_str();
    loso->add_option("--cache", lv->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    loso->add_option("-o,--out", lv->out, "JSON report to write")->required();
    loso->add_option("--tsv", lv->tsv, "Plot-ready table (long format) to write");
    auto* all = app->add_subcommand("all",
                                    "Every validation the atlas and its data allow — reconstruction, representation, decoding, network, "
                                    "personalization, leave-one-study-out — in one JSON, a plot-ready TSV and an HTML summary with one-line readings");
    auto av = std::make_shared<AllCliOptions>();
    all->add_option("atlas", av->bundle, "Atlas bundle")->required()->check(CLI::ExistingFile);
    all->add_option("--datasets", av->datasets, "BIDS datasets (default: those the atlas was learned from)")->check(CLI::ExistingDirectory);
    all->add_option("--truth", av->truth, "Ground-truth directory (default: <dataset>/derivatives/ground_truth when present)")
        ->check(CLI::ExistingDirectory);
    all->add_option("--literature", av->literature, "Literature folder: represent its term maps (NeuroQuery, else Neurosynth)")
        ->check(CLI::ExistingDirectory);
    all->add_option("--terms", av->v.maxTerms, "At most this many term maps, those of the most studies first (0: all)")->capture_default_str();
    all->add_option("--maps", av->maps, "NIfTI maps to represent (files or folders)");
    all->add_option("--leave-out", av->v.leaveOut, "Studies for leave-one-study-out (<dataset>/<task>, <task> or <dataset>); none: not run")
        ->delimiter(',');
    all->add_option("--work", av->work, "Where the atlases without each study go (default: <atlas>.validation/leave-out)");
    all->add_option("--leave-out-iterations", av->v.leaveOutMaxIterations, "Cap on the relearning's iterations (0: the atlas's epochs)")
        ->check(CLI::NonNegativeNumber);
    all->add_option("--personalization-subjects", av->v.personalizationSubjects, "Held-out subjects to personalize (0: all)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    all->add_option("--skip", av->v.skip, "Sections not to run (reconstruction, representation, decoding, network, personalization, leave-one-study-out)")
        ->delimiter(',');
    all->add_option("--seed", av->v.seed, "Random seed (PCA, folds)")->capture_default_str();
    all->add_option("--cache", av->cache, "Cache of preprocessed subjects (default: the one learn uses)");
    all->add_option("-o,--out", av->out, "JSON report to write")->required();
    all->add_option("--tsv", av->tsv, "Plot-ready table (long format) of every charted figure (default: <out>.tsv)");
    all->add_option("--html", av->html, "HTML summary (default: <out>.html)");
    return {app, [o, rec, d, dec, pv, per, nv, net, rv, rep, lv, loso, av, all, &options] {
                if (all->parsed()) {
                    auto& v = av->v;
                    v.bundle = av->bundle;
                    for (const auto& x : av->datasets) v.datasets.emplace_back(x);
                    for (const auto& x : av->maps) v.maps.emplace_back(x);
                    if (!av->truth.empty()) v.truth = av->truth;
                    if (!av->literature.empty()) v.literature = av->literature;
                    if (!av->cache.empty()) v.cacheDir = av->cache;
                    if (!av->work.empty()) v.workDir = av->work;
                    finishPersonalizeSolverOptions(v.personalize);
                    auto sibling = [&](const std::string& ext) {
                        std::string s = av->out;
                        if (s.size() > 5 && s.ends_with(".json")) s.resize(s.size() - 5);
                        return s + ext;
                    };
                    const std::string tsv = av->tsv.empty() ? sibling(".tsv") : av->tsv, html = av->html.empty() ? sibling(".html") : av->html;
                    JobContext job(options);
                    const auto r = validate::validateAll(v, job.progress());
                    writeFileAtomic(av->out, r.dump(2) + "\n");
                    io::writeTable(tsv, validate::chartTable(validate::chartsOf(r)), '\t');
                    writeFileAtomic(html, validate::htmlSummary(r));
                    std::ostringstream msg;
                    std::string failed;
                    for (const auto& s : r["sections"]) {
                        msg << std::left << std::setw(20) << s["name"].get<std::string>() << std::right << " " << s["status"].get<std::string>();
                        if (s.contains("reason")) msg << " — " << s["reason"].get<std::string>();
                        msg << "\n";
                        if (s["status"] == "failed") failed += (failed.empty() ? "" : "; ") + s["name"].get<std::string>() + ": " + s["reason"].get<std::string>();
                    }
                    for (const auto& x : r["readings"]) msg << "  " << x["text"].get<std::string>() << "\n";
                    msg << "report: " << av->out << ", table: " << tsv << ", summary: " << html << "\n";
                    job.print(msg.str());
                    if (!failed.empty()) throw Error("validate all: " + failed + " (the other sections are in " + av->out + ")");
                    job.succeed("validation written to " + av->out, {{"report", av->out}, {"table", tsv}, {"html", html}});
                    return 0;
                }
                if (loso->parsed()) {
                    auto& v = lv->v;
                    v.bundle = lv->bundle;
                    for (const auto& x : lv->datasets) v.datasets.emplace_back(x);
                    if (!lv->cache.empty()) v.cacheDir = lv->cache;
                    if (!lv->work.empty()) v.workDir = lv->work;
                    JobContext job(options);
                    const auto r = validate::validateLeaveStudyOut(v, job.progress());
                    writeFileAtomic(lv->out, r.toJson().dump(2) + "\n");
                    if (!lv->tsv.empty()) io::writeTable(lv->tsv, r.toTable(), '\t');
                    job.print(leaveStudyOutText(r) + "report: " + lv->out + "\n");
                    job.succeed("leave-one-study-out validation written to " + lv->out, {{"report", lv->out}});
                    return 0;
                }
                if (rep->parsed()) {
                    auto& v = rv->v;
                    v.bundle = rv->bundle;
                    for (const auto& x : rv->maps) v.maps.emplace_back(x);
                    for (const auto& x : rv->compare) v.compare.emplace_back(x);
                    for (const auto& x : rv->datasets) v.datasets.emplace_back(x);
                    if (!rv->literature.empty()) v.literature = rv->literature;
                    if (!rv->cache.empty()) v.cacheDir = rv->cache;
                    JobContext job(options);
                    const auto r = validate::validateRepresentation(v, job.progress());
                    writeFileAtomic(rv->out, r.toJson().dump(2) + "\n");
                    if (!rv->tsv.empty()) io::writeTable(rv->tsv, r.toTable(), '\t');
                    std::ostringstream msg;
                    msg << std::fixed << std::setprecision(3) << "representation of unseen maps (mean fraction of each map's energy explained):\n";
                    for (const auto& [source, names] : r.sources) {
                        msg << "  " << source << " (" << names.size() << " maps):\n";
                        for (const auto& s : r.scores)
                            if (s.source == source)
                                msg << "    " << std::left << std::setw(28) << s.method << std::right << " k=" << std::setw(4) << s.components << "  mean "
                                    << s.mean << ", median " << s.median << "\n";
                    }
                    for (const auto& [source, list] : r.worst) {
                        msg << "  worst represented (" << source << ", finest scale):";
                        for (std::size_t i = 0; i < std::min<std::size_t>(5, list.size()); ++i) msg << " " << list[i].first << " " << list[i].second << ";";
                        msg << "\n";
                    }
                    msg << "report: " << rv->out << "\n";
                    job.succeed("representation validation written to " + rv->out, {{"report", rv->out}});
                    job.print(msg.str());
                    return 0;
                }
                if (net->parsed()) {
                    auto& v = nv->v;
                    v.bundle = nv->bundle;
                    for (const auto& x : nv->datasets) v.datasets.emplace_back(x);
                    if (!nv->truth.empty()) v.truth = nv->truth;
                    if (!nv->cache.empty()) v.cacheDir = nv->cache;
                    JobContext job(options);
                    const auto r = validate::validateNetwork(v, job.progress());
                    writeFileAtomic(nv->out, r.toJson().dump(2) + "\n");
                    if (!nv->tsv.empty()) io::writeTable(nv->tsv, r.toTable(), '\t');
                    std::ostringstream msg;
                    msg << std::fixed << std::setprecision(3) << "recovery of the true network (" << r.truth.string() << "):\n";
                    for (const auto& s : r.scales) {
                        msg << "  k=" << s.components << ": " << s.matched << " components matched (mean r " << s.meanMatch << "), " << s.trueEdges
                            << " true edges among " << s.pairs << " pairs\n";
                        for (const auto& c : s.curves) {
                            const auto& b = c.bestF1();
                            msg << "    " << std::left << std::setw(22) << c.method << std::right << " best F1 " << b.f1 << " (" << b.edges
                                << " edges, precision " << b.precision << ", recall " << b.recall << "), AUC " << b.auc << "\n";
                        }
                        if (s.stored)
                            msg << "    stored network (alpha " << std::setprecision(4) << s.stored->alpha << std::setprecision(3) << "): F1 " << s.stored->f1
                                << ", " << s.stored->edges << " edges, AUC " << s.stored->auc << "\n";
                    }
                    msg << "report: " << nv->out << "\n";
                    job.succeed("network validation written to " + nv->out, r.toJson());
                    job.print(msg.str());
                    return 0;
                }
                if (per->parsed()) {
                    auto& v = pv->v;
                    finishPersonalizeSolverOptions(v.personalize);
                    v.bundle = pv->bundle;
                    for (const auto& x : pv->datasets) v.datasets.emplace_back(x);
                    if (!pv->truth.empty()) v.truth = pv->truth;
                    if (!pv->cache.empty()) v.personalize.cacheDir = pv->cache;
                    JobContext job(options);
                    const auto r = validate::validatePersonalization(v, job.progress());
                    writeFileAtomic(pv->out, r.toJson().dump(2) + "\n");
                    if (!pv->tsv.empty()) io::writeTable(pv->tsv, r.toTable(), '\t');
                    std::ostringstream msg;
                    msg << std::fixed << std::setprecision(3) << "personalization of " << r.subjects.size()
                        << " held-out subjects (r with the true subject maps; identity / dual regression / piecewise Procrustes / FUGW with the other features / FUGW):\n";
                    std::set<int> ks;
                    for (const auto& s : r.scores) ks.insert(s.components);
                    for (int k : ks)
                        msg << "  k=" << std::setw(4) << k << "  " << r.mean("identity", k) << " / " << r.mean("dual regression", k)
                            << " / " << r.mean("procrustes", k) << " / "
                            << (std::isnan(r.mean("fugw + connectivity", k)) ? r.mean("fugw (maps only)", k) : r.mean("fugw + connectivity", k)) << " / " << r.mean("fugw", k)
                            << "\n";
                    if (!ks.empty() && std::isfinite(r.mean("surface: fugw", *ks.begin()))) {
                        msg << "  on the surfaces (identity / dual regression / volume FUGW sampled / FUGW on the mesh):\n";
                        for (int k : ks)
                            msg << "  k=" << std::setw(4) << k << "  " << r.mean("surface: identity", k) << " / "
                                << r.mean("surface: dual regression", k) << " / " << r.mean("surface: fugw (volume)", k) << " / "
                                << r.mean("surface: fugw", k) << "\n";
                    }
                    if (!r.heldOutRuns.empty()) {
                        msg << "  explained variance of a held-out run (identity / dual regression / piecewise Procrustes / FUGW):\n";
                        for (int k : ks)
                            msg << "  k=" << std::setw(4) << k << "  " << r.meanHeldOutEv("identity", k) << " / "
                                << r.meanHeldOutEv("dual regression", k) << " / " << r.meanHeldOutEv("procrustes", k) << " / "
                                << r.meanHeldOutEv("fugw", k) << "\n";
                    }
                    for (const auto& c : r.contrasts)
                        msg << "  contrast maps, " << c.method << ": between-subject r " << c.betweenSubjectR
                            << ", cross-subject decoding " << c.decodingAccuracy << " (chance " << c.chance << "; "
                            << c.samples << " run × condition maps of " << c.subjects << " subjects)\n";
                    if (!r.contrastsSkipped.empty()) msg << "  contrast maps: skipped, " << r.contrastsSkipped << "\n";
                    if (r.contrastsSeen) msg << "  (the alignment used these contrasts as features: not an independent measure)\n";
                    for (const auto& x : r.displacement)
                        msg << "  " << x.subject << ": displacement error " << x.medianErrorMm << " mm (identity "
                            << x.medianIdentityErrorMm << " mm, max " << x.maxTrueMm << " mm), " << x.seconds << " s\n";
                    msg << "report: " << pv->out << "\n";
                    job.succeed("personalization validation written to " + pv->out, r.toJson());
                    job.print(msg.str());
                    return 0;
                }
                if (dec->parsed()) {
                    auto& v = d->v;
                    v.bundle = d->bundle;
                    for (const auto& x : d->datasets) v.datasets.emplace_back(x);
                    if (!d->truth.empty()) v.truth = d->truth;
                    if (!d->cache.empty()) v.cacheDir = d->cache;
                    v.decoders = !d->noDecoders;
                    v.decoder.voxels = !d->noVoxels;
                    JobContext job(options);
                    const auto r = validate::validateDecoding(v, job.progress());
                    writeFileAtomic(d->out, r.toJson().dump(2) + "\n");
                    if (!d->tsv.empty()) io::writeTable(d->tsv, r.toTable(), '\t');
                    std::ostringstream msg;
                    msg << std::fixed << std::setprecision(3);
                    if (r.truth) msg << "labels against the ground truth (" << r.truth->string() << "):\n";
                    for (const auto& s : r.recovery)
                        msg << "  k=" << std::setw(4) << s.components << "  AUC " << s.auc << "  precision " << s.precision << "  recall " << s.recall
                            << "  (" << s.hits << " of " << s.truePairs << " true pairs, " << s.predictedPairs << " predicted; maps matched at r "
                            << s.matchCorrelation << ")\n";
                    for (const auto& l : r.literature)
                        msg << "  k=" << std::setw(4) << l.components << "  literature agreement " << l.meanAgreement << " over " << l.compared
                            << " labelled components\n";
                    if (r.decoding) {
                        msg << "decoding from " << r.decoding->components << " components (accuracy: multi-study / components / voxels, chance):\n";
                        for (const auto& s : r.decoding->studies)
                            msg << "  " << std::left << std::setw(24) << s.study << std::right << " " << s.multiStudy << " / " << s.components << " / "
                                << s.voxels << "  (" << s.chance << ", " << s.samples << " maps, " << s.scheme << ")\n";
                        msg << "  mean gain " << r.decoding->meanGainOverComponents << " over components, " << r.decoding->meanGainOverVoxels
                            << " over voxels; studies improved " << r.decoding->fractionImprovedOverComponents << " / "
                            << r.decoding->fractionImprovedOverVoxels << "\n";
                    }
                    msg << "report: " << d->out << "\n";
                    job.succeed("decoding validation written to " + d->out, r.toJson());
                    job.print(msg.str());
                    return 0;
                }
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
