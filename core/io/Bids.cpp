#include "io/Bids.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Nifti.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace nm::io {

nlohmann::json readJsonFile(const std::filesystem::path& file) {
    try {
        return nlohmann::json::parse(readFileBytes(file));
    } catch (const nlohmann::json::exception& e) {  // parse errors and out-of-range numbers
        throw fileError(file, "not valid JSON (" + std::string(e.what()) + ")");
    }
}

namespace {

nlohmann::json readJson(const std::filesystem::path& file) { return readJsonFile(file); }

std::string stripPrefix(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0 ? s.substr(prefix.size()) : s;
}

bool accepts(const std::vector<std::string>& wanted, const std::string& value, const std::string& prefix) {
    if (wanted.empty()) return true;
    for (const auto& w : wanted)
        if (stripPrefix(w, prefix) == value) return true;
    return false;
}

} // namespace

bool studyMatches(const std::string& entry, const std::string& datasetDirectory, const std::string& task) {
    return entry == datasetDirectory + "/" + task || entry == datasetDirectory + "/task-" + task || entry == task ||
           entry == "task-" + task || entry == datasetDirectory;
}

namespace {

/// Sidecars that apply to `boldName` by the inheritance principle, from the top of the tree down.
std::vector<std::filesystem::path> sidecarChain(const std::filesystem::path& root, const std::filesystem::path& bold,
                                                const BidsName& name) {
    std::vector<std::filesystem::path> dirs;
    for (auto d = bold.parent_path();; d = d.parent_path()) {
        dirs.push_back(d);
        if (d == root || d == d.parent_path() || d.string().size() <= root.string().size()) break;
    }
    std::reverse(dirs.begin(), dirs.end());
    std::vector<std::filesystem::path> chain;
    for (const auto& dir : dirs) {
        std::error_code ec;
        std::vector<std::filesystem::path> here;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (!entry.is_regular_file()) continue;
            const auto candidate = parseBidsName(entry.path().filename().string());
            if (!candidate || candidate->extension != ".json" || candidate->suffix != name.suffix) continue;
            bool subset = true;
            for (const auto& [k, v] : candidate->entities)
                if (name.get(k) != v) subset = false;
            if (subset) here.push_back(entry.path());
        }
        // Fewer entities first: more specific files override.
        std::sort(here.begin(), here.end(), [](const auto& a, const auto& b) {
            return parseBidsName(a.filename().string())->entities.size() < parseBidsName(b.filename().string())->entities.size();
        });
        chain.insert(chain.end(), here.begin(), here.end());
    }
    return chain;
}

std::optional<std::filesystem::path> findConfounds(const std::filesystem::path& root, const BidsName& name) {
    const auto derivatives = root / "derivatives";
    if (!std::filesystem::is_directory(derivatives)) return std::nullopt;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(derivatives, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (!it->is_regular_file()) continue;
        const auto candidate = parseBidsName(it->path().filename().string());
        if (!candidate || candidate->extension != ".tsv") continue;
        const bool confounds = (candidate->suffix == "timeseries" || candidate->suffix == "regressors") &&
                               candidate->get("desc") == "confounds";
        if (!confounds) continue;
        bool same = true;
        for (const auto& [k, v] : name.entities)
            if (candidate->get(k) != v) same = false;
        if (same) return it->path();
    }
    return std::nullopt;
}

} // namespace

std::string BidsName::get(const std::string& key) const {
    for (const auto& [k, v] : entities)
        if (k == key) return v;
    return {};
}

bool BidsName::has(const std::string& key) const {
    return std::any_of(entities.begin(), entities.end(), [&](const auto& e) { return e.first == key; });
}

std::optional<BidsName> parseBidsName(const std::string& filename) {
    static const std::regex re(R"(^((?:[a-zA-Z0-9]+-[a-zA-Z0-9]+_)*)([a-zA-Z0-9]+)(\.[a-zA-Z0-9.]+)$)");
    std::smatch m;
    if (!std::regex_match(filename, m, re)) return std::nullopt;
    BidsName n;
    n.suffix = m[2].str();
    n.extension = m[3].str();
    const std::string ents = m[1].str();
    std::size_t pos = 0;
    while (pos < ents.size()) {
        const auto underscore = ents.find('_', pos);
        const std::string pair = ents.substr(pos, underscore - pos);
        const auto dash = pair.find('-');
        n.entities.emplace_back(pair.substr(0, dash), pair.substr(dash + 1));
        pos = underscore + 1;
    }
    return n;
}

