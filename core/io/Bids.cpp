#include "io/Bids.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace nm::io {

namespace {

nlohmann::json readJson(const std::filesystem::path& file) {
    try {
        return nlohmann::json::parse(readFileBytes(file));
    } catch (const nlohmann::json::exception& e) {  // parse errors and out-of-range numbers
        throw fileError(file, "not valid JSON (" + std::string(e.what()) + ")");
    }
}

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

BidsDataset readBidsDataset(const std::filesystem::path& rootIn, const BidsFilter& filter) {
    if (!std::filesystem::is_directory(rootIn)) throw fileError(rootIn, "BIDS dataset: not a directory");
    BidsDataset ds;
    ds.root = std::filesystem::canonical(rootIn);
    const auto descFile = ds.root / "dataset_description.json";
    if (!std::filesystem::exists(descFile))
        throw fileError(descFile, "missing; a BIDS dataset needs dataset_description.json at its root");
    ds.description = readJson(descFile);
    if (!ds.description.is_object() || !ds.description.contains("Name") || !ds.description["Name"].is_string())
        throw fileError(descFile, "Name", "missing (required by BIDS)");
    if (!ds.description.contains("BIDSVersion")) throw fileError(descFile, "BIDSVersion", "missing (required by BIDS)");
    ds.name = ds.description["Name"].get<std::string>();

    std::vector<std::filesystem::path> subjectDirs;
    for (const auto& e : std::filesystem::directory_iterator(ds.root))
        if (e.is_directory() && e.path().filename().string().rfind("sub-", 0) == 0) subjectDirs.push_back(e.path());
    std::sort(subjectDirs.begin(), subjectDirs.end());
    for (const auto& subDir : subjectDirs) {
        const std::string subject = subDir.filename().string().substr(4);
        if (!accepts(filter.subjects, subject, "sub-")) continue;
        std::vector<std::filesystem::path> funcDirs;
        if (std::filesystem::is_directory(subDir / "func")) funcDirs.push_back(subDir / "func");
        for (const auto& e : std::filesystem::directory_iterator(subDir))
            if (e.is_directory() && e.path().filename().string().rfind("ses-", 0) == 0 &&
                std::filesystem::is_directory(e.path() / "func"))
                funcDirs.push_back(e.path() / "func");
        for (const auto& func : funcDirs) {
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
    std::sort(ds.runs.begin(), ds.runs.end(), [](const BidsRun& a, const BidsRun& b) {
        return std::tie(a.subject, a.session, a.task, a.acquisition, a.run) <
               std::tie(b.subject, b.session, b.task, b.acquisition, b.run);
    });
    return ds;
}

} // namespace nm::io
