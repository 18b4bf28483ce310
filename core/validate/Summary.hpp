#pragma once
// One validation report of an atlas (neuromosaic-cli validate all, issue 21): the seed's three
// criteria — representation of data the model never saw (held-out subjects, literature maps,
// NIfTI maps, a study left out of learning), decoding at scale, explained variance — plus the
// network and the personalization, whichever the atlas and its data allow, in one JSON with a
// plot-ready TSV and a self-contained HTML summary (inline SVG charts). Every figure comes with
// its baseline and a one-line reading ("the atlas explains 14.5 points more of the energy of 4,220
// unseen NeuroQuery maps than PCA at k = 1024"), computed from the reports themselves so the
// dashboard reads the same lines from any report.
#include "align/Personalize.hpp"
#include "io/Table.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace nm::jobs {
class Progress;
}

namespace nm::validate {

/// One figure and what it means.
struct Reading {
    std::string section;            ///< the report's kind
    std::string measure;            ///< e.g. "held-out explained variance"
    int components = 0;             ///< 0 when not per scale
    double value = std::numeric_limits<double>::quiet_NaN();
    double baseline = std::numeric_limits<double>::quiet_NaN();
    std::string baselineMethod;     ///< what `baseline` is ("pca", "identity", …; empty: none)
    std::string text;               ///< the one-line reading
};

/// The readings of one report (any kind `validate` writes; "all" gives those of its sections).
/// Fields a report lacks are passed over, never invented.
std::vector<Reading> readingsOf(const nlohmann::json& report);

/// A grouped bar chart: one value per (series, category); NaN = no bar.
struct SummaryChart {
    std::string section, title, yLabel, xLabel;
    std::vector<std::string> categories;
    std::vector<std::pair<std::string, std::vector<double>>> series;
};
std::vector<SummaryChart> chartsOf(const nlohmann::json& report);

/// The charts as a long table: section, chart, series, category, value.
io::Table chartTable(const std::vector<SummaryChart>& charts);
/// A self-contained HTML page: the readings, the charts (inline SVG), the sections run or skipped.
std::string htmlSummary(const nlohmann::json& allReport);
/// One chart as SVG (width × height pixels).
std::string svgBarChart(const SummaryChart& chart, int width = 640, int height = 300);

struct AllValidationOptions {
    std::filesystem::path bundle;
    std::vector<std::filesystem::path> datasets;    ///< default: the atlas's
    std::optional<std::filesystem::path> truth;     ///< default: a dataset's derivatives/ground_truth
    std::optional<std::filesystem::path> literature;  ///< term maps to represent
    std::vector<std::filesystem::path> maps;        ///< NIfTI maps to represent
    int maxTerms = 0;                               ///< 0: every term map
    std::vector<std::string> leaveOut;              ///< studies for leave-one-study-out (none: not run)
    std::filesystem::path workDir;                  ///< atlases without each study ("": <bundle>.validation/leave-out)
    int leaveOutMaxIterations = 0;
    std::vector<std::string> skip;                  ///< sections not to run
    int personalizationSubjects = 2;                ///< held-out subjects personalized (0: all)
    align::PersonalizeOptions personalize;
    std::filesystem::path cacheDir;
    std::uint64_t seed = 0;
};

/// The sections in the order they run.
inline const std::vector<std::string>& validationSections() {
    static const std::vector<std::string> s{"reconstruction", "representation", "decoding", "network", "personalization", "leave-one-study-out"};
    return s;
}

/// Runs every section the atlas and data allow: {"kind": "all", "atlas", "sections": [{"name",
/// "status": done|skipped|failed, "reason", "seconds", "report"}], "readings": [...]}. A section
/// that is not possible is skipped with the reason; one that fails keeps its error and the others
/// still run (the caller decides the exit status). Cancellation stops everything.
nlohmann::json validateAll(const AllValidationOptions& options, jobs::Progress& progress);

} // namespace nm::validate
