#include "signal/FirstLevel.hpp"

#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "signal/Glm.hpp"
#include "signal/Hrf.hpp"

#include <map>

namespace nm::signal {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
} // namespace

std::vector<ContrastTerm> parseContrast(const std::string& text) {
    std::vector<ContrastTerm> out;
    std::string rest = trim(text);
    if (rest.size() >= 2 && (rest.back() == '-' || rest.back() == '+') && rest[rest.size() - 2] == ' ')
        throw InputError("--contrast: '" + text + "' ends with a sign");
    double sign = 1.0;
    if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
        sign = rest[0] == '-' ? -1.0 : 1.0;
        rest = trim(rest.substr(1));
    }
    for (;;) {
        const auto plus = rest.find(" + "), minus = rest.find(" - ");
        const auto cut = std::min(plus, minus);
        std::string part = trim(rest.substr(0, cut));
        ContrastTerm t;
        t.weight = sign;
        if (const auto star = part.find('*'); star != std::string::npos) {
            try {
                t.weight *= std::stod(part.substr(0, star));
            } catch (const std::exception&) {
                throw InputError("--contrast: '" + part + "': the weight before '*' is not a number");
            }
            part = trim(part.substr(star + 1));
        }
        if (part.empty()) throw InputError("--contrast: '" + text + "': expected conditions separated by ' + ' or ' - ' (e.g. \"LH - RH\")");
        t.condition = part;
        out.push_back(t);
        if (cut == std::string::npos) break;
        sign = cut == minus ? -1.0 : 1.0;
        rest = rest.substr(cut + 3);
    }
    return out;
}

FirstLevelResult firstLevelContrast(const RunFiles& run, const std::vector<io::BidsEvent>& events,
                                    const std::vector<ContrastTerm>& contrast, const FirstLevelOptions& o) {
    const Volume bold = io::readNifti(run.bold);
    const double tr = run.repetitionTime > 0 ? run.repetitionTime : bold.repetitionTime;
    if (!(tr > 0)) throw fileError(run.bold, "RepetitionTime", "unknown (no sidecar and no pixdim[4])");
    const BrainMask mask = o.mask ? BrainMask::fromFile(*o.mask) : epiMask(bold);
    RunFiles files = run;
    files.repetitionTime = tr;
    const RowMatrixF data = preprocessRun(files, mask, o.preprocess);
    const int T = int(data.rows());
    std::map<std::string, std::vector<Event>> byCondition;
    for (const auto& e : events) byCondition[e.trialType.empty() ? "(no trial_type)" : e.trialType].push_back({e.onset, e.duration, 1.0});
    FirstLevelResult out;
    const Eigen::MatrixXd nuisance = nuisanceRegressors(files, T, tr, o.preprocess);
    Eigen::MatrixXd design(T, Eigen::Index(byCondition.size()) + nuisance.cols() + 1);
    Eigen::Index c = 0;
    for (const auto& [name, ev] : byCondition) {
        design.col(c++) = convolvedRegressor(ev, T, tr);
        out.conditions.push_back(name);
    }
    design.middleCols(c, nuisance.cols()) = nuisance;
    design.col(design.cols() - 1).setOnes();
    Eigen::VectorXd weights = Eigen::VectorXd::Zero(design.cols());
    for (const auto& t : contrast) {
        const auto it = std::find(out.conditions.begin(), out.conditions.end(), t.condition);
        if (it == out.conditions.end()) {
            std::string have;
            for (const auto& n : out.conditions) have += (have.empty() ? "" : ", ") + n;
            throw InputError("--contrast: condition '" + t.condition + "' has no event in the events table (conditions: " + have + ")");
        }
        weights[it - out.conditions.begin()] += t.weight;
    }
    const GlmFit fit = fitGlm(design, Eigen::MatrixXf(data), GlmOptions{o.ar1});
    const Eigen::VectorXd t = tContrast(fit, weights);
    out.degreesOfFreedom = fit.degreesOfFreedom;
    out.t.geometry = mask.geometry;
    out.t.frames = 1;
    out.t.data.assign(mask.geometry.voxelCount(), 0.0f);
    for (std::size_t v = 0; v < mask.voxels.size(); ++v) out.t.data[std::size_t(mask.voxels[v])] = float(t[Eigen::Index(v)]);
    return out;
}

} // namespace nm::signal
