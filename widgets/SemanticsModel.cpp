#include "SemanticsModel.hpp"

#include <algorithm>
#include <cstdio>

namespace nm::widgets {

std::vector<ConceptRow> conceptRows(const io::ScaleLabels& l, int j, float minPi) {
    std::vector<ConceptRow> rows;
    if (j < 0 || j >= l.selectionFrequency.rows()) return rows;
    for (Eigen::Index c = 0; c < l.selectionFrequency.cols(); ++c) {
        ConceptRow r;
        r.index = int(c);
        r.name = l.concepts[std::size_t(c)];
        r.id = l.conceptIds[std::size_t(c)];
        r.pi = l.selectionFrequency(j, c);
        r.coefficient = l.coefficient(j, c);
        r.forwardT = l.forwardT(j, c);
        r.label = r.pi >= float(l.threshold) && r.coefficient > 0;
        if (r.pi >= minPi || r.label) rows.push_back(r);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ConceptRow& a, const ConceptRow& b) {
        if (a.label != b.label) return a.label;
        return a.pi > b.pi;
    });
    return rows;
}

std::vector<TermRow> termRows(const io::ScaleLabels& l, int j) {
    std::vector<TermRow> rows;
    const int m = l.literatureCount();
    if (j < 0 || j >= l.literatureR.rows()) return rows;
    for (int i = 0; i < m; ++i) {
        const auto at = std::size_t(j) * std::size_t(m) + std::size_t(i);
        rows.push_back({l.literatureTerms[at], l.literatureConcepts[at], l.literatureR(j, i)});
    }
    return rows;
}

std::string conceptSummary(const io::ScaleLabels& l, int j) {
    const auto labels = l.labelsOf(j);
    if (labels.empty()) return {};
    char pi[16];
    std::snprintf(pi, sizeof pi, "%.2f", labels.front().second);
    std::string s = l.concepts[std::size_t(labels.front().first)] + " (" + pi + ")";
    if (labels.size() > 1) s += " +" + std::to_string(labels.size() - 1);
    return s;
}

float bestLabelPi(const io::ScaleLabels& l, int j) {
    const auto labels = l.labelsOf(j);
    return labels.empty() ? 0.0f : labels.front().second;
}

} // namespace nm::widgets
