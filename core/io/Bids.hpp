#pragma once
// BIDS datasets (read): dataset_description.json, functional runs
// sub-*/[ses-*/]func/*_bold.nii[.gz], their JSON sidecars (with BIDS inheritance), events tables
// and confounds tables from derivatives (fMRIPrep's *_desc-confounds_timeseries.tsv).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

/// Entities of a BIDS file name: sub-01_ses-a_task-rest_run-2_bold.nii.gz →
/// {sub: 01, ses: a, task: rest, run: 2}, suffix "bold", extension ".nii.gz".
struct BidsName {
    std::vector<std::pair<std::string, std::string>> entities;  ///< in file-name order
    std::string suffix, extension;
    [[nodiscard]] std::string get(const std::string& key) const;  ///< "" if absent
    [[nodiscard]] bool has(const std::string& key) const;
};
/// nullopt when the name does not follow the BIDS pattern.
std::optional<BidsName> parseBidsName(const std::string& filename);

struct BidsEvent {
    double onset = 0.0, duration = 0.0;
    std::string trialType;                        ///< "" when the column is absent
    std::map<std::string, std::string> extra;     ///< other columns (response_time, ...)
};
/// Reads *_events.tsv: onset and duration are required, n/a durations are errors.
std::vector<BidsEvent> readBidsEvents(const std::filesystem::path& file);

struct BidsRun {
    std::filesystem::path bold;
    std::string subject, session, task, acquisition, run;
    double repetitionTime = 0.0;        ///< seconds, from the (inherited) sidecar
    std::string taskName;
    nlohmann::json sidecar;             ///< merged sidecar (inheritance principle)
    std::optional<std::filesystem::path> events;
    std::optional<std::filesystem::path> confounds;
};

struct BidsFilter {
    std::vector<std::string> subjects, sessions, tasks, runs;  ///< empty: all ("01" or "sub-01")
    /// Studies left out (leave-one-study-out validation): "<dataset directory>/<task>", "<task>"
    /// (or "task-<task>": in every dataset) or "<dataset directory>" (all its tasks).
    std::vector<std::string> excludeStudies;
};

/// Whether `entry` of BidsFilter::excludeStudies names the study (dataset directory name, task).
bool studyMatches(const std::string& entry, const std::string& datasetDirectory, const std::string& task);

struct BidsDataset {
    std::filesystem::path root;
    nlohmann::json description;
    std::string name;
    std::vector<BidsRun> runs;          ///< sorted by subject, session, task, run
    [[nodiscard]] std::vector<std::string> subjects() const;
    [[nodiscard]] std::vector<std::string> sessions() const;
    [[nodiscard]] std::vector<std::string> tasks() const;
};

/// Discovers the functional runs of a dataset. Throws nm::InputError naming the file and field
/// (missing dataset_description.json, missing RepetitionTime, unreadable JSON).
BidsDataset readBidsDataset(const std::filesystem::path& root, const BidsFilter& filter = {});

} // namespace nm::io
