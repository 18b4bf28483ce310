#include "signal/Preprocess.hpp"

#include "anatomy/Isosurface.hpp"
#include "anatomy/VolumeOps.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Nifti.hpp"
#include "io/Resample.hpp"
#include "io/Table.hpp"
#include "signal/Hrf.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

namespace nm::signal {

Volume BrainMask::volume() const {
    Volume v;
    v.geometry = geometry;
    v.data.assign(geometry.voxelCount(), 0.0f);
    for (auto i : voxels) v.data[std::size_t(i)] = 1.0f;
    return v;
}

BrainMask BrainMask::fromVolume(const Volume& mask, float threshold) {
    BrainMask m;
    m.geometry = mask.geometry;
    for (std::size_t i = 0; i < mask.voxelCount(); ++i)
        if (mask.data[i] > threshold) m.voxels.push_back(std::int64_t(i));
    if (m.voxels.empty()) throw InputError("mask: no voxel above " + std::to_string(threshold));
    return m;
}

BrainMask BrainMask::fromFile(const std::filesystem::path& file, float threshold) {
    const Volume v = io::readNifti(file);
    try {
        return fromVolume(v, threshold);
    } catch (const InputError&) {
        throw fileError(file, "mask", "no voxel above " + std::to_string(threshold) + ": the mask is empty");
    }
}

namespace {
BrainMask cleanMask(const VolumeGeometry& g, const std::vector<bool>& in) {
    anatomy::Mask m = anatomy::makeMask(g.dims);
    for (std::size_t i = 0; i < m.size(); ++i) m.data[i] = in[i];
    m = anatomy::fillHoles(anatomy::largestComponent(m));
    BrainMask out;
    out.geometry = g;
    for (std::size_t i = 0; i < m.size(); ++i)
        if (m.data[i]) out.voxels.push_back(std::int64_t(i));
    return out;
}
} // namespace

BrainMask intersectMasks(const std::vector<std::filesystem::path>& files, const VolumeGeometry& grid) {
    if (files.empty()) throw InputError("intersectMasks: no mask");
    std::vector<int> count(grid.voxelCount(), 0);
    for (const auto& f : files) {
        Volume v = io::readNifti(f);
        if (!v.geometry.sameGrid(grid, 1e-2)) v = io::resampleToGrid(v, grid, io::Interpolation::Nearest);
        for (std::size_t i = 0; i < count.size(); ++i)
            if (v.data[i] > 0.5f) ++count[i];
    }
    std::vector<bool> in(count.size());
    for (std::size_t i = 0; i < count.size(); ++i) in[i] = 2 * count[i] >= int(files.size()) && count[i] > 0;
    BrainMask m = cleanMask(grid, in);
    if (m.voxels.empty()) throw fileError(files.front(), "mask", "the brain masks do not overlap (no voxel in half of them)");
    return m;
}

BrainMask epiMask(const Volume& run) {
    Volume mean;
    mean.geometry = run.geometry;
    mean.data.assign(run.voxelCount(), 0.0f);
    for (int t = 0; t < run.frames; ++t)
        for (std::size_t i = 0; i < run.voxelCount(); ++i) mean.data[i] += run.frame(t)[i] / float(run.frames);
    std::vector<float> sorted = mean.data;
    std::sort(sorted.begin(), sorted.end());
    const float lo = sorted[std::size_t(0.2 * double(sorted.size() - 1))], hi = sorted[std::size_t(0.85 * double(sorted.size() - 1))];
    // Otsu between the percentiles: the valley between background and brain intensities.
    Volume clipped = mean;
    for (auto& x : clipped.data) x = std::clamp(x, lo, hi) - lo + 1.0f;
    const double threshold = anatomy::otsuThreshold(clipped) + lo - 1.0;
    std::vector<bool> in(mean.voxelCount());
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = mean.data[i] > threshold;
    BrainMask m = cleanMask(mean.geometry, in);
    if (m.voxels.size() < 100) throw InputError("EPI mask: fewer than 100 voxels (is this a brain image?)");
    return m;
}

BrainMask templateMask(const VolumeGeometry& grid) {
    const auto file = paths::mricronTemplatesDir() / "ch2bet.nii.gz";
    if (!std::filesystem::exists(file))
        throw fileError(file, "template mask needs the Debian package mricron-data (or NEUROMOSAIC_MRICRON_DIR)");
    const Volume t1 = io::readNifti(file);
    const Volume r = io::resampleToGrid(t1, grid, io::Interpolation::Linear);
    std::vector<bool> in(r.voxelCount());
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = r.data[i] > 25.0f;
    return cleanMask(grid, in);
}

void cleanSignals(RowMatrixF& data, const Eigen::MatrixXd& regressors, bool standardize, int censored) {
    const Eigen::Index n = data.rows();
    Eigen::MatrixXd X(n, regressors.cols() + 1);
    X.col(0).setOnes();
    if (regressors.cols() > 0) X.rightCols(regressors.cols()) = regressors;
    // Orthonormal basis of the regressors (thin QR), then residual = (I − QQᵀ) y for every voxel.
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(X);
    const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(n, X.cols());
    const Eigen::MatrixXf Qf = Q.cast<float>();
    const Eigen::MatrixXf proj = Qf.transpose() * data;  // q × p
    data -= Qf * proj;
    if (!standardize) return;
    for (Eigen::Index v = 0; v < data.cols(); ++v) {
        const float sd = std::sqrt(data.col(v).squaredNorm() / float(std::max<Eigen::Index>(1, n - censored - 1)));
        if (sd > 1e-6f) data.col(v) /= sd;
        else data.col(v).setZero();
    }
}

NuisanceModel nuisanceModel(const RunFiles& run, int volumes, double tr, const PreprocessOptions& o) {
    const Eigen::Index T = volumes;
    // Linear trend, cosine drifts, confounds (z-scored), spikes.
    std::vector<Eigen::VectorXd> cols;
    NuisanceModel m;
    if (o.detrend) {
        cols.push_back(Eigen::VectorXd::LinSpaced(T, -1.0, 1.0));
        m.names.push_back("linear_trend");
    }
    if (o.highPassSeconds > 0) {
        const Eigen::MatrixXd drift = cosineDrift(int(T), tr, o.highPassSeconds);
        for (Eigen::Index c = 1; c < drift.cols(); ++c) {
            cols.push_back(drift.col(c));
            m.names.push_back("drift_" + std::to_string(c));
        }
    }
    const ConfoundStrategy& s = o.confounds;
    if (!s.compcor.empty() && !(o.highPassSeconds > 0))
        throw InputError("confounds: CompCor components were computed on high-passed data: the data must be high-passed too "
                         "(--high-pass > 0), as nilearn's load_confounds requires");
    if (!s.empty()) {
        if (!run.confounds && s.required)
            throw fileError(run.bold, "confounds", "no confounds TSV found for this run (in derivatives/), and the denoising strategy '" +
                                                       s.describe() + "' needs one; pass --no-confounds to learn without");
        if (run.confounds) {
            const RunConfounds rc = loadConfounds(*run.confounds, int(T), s);
            for (Eigen::Index j = 0; j < rc.regressors.cols(); ++j) {
                Eigen::VectorXd c = rc.regressors.col(j);
                // Centred and scaled on the volumes kept, as nilearn demeans on the sample mask.
                std::vector<bool> keep(std::size_t(T), true);
                for (int t : rc.censored) keep[std::size_t(t)] = false;
                double mean = 0.0;
                int n = 0;
                for (Eigen::Index t = 0; t < T; ++t)
                    if (keep[std::size_t(t)]) mean += c[t], ++n;
                mean /= std::max(1, n);
                c.array() -= mean;
                double ss = 0.0;
                for (Eigen::Index t = 0; t < T; ++t)
                    if (keep[std::size_t(t)]) ss += c[t] * c[t];
                const double sd = std::sqrt(ss / std::max(1, n));
                if (sd > 0) {
                    cols.push_back(c / sd);
                    m.names.push_back(rc.names[std::size_t(j)]);
                }
            }
            for (int t : rc.censored) {
                Eigen::VectorXd spike = Eigen::VectorXd::Zero(T);
                spike[t] = 1.0;
                cols.push_back(std::move(spike));
                m.names.push_back("censored_" + std::to_string(t));
            }
            m.censored = rc.censored;
        }
    }
    m.regressors.resize(T, Eigen::Index(cols.size()));
    for (std::size_t c = 0; c < cols.size(); ++c) m.regressors.col(Eigen::Index(c)) = cols[c];
    return m;
}

Eigen::MatrixXd nuisanceRegressors(const RunFiles& run, int volumes, double tr, const PreprocessOptions& o) {
    return nuisanceModel(run, volumes, tr, o).regressors;
}

RowMatrixF preprocessRun(const RunFiles& run, const BrainMask& mask, const PreprocessOptions& o) {
    Volume bold = io::readNifti(run.bold);
    if (bold.frames < 3) throw fileError(run.bold, "dim[4]", "a run needs at least 3 volumes, found " + std::to_string(bold.frames));
    const double tr = run.repetitionTime > 0 ? run.repetitionTime : bold.repetitionTime;
    if (!(tr > 0)) throw fileError(run.bold, "RepetitionTime", "unknown (no sidecar and no pixdim[4])");
    if (!bold.geometry.sameGrid(mask.geometry, 1e-2)) bold = io::resampleToGrid(bold, mask.geometry, io::Interpolation::Linear);
    if (o.smoothingFwhmMm > 0) {
        const Eigen::Vector3d vox = mask.geometry.voxelSize();
        const double sigma = o.smoothingFwhmMm / std::sqrt(8.0 * std::log(2.0));
        for (int t = 0; t < bold.frames; ++t) {
            std::vector<float> frame(bold.frame(t), bold.frame(t) + bold.voxelCount());
            anatomy::gaussianSmooth(frame, bold.geometry.dims, {sigma / vox[0], sigma / vox[1], sigma / vox[2]});
            std::copy(frame.begin(), frame.end(), bold.frame(t));
        }
    }
    const Eigen::Index T = bold.frames, p = mask.size();
    RowMatrixF data(T, p);
    for (Eigen::Index t = 0; t < T; ++t) {
        const float* f = bold.frame(int(t));
        for (Eigen::Index v = 0; v < p; ++v) data(t, v) = f[mask.voxels[std::size_t(v)]];
    }
    bold.data.clear();
    bold.data.shrink_to_fit();
    const NuisanceModel nuisance = nuisanceModel(run, int(T), tr, o);
    cleanSignals(data, nuisance.regressors, o.standardize, int(nuisance.censored.size()));
    for (int t : nuisance.censored) data.row(t).setZero();  // zero up to rounding after their spike regressors
    return data;
}

} // namespace nm::signal