std::vector<BidsEvent> readBidsEvents(const std::filesystem::path& file) {
    const Table t = readTable(file, {'\t', true, '\0'});
    const auto onset = t.numbers("onset");
    const auto duration = t.numbers("duration");
    const bool hasType = t.hasColumn("trial_type");
    std::vector<BidsEvent> events(t.rowCount());
    for (std::size_t r = 0; r < t.rowCount(); ++r) {
        if (!std::isfinite(onset[r])) throw fileError(file, "row " + std::to_string(r + 1) + ", column 'onset'", "expected a number");
        if (!std::isfinite(duration[r]) || duration[r] < 0)
            throw fileError(file, "row " + std::to_string(r + 1) + ", column 'duration'", "expected a number >= 0");
        events[r].onset = onset[r];
        events[r].duration = duration[r];
        if (hasType) events[r].trialType = t.cell(r, "trial_type");
        for (std::size_t c = 0; c < t.columnCount(); ++c) {
            const auto& col = t.columns()[c];
            if (col != "onset" && col != "duration" && col != "trial_type") events[r].extra[col] = t.cell(r, c);
        }
    }
    return events;
}

std::vector<std::string> BidsDataset::subjects() const {
    std::set<std::string> s;
    for (const auto& r : runs) s.insert(r.subject);
    return {s.begin(), s.end()};
}

std::vector<std::string> BidsDataset::sessions() const {
    std::set<std::string> s;
    for (const auto& r : runs)
        if (!r.session.empty()) s.insert(r.session);
    return {s.begin(), s.end()};
}

std::vector<std::string> BidsDataset::tasks() const {
    std::set<std::string> s;
    for (const auto& r : runs) s.insert(r.task);
    return {s.begin(), s.end()};
}

