#include "semantics/Annotations.hpp"

#include "common/Error.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <set>

namespace nm::semantics {

const ConditionMapping* ConceptMap::find(const std::string& task, const std::string& trialType) const {
    const auto it = index_.find({task, trialType});
    return it == index_.end() ? nullptr : &conditions_[it->second];
}

ConditionMapping* ConceptMap::findMutable(const std::string& task, const std::string& trialType) {
    const auto it = index_.find({task, trialType});
    return it == index_.end() ? nullptr : &conditions_[it->second];
}

void ConceptMap::add(ConditionMapping m) {
    const auto key = std::make_pair(m.task, m.trialType);
    if (index_.count(key)) throw std::logic_error("ConceptMap: condition added twice");
    index_[key] = conditions_.size();
    conditions_.push_back(std::move(m));
}

std::vector<const ConditionMapping*> ConceptMap::unmapped() const {
    std::vector<const ConditionMapping*> out;
    for (const auto& c : conditions_)
        if (c.concepts.empty()) out.push_back(&c);
    return out;
}

std::vector<ConceptRef> ConceptMap::concepts() const {
    std::set<ConceptRef> all;
    for (const auto& c : conditions_) {
        all.insert(c.concepts.begin(), c.concepts.end());
        all.insert(c.ancestors.begin(), c.ancestors.end());
    }
    return {all.begin(), all.end()};
}

std::vector<ConceptRef> ConceptMap::conceptsOf(const std::string& task, const std::string& trialType) const {
    const auto* c = find(task, trialType);
    if (!c) return {};
    std::vector<ConceptRef> out = c->concepts;
    for (const auto& a : c->ancestors)
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    return out;
}

std::map<std::pair<std::string, std::string>, std::string> readConditionMappingTable(const std::filesystem::path& file) {
    const auto table = io::readTable(file);
    const auto trial = table.columnIndex("trial_type"), conceptCol = table.columnIndex("concept");
    const bool hasTask = table.hasColumn("task");
    std::map<std::pair<std::string, std::string>, std::string> out;
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        std::string task = hasTask ? table.cell(r, "task") : std::string();
        if (task == "*" || task == "n/a") task.clear();
        const std::string& t = table.cell(r, trial);
        const std::string& c = table.cell(r, conceptCol);
        if (t.empty()) throw fileError(file, "trial_type", "empty on line " + std::to_string(r + 2));
        if (c.empty() || c == "n/a") continue;  // an explicit "no concept"
        out[{task, t}] = c;
    }
    return out;
}

namespace {

using MappingTable = std::map<std::pair<std::string, std::string>, std::string>;

const std::string* lookupTable(const MappingTable& t, const std::string& task, const std::string& name) {
    if (auto it = t.find({task, name}); it != t.end()) return &it->second;
    if (auto it = t.find({"", name}); it != t.end()) return &it->second;
    return nullptr;
}

// Columns of events tables that never name a condition.
bool isBookkeepingColumn(const std::string& c) {
    static const std::set<std::string> skip = {"onset", "duration", "trial_type", "response_time", "sample", "stim_file",
                                               "value", "HED", "trial", "trial_number", "run", "block"};
    return skip.count(c) > 0;
}

struct Resolver {
    const Ontology& ontology;
    const MappingTable& user;
    ConceptMap& map;
    std::set<std::string> outside;

    /// A concept name (from a mapping table) → its reference, via the Cognitive Atlas or, when it
    /// is not there, the user's table (which may rename it), else kept as given.
    ConceptRef resolveName(const std::string& task, const std::string& name) {
        if (!ontology.empty())
            if (const auto m = ontology.lookup(name)) return refOf(m.index);
        if (const auto* renamed = lookupTable(user, task, name); renamed && *renamed != name) {
            if (!ontology.empty())
                if (const auto m = ontology.lookup(*renamed)) return refOf(m.index);
            return {*renamed, ""};
        }
        outside.insert(name);
        return {name, ""};
    }
    ConceptRef refOf(int index) const {
        const auto& c = ontology.concepts()[std::size_t(index)];
        return {c.name, c.id};
    }
    std::vector<ConceptRef> ancestorsOf(const std::vector<ConceptRef>& concepts) const {
        std::vector<ConceptRef> out;
        for (const auto& c : concepts) {
            if (c.id.empty()) continue;
            const auto index = ontology.indexOfId(c.id);
            if (!index) continue;
            for (int a : ontology.ancestors(*index)) {
                const ConceptRef r = refOf(a);
                if (std::find(concepts.begin(), concepts.end(), r) == concepts.end() && std::find(out.begin(), out.end(), r) == out.end())
                    out.push_back(r);
            }
        }
        return out;
    }
};

} // namespace

