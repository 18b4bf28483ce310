// neuromosaic-cli glm: the t map of a contrast in one run (first-level GLM, AR(1)), e.g. the
// left-vs-right hand contrast of a motor run — a NeuroVault-style map for `decode`.
#include "CliSupport.hpp"

#include "common/Error.hpp"
#include "io/Bids.hpp"
#include "io/Nifti.hpp"
#include "signal/FirstLevel.hpp"

#include <sstream>

namespace nm::cli {

namespace {
struct GlmCliOptions {
    std::string bold, events, confounds, contrast, out, mask;
    double tr = 0, highPass = 128;
    DenoiseCli denoise;
    bool noAr1 = false;
};
} // namespace

Command makeGlmCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("glm", "First-level GLM of one run: the t map of a contrast between conditions");
    auto o = std::make_shared<GlmCliOptions>();
    app->add_option("bold", o->bold, "BOLD run (4-D NIfTI)")->required()->check(CLI::ExistingFile);
    app->add_option("--events", o->events, "Events table (BIDS events.tsv; default: the run's own)")->check(CLI::ExistingFile);
    app->add_option("--contrast", o->contrast, "Contrast, e.g. \"LH - RH\" or \"0.5*A + 0.5*B - C\"")->required();
    app->add_option("--tr", o->tr, "Repetition time in s (default: the BIDS sidecar, else the header)")->check(CLI::PositiveNumber);
    app->add_option("--confounds", o->confounds, "Confounds TSV (default: the run's from derivatives, when there is one)")->check(CLI::ExistingFile);
    o->denoise.add(app, "--confound-columns");
    app->add_option("--high-pass", o->highPass, "High-pass cutoff in s (cosine basis; 0: none)")->check(CLI::NonNegativeNumber)->capture_default_str();
    app->add_option("--mask", o->mask, "Brain mask (default: the run's EPI mask)")->check(CLI::ExistingFile);
    app->add_flag("--no-ar1", o->noAr1, "OLS without AR(1) prewhitening");
    app->add_option("-o,--out", o->out, "t map to write (NIfTI)")->required();
    return {app, [o, &options] {
                signal::RunFiles run;
                run.bold = o->bold;
                run.repetitionTime = o->tr;
                std::filesystem::path events = o->events;
                // The run's BIDS context: its events, sidecar TR and confounds, when it sits in a dataset.
                if (const auto name = io::parseBidsName(std::filesystem::path(o->bold).filename().string())) {
                    const auto dir = std::filesystem::path(o->bold).parent_path();
                    std::string stem = std::filesystem::path(o->bold).filename().string();
                    stem = stem.substr(0, stem.rfind("_bold"));
                    if (events.empty() && std::filesystem::exists(dir / (stem + "_events.tsv"))) events = dir / (stem + "_events.tsv");
                    for (auto root = dir; root.has_parent_path() && root != root.parent_path(); root = root.parent_path())
                        if (std::filesystem::exists(root / "dataset_description.json")) {
                            io::BidsFilter f;
                            f.subjects = {name->get("sub")};
                            for (const auto& r : io::readBidsDataset(root, f).runs)
                                if (std::filesystem::equivalent(r.bold, o->bold)) {
                                    if (run.repetitionTime <= 0) run.repetitionTime = r.repetitionTime;
                                    if (o->confounds.empty() && r.confounds) run.confounds = r.confounds;
                                }
                            break;
                        }
                }
                if (!o->confounds.empty()) run.confounds = o->confounds;
                if (events.empty()) throw InputError(o->bold + ": no events table found next to the run; give --events");
                signal::FirstLevelOptions fo;
                fo.preprocess.highPassSeconds = o->highPass;
                fo.preprocess.confounds = o->denoise.finish();
                if (!o->mask.empty()) fo.mask = o->mask;
                fo.ar1 = !o->noAr1;
                JobContext job(options);
                const auto r = signal::firstLevelContrast(run, io::readBidsEvents(events), signal::parseContrast(o->contrast), fo);
                io::writeNifti(o->out, r.t);
                float lo = 0, hi = 0;
                for (float x : r.t.data) {
                    lo = std::min(lo, x);
                    hi = std::max(hi, x);
                }
                std::ostringstream msg;
                msg << "t map of '" << o->contrast << "' (" << r.degreesOfFreedom << " degrees of freedom, t in [" << lo << ", " << hi
                    << "]) → " << o->out << "\n";
                job.succeed("t map written to " + o->out, {{"out", o->out}, {"dof", r.degreesOfFreedom}, {"t_min", lo}, {"t_max", hi}});
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
