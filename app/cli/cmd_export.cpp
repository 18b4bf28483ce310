// neuromosaic-cli export: an atlas bundle → NIfTI 4-D maps, labels TSV, GIFTI func, network .npy.
#include "CliSupport.hpp"

#include "common/Error.hpp"
#include "decompose/AtlasExport.hpp"

namespace nm::cli {

namespace {
struct ExportCliOptions {
    std::string bundle, out;
    decompose::ExportOptions exp;
    bool noNifti = false, noLabels = false, noGifti = false, noNetwork = false;
};
} // namespace

Command makeExportCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("export", "Export an atlas bundle: NIfTI 4-D maps per scale, labels TSV, GIFTI func files, network matrices");
    auto o = std::make_shared<ExportCliOptions>();
    app->add_option("bundle", o->bundle, "Atlas bundle (*.nmatlas.h5)")->required()->check(CLI::ExistingFile);
    app->add_option("-o,--out", o->out, "Output directory")->required();
    app->add_option("--scales", o->exp.scales, "Only these scales (default: all)")->delimiter(',');
    app->add_option("--prefix", o->exp.prefix, "File name prefix")->capture_default_str();
    app->add_flag("--no-nifti", o->noNifti, "Skip the NIfTI maps");
    app->add_flag("--no-labels", o->noLabels, "Skip the labels and hierarchy TSVs");
    app->add_flag("--no-gifti", o->noGifti, "Skip the GIFTI surface maps");
    app->add_flag("--no-network", o->noNetwork, "Skip the correlation matrices");
    app->add_option("--compression", o->exp.compressionLevel, "gzip level of the NIfTI files (1-9)")->check(CLI::Range(1, 9))->capture_default_str();
    return {app, [o, &options] {
                JobContext job(options);
                o->exp.nifti = !o->noNifti;
                o->exp.labels = !o->noLabels;
                o->exp.gifti = !o->noGifti;
                o->exp.network = !o->noNetwork;
                job.progress().plan({{"read", 1}, {"write", 4}});
                job.progress().begin("read", o->bundle);
                const auto bundle = io::readAtlasBundle(o->bundle);
                job.progress().begin("write", o->out);
                const auto files = decompose::exportAtlas(bundle, o->out, o->exp);
                job.progress().finish();
                nlohmann::json list = nlohmann::json::array();
                std::string text;
                for (const auto& f : files) {
                    list.push_back(f.string());
                    text += f.string() + "\n";
                }
                job.succeed("exported " + std::to_string(files.size()) + " files to " + o->out, {{"files", list}});
                job.print(text);
                return 0;
            }};
}

} // namespace nm::cli