ConceptMap mapConditions(const std::vector<io::BidsDataset>& datasets, const Ontology& ontology, const AnnotationOptions& options) {
    ConceptMap map;
    MappingTable user;
    for (const auto& f : options.userMappings) {
        for (const auto& [k, v] : readConditionMappingTable(f)) user[k] = v;
        map.note("user mapping read: " + f.string());
    }
    Resolver resolver{ontology, user, map, {}};
    // (task, trial_type) → (concept from extra columns → events carrying it)
    std::map<std::pair<std::string, std::string>, std::map<ConceptRef, int>> extra;
    std::set<std::string> extraColumnsUsed;

    for (const auto& ds : datasets) {
        MappingTable study;
        const auto studyFile = ds.root / "derivatives" / "annotations" / "condition_mappings.tsv";
        if (options.studyMappings && std::filesystem::is_regular_file(studyFile)) {
            study = readConditionMappingTable(studyFile);
            map.note("study mapping read: " + studyFile.string());
        }
        for (const auto& run : ds.runs) {
            if (!run.events) continue;
            const auto events = io::readBidsEvents(*run.events);
            std::set<std::string> inRun;
            for (const auto& e : events) {
                const std::string condition = e.trialType.empty() ? std::string("(no trial_type)") : e.trialType;
                ConditionMapping* m = map.findMutable(run.task, condition);
                if (!m) {
                    ConditionMapping c;
                    c.task = run.task;
                    c.trialType = condition;
                    if (e.trialType.empty()) {
                        c.source = "none (events without trial_type: " + run.events->string() + ")";
                    } else if (const auto* s = lookupTable(study, run.task, condition)) {
                        c.concepts.push_back(resolver.resolveName(run.task, *s));
                        c.source = "study mapping";
                    } else if (const auto match = ontology.empty() ? ConceptMatch{} : ontology.lookup(condition)) {
                        c.concepts.push_back(resolver.refOf(match.index));
                        c.source = std::string("cognitive atlas (") + matchKindName(match.kind) + ")";
                    } else if (const auto* u = lookupTable(user, run.task, condition)) {
                        c.concepts.push_back(resolver.resolveName(run.task, *u));
                        c.source = "user mapping";
                    } else {
                        c.source = "none";
                    }
                    map.add(std::move(c));
                    m = map.findMutable(run.task, condition);
                }
                ++m->events;
                if (inRun.insert(condition).second) ++m->runs;
                if (options.extraColumns && !ontology.empty() && !e.trialType.empty())
                    for (const auto& [column, value] : e.extra) {
                        if (isBookkeepingColumn(column) || value.empty() || value == "n/a") continue;
                        const auto match = ontology.lookup(value);
                        if (!match || match.kind == MatchKind::Normalised) continue;  // values are short: exact or alias only
                        ++extra[{run.task, condition}][resolver.refOf(match.index)];
                        extraColumnsUsed.insert(column);
                    }
            }
        }
    }
    // A concept from extra columns joins a condition when at least half of its events carry it.
    for (const auto& [key, counts] : extra) {
        auto* m = map.findMutable(key.first, key.second);
        for (const auto& [ref, n] : counts)
            if (2 * n >= m->events && std::find(m->concepts.begin(), m->concepts.end(), ref) == m->concepts.end()) {
                m->concepts.push_back(ref);
                if (m->source == "none") m->source = "extra events column";
            }
    }
    if (!extraColumnsUsed.empty()) {
        std::string cols;
        for (const auto& c : extraColumnsUsed) cols += (cols.empty() ? "" : ", ") + c;
        map.note("concepts also read from extra events columns: " + cols);
    }
    if (options.ancestors && !ontology.empty())
        for (std::size_t i = 0; i < map.conditions().size(); ++i) {
            auto* c = map.findMutable(map.conditions()[i].task, map.conditions()[i].trialType);
            c->ancestors = resolver.ancestorsOf(c->concepts);
        }
    for (const auto& name : resolver.outside) map.note("concept not in the Cognitive Atlas (kept under its own name): " + name);
    return map;
}

} // namespace nm::semantics
