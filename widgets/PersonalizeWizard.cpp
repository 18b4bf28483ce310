#include "PersonalizeWizard.hpp"

#include "ReadOnlyTable.hpp"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QWizardPage>

namespace nm::widgets {

namespace {

/// A page whose completeness is a predicate (the wizard's Next button follows it).
class CheckedPage : public QWizardPage {
public:
    explicit CheckedPage(std::function<bool()> complete) : complete_(std::move(complete)) {}
    [[nodiscard]] bool isComplete() const override { return complete_(); }
    void changed() { emit completeChanged(); }

private:
    std::function<bool()> complete_;
};

QWidget* withBrowse(QLineEdit* edit, const std::function<void()>& browse) {
    auto* w = new QWidget;
    auto* h = new QHBoxLayout(w);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    auto* b = new QPushButton(QObject::tr("Browse…"));
    QObject::connect(b, &QPushButton::clicked, b, browse);
    h->addWidget(b);
    return w;
}

QString status(bool ok, const QString& text) {
    return ok ? text : QStringLiteral("<span style='color:#b00020'>%1</span>").arg(text.toHtmlEscaped());
}

} // namespace

PersonalizeWizard::PersonalizeWizard(QWidget* parent) : QWizard(parent) {
    setObjectName("personalizeWizard");
    setWindowTitle(tr("Personalize a New Subject"));
    setWizardStyle(QWizard::ClassicStyle);
    resize(760, 560);

    // 1. the subject
    auto* p1 = new CheckedPage([this] { return subject_.ok || checkContrastMaps(contrastMaps(), AtlasCheck{}).ok; });
    p1->setTitle(tr("The subject"));
    p1->setSubTitle(tr("A BIDS subject folder (<dataset>/sub-<label>) with task and/or resting-state runs, preprocessed "
                       "exactly as the atlas's training data were — and/or the subject's contrast maps, each named by a "
                       "concept the atlas labels."));
    subjectEdit_ = new QLineEdit;
    subjectEdit_->setObjectName("subjectFolder");
    subjectStatus_ = new QLabel;
    subjectStatus_->setObjectName("subjectStatus");
    subjectStatus_->setWordWrap(true);
    runs_ = makeReadOnlyTable(p1, {tr("Run file"), tr("Task"), tr("Session"), tr("Run"), tr("TR (s)"), tr("Events"), tr("Confounds")},
                              "subjectRuns");
    auto* f1 = new QVBoxLayout(p1);
    f1->addWidget(withBrowse(subjectEdit_, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Subject folder (sub-<label>)"), subjectEdit_->text());
        if (!d.isEmpty()) subjectEdit_->setText(d);
    }));
    f1->addWidget(subjectStatus_);
    f1->addWidget(runs_, 1);
    // the contrast maps: concept (editable) | map | right hemisphere (GIFTI pairs)
    maps_ = new QTableWidget(0, 3, p1);
    maps_->setObjectName("contrastMaps");
    maps_->setHorizontalHeaderLabels({tr("Concept"), tr("Map (NIfTI, or left GIFTI)"), tr("Right hemisphere (GIFTI)")});
    maps_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    maps_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    maps_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    maps_->setColumnWidth(0, 240);
    maps_->setWordWrap(false);
    maps_->setTextElideMode(Qt::ElideLeft);  // file names end in what tells them apart
    maps_->setToolTip(tr("Double-click a concept to edit it: it must name a concept the atlas labels"));
    mapsStatus_ = new QLabel;
    mapsStatus_->setObjectName("contrastMapsStatus");
    mapsStatus_->setWordWrap(true);
    auto* mapButtons = new QWidget;
    auto* mb = new QHBoxLayout(mapButtons);
    mb->setContentsMargins(0, 0, 0, 0);
    auto* addVolume = new QPushButton(tr("Add NIfTI Maps…"));
    auto* addSurface = new QPushButton(tr("Add GIFTI Pair…"));
    auto* remove = new QPushButton(tr("Remove"));
    mb->addWidget(new QLabel(tr("Contrast maps:")));
    mb->addStretch(1);
    mb->addWidget(addVolume);
    mb->addWidget(addSurface);
    mb->addWidget(remove);
    auto stemOf = [](const QString& f) {
        QString n = QFileInfo(f).fileName();
        for (const QString ext : {".nii.gz", ".nii", ".func.gii", ".gii"})
            if (n.endsWith(ext)) return n.left(n.size() - ext.size());
        return n;
    };
    connect(addVolume, &QPushButton::clicked, this, [this, stemOf] {
        for (const QString& f : QFileDialog::getOpenFileNames(this, tr("Contrast maps (NIfTI)"), QString(), tr("NIfTI (*.nii *.nii.gz)")))
            addMapRow({stemOf(f).toStdString(), f.toStdString(), {}});
    });
    connect(addSurface, &QPushButton::clicked, this, [this, stemOf] {
        const QString l = QFileDialog::getOpenFileName(this, tr("Left hemisphere (GIFTI)"), QString(), tr("GIFTI (*.gii)"));
        if (l.isEmpty()) return;
        const QString r = QFileDialog::getOpenFileName(this, tr("Right hemisphere (GIFTI)"), QFileInfo(l).path(), tr("GIFTI (*.gii)"));
        if (!r.isEmpty()) addMapRow({stemOf(l).toStdString(), l.toStdString(), r.toStdString()});
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (maps_->currentRow() >= 0) maps_->removeRow(maps_->currentRow());
        refreshMaps();
    });
    connect(maps_, &QTableWidget::itemChanged, this, [this, p1] {
        refreshMaps();
        p1->changed();
    });
    connect(maps_->model(), &QAbstractItemModel::rowsRemoved, this, [p1] { p1->changed(); });
    f1->addWidget(mapButtons);
    f1->addWidget(maps_, 1);
    f1->addWidget(mapsStatus_);
    connect(subjectEdit_, &QLineEdit::textChanged, this, [this, p1] {
        refreshSubject();
        p1->changed();
    });
    addPage(p1);

