#pragma once
// What the Semantics panel and the atlas table show of a component's labels, without Qt (tests
// drive it): its concepts with π, sign and forward t (labels first), its literature terms with r,
// and the one-line summary of the table's Concepts column.
#include "io/AtlasBundle.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nm::widgets {

struct ConceptRow {
    int index = 0;             ///< into ScaleLabels::concepts
    std::string name, id;
    float pi = 0, coefficient = 0, forwardT = 0;
    bool label = false;        ///< π ≥ threshold with a positive coefficient
    [[nodiscard]] const char* sign() const { return coefficient > 0 ? "+" : coefficient < 0 ? "−" : ""; }
};
struct TermRow {
    std::string term, concept_;
    float r = 0;
};

/// Concepts with π ≥ `minPi` (labels first, then by π), and the literature terms of a component.
std::vector<ConceptRow> conceptRows(const io::ScaleLabels& labels, int component, float minPi = 0.3f);
std::vector<TermRow> termRows(const io::ScaleLabels& labels, int component);
/// "face perception (0.92)" for the component's best label; "" when it has none.
std::string conceptSummary(const io::ScaleLabels& labels, int component);
/// π of the best label (sort key of the column), 0 without one.
float bestLabelPi(const io::ScaleLabels& labels, int component);

} // namespace nm::widgets
