// neuromosaic-cli decode: one brain map (a contrast, a component, a NeuroVault image in MNI space)
// → its literature terms (correlation with the term maps) and, with a labelled atlas, its concepts.
#include "CliSupport.hpp"

#include "common/AtomicFile.hpp"
#include "semantics/Decode.hpp"

#include <iomanip>
#include <sstream>

namespace nm::cli {

namespace {
struct DecodeCliOptions {
    semantics::DecodeOptions decode;
    std::string map, atlas, literature, out, mode = "signed";
};
} // namespace

Command makeDecodeCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("decode", "Decode a brain map: ranked literature terms and, with a labelled atlas, its concepts");
    auto o = std::make_shared<DecodeCliOptions>();
    app->add_option("map", o->map, "Brain map in MNI space (NIfTI; another grid is resampled)")->required()->check(CLI::ExistingFile);
    app->add_option("--atlas", o->atlas, "Labelled atlas bundle: its grid, and the concepts of its components")->check(CLI::ExistingFile);
    app->add_option("--literature", o->literature, "Folder of Neurosynth / NeuroQuery databases (default: $NEUROMOSAIC_LITERATURE)")
        ->check(CLI::ExistingDirectory);
    app->add_option("--databases", o->decode.databases, "Preferred literature database(s), in order")->delimiter(',')->capture_default_str();
    app->add_option("--frame", o->decode.frame, "Frame of a 4-D map")->check(CLI::NonNegativeNumber)->capture_default_str();
    app->add_option("--top", o->decode.top, "Terms and concepts reported")->check(CLI::Range(1, 10000))->capture_default_str();
    app->add_option("--mode", o->mode, "Correlate the map signed (as NiMARE), its positive part (one side of a contrast) or its absolute value")
        ->check(CLI::IsMember({"signed", "positive", "absolute"}))
        ->capture_default_str();
    app->add_option("-o,--out", o->out, "JSON result: terms [{term, r}] and concepts [{concept, score}], best first");
    return {app, [o, &options] {
                if (!o->atlas.empty()) o->decode.atlas = o->atlas;
                o->decode.mode = o->mode == "positive"   ? semantics::DecodeOptions::Mode::Positive
                                 : o->mode == "absolute" ? semantics::DecodeOptions::Mode::Absolute
                                                         : semantics::DecodeOptions::Mode::Signed;
                if (!o->literature.empty()) o->decode.literature = o->literature;
                JobContext job(options);
                const auto r = semantics::decodeMap(o->map, o->decode, job.progress());
                if (!o->out.empty()) writeFileAtomic(o->out, r.toJson().dump(2) + "\n");
                std::ostringstream msg;
                msg << std::fixed << std::setprecision(3);
                for (const auto& w : r.warnings) msg << "warning: " << w << "\n";
                if (!r.terms.empty()) {
                    msg << "terms (" << r.database << ", r):\n";
                    for (std::size_t i = 0; i < std::min<std::size_t>(r.terms.size(), 10); ++i)
                        msg << "  " << std::setw(2) << i + 1 << ". " << r.terms[i].term << "  " << r.terms[i].r << "\n";
                } else {
                    msg << r.literatureStatus << "\n";
                }
                if (!r.concepts.empty()) {
                    msg << "concepts (labels of the " << r.scale << "-component scale, score):\n";
                    for (std::size_t i = 0; i < std::min<std::size_t>(r.concepts.size(), 10); ++i)
                        msg << "  " << std::setw(2) << i + 1 << ". " << r.concepts[i].name << "  " << r.concepts[i].score << "\n";
                }
                msg << "(" << r.seconds << " s" << (r.termMapsCached ? ", term maps cached" : ", term maps built and cached") << ")\n";
                job.succeed("decoded " + o->map, r.toJson());
                job.print(msg.str());
                return 0;
            }};
}

} // namespace nm::cli