    // 2. the atlas and the solver
    auto* p2 = new CheckedPage([this] {
        return atlas_.ok && !outEdit_->text().isEmpty() && (contrastMaps().empty() || checkContrastMaps(contrastMaps(), atlas_).ok);
    });
    p2->setTitle(tr("Atlas and solver"));
    p2->setSubTitle(tr("Fused unbalanced Gromov-Wasserstein transport from the group to the subject, on the subject's "
                       "dual-regression maps; coarse-to-fine above the dense limit."));
    atlasEdit_ = new QLineEdit;
    atlasEdit_->setObjectName("atlasFile");
    atlasStatus_ = new QLabel;
    atlasStatus_->setObjectName("atlasStatus");
    atlasStatus_->setWordWrap(true);
    outEdit_ = new QLineEdit;
    outEdit_->setObjectName("outputFile");
    const PersonalizeSettings d;
    alpha_ = new QDoubleSpinBox;
    alpha_->setRange(0, 1);
    alpha_->setDecimals(2);
    alpha_->setSingleStep(0.1);
    alpha_->setValue(d.alpha);
    alpha_->setToolTip(tr("Weight of the geometry (Gromov-Wasserstein) term; 1 − α weighs the functional features"));
    rho_ = new QDoubleSpinBox;
    rho_->setRange(0.01, 1000);
    rho_->setValue(d.rho);
    rho_->setToolTip(tr("KL penalty on the marginals: larger is closer to a balanced (mass-preserving) plan"));
    eps_ = new QDoubleSpinBox;
    eps_->setRange(1e-6, 1e-1);
    eps_->setDecimals(6);
    eps_->setSingleStep(1e-5);
    eps_->setValue(d.eps);
    eps_->setToolTip(tr("Final entropic regularisation (ε-scaling starts at 0.01 and decreases ×0.3 per iteration)"));
    bcd_ = new QSpinBox;
    bcd_->setRange(1, 100);
    bcd_->setValue(d.bcd);
    bcd_->setToolTip(tr("Block-coordinate-descent iterations"));
    inner_ = new QSpinBox;
    inner_->setRange(1, 1000);
    inner_->setValue(d.inner);
    inner_->setToolTip(tr("Sinkhorn iterations per block"));
    coarse_ = new QSpinBox;
    coarse_->setRange(50, 5000);
    coarse_->setValue(d.coarseSamples);
    coarse_->setToolTip(tr("Samples per side of the coarse problem (coarse-to-fine solver)"));
    surfaces_ = new QCheckBox(tr("Also on both hemispheres' cortical surfaces"));
    surfaces_->setObjectName("personalizeSurfaces");
    surfaces_->setToolTip(tr("FUGW on the template's meshes (coarse-to-fine, geodesic geometry; about 40 s per hemisphere): the "
                             "subject atlas's surface maps are the ones transported there"));
    auto* f2 = new QFormLayout(p2);
    f2->addRow(tr("Group atlas"), withBrowse(atlasEdit_, [this] {
                   const QString f = QFileDialog::getOpenFileName(this, tr("Group atlas"), atlasEdit_->text(),
                                                                  tr("Atlas bundles (*.nmatlas.h5)"));
                   if (!f.isEmpty()) atlasEdit_->setText(f);
               }));
    f2->addRow(QString(), atlasStatus_);
    f2->addRow(tr("α (geometry)"), alpha_);
    f2->addRow(tr("ρ (marginals)"), rho_);
    f2->addRow(tr("ε (entropy)"), eps_);
    f2->addRow(tr("BCD iterations"), bcd_);
    f2->addRow(tr("Sinkhorn iterations"), inner_);
    f2->addRow(tr("Coarse samples"), coarse_);
    f2->addRow(QString(), surfaces_);
    f2->addRow(tr("Subject bundle"), withBrowse(outEdit_, [this] {
                   const QString f = QFileDialog::getSaveFileName(this, tr("Subject bundle"), outEdit_->text(),
                                                                  tr("Atlas bundles (*.nmatlas.h5)"));
                   if (!f.isEmpty()) outEdit_->setText(f);
               }));
    connect(atlasEdit_, &QLineEdit::textChanged, this, [this, p2] {
        refreshAtlas();
        refreshMaps();
        p2->changed();
    });
    connect(outEdit_, &QLineEdit::textEdited, this, [this, p2] {
        outEdited_ = true;
        p2->changed();
    });
    addPage(p2);

