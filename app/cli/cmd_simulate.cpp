// neuromosaic-cli simulate: the synthetic cohort (BIDS + ground truth), the app's default data.
#include "CliSupport.hpp"

#include "common/Error.hpp"
#include "simulate/Simulation.hpp"

#include <sstream>

namespace nm::cli {

namespace {
struct SimulateOptions {
    std::string layout = "bids";
    std::string preset = "tiny", out;
    std::uint64_t seed = 0;
    std::optional<int> subjects, studies, studiesPerSubject, networkScale, taskVolumes, restVolumes, compression;
    std::optional<double> voxel, ar1, fineAmplitude;
    std::vector<int> scales;
    std::vector<double> tsnr, deformation;
    bool float32 = false;
};
} // namespace

Command makeSimulateCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("simulate", "Write a simulated multi-study fMRI cohort (BIDS) with its ground truth");
    auto o = std::make_shared<SimulateOptions>();
    app->add_option("--preset", o->preset, "tiny (3 subjects, 8 mm, 2 studies), demo (20, 4 mm, 4), large (200, 3 mm, 8)")
        ->check(CLI::IsMember({"tiny", "demo", "large"}))
        ->capture_default_str();
    app->add_option("--out", o->out, "Output directory (a BIDS dataset; an interrupted run resumes there)")->required();
    app->add_option("--seed", o->seed, "Random seed: the same seed gives the same bytes")->capture_default_str();
    app->add_option("--layout", o->layout,
                    "bids (raw BIDS + confounds), or fmriprep (also derivatives/fmriprep as fMRIPrep writes them: preprocessed "
                    "images in MNI152NLin2009cAsym, brain masks, the full confounds table, a non-steady-state volume and head jerks)")
        ->check(CLI::IsMember({"bids", "fmriprep"}))
        ->capture_default_str();
    app->add_option("--subjects", o->subjects, "Number of subjects")->check(CLI::Range(1, 100000));
    app->add_option("--voxel", o->voxel, "Voxel size in mm")->check(CLI::Range(1.0, 12.0));
    app->add_option("--studies", o->studies, "Number of task studies (datasets)")->check(CLI::Range(1, 8));
    app->add_option("--studies-per-subject", o->studiesPerSubject, "Task studies each subject takes part in")->check(CLI::Range(1, 8));
    app->add_option("--scales", o->scales, "Nested scales, e.g. 16,64,256,1024")->delimiter(',');
    app->add_option("--network-scale", o->networkScale, "Scale of the resting-state network (one of --scales)");
    app->add_option("--task-volumes", o->taskVolumes, "Volumes per task run")->check(CLI::Range(20, 5000));
    app->add_option("--rest-volumes", o->restVolumes, "Volumes per resting-state run")->check(CLI::Range(20, 5000));
    app->add_option("--tsnr", o->tsnr, "Temporal SNR range MIN,MAX (default 50,100)")->delimiter(',')->expected(2);
    app->add_option("--ar1", o->ar1, "AR(1) coefficient of the noise (default 0.35)")->check(CLI::Range(0.0, 0.94));
    app->add_option("--deformation", o->deformation, "Range of subject deformations in mm MIN,MAX (default 2,8)")
        ->delimiter(',')
        ->expected(2);
    app->add_option("--fine-amplitude", o->fineAmplitude,
                    "Percent signal change of the independent fluctuations of components finer than the network scale (default 0.6)")
        ->check(CLI::Range(0.0, 10.0));
    app->add_flag("--float32", o->float32, "Store BOLD as float32 instead of int16");
    app->add_option("--compression", o->compression, "gzip level of the NIfTI files, 1 (fast) to 9")->check(CLI::Range(1, 9));
    return {app, [o, &options] {
                auto c = simulate::SimulationConfig::fromPreset(o->preset);
                c.seed = o->seed;
                if (o->subjects) c.subjects = *o->subjects;
                if (o->voxel) c.voxelMm = *o->voxel;
                if (o->studies) c.studies = *o->studies;
                if (o->studiesPerSubject) c.studiesPerSubject = *o->studiesPerSubject;
                if (!o->scales.empty()) {
                    c.scales = o->scales;
                    if (!o->networkScale) c.networkScale = c.scales.size() > 1 ? c.scales[1] : c.scales[0];
                }
                if (o->networkScale) c.networkScale = *o->networkScale;
                if (o->taskVolumes) c.taskVolumes = *o->taskVolumes;
                if (o->restVolumes) c.restVolumes = *o->restVolumes;
                if (o->tsnr.size() == 2) {
                    c.tsnrMin = o->tsnr[0];
                    c.tsnrMax = o->tsnr[1];
                }
                if (o->ar1) c.ar1 = *o->ar1;
                if (o->deformation.size() == 2) {
                    c.deformationMinMm = o->deformation[0];
                    c.deformationMaxMm = o->deformation[1];
                }
                if (o->fineAmplitude) c.fineAmplitude = *o->fineAmplitude;
                if (o->float32) c.int16Data = false;
                c.layout = o->layout;
                if (o->compression) c.compressionLevel = *o->compression;
                c.threads = options.threads;
                JobContext job(options);
                const auto r = simulate::simulate(c, o->out, job.progress());
                std::ostringstream msg;
                msg << "simulated " << r.subjects << " subjects (" << r.runs << " runs";
                if (r.resumedSubjects) msg << ", " << r.resumedSubjects << " resumed";
                msg << ") into " << o->out << " in " << r.seconds << " s, peak memory " << r.peakRssKb / 1024 << " MiB";
                nlohmann::json scales = r.scales;
                job.succeed(msg.str(), {{"dataset", o->out},
                                        {"subjects", r.subjects},
                                        {"runs", r.runs},
                                        {"seconds", r.seconds},
                                        {"peak_rss_kb", r.peakRssKb},
                                        {"scales", scales},
                                        {"bytes", r.bytesWritten}});
                job.print(msg.str() + "\n");
                return 0;
            }};
}

} // namespace nm::cli
