#include "SemanticsPanel.hpp"

#include "SemanticsModel.hpp"

#include "ReadOnlyTable.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace nm::widgets {

namespace {
QTableWidgetItem* cell(const QString& text, bool bold = false) {
    auto* it = new QTableWidgetItem(text);
    if (bold) {
        QFont f = it->font();
        f.setBold(true);
        it->setFont(f);
    }
    return it;
}
} // namespace

SemanticsPanel::SemanticsPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("semanticsPanel");
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Select a component of a labelled atlas"), this);
    title_->setWordWrap(true);
    concepts_ = makeReadOnlyTable(this, {tr("Concept"), tr("π"), tr("Sign"), tr("t")}, "semanticsConcepts");
    concepts_->setToolTip(tr("Stability selection frequency π of the component for each concept (labels, π ≥ threshold "
                             "and positive, in bold) and the forward t across subjects. Double-click a concept to show the "
                             "components that carry it."));
    terms_ = makeReadOnlyTable(this, {tr("Literature term"), tr("r"), tr("Concept")}, "semanticsTerms");
    terms_->setToolTip(tr("Terms whose MKDA association maps correlate most with the component's map"));
    source_ = new QLabel(this);
    source_->setWordWrap(true);
    source_->setStyleSheet("color: gray");
    layout->addWidget(title_);
    layout->addWidget(concepts_, 3);
    layout->addWidget(terms_, 2);
    layout->addWidget(source_);
    connect(concepts_, &QTableWidget::cellActivated, this, [this](int row, int) {
        if (auto* it = concepts_->item(row, 0)) emit conceptActivated(components_, it->data(Qt::UserRole).toInt());
    });
}

QString SemanticsPanel::summary() const { return title_->text(); }

void SemanticsPanel::showComponent(std::shared_ptr<const io::AtlasBundle> bundle, int components, int component) {
    bundle_ = std::move(bundle);
    components_ = components;
    component_ = component;
    concepts_->setRowCount(0);
    terms_->setRowCount(0);
    source_->clear();
    const io::AtlasScale* scale = nullptr;
    if (bundle_)
        for (const auto& s : bundle_->scales)
            if (s.components == components) scale = &s;
    if (!scale || component < 0) {
        title_->setText(tr("Select a component of a labelled atlas"));
        return;
    }
    const QString name = component < int(scale->names.size()) ? QString::fromStdString(scale->names[std::size_t(component)]) : QString();
    if (!scale->labels) {
        title_->setText(tr("<b>%1/%2 %3</b>: no labels — Jobs ▸ Label Atlas… gives every component its concepts").arg(components).arg(component).arg(name));
        return;
    }
    const auto& l = *scale->labels;
    const auto rows = conceptRows(l, component);
    int labels = 0;
    for (const auto& r : rows) labels += r.label;
    title_->setText(tr("<b>%1/%2 %3</b>: %4 label(s) at π ≥ %5 (%6 subsamples)")
                        .arg(components)
                        .arg(component)
                        .arg(name)
                        .arg(labels)
                        .arg(l.threshold, 0, 'f', 2)
                        .arg(l.subsamples));
    concepts_->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i) {
        const auto& r = rows[std::size_t(i)];
        auto* c = cell(QString::fromStdString(r.name), r.label);
        c->setData(Qt::UserRole, r.index);
        if (!r.id.empty()) c->setToolTip(tr("Cognitive Atlas %1").arg(QString::fromStdString(r.id)));
        concepts_->setItem(i, 0, c);
        concepts_->setItem(i, 1, cell(QString::number(r.pi, 'f', 2), r.label));
        concepts_->setItem(i, 2, cell(QString::fromUtf8(r.sign())));
        concepts_->setItem(i, 3, cell(QString::number(r.forwardT, 'f', 1)));
    }
    const auto terms = termRows(l, component);
    terms_->setRowCount(int(terms.size()));
    for (int i = 0; i < int(terms.size()); ++i) {
        terms_->setItem(i, 0, cell(QString::fromStdString(terms[std::size_t(i)].term)));
        terms_->setItem(i, 1, cell(QString::number(terms[std::size_t(i)].r, 'f', 3)));
        terms_->setItem(i, 2, cell(QString::fromStdString(terms[std::size_t(i)].concept_)));
    }
    source_->setText(QString::fromStdString(l.literatureSource.empty() ? "no literature terms" : "Literature: " + l.literatureSource));
}

} // namespace nm::widgets
