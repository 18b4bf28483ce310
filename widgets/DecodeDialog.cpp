#include "DecodeDialog.hpp"

#include <QDialogButtonBox>
#include <QFileInfo>
#include "ReadOnlyTable.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace nm::widgets {

DecodeDialog::DecodeDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Decoded Map"));
    setObjectName("decodeDialog");
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    concepts_ = makeReadOnlyTable(this, {tr("Concept (atlas labels)"), tr("Score"), tr("Components")}, "decodeConcepts");
    terms_ = makeReadOnlyTable(this, {tr("Literature term"), tr("r"), tr("Concept")}, "decodeTerms");
    auto* box = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(box, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* v = new QVBoxLayout(this);
    v->addWidget(title_);
    v->addWidget(concepts_, 1);
    v->addWidget(terms_, 1);
    v->addWidget(box);
    resize(520, 560);
}

void DecodeDialog::setResult(const QString& map, const semantics::DecodeResult& r) {
    QString text = tr("<b>%1</b>: %2 voxels in the brain%3; %4 (%5 s)")
                       .arg(QFileInfo(map).fileName())
                       .arg(r.voxels)
                       .arg(r.resampled ? tr(", resampled") : QString())
                       .arg(QString::fromStdString(r.literatureStatus))
                       .arg(r.seconds, 0, 'f', 2);
    for (const auto& w : r.warnings) text += "<br><i>" + QString::fromStdString(w).toHtmlEscaped() + "</i>";
    title_->setText(text);
    concepts_->setRowCount(int(r.concepts.size()));
    for (int i = 0; i < int(r.concepts.size()); ++i) {
        const auto& c = r.concepts[std::size_t(i)];
        QStringList comps;
        for (std::size_t k = 0; k < std::min<std::size_t>(c.components.size(), 6); ++k) comps << QString::number(c.components[k]);
        if (c.components.size() > 6) comps << "…";
        concepts_->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(c.name)));
        concepts_->setItem(i, 1, new QTableWidgetItem(QString::number(c.score, 'f', 3)));
        concepts_->setItem(i, 2, new QTableWidgetItem(comps.join(", ")));
    }
    terms_->setRowCount(int(r.terms.size()));
    for (int i = 0; i < int(r.terms.size()); ++i) {
        const auto& t = r.terms[std::size_t(i)];
        terms_->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(t.term)));
        terms_->setItem(i, 1, new QTableWidgetItem(QString::number(t.r, 'f', 3)));
        terms_->setItem(i, 2, new QTableWidgetItem(QString::fromStdString(t.concept_)));
    }
}

} // namespace nm::widgets