namespace {

nlohmann::json readDescription(const std::filesystem::path& root) {
    const auto descFile = root / "dataset_description.json";
    if (!std::filesystem::exists(descFile))
        throw fileError(descFile, "missing; a BIDS dataset needs dataset_description.json at its root");
    nlohmann::json d = readJson(descFile);
    if (!d.is_object() || !d.contains("Name") || !d["Name"].is_string()) throw fileError(descFile, "Name", "missing (required by BIDS)");
    if (!d.contains("BIDSVersion")) throw fileError(descFile, "BIDSVersion", "missing (required by BIDS)");
    return d;
}

bool isDerivative(const nlohmann::json& d) {
    return d.contains("DatasetType") && d["DatasetType"].is_string() && d["DatasetType"].get<std::string>() == "derivative";
}

/// sub-*/func and sub-*/ses-*/func of a subject folder.
std::vector<std::filesystem::path> funcDirectories(const std::filesystem::path& subDir) {
    std::vector<std::filesystem::path> dirs;
    if (std::filesystem::is_directory(subDir / "func")) dirs.push_back(subDir / "func");
    std::vector<std::filesystem::path> sessions;
    for (const auto& e : std::filesystem::directory_iterator(subDir))
        if (e.is_directory() && e.path().filename().string().rfind("ses-", 0) == 0 && std::filesystem::is_directory(e.path() / "func"))
            sessions.push_back(e.path() / "func");
    std::sort(sessions.begin(), sessions.end());
    dirs.insert(dirs.end(), sessions.begin(), sessions.end());
    return dirs;
}

std::vector<std::filesystem::path> subjectDirectories(const std::filesystem::path& root) {
    std::vector<std::filesystem::path> dirs;
    for (const auto& e : std::filesystem::directory_iterator(root))
        if (e.is_directory() && e.path().filename().string().rfind("sub-", 0) == 0) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

bool isPreprocBold(const BidsName& n) {
    return n.suffix == "bold" && n.get("desc") == "preproc" && (n.extension == ".nii" || n.extension == ".nii.gz");
}

/// The file name of `name`'s entities without the derivative ones (space, res, den, desc),
/// followed by `tail` ("events.tsv", "desc-confounds_timeseries.tsv").
std::string sourceStem(const BidsName& name) {
    std::string stem;
    for (const auto& [k, v] : name.entities)
        if (k != "space" && k != "res" && k != "den" && k != "desc") stem += k + "-" + v + "_";
    return stem;
}

/// fMRIPrep's preprocessed images in a derivative dataset: every *_desc-preproc_bold.nii[.gz].
struct PreprocFile {
    std::filesystem::path path;
    BidsName name;
};
std::vector<PreprocFile> preprocFiles(const std::filesystem::path& derivRoot) {
    std::vector<PreprocFile> out;
    for (const auto& sub : subjectDirectories(derivRoot))
        for (const auto& func : funcDirectories(sub))
            for (const auto& e : std::filesystem::directory_iterator(func)) {
                const auto name = parseBidsName(e.path().filename().string());
                if (name && isPreprocBold(*name)) out.push_back({e.path(), *name});
            }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return out;
}

/// The derivative dataset under root/derivatives/ with preprocessed images: fmriprep first, then
/// any other whose description says fMRIPrep generated it, then any with such images.
std::optional<std::filesystem::path> findFmriprep(const std::filesystem::path& root) {
    const auto d = root / "derivatives";
    if (!std::filesystem::is_directory(d)) return std::nullopt;
    std::vector<std::filesystem::path> candidates;
    if (std::filesystem::is_directory(d / "fmriprep")) candidates.push_back(d / "fmriprep");
    std::vector<std::filesystem::path> others;
    for (const auto& e : std::filesystem::directory_iterator(d))
        if (e.is_directory() && e.path().filename() != "fmriprep") others.push_back(e.path());
    std::sort(others.begin(), others.end());
    candidates.insert(candidates.end(), others.begin(), others.end());
    for (const auto& c : candidates) {
        if (!std::filesystem::exists(c / "dataset_description.json")) continue;
        if (!preprocFiles(c).empty()) return c;
    }
    return std::nullopt;
}

} // namespace

bool isTemplateSpace(const std::string& space) { return space.rfind("MNI", 0) == 0; }

namespace {

/// The runs of an fMRIPrep derivative dataset, with events from `rawRoot` (when there is one).
void readFmriprepRuns(BidsDataset& ds, const std::filesystem::path& derivRoot, const std::optional<std::filesystem::path>& rawRoot,
                      const BidsFilter& filter) {
    const auto files = preprocFiles(derivRoot);
    std::set<std::string> spaces;
    for (const auto& f : files) spaces.insert(f.name.get("space"));
    ds.spaces.assign(spaces.begin(), spaces.end());
    auto spaceList = [&] {
        std::string l;
        for (const auto& sp : ds.spaces) l += (l.empty() ? "" : ", ") + (sp.empty() ? std::string("(none: native)") : sp);
        return l;
    };
    std::string space = filter.space;
    if (space.empty()) {
        for (const char* preferred : {"MNI152NLin2009cAsym", "MNI152NLin6Asym"})
            if (spaces.count(preferred)) {
                space = preferred;
                break;
            }
        if (space.empty())
            for (const auto& sp : ds.spaces)
                if (isTemplateSpace(sp)) {
                    space = sp;
                    break;
                }
        if (space.empty())
            throw fileError(derivRoot, "space entity",
                            "the fMRIPrep outputs are in " + spaceList() +
                                ": none is a template space the atlas can use; rerun fMRIPrep with --output-spaces "
                                "MNI152NLin2009cAsym, or pass --space raw to learn from the raw images");
    } else if (!spaces.count(space)) {
        throw fileError(derivRoot, "space entity", "no preprocessed image in space '" + space + "' (present: " + spaceList() + ")");
    } else if (!isTemplateSpace(space)) {
        throw fileError(derivRoot, "space entity", "'" + space + "' is not a template space the atlas can use (MNI152…); present: " + spaceList());
    }
    std::set<std::string> resolutions;
    for (const auto& f : files)
        if (f.name.get("space") == space) resolutions.insert(f.name.get("res"));
    std::string res = filter.resolution;
    if (res.empty()) res = resolutions.count("2") ? std::string("2") : *resolutions.begin();
    else if (!resolutions.count(res)) {
        std::string l;
        for (const auto& r : resolutions) l += (l.empty() ? "" : ", ") + (r.empty() ? std::string("(none)") : r);
        throw fileError(derivRoot, "res entity", "no preprocessed image in space " + space + " at res-" + res + " (present: " + l + ")");
    }
    ds.layout = "fmriprep";
    ds.derivatives = derivRoot;
    for (const auto& f : files) {
        const BidsName& n = f.name;
        if (n.get("space") != space || n.get("res") != res) continue;
        BidsRun run;
        run.bold = f.path;
        run.subject = n.get("sub");
        run.session = n.get("ses");
        run.task = n.get("task");
        run.acquisition = n.get("acq");
        run.run = n.get("run");
        run.space = space;
        run.resolution = res;
        if (run.task.empty()) throw fileError(run.bold, "task entity", "missing (required for functional runs)");
        if (!accepts(filter.subjects, run.subject, "sub-") || !accepts(filter.sessions, run.session, "ses-") ||
            !accepts(filter.tasks, run.task, "task-") || !accepts(filter.runs, run.run, "run-"))
            continue;
        if (std::any_of(filter.excludeStudies.begin(), filter.excludeStudies.end(),
                        [&](const std::string& e) { return studyMatches(e, ds.root.filename().string(), run.task); }))
            continue;
        const auto dir = f.path.parent_path();
        const std::string stem = sourceStem(n);
        // Sidecars: fMRIPrep's own (RepetitionTime, TaskName), over the raw run's inherited ones.
        run.sidecar = nlohmann::json::object();
        std::filesystem::path rawFunc;
        if (rawRoot) {
            rawFunc = *rawRoot / ("sub-" + run.subject);
            if (!run.session.empty()) rawFunc /= "ses-" + run.session;
            rawFunc /= "func";
            BidsName rawName;
            for (const auto& [k, v] : n.entities)
                if (k != "space" && k != "res" && k != "den" && k != "desc") rawName.entities.emplace_back(k, v);
            rawName.suffix = "bold";
            rawName.extension = ".nii.gz";
            for (const auto& js : sidecarChain(*rawRoot, rawFunc / (stem + "bold.nii.gz"), rawName)) {
                const auto j = readJson(js);
                if (j.is_object()) run.sidecar.update(j);
            }
        }
        std::string jsonName = f.path.filename().string();
        jsonName = jsonName.substr(0, jsonName.size() - n.extension.size()) + ".json";
        if (std::filesystem::exists(dir / jsonName)) {
            const auto j = readJson(dir / jsonName);
            if (!j.is_object()) throw fileError(dir / jsonName, "top level", "expected a JSON object");
            run.sidecar.update(j);
        }
        if (run.sidecar.contains("RepetitionTime")) {
            if (!run.sidecar["RepetitionTime"].is_number() || !(run.sidecar["RepetitionTime"].get<double>() > 0))
                throw fileError(dir / jsonName, "RepetitionTime", "expected a positive number of seconds");
            run.repetitionTime = run.sidecar["RepetitionTime"].get<double>();
        } else {
            // fMRIPrep before 20.2 wrote no sidecar; the header's pixdim[4] then holds the TR.
            const double tr = readNiftiInfo(run.bold).repetitionTime;
            if (!(tr > 0))
                throw fileError(run.bold, "RepetitionTime", "missing from its sidecar (" + jsonName + ") and from the header's pixdim[4]");
            run.repetitionTime = tr;
        }
        if (run.sidecar.contains("TaskName") && run.sidecar["TaskName"].is_string()) run.taskName = run.sidecar["TaskName"].get<std::string>();
        for (const char* c : {"desc-confounds_timeseries.tsv", "desc-confounds_regressors.tsv"})
            if (std::filesystem::exists(dir / (stem + c))) {
                run.confounds = dir / (stem + c);
                break;
            }
        std::string maskStem;
        for (const auto& [k, v] : n.entities)
            if (k != "desc") maskStem += k + "-" + v + "_";
        for (const char* ext : {"desc-brain_mask.nii.gz", "desc-brain_mask.nii"})
            if (std::filesystem::exists(dir / (maskStem + ext))) {
                run.brainMask = dir / (maskStem + ext);
                break;
            }
        // Events: the raw dataset's, else any beside the derivative.
        if (!rawFunc.empty() && std::filesystem::exists(rawFunc / (stem + "events.tsv"))) run.events = rawFunc / (stem + "events.tsv");
        else if (std::filesystem::exists(dir / (stem + "events.tsv"))) run.events = dir / (stem + "events.tsv");
        ds.runs.push_back(std::move(run));
    }
}

} // namespace

BidsDataset readBidsDataset(const std::filesystem::path& rootIn, const BidsFilter& filter) {
    if (!std::filesystem::is_directory(rootIn)) throw fileError(rootIn, "BIDS dataset: not a directory");
    BidsDataset ds;
    ds.root = std::filesystem::canonical(rootIn);
    ds.description = readDescription(ds.root);
    ds.name = ds.description["Name"].get<std::string>();

    if (filter.space != "raw") {
        if (isDerivative(ds.description) && !preprocFiles(ds.root).empty()) {
            // An fMRIPrep output folder given directly: its raw dataset, when it sits in one.
            std::optional<std::filesystem::path> raw;
            const auto up = ds.root.parent_path().parent_path();
            if (ds.root.parent_path().filename() == "derivatives" && std::filesystem::exists(up / "dataset_description.json") &&
                !isDerivative(readDescription(up)))
                raw = up;
            readFmriprepRuns(ds, ds.root, raw, filter);
        } else if (const auto deriv = findFmriprep(ds.root)) {
            readFmriprepRuns(ds, *deriv, ds.root, filter);
        } else if (!filter.space.empty()) {
            throw fileError(ds.root, "--space " + filter.space, "no fMRIPrep derivatives (*_desc-preproc_bold) in this dataset or its derivatives/; "
                                                                "leave --space out to learn from the raw images");
        }
    }
    if (ds.layout == "raw") {
        if (isDerivative(ds.description) && filter.space == "raw")
            throw fileError(ds.root / "dataset_description.json", "DatasetType", "derivative: --space raw needs the raw dataset");
        for (const auto& subDir : subjectDirectories(ds.root)) {
            const std::string subject = subDir.filename().string().substr(4);
            if (!accepts(filter.subjects, subject, "sub-")) continue;
            for (const auto& func : funcDirectories(subDir)) {
                for (const auto& e : std::filesystem::directory_iterator(func)) {
                    const auto fname = e.path().filename().string();
                    const auto name = parseBidsName(fname);
                    if (!name || name->suffix != "bold" || (name->extension != ".nii" && name->extension != ".nii.gz")) continue;
                    BidsRun run;
                    run.bold = e.path();
                    run.subject = name->get("sub");
                    run.session = name->get("ses");
                    run.task = name->get("task");
                    run.acquisition = name->get("acq");
                    run.run = name->get("run");
                    if (run.subject != subject)
                        throw fileError(run.bold, "sub entity", "'" + run.subject + "' does not match its folder sub-" + subject);
                    if (run.task.empty()) throw fileError(run.bold, "task entity", "missing (required for functional runs)");
                    if (!accepts(filter.sessions, run.session, "ses-") || !accepts(filter.tasks, run.task, "task-") ||
                        !accepts(filter.runs, run.run, "run-"))
                        continue;
                    if (std::any_of(filter.excludeStudies.begin(), filter.excludeStudies.end(),
                                    [&](const std::string& e) { return studyMatches(e, ds.root.filename().string(), run.task); }))
                        continue;
                    run.sidecar = nlohmann::json::object();
                    for (const auto& js : sidecarChain(ds.root, run.bold, *name)) {
                        const auto j = readJson(js);
                        if (!j.is_object()) throw fileError(js, "top level", "expected a JSON object");
                        run.sidecar.update(j);
                    }
                    if (!run.sidecar.contains("RepetitionTime") || !run.sidecar["RepetitionTime"].is_number())
                        throw fileError(run.bold, "RepetitionTime", "missing from its JSON sidecar (required for BOLD runs)");
                    run.repetitionTime = run.sidecar["RepetitionTime"].get<double>();
                    if (!(run.repetitionTime > 0))
                        throw fileError(run.bold, "RepetitionTime", "expected a positive number of seconds");
                    if (run.sidecar.contains("TaskName") && run.sidecar["TaskName"].is_string())
                        run.taskName = run.sidecar["TaskName"].get<std::string>();
                    std::string stem = fname.substr(0, fname.size() - name->extension.size());
                    stem = stem.substr(0, stem.size() - std::string("bold").size());
                    const auto events = func / (stem + "events.tsv");
                    if (std::filesystem::exists(events)) run.events = events;
                    BidsName withoutSuffix = *name;
                    run.confounds = findConfounds(ds.root, withoutSuffix);
                    ds.runs.push_back(std::move(run));
                }
            }
        }
    }
    std::sort(ds.runs.begin(), ds.runs.end(), [](const BidsRun& a, const BidsRun& b) {
        return std::tie(a.subject, a.session, a.task, a.acquisition, a.run) <
               std::tie(b.subject, b.session, b.task, b.acquisition, b.run);
    });
    return ds;
}

} // namespace nm::io
