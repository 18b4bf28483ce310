#pragma once
// What the "Personalize a new subject" wizard checks and shows, without Qt (tests drive it): the
// subject's folder (a BIDS sub-<label> folder inside a dataset) and its functional runs, the group
// atlas and its scales, the solver settings, and the `neuromosaic-cli personalize` arguments.
#include <filesystem>
#include <string>
#include <vector>

namespace nm::widgets {

struct SubjectRun {
    std::string task, session, run, file;
    double repetitionTime = 0.0;
    bool events = false, confounds = false;
};

struct SubjectFolderCheck {
    bool ok = false;
    std::string error;                 ///< names the folder and what was expected
    std::string label, dataset;        ///< "01", the dataset root
    std::vector<SubjectRun> runs;
    std::vector<std::string> tasks;    ///< distinct, sorted
};
SubjectFolderCheck checkSubjectFolder(const std::filesystem::path& folder);

struct AtlasCheck {
    bool ok = false;
    std::string error;
    std::vector<int> scales;
    long long voxels = 0;
    bool labelled = false;
    bool heldOutKnown = false;         ///< provenance lists held-out subjects
};
AtlasCheck checkAtlas(const std::filesystem::path& atlas);

struct PersonalizeSettings {
    double alpha = 0.5, rho = 1.0, eps = 1e-4;
    int bcd = 10, inner = 10, coarseSamples = 1000, maxDense = 6000;
};

/// `personalize ATLAS SUBJECT -o OUT --displacement DISP …` (without --progress).
std::vector<std::string> personalizeArguments(const std::filesystem::path& atlas, const std::filesystem::path& subject,
                                              const std::filesystem::path& out, const PersonalizeSettings& settings);
/// <atlas folder>/<atlas stem>_sub-<label>.nmatlas.h5
std::filesystem::path defaultSubjectBundle(const std::filesystem::path& atlas, const std::string& label);
/// The displacement map written next to the bundle: <bundle stem>_displacement.nii.gz
std::filesystem::path displacementFile(const std::filesystem::path& bundle);

} // namespace nm::widgets
