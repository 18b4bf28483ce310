#pragma once
// The synthetic cohort simulator: a multi-study fMRI collection with known ground truth — the
// application's default data and the reference for every end-to-end validation.
//
// Truth: nested multiscale components on the MNI template (coarse scales follow AAL regions,
// finer scales split their parent into contiguous sub-regions; sparse, positive, smooth,
// overlapping maps); a vocabulary of Cognitive Atlas concepts, each driving a weighted set of fine
// components; several studies (tasks) with block or event-related designs, different TRs and their
// own condition names; a sparse modular precision matrix between components for resting state;
// per-subject smooth deformations, amplitude and extent changes and a few splits or merges.
// Data: HRF-convolved signal, AR(1) noise, drifts, motion (with confounds), global fluctuations,
// written as a BIDS dataset plus derivatives/ground_truth (docs/simulator.md).
#include "jobs/Progress.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::simulate {

struct SimulationConfig {
    std::string preset = "tiny";
    std::uint64_t seed = 0;
    int subjects = 3;
    double voxelMm = 8.0;
    int studies = 2;                       ///< task datasets (the rest run comes on top)
    int studiesPerSubject = 2;
    std::vector<int> scales{16, 64};       ///< nested: each a multiple-or-more of the previous
    int networkScale = 64;                 ///< scale of the resting-state network (one of `scales`)
    int modules = 6;                       ///< modules of the ground-truth network
    int taskVolumes = 100;                 ///< per task run (TR set per study)
    int restVolumes = 100;
    double restTr = 2.0;
    double tsnrMin = 50.0, tsnrMax = 100.0;  ///< temporal SNR range over the brain
    double ar1 = 0.35;                     ///< AR(1) coefficient of the noise (per volume)
    double taskAmplitude = 4.0;            ///< percent signal change of a concept at its peak (primary cortex at 3 T: 2–5 %)
    double restAmplitude = 1.0;            ///< percent signal change of network fluctuations
    double fineAmplitude = 0.6;            ///< percent, independent fluctuations of each component finer than the network scale
    double deformationMinMm = 2.0, deformationMaxMm = 8.0;
    int variantsPerSubject = 2;            ///< splits/merges per subject (finest scale)
    bool int16Data = true;                 ///< store BOLD as int16, as scanners do
    int compressionLevel = 1;              ///< gzip level of the NIfTI files (1: fast)
    int threads = 0;                       ///< 0: all cores
    /// "bids": raw BIDS, confounds in derivatives/simulated_preprocessing. "fmriprep": also the
    /// images as fMRIPrep writes them (derivatives/fmriprep: *_space-MNI152NLin2009cAsym_desc-
    /// preproc_bold, brain masks, its full confounds table and JSON), with what fMRIPrep flags:
    /// a non-steady-state first volume and two head jerks per run (FD > 0.2 mm).
    std::string layout = "bids";

    /// "tiny" (3 subjects, 8 mm, 2 studies), "demo" (20, 4 mm, 4), "large" (200, 3 mm, 8).
    static SimulationConfig fromPreset(const std::string& name);
    /// Throws nm::InputError naming the parameter when something is out of range.
    void validate() const;
};

struct SimulationReport {
    double seconds = 0.0;
    long peakRssKb = 0;                    ///< peak resident memory of the process
    int subjects = 0, runs = 0;
    std::uintmax_t bytesWritten = 0;
    std::vector<int> scales;
    int concepts = 0;
    int resumedSubjects = 0;               ///< subjects found complete from an earlier run
};

/// Writes the dataset under `out` (created; a partial dataset from an interrupted run with the
/// same configuration is resumed subject by subject).
SimulationReport simulate(const SimulationConfig& config, const std::filesystem::path& out, jobs::Progress& progress);

/// The concept vocabulary (Cognitive Atlas names) used by the simulator.
std::vector<std::string> conceptNames();

} // namespace nm::simulate
