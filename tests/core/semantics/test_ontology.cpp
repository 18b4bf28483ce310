#include "common/Error.hpp"
#include "io/Bids.hpp"
#include "semantics/Annotations.hpp"
#include "semantics/Ontology.hpp"
#include "TestSupport.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace nm;

namespace {
std::optional<std::filesystem::path> cognitiveAtlas() {
    const auto data = test::sharedData();
    if (!data || !std::filesystem::exists(*data / "literature" / "cognitive_atlas" / "cogat_aliases.csv")) return std::nullopt;
    return *data / "literature" / "cognitive_atlas";
}
void write(const std::filesystem::path& f, const std::string& text) {
    std::filesystem::create_directories(f.parent_path());
    std::ofstream(f) << text;
}
} // namespace

TEST_CASE("normalised terms ignore case, punctuation and plurals", "[semantics][ontology]") {
    CHECK(semantics::normaliseTerm("Faces") == "face");
    CHECK(semantics::normaliseTerm("  Left-Hand   response ") == "left hand response");
    CHECK(semantics::normaliseTerm("process") == "process");  // "ss" is not a plural
    CHECK(semantics::normaliseTerm("N-back (2-back)") == "n back 2 back");
}

TEST_CASE("the Cognitive Atlas snapshot: 1,460 concepts with 1,766 alias rows, 6,198 relations, lookups and ancestors",
          "[semantics][ontology]") {
    const auto dir = cognitiveAtlas();
    if (!dir) NM_SKIP("the Cognitive Atlas snapshot (../shared/data/literature/cognitive_atlas) is absent");
    const auto o = semantics::Ontology::load(*dir);
    // The README's "1,766 concepts with aliases" counts the trm_ rows of cogat_aliases.csv: 1,460
    // distinct concepts (cut -d, -f1 | grep trm_ | sort -u), some listing several aliases per row.
    CHECK(o.concepts().size() == 1460);
    std::size_t aliases = 0;
    for (const auto& c : o.concepts()) aliases += c.aliases.size();
    CHECK(aliases >= 1766);
    CHECK(o.relationCount() == 6198);
    const auto exact = o.lookup("Face Perception");
    REQUIRE(exact);
    CHECK(exact.kind == semantics::MatchKind::Exact);
    CHECK(o.concepts()[std::size_t(exact.index)].id == "trm_4a3fd79d0a300");
    const auto normalised = o.lookup("Working-Memory");
    REQUIRE(normalised);
    CHECK(normalised.kind == semantics::MatchKind::Normalised);
    CHECK(o.concepts()[std::size_t(normalised.index)].name == "working memory");
    CHECK_FALSE(o.lookup("definitely not a concept"));
    // is-a: a left-hand response is also a response execution.
    const auto left = o.lookup("left hand response execution");
    REQUIRE(left);
    bool found = false;
    for (int a : o.ancestors(left.index)) found = found || o.concepts()[std::size_t(a)].name == "response execution";
    CHECK(found);
    CHECK_THROWS_AS(semantics::Ontology::load(*dir / "missing"), InputError);
}

TEST_CASE("conditions map through the study's file, the Cognitive Atlas and the user's TSV; unmapped ones are reported",
          "[semantics][annotations]") {
    test::TempDir tmp;
    const auto root = tmp / "ds";
    write(root / "dataset_description.json", R"({"Name": "t", "BIDSVersion": "1.8.0"})");
    write(root / "task-a_bold.json", R"({"RepetitionTime": 2.0})");
    write(root / "sub-01" / "func" / "sub-01_task-a_run-1_bold.nii.gz", "");
    write(root / "sub-01" / "func" / "sub-01_task-a_run-1_events.tsv",
          "onset\tduration\ttrial_type\tstimulus\n0\t2\tLH\tn/a\n10\t2\tFace-Perceptions\tn/a\n20\t2\tblob\tn/a\n30\t2\tzzz\tn/a\n40\t2\tmystery\tworking memory\n");
    write(root / "derivatives" / "annotations" / "condition_mappings.tsv", "task\ttrial_type\tconcept\na\tLH\tleft hand response execution\n");
    write(tmp / "user.tsv", "task\ttrial_type\tconcept\n*\tblob\tattention\n");
    const auto ds = io::readBidsDataset(root);
    semantics::Ontology ontology;
    if (const auto dir = cognitiveAtlas()) ontology = semantics::Ontology::load(*dir);
    semantics::AnnotationOptions options;
    options.userMappings = {tmp / "user.tsv"};
    const auto map = semantics::mapConditions({ds}, ontology, options);
    REQUIRE(map.conditions().size() == 5);
    const auto* lh = map.find("a", "LH");
    REQUIRE(lh);
    CHECK(lh->source == "study mapping");
    REQUIRE(lh->concepts.size() == 1);
    CHECK(lh->concepts[0].name == "left hand response execution");
    const auto* blob = map.find("a", "blob");
    CHECK(blob->source == "user mapping");
    CHECK(blob->concepts.at(0).name == "attention");
    CHECK(map.find("a", "zzz")->concepts.empty());
    if (ontology.empty()) NM_SKIP("the Cognitive Atlas snapshot is absent: its part of the mapping is not tested");
    CHECK(lh->concepts[0].id == "trm_558c7b707f606");
    bool ancestor = false;
    for (const auto& a : lh->ancestors) ancestor = ancestor || a.name == "response execution";
    CHECK(ancestor);
    const auto* faces = map.find("a", "Face-Perceptions");
    CHECK(faces->source == "cognitive atlas (normalised)");
    CHECK(faces->concepts.at(0).name == "face perception");
    // An extra events column names a concept for the "mystery" condition.
    CHECK(map.find("a", "mystery")->concepts.at(0).name == "working memory");
    // Unmapped: only zzz.
    const auto unmapped = map.unmapped();
    REQUIRE(unmapped.size() == 1);
    CHECK(unmapped[0]->trialType == "zzz");
}
