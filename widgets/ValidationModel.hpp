#pragma once
// The validation dashboard's model (Qt-free, tested without a display): reads the JSON reports of
// `neuromosaic-cli validate reconstruction|representation|network|decoding|personalization|
// leave-one-study-out|all` into chart
// specifications (title, axes with units, series of points or per-category values, box plots),
// finds the reports cached next to an atlas bundle, and builds the validation jobs' arguments.
#include "io/AtlasBundle.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace nm::widgets {

struct ChartSeries {
    std::string name;
    std::vector<double> x, y;                 ///< Line/Scatter: points; Bar: y per category
    std::vector<std::vector<double>> boxes;   ///< Box: one sample per category
};

struct ChartSpec {
    enum class Kind { Line, Scatter, Bar, Box };
    std::string id;                           ///< stable key, e.g. "reconstruction/explained-variance"
    std::string title, xLabel, yLabel;        ///< axis labels carry their units
    Kind kind = Kind::Line;
    bool logX = false;                        ///< components axis (base 2)
    std::vector<std::string> categories;      ///< Bar and Box: the x slots
    std::vector<ChartSeries> series;
    double yMin = std::numeric_limits<double>::quiet_NaN(), yMax = std::numeric_limits<double>::quiet_NaN();
    double xMin = std::numeric_limits<double>::quiet_NaN(), xMax = std::numeric_limits<double>::quiet_NaN();
    [[nodiscard]] std::size_t pointCount() const;  ///< over all series (bars and boxes count one each)
};

struct ValidationReportData {
    std::string kind;                         ///< reconstruction | network | decoding | personalization
    std::filesystem::path file;
    std::string summary;                      ///< one line for the panel's list
    std::vector<std::string> readings;        ///< each figure with its baseline, one line each (validate/Summary.hpp)
    std::vector<ChartSpec> charts;
    /// Per-component figures for the component table: name → (components → values, NaN = none).
    std::vector<std::pair<std::string, std::vector<std::pair<int, std::vector<double>>>>> componentColumns;
};

/// Parses a report. Throws nm::InputError naming the file and the field (not JSON, unknown kind,
/// a field missing or of the wrong type).
ValidationReportData readValidationReport(const std::filesystem::path& file);
ValidationReportData parseValidationReport(const nlohmann::json& report, const std::filesystem::path& file);
/// Every report a file holds: one, or for `validate all` its summary (kind "summary": the sections
/// run and skipped, every reading) followed by the reports of the sections that ran.
std::vector<ValidationReportData> readValidationReports(const std::filesystem::path& file);
std::vector<ValidationReportData> parseValidationReports(const nlohmann::json& report, const std::filesystem::path& file);

/// Where the app caches a bundle's reports: <bundle without .nmatlas.h5>.validation/
std::filesystem::path validationDirectory(const std::filesystem::path& bundle);
/// The cached reports present: reconstruction, network, decoding, personalization, representation,
/// leave-one-study-out and all (.json).
std::vector<std::filesystem::path> cachedReports(const std::filesystem::path& bundle);

/// The validation jobs for a bundle (arguments after the CLI name, each writing into the
/// validation directory): reconstruction always; network when `truthNetwork` (a simulated cohort
/// with a true network); decoding when `labelled`; the representation of the literature's term
/// maps when a literature folder is given. Titles paired with arguments.
struct ValidationJob {
    std::string title;
    std::vector<std::string> arguments;
    std::filesystem::path report;
};
std::vector<ValidationJob> validationJobs(const std::filesystem::path& bundle, bool truthNetwork, bool labelled,
                                          const std::filesystem::path& literature = {});
/// One `validate all` job for the bundle: every section it allows into <validation dir>/all.json
/// (with all.tsv and all.html beside it), the literature's term maps represented when given.
ValidationJob validateAllJob(const std::filesystem::path& bundle, const std::filesystem::path& literature = {});
/// The same, deciding from the bundle itself: labelled when a scale has labels; the network when a
/// dataset of its provenance holds a true network for one of its scales
/// (derivatives/ground_truth/network_scale-<k>_precision.npy). `bundle` may be null (reconstruction only).
std::vector<ValidationJob> validationJobsFor(const std::filesystem::path& file, const io::AtlasBundle* bundle,
                                             const std::filesystem::path& literature = {});

} // namespace nm::widgets
