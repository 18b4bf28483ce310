#pragma once
// The Cognitive Atlas (Poldrack et al. 2011) as NiMARE ships a snapshot of it: concepts with their
// aliases (cogat_aliases.csv: id, name, alias) and typed relations (cogat_relationships.csv: input,
// output, rel_type). Concepts are the "trm_" entries. "isKindOf" points from a concept to its
// parents: a "left hand response execution" is also a "response execution", so a sample of the
// first is a sample of the second. "isPartOf" is kept apart (wholes): a process that is part of
// another does not imply it (CogAt: "visual perception" isPartOf "blindsight").
// Lookup goes exact name → alias → normalised string (case, punctuation, plurals), as users'
// condition names are written every which way.
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nm::semantics {

struct Concept {
    std::string id;                     ///< "trm_4a3fd79d0a300"
    std::string name;                   ///< "face perception"
    std::vector<std::string> aliases;   ///< as listed (the name itself included)
};

enum class MatchKind { None, Exact, Alias, Normalised };
const char* matchKindName(MatchKind kind);

struct ConceptMatch {
    int index = -1;                     ///< into Ontology::concepts(), −1 when nothing matched
    MatchKind kind = MatchKind::None;
    explicit operator bool() const { return index >= 0; }
};

/// Lower case, every non-alphanumeric run to one space, trimmed, and a plural "s" dropped from each
/// word of four or more letters not ending in "ss" ("Faces" → "face", "left-hand" → "left hand").
std::string normaliseTerm(const std::string& text);

class Ontology {
public:
    Ontology() = default;
    /// Reads `dir`/cogat_aliases.csv and `dir`/cogat_relationships.csv. Throws nm::InputError
    /// naming the file and the column when they are missing or malformed.
    static Ontology load(const std::filesystem::path& dir);

    [[nodiscard]] const std::vector<Concept>& concepts() const { return concepts_; }
    [[nodiscard]] std::size_t relationCount() const { return relations_; }
    [[nodiscard]] const std::filesystem::path& source() const { return source_; }
    [[nodiscard]] bool empty() const { return concepts_.empty(); }

    /// Exact name (case-insensitive), then alias, then normalised string.
    [[nodiscard]] ConceptMatch lookup(const std::string& text) const;
    [[nodiscard]] std::optional<int> indexOfId(const std::string& id) const;
    /// Direct parents (isKindOf).
    [[nodiscard]] const std::vector<int>& parents(int conceptIndex) const { return parents_.at(std::size_t(conceptIndex)); }
    /// The wholes a concept is part of (isPartOf).
    [[nodiscard]] const std::vector<int>& wholes(int conceptIndex) const { return wholes_.at(std::size_t(conceptIndex)); }
    /// Every ancestor through isKindOf, nearest first, without the concept itself.
    [[nodiscard]] std::vector<int> ancestors(int conceptIndex) const;

private:
    std::filesystem::path source_;
    std::vector<Concept> concepts_;
    std::vector<std::vector<int>> parents_, wholes_;
    std::unordered_map<std::string, int> byId_, byName_, byAlias_, byNormalised_;
    std::size_t relations_ = 0;
};

/// The Cognitive Atlas directory: $NEUROMOSAIC_COGNITIVE_ATLAS, else <literature>/cognitive_atlas
/// for the literature directory given (or $NEUROMOSAIC_LITERATURE), else the shared test data's
/// copy; nullopt when none holds cogat_aliases.csv.
std::optional<std::filesystem::path> findCognitiveAtlas(const std::optional<std::filesystem::path>& literatureDir = std::nullopt);

} // namespace nm::semantics