    // 3. summary
    auto* p3 = new QWizardPage;
    p3->setTitle(tr("Run"));
    p3->setSubTitle(tr("The job runs in the background (Jobs panel: progress, cancel); the subject's atlas opens when it is done."));
    summary_ = new QPlainTextEdit;
    summary_->setObjectName("personalizeSummary");
    summary_->setReadOnly(true);
    auto* f3 = new QVBoxLayout(p3);
    f3->addWidget(summary_);
    addPage(p3);
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        if (id == 2) refreshSummary();
    });
    setButtonText(QWizard::FinishButton, tr("Personalize"));
    refreshSubject();
    refreshAtlas();
    refreshMaps();
}

void PersonalizeWizard::setAtlas(const QString& file) { atlasEdit_->setText(file); }
void PersonalizeWizard::setSubjectFolder(const QString& folder) { subjectEdit_->setText(folder); }

void PersonalizeWizard::addMapRow(const ContrastMapEntry& e) {
    const QSignalBlocker block(maps_);
    const int r = maps_->rowCount();
    maps_->insertRow(r);
    maps_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(e.concept_)));
    for (int c : {1, 2}) {
        auto* item = new QTableWidgetItem(QString::fromStdString(c == 1 ? e.file : e.rightFile));
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        maps_->setItem(r, c, item);
    }
    refreshMaps();
    if (auto* p = dynamic_cast<CheckedPage*>(page(0))) p->changed();
}

void PersonalizeWizard::setContrastMaps(const std::vector<ContrastMapEntry>& maps) {
    maps_->setRowCount(0);
    for (const auto& m : maps) addMapRow(m);
}

std::vector<ContrastMapEntry> PersonalizeWizard::contrastMaps() const {
    std::vector<ContrastMapEntry> out;
    for (int r = 0; r < maps_->rowCount(); ++r) {
        auto text = [&](int c) { return maps_->item(r, c) ? maps_->item(r, c)->text().trimmed().toStdString() : std::string(); };
        out.push_back({text(0), text(1), text(2)});
    }
    return out;
}

void PersonalizeWizard::refreshMaps() {
    const auto maps = contrastMaps();
    mapsCheck_ = checkContrastMaps(maps, atlas_);
    if (maps.empty())
        mapsStatus_->setText(tr("No contrast maps (optional with a subject folder; alone, they are the only features)."));
    else if (!mapsCheck_.ok)
        mapsStatus_->setText(status(false, QString::fromStdString(mapsCheck_.error)));
    else
        mapsStatus_->setText(tr("%1 contrast map(s): %2 NIfTI, %3 GIFTI pair(s)%4")
                                 .arg(maps.size())
                                 .arg(mapsCheck_.volumes)
                                 .arg(mapsCheck_.surfaces)
                                 .arg(atlas_.ok ? tr("; every concept is labelled by the atlas") : QString()));
    refreshOutput();
}

