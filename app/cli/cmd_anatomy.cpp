// neuromosaic-cli anatomy: build (or load from the cache) the template surfaces, report their
// statistics and timings, and export them as GIFTI.
#include "CliSupport.hpp"

#include "anatomy/MeshGeometry.hpp"
#include "anatomy/Surfaces.hpp"
#include "io/Gifti.hpp"

#include <iostream>
#include <sstream>

namespace nm::cli {

Command makeAnatomyCommand(CLI::App& root, const GlobalOptions& options) {
    auto* app = root.add_subcommand("anatomy", "Build or load the surfaces of a space; print their statistics; "
                                               "export them as GIFTI");
    auto space = std::make_shared<std::string>("template");
    auto exportDir = std::make_shared<std::string>();
    auto rebuild = std::make_shared<bool>(false);
    app->add_option("--space", *space, "template, fsaverage5 or a surface directory")->capture_default_str();
    app->add_option("--export", *exportDir, "Write {white,pial,midthickness,inflated,sphere}_{left,right}.gii and "
                                            "{sulc,curv,thickness}_{left,right}.gii here");
    app->add_flag("--rebuild", *rebuild, "Build the template surfaces again, ignoring the cache");
    return {app, [space, exportDir, rebuild, &options] {
                JobContext job(options);
                anatomy::SurfaceBuildReport report;
                anatomy::SurfaceSpace s;
                if (*space == "template") {
                    s = *rebuild ? anatomy::buildTemplateSurfaces({}, &job.progress(), &report)
                                 : anatomy::loadTemplateSurfaces({}, &job.progress(), &report);
                } else {
                    s = anatomy::loadSurfaceSpace(*space, &job.progress());
                }
                nlohmann::json out;
                out["space"] = s.id;
                if (*space == "template") {
                    out["from_cache"] = report.fromCache;
                    out["seconds"] = report.seconds;
                    out["cache"] = report.cacheDirectory.string();
                }
                std::ostringstream text;
                text << "space " << s.id;
                if (*space == "template")
                    text << (report.fromCache ? ": loaded from the cache in " : ": built in ") << report.seconds << " s";
                text << "\n";
                for (auto h : {anatomy::Hemisphere::Left, anatomy::Hemisphere::Right}) {
                    const auto& hs = s.hemisphere(h);
                    std::vector<int> labels;
                    const int components = anatomy::meshComponents(hs.white, labels);
                    const double area = anatomy::surfaceArea(hs.white) / 100.0;
                    out[anatomy::toString(h)] = {{"vertices", hs.vertexCount()},
                                                 {"triangles", hs.white.triangleCount()},
                                                 {"components", components},
                                                 {"white_area_cm2", area},
                                                 {"mean_thickness_mm", hs.thickness.mean()}};
                    text << "  " << anatomy::toString(h) << ": " << hs.vertexCount() << " vertices, "
                         << hs.white.triangleCount() << " triangles, " << components << " component(s), white area "
                         << int(area) << " cm², mean thickness " << hs.thickness.mean() << " mm\n";
                    if (!exportDir->empty()) {
                        const std::filesystem::path dir(*exportDir);
                        const std::string side = anatomy::toString(h);
                        const std::string structure = h == anatomy::Hemisphere::Left ? "CortexLeft" : "CortexRight";
                        for (const char* name : {"white", "pial", "midthickness", "inflated", "sphere"})
                            io::writeGiftiSurface(dir / (std::string(name) + "_" + side + ".gii"), hs.surface(name), structure);
                        io::writeGiftiData(dir / ("sulc_" + side + ".gii"), hs.sulc, "NIFTI_INTENT_SHAPE");
                        io::writeGiftiData(dir / ("curv_" + side + ".gii"), hs.curv, "NIFTI_INTENT_SHAPE");
                        io::writeGiftiData(dir / ("thickness_" + side + ".gii"), hs.thickness, "NIFTI_INTENT_SHAPE");
                    }
                }
                job.succeed(text.str(), out);
                job.print(text.str());
                return 0;
            }};
}

} // namespace nm::cli
