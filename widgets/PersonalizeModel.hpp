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
    std::vector<std::string> concepts; ///< the concepts some scale labels (sorted)
};
AtlasCheck checkAtlas(const std::filesystem::path& atlas);

/// A contrast map of the subject named by a concept: a NIfTI file, or two GIFTI files (left, right).
struct ContrastMapEntry {
    std::string concept_;              ///< (`concept` is a C++20 keyword)
    std::string file, rightFile;       ///< rightFile: the right hemisphere of a GIFTI pair
};

struct ContrastMapsCheck {
    bool ok = false;
    std::string error;                 ///< names the entry, the file and what was expected
    int volumes = 0, surfaces = 0;     ///< NIfTI maps, GIFTI pairs
};
/// Each entry: a concept the atlas labels (when the atlas is known), existing files, NIfTI
/// (.nii, .nii.gz) or a GIFTI pair (.gii both).
ContrastMapsCheck checkContrastMaps(const std::vector<ContrastMapEntry>& maps, const AtlasCheck& atlas);

struct PersonalizeSettings {
    double alpha = 0.5, rho = 1.0, eps = 1e-4;
    int bcd = 10, inner = 10, coarseSamples = 1000, maxDense = 6000;
    bool surfaces = false;             ///< also on both hemispheres' cortical surfaces
};

/// `personalize ATLAS [SUBJECT] [--contrast CONCEPT=FILE …] -o OUT --displacement DISP …` (without
/// --progress); the subject may be empty when contrast maps are given.
std::vector<std::string> personalizeArguments(const std::filesystem::path& atlas, const std::filesystem::path& subject,
                                              const std::filesystem::path& out, const PersonalizeSettings& settings,
                                              const std::vector<ContrastMapEntry>& maps = {});
/// <atlas folder>/<atlas stem>_sub-<label>.nmatlas.h5
std::filesystem::path defaultSubjectBundle(const std::filesystem::path& atlas, const std::string& label);
/// The displacement map written next to the bundle: <bundle stem>_displacement.nii.gz
std::filesystem::path displacementFile(const std::filesystem::path& bundle);

} // namespace nm::widgets