void PersonalizeWizard::refreshOutput() {
    if (outEdited_ || !atlas_.ok) return;
    if (subject_.ok)
        outEdit_->setText(QString::fromStdString(defaultSubjectBundle(atlasEdit_->text().toStdString(), subject_.label).string()));
    else if (!contrastMaps().empty())
        outEdit_->setText(QString::fromStdString(defaultSubjectBundle(atlasEdit_->text().toStdString(), "maps").string()));
}

PersonalizeSettings PersonalizeWizard::settings() const {
    PersonalizeSettings s;
    s.alpha = alpha_->value();
    s.rho = rho_->value();
    s.eps = eps_->value();
    s.bcd = bcd_->value();
    s.inner = inner_->value();
    s.coarseSamples = coarse_->value();
    s.surfaces = surfaces_->isChecked();
    return s;
}

QStringList PersonalizeWizard::arguments() const {
    QStringList out;
    for (const auto& a : personalizeArguments(atlasEdit_->text().toStdString(),
                                              subject_.ok ? subjectEdit_->text().toStdString() : std::string(),
                                              outEdit_->text().toStdString(), settings(), contrastMaps()))
        out << QString::fromStdString(a);
    return out;
}

QString PersonalizeWizard::outputFile() const { return outEdit_->text(); }

void PersonalizeWizard::refreshSubject() {
    subject_ = checkSubjectFolder(subjectEdit_->text().toStdString());
    runs_->setRowCount(0);
    if (!subject_.ok && subjectEdit_->text().trimmed().isEmpty()) {
        subjectStatus_->setText(tr("Choose the subject's folder — or add its contrast maps below."));
    } else if (!subject_.ok) {
        subjectStatus_->setText(status(false, QString::fromStdString(subject_.error)));
    } else {
        QStringList tasks;
        for (const auto& t : subject_.tasks) tasks << QString::fromStdString(t);
        subjectStatus_->setText(tr("sub-%1 of %2: %3 functional runs; tasks: %4")
                                    .arg(QString::fromStdString(subject_.label), QString::fromStdString(subject_.dataset))
                                    .arg(subject_.runs.size())
                                    .arg(tasks.join(", ")));
        runs_->setRowCount(int(subject_.runs.size()));
        for (int r = 0; r < int(subject_.runs.size()); ++r) {
            const auto& x = subject_.runs[std::size_t(r)];
            const QStringList cells{QString::fromStdString(x.file), QString::fromStdString(x.task), QString::fromStdString(x.session),
                                    QString::fromStdString(x.run), QString::number(x.repetitionTime), x.events ? tr("yes") : tr("no"),
                                    x.confounds ? tr("yes") : tr("no")};
            for (int c = 0; c < cells.size(); ++c) runs_->setItem(r, c, new QTableWidgetItem(cells[c]));
        }
    }
    refreshOutput();
}

void PersonalizeWizard::refreshAtlas() {
    atlas_ = checkAtlas(atlasEdit_->text().toStdString());
    if (!atlas_.ok) {
        atlasStatus_->setText(status(false, QString::fromStdString(atlas_.error)));
    } else {
        QStringList scales;
        for (int k : atlas_.scales) scales << QString::number(k);
        atlasStatus_->setText(tr("%1 voxels; scales %2; %3")
                                  .arg(atlas_.voxels)
                                  .arg(scales.join(", "))
                                  .arg(atlas_.labelled ? tr("labelled (the labels follow the components)") : tr("not labelled")));
    }
    refreshOutput();
}

void PersonalizeWizard::refreshSummary() {
    const QString who = subject_.ok ? tr("sub-%1 (%2 runs)").arg(QString::fromStdString(subject_.label)).arg(subject_.runs.size())
                                    : tr("no folder: the contrast maps only (the group's network is kept)");
    summary_->setPlainText(tr("neuromosaic-cli %1\n\nSubject: %2\nContrast maps: %3\nAtlas: %4\nOutput: %5\nDisplacement map: %6")
                               .arg(arguments().join(' '), who)
                               .arg(contrastMaps().size())
                               .arg(atlasEdit_->text(), outEdit_->text(),
                                    QString::fromStdString(displacementFile(outEdit_->text().toStdString()).string())));
}

} // namespace nm::widgets
