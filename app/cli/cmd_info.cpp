// neuromosaic-cli info: versions, resolved data and cache paths.
#include "CliSupport.hpp"

#include "common/Paths.hpp"
#include "common/Version.hpp"

#include <iostream>
#include <thread>

namespace nm::cli {

Command makeInfoCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("info", "Print versions, resolved data and cache paths");
    auto json = std::make_shared<bool>(false);
    app->add_flag("--json", *json, "Print as one JSON object");
    return {app, [json] {
                nlohmann::json j;
                nlohmann::json libs = nlohmann::json::object();
                for (const auto& [name, ver] : libraryVersions()) libs[name] = ver;
                j["versions"] = libs;
                const auto mricron = paths::mricronTemplatesDir();
                const auto testData = paths::testDataDir();
                j["paths"] = {{"cache", paths::cacheDir().string()},
                              {"mricron_templates", mricron.string()},
                              {"mricron_templates_present", std::filesystem::exists(mricron / "ch2bet.nii.gz")},
                              {"test_data", testData ? testData->string() : std::string()}};
                j["hardware"] = {{"threads", std::thread::hardware_concurrency()}};
                if (*json) {
                    std::cout << j.dump(2) << '\n';
                    return 0;
                }
                std::cout << "NeuroMosaic " << version() << " (" << gitRevision() << ")\n\nVersions\n";
                for (const auto& [name, ver] : libraryVersions())
                    if (name != "NeuroMosaic") std::cout << "  " << name << ": " << ver << '\n';
                std::cout << "\nPaths\n"
                          << "  cache:             " << paths::cacheDir().string() << '\n'
                          << "  MNI templates:     " << mricron.string()
                          << (j["paths"]["mricron_templates_present"].get<bool>() ? "" : "  (missing: install mricron-data)")
                          << '\n'
                          << "  test data:         " << (testData ? testData->string() : "(not found; set NEUROMOSAIC_TEST_DATA)")
                          << "\n\nHardware\n  threads:           " << std::thread::hardware_concurrency() << '\n';
                return 0;
            }};
}

} // namespace nm::cli
