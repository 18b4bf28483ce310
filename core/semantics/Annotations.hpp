#pragma once
// From the annotations of the data to cognitive concepts: every study's events tables
// (`trial_type` and any extra columns) give its conditions; each condition is mapped to a concept
// through, in order, (1) the mapping the study provides (derivatives/annotations/
// condition_mappings.tsv: task, trial_type, concept — the simulator writes one), (2) matching of
// the condition's name to the Cognitive Atlas (exact name, alias, normalised string), (3) the
// user's mapping TSVs (task, trial_type, concept; task may be empty or "*"). A concept name given
// by (1) or (3) is itself matched to the Cognitive Atlas, and may be re-mapped by (3) when it is
// not found there. Concepts outside the Cognitive Atlas are kept under their own name (flagged).
// Unmapped conditions are reported, never silently dropped.
#include "io/Bids.hpp"
#include "semantics/Ontology.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nm::semantics {

/// A concept as used by labels: its name (the Cognitive Atlas name when it is there) and id.
struct ConceptRef {
    std::string name;
    std::string id;              ///< Cognitive Atlas id, "" when the concept is not in it
    auto operator<=>(const ConceptRef&) const = default;
};

struct ConditionMapping {
    std::string task, trialType;
    std::vector<ConceptRef> concepts;     ///< direct concepts (usually one); empty when unmapped
    std::vector<ConceptRef> ancestors;    ///< Cognitive Atlas ancestors of those concepts
    std::string source;                   ///< "study mapping", "cognitive atlas (exact|alias|normalised)", "user mapping", "column <name>"
    int events = 0;                       ///< events of this condition over all runs
    int runs = 0;
};

struct AnnotationOptions {
    std::vector<std::filesystem::path> userMappings;  ///< TSVs: task (optional), trial_type, concept
    bool studyMappings = true;                        ///< read derivatives/annotations/condition_mappings.tsv
    bool ancestors = true;                            ///< add Cognitive Atlas ancestors as concepts too
    bool extraColumns = true;                         ///< match values of extra events columns as well
};

class ConceptMap {
public:
    [[nodiscard]] const std::vector<ConditionMapping>& conditions() const { return conditions_; }
    /// nullptr when the (task, trial_type) pair was never seen.
    [[nodiscard]] const ConditionMapping* find(const std::string& task, const std::string& trialType) const;
    /// Conditions that no step mapped.
    [[nodiscard]] std::vector<const ConditionMapping*> unmapped() const;
    /// Every concept reached (direct and ancestors), sorted by name.
    [[nodiscard]] std::vector<ConceptRef> concepts() const;
    /// The direct and ancestor concepts of a condition (empty for an unknown condition).
    [[nodiscard]] std::vector<ConceptRef> conceptsOf(const std::string& task, const std::string& trialType) const;
    /// What the mapping did that a user should know (extra columns used, concepts outside the
    /// Cognitive Atlas, mapping files read).
    [[nodiscard]] const std::vector<std::string>& notes() const { return notes_; }

    void add(ConditionMapping m);
    void note(std::string text) { notes_.push_back(std::move(text)); }
    ConditionMapping* findMutable(const std::string& task, const std::string& trialType);

private:
    std::vector<ConditionMapping> conditions_;
    std::map<std::pair<std::string, std::string>, std::size_t> index_;
    std::vector<std::string> notes_;
};

/// A user or study mapping table: (task or "", trial_type) → concept name. Throws nm::InputError
/// naming the file and column (needs trial_type and concept; task optional).
std::map<std::pair<std::string, std::string>, std::string> readConditionMappingTable(const std::filesystem::path& file);

/// Maps every condition of the datasets' events tables. `ontology` may be empty (no Cognitive
/// Atlas): then only the study and user mappings name concepts.
ConceptMap mapConditions(const std::vector<io::BidsDataset>& datasets, const Ontology& ontology, const AnnotationOptions& options = {});

} // namespace nm::semantics
