#include "semantics/Ontology.hpp"

#include "common/Error.hpp"
#include "common/Text.hpp"
#include "common/Paths.hpp"
#include "io/Table.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <set>

namespace nm::semantics {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}
} // namespace

const char* matchKindName(MatchKind kind) {
    switch (kind) {
    case MatchKind::Exact: return "exact";
    case MatchKind::Alias: return "alias";
    case MatchKind::Normalised: return "normalised";
    case MatchKind::None: break;
    }
    return "none";
}

std::string normaliseTerm(const std::string& text) {
    std::vector<std::string> words;
    std::string w;
    auto flush = [&] {
        if (w.empty()) return;
        if (w.size() >= 4 && w.back() == 's' && w[w.size() - 2] != 's') w.pop_back();
        words.push_back(w);
        w.clear();
    };
    for (unsigned char c : text) {
        if (std::isalnum(c)) w.push_back(char(std::tolower(c)));
        else flush();
    }
    flush();
    std::string out;
    for (const auto& x : words) out += (out.empty() ? "" : " ") + x;
    return out;
}

Ontology Ontology::load(const std::filesystem::path& dir) {
    const auto aliasesFile = dir / "cogat_aliases.csv", relationsFile = dir / "cogat_relationships.csv";
    requireReadableFile(aliasesFile, "Cognitive Atlas aliases");
    requireReadableFile(relationsFile, "Cognitive Atlas relationships");
    Ontology o;
    o.source_ = dir;
    const auto aliases = io::readTable(aliasesFile);
    const auto idCol = aliases.columnIndex("id"), nameCol = aliases.columnIndex("name"), aliasCol = aliases.columnIndex("alias");
    for (std::size_t r = 0; r < aliases.rowCount(); ++r) {
        const std::string id = trim(aliases.cell(r, idCol));
        if (id.rfind("trm_", 0) != 0) continue;  // tasks (tsk_) and disorders (dso_) are not concepts
        const std::string name = trim(aliases.cell(r, nameCol));
        if (name.empty()) throw fileError(aliasesFile, "name", "empty name for " + id + " (row " + std::to_string(r + 2) + ")");
        auto [it, inserted] = o.byId_.emplace(id, int(o.concepts_.size()));
        if (inserted) o.concepts_.push_back({id, name, {}});
        auto& c = o.concepts_[std::size_t(it->second)];
        // An alias cell may list several, comma-separated ("bis/bas,bis,bas").
        std::string cell = aliases.cell(r, aliasCol);
        std::size_t at = 0;
        while (at <= cell.size()) {
            const auto comma = cell.find(',', at);
            const std::string a = trim(cell.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            if (!a.empty() && std::find(c.aliases.begin(), c.aliases.end(), a) == c.aliases.end()) c.aliases.push_back(a);
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
    }
    if (o.concepts_.empty()) throw fileError(aliasesFile, "id", "no concept (trm_*) rows");
    for (std::size_t i = 0; i < o.concepts_.size(); ++i) {
        const auto& c = o.concepts_[i];
        o.byName_.emplace(lowercase(c.name), int(i));
        o.byNormalised_.emplace(normaliseTerm(c.name), int(i));
    }
    // Aliases after every name, so that a name always wins over another concept's alias.
    for (std::size_t i = 0; i < o.concepts_.size(); ++i)
        for (const auto& a : o.concepts_[i].aliases) {
            o.byAlias_.emplace(lowercase(a), int(i));
            o.byNormalised_.emplace(normaliseTerm(a), int(i));
        }

    o.parents_.assign(o.concepts_.size(), {});
    o.wholes_.assign(o.concepts_.size(), {});
    const auto relations = io::readTable(relationsFile);
    const auto inCol = relations.columnIndex("input"), outCol = relations.columnIndex("output"), typeCol = relations.columnIndex("rel_type");
    o.relations_ = relations.rowCount();
    for (std::size_t r = 0; r < relations.rowCount(); ++r) {
        const std::string& type = relations.cell(r, typeCol);
        if (type != "isKindOf" && type != "isPartOf") continue;
        const auto a = o.byId_.find(trim(relations.cell(r, inCol))), b = o.byId_.find(trim(relations.cell(r, outCol)));
        if (a == o.byId_.end() || b == o.byId_.end() || a->second == b->second) continue;
        auto& p = (type == "isKindOf" ? o.parents_ : o.wholes_)[std::size_t(a->second)];
        if (std::find(p.begin(), p.end(), b->second) == p.end()) p.push_back(b->second);
    }
    return o;
}

ConceptMatch Ontology::lookup(const std::string& text) const {
    const std::string key = lowercase(trim(text));
    if (key.empty()) return {};
    if (auto it = byName_.find(key); it != byName_.end()) return {it->second, MatchKind::Exact};
    if (auto it = byAlias_.find(key); it != byAlias_.end()) return {it->second, MatchKind::Alias};
    const std::string n = normaliseTerm(text);
    if (!n.empty())
        if (auto it = byNormalised_.find(n); it != byNormalised_.end()) return {it->second, MatchKind::Normalised};
    return {};
}

std::optional<int> Ontology::indexOfId(const std::string& id) const {
    if (auto it = byId_.find(id); it != byId_.end()) return it->second;
    return std::nullopt;
}

std::vector<int> Ontology::ancestors(int conceptIndex) const {
    // Breadth first: nearest ancestors first; the relation graph may hold cycles.
    std::vector<int> out;
    std::set<int> seen{conceptIndex};
    std::deque<int> queue(parents_.at(std::size_t(conceptIndex)).begin(), parents_.at(std::size_t(conceptIndex)).end());
    while (!queue.empty()) {
        const int c = queue.front();
        queue.pop_front();
        if (!seen.insert(c).second) continue;
        out.push_back(c);
        for (int p : parents_[std::size_t(c)]) queue.push_back(p);
    }
    return out;
}

std::optional<std::filesystem::path> findCognitiveAtlas(const std::optional<std::filesystem::path>& literatureDir) {
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("NEUROMOSAIC_COGNITIVE_ATLAS"); env && *env) candidates.emplace_back(env);
    if (literatureDir) {
        candidates.push_back(*literatureDir / "cognitive_atlas");
        candidates.push_back(*literatureDir);
    }
    if (const char* env = std::getenv("NEUROMOSAIC_LITERATURE"); env && *env) candidates.push_back(std::filesystem::path(env) / "cognitive_atlas");
    if (const auto data = paths::testDataDir()) candidates.push_back(*data / "literature" / "cognitive_atlas");
    for (const auto& c : candidates) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(c / "cogat_aliases.csv", ec)) return c;
    }
    return std::nullopt;
}

} // namespace nm::semantics
