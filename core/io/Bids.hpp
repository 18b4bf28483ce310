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

/// A JSON file (sidecars, dataset descriptions); throws nm::InputError naming the file.
nlohmann::json readJsonFile(const std::filesystem::path& file);

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
    /// fMRIPrep derivatives: the template space and resolution of `bold` (a *_desc-preproc_bold
    /// image) and its brain mask (*_desc-brain_mask). Empty for raw runs.
    std::string space, resolution;
    std::optional<std::filesystem::path> brainMask;
};

struct BidsFilter {
    std::vector<std::string> subjects, sessions, tasks, runs;  ///< empty: all ("01" or "sub-01")
    /// Studies left out (leave-one-study-out validation): "<dataset directory>/<task>", "<task>"
    /// (or "task-<task>": in every dataset) or "<dataset directory>" (all its tasks).
    std::vector<std::string> excludeStudies;
    /// Which images: "" (auto: fMRIPrep's preprocessed images in an MNI space when the dataset
    /// has them — itself a derivative dataset, or under derivatives/ — else the raw images),
    /// "raw" (the raw images, whatever derivatives exist), or a space label
    /// (MNI152NLin2009cAsym, MNI152NLin6Asym, …) that must be present.
    std::string space;
    /// The res entity within the space ("": res-2 when present, else the first).
    std::string resolution;
};

/// Whether `entry` of BidsFilter::excludeStudies names the study (dataset directory name, task).
bool studyMatches(const std::string& entry, const std::string& datasetDirectory, const std::string& task);

struct BidsDataset {
    std::filesystem::path root;
    nlohmann::json description;
    std::string name;
    /// Where the images come from: "raw", or "fmriprep" (then `derivatives` is the derivative
    /// dataset read, `spaces` the spaces it offers and the runs' `space` the one chosen).
    std::string layout = "raw";
    std::optional<std::filesystem::path> derivatives;
    std::vector<std::string> spaces;
    std::vector<BidsRun> runs;          ///< sorted by subject, session, task, run
    [[nodiscard]] std::vector<std::string> subjects() const;
    [[nodiscard]] std::vector<std::string> sessions() const;
    [[nodiscard]] std::vector<std::string> tasks() const;
};

/// Whether a space label is a template the atlas can use: the MNI volume spaces (MNI152NLin2009cAsym,
/// MNI152NLin6Asym, MNI152Lin, MNIColin27, MNI305 …); subject spaces (T1w, fsnative, boldref) are not.
bool isTemplateSpace(const std::string& space);

/// Discovers the functional runs of a dataset: a raw BIDS dataset, a raw dataset with fMRIPrep
/// derivatives under derivatives/ (their preprocessed images are used, events from the raw
/// dataset), or an fMRIPrep derivative dataset itself (events from the raw dataset it sits in,
/// ../.., when there is one). Throws nm::InputError naming the file and field (missing
/// dataset_description.json, missing RepetitionTime, unreadable JSON, a space not present or not
/// a template).
BidsDataset readBidsDataset(const std::filesystem::path& root, const BidsFilter& filter = {});

} // namespace nm::io
