// neuromosaic-cli: the command-line face of nmcore. Each subcommand lives in cmd_<name>.cpp.
#include "CliSupport.hpp"

#include "common/Version.hpp"

#include <iostream>

int main(int argc, char** argv) {
    using namespace nm::cli;
    setCommandLine(argc, argv);
    CLI::App app{"NeuroMosaic: multiscale models of brain function and the emergence of mesoscale "
                 "structure.\nRun 'neuromosaic-cli <command> --help' for a command's options.",
                 "neuromosaic-cli"};
    app.set_version_flag("--version", "neuromosaic-cli " + nm::version() + " (" + nm::gitRevision() + ")");
    app.require_subcommand(1);
    app.fallthrough();
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        return std::string("neuromosaic-cli: ") + e.what() + " (see --help)\n";
    });

    GlobalOptions options;
    app.add_option("--progress", options.progress,
                   "How to report progress: text (terminal), json (one JSON object per line on "
                   "stdout, for the GUI and scripts), none; auto = text on a terminal")
        ->check(CLI::IsMember({"auto", "none", "text", "json"}))
        ->capture_default_str();
    app.add_flag("-q,--quiet", options.quiet, "Print only errors");
    app.add_option("--threads", options.threads, "Worker threads (0 = all cores)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();

    std::vector<Command> commands;
    commands.push_back(makeInfoCommand(app, options));
    commands.push_back(makeSelfTestCommand(app, options));
    commands.push_back(makeAnatomyCommand(app, options));
    commands.push_back(makeRenderCommand(app, options));
    commands.push_back(makeSimulateCommand(app, options));
    commands.push_back(makeLearnCommand(app, options));
    commands.push_back(makeExportCommand(app, options));
    commands.push_back(makeGraphCommand(app, options));
    commands.push_back(makeGraphNullCommand(app, options));
    commands.push_back(makeGraphReportCommand(app, options));
    commands.push_back(makeGraphCommunitiesCommand(app, options));
    commands.push_back(makeGnmCommand(app, options));
    commands.push_back(makeGnmSweepCommand(app, options));
    commands.push_back(makeGnmDevelopCommand(app, options));
    commands.push_back(makeValidateCommand(app, options));
    commands.push_back(makeLabelCommand(app, options));
    commands.push_back(makeDecodeCommand(app, options));
    commands.push_back(makeGlmCommand(app, options));
    commands.push_back(makeAlignCommand(app, options));
    commands.push_back(makePersonalizeCommand(app, options));
    commands.push_back(makeNetworkCommand(app, options));
    commands.push_back(makeTheoryCommand(app, options));
#ifdef NM_WITH_ANN
    commands.push_back(makeAnnCommand(app, options));
    commands.push_back(makeAnnAnalyzeCommand(app, options));
    commands.push_back(makeAnnSweepCommand(app, options));
#endif

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;  // bad usage
    }
    for (auto& c : commands)
        if (c.app->parsed()) return runGuarded(options, c.run);
    return 2;
}
