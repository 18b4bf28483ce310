#include "JobDialogs.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace nm::widgets {

namespace {
QWidget* withBrowse(QLineEdit* edit, QWidget* parent, std::function<QString()> choose) {
    auto* w = new QWidget(parent);
    auto* h = new QHBoxLayout(w);
    h->setContentsMargins(0, 0, 0, 0);
    auto* b = new QPushButton(QObject::tr("Browse…"), w);
    h->addWidget(edit, 1);
    h->addWidget(b);
    QObject::connect(b, &QPushButton::clicked, w, [edit, choose] {
        const QString s = choose();
        if (!s.isEmpty()) edit->setText(s);
    });
    return w;
}
QDialogButtonBox* okCancel(QDialog* d, const QString& ok) {
    auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, d);
    box->button(QDialogButtonBox::Ok)->setText(ok);
    QObject::connect(box, &QDialogButtonBox::rejected, d, &QDialog::reject);
    return box;
}
/// The form, then OK/Cancel: OK accepts unless `problem` names what is wrong (shown).
void finishDialog(QDialog* d, QFormLayout* form, const QString& ok, std::function<QString()> problem) {
    auto* box = okCancel(d, ok);
    QObject::connect(box, &QDialogButtonBox::accepted, d, [d, problem] {
        const QString p = problem();
        if (!p.isEmpty()) QMessageBox::warning(d, d->windowTitle(), p);
        else d->accept();
    });
    auto* v = new QVBoxLayout(d);
    v->addLayout(form);
    v->addWidget(box);
}
} // namespace

SimulateDialog::SimulateDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Simulate a Cohort"));
    setObjectName("simulateDialog");
    preset_ = new QComboBox(this);
    preset_->addItem(tr("tiny — 3 subjects, 8 mm, 2 studies (seconds)"), "tiny");
    preset_->addItem(tr("demo — 20 subjects, 4 mm, 4 studies (about a minute)"), "demo");
    preset_->addItem(tr("large — 200 subjects, 3 mm, 8 studies (tens of minutes, ~12 GB)"), "large");
    preset_->setCurrentIndex(1);
    preset_->setToolTip(tr("Simulated multi-study task fMRI with its ground truth (docs/simulator.md)"));
    out_ = new QLineEdit(QDir::home().filePath("neuromosaic-cohort"), this);
    out_->setToolTip(tr("Output directory: a BIDS dataset; an interrupted run resumes there"));
    seed_ = new QSpinBox(this);
    seed_->setRange(0, 1000000000);
    seed_->setValue(1);
    seed_->setToolTip(tr("The same seed gives the same bytes"));
    auto* form = new QFormLayout;
    form->addRow(tr("Preset"), preset_);
    form->addRow(tr("Output directory"), withBrowse(out_, this, [this] { return QFileDialog::getExistingDirectory(this, tr("Output directory")); }));
    form->addRow(tr("Seed"), seed_);
    auto* box = okCancel(this, tr("Simulate"));
    connect(box, &QDialogButtonBox::accepted, this, [this] {
        if (out_->text().trimmed().isEmpty()) QMessageBox::warning(this, windowTitle(), tr("Choose an output directory."));
        else accept();
    });
    auto* v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(box);
}

QStringList SimulateDialog::arguments() const {
    return {"simulate", "--preset", preset_->currentData().toString(), "--out", out_->text().trimmed(), "--seed", QString::number(seed_->value())};
}
QString SimulateDialog::outputDirectory() const { return out_->text().trimmed(); }
void SimulateDialog::setOutputDirectory(const QString& dir) { out_->setText(dir); }

LearnDialog::LearnDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Learn an Atlas"));
    setObjectName("learnDialog");
    datasets_ = new QLineEdit(this);
    datasets_->setToolTip(tr("BIDS dataset directories, separated by ';'"));
    out_ = new QLineEdit(QDir::home().filePath("atlas.nmatlas.h5"), this);
    out_->setToolTip(tr("Atlas bundle to write (*.nmatlas.h5); it opens when learning is done"));
    scales_ = new QLineEdit("64,256,1024", this);
    scales_->setToolTip(tr("Numbers of components, coarse to fine (up to 4096)"));
    epochs_ = new QSpinBox(this);
    epochs_->setRange(1, 1000);
    epochs_->setValue(2);
    epochs_->setToolTip(tr("Passes over the training data"));
    smoothing_ = new QDoubleSpinBox(this);
    smoothing_->setRange(0, 30);
    smoothing_->setValue(0);
    smoothing_->setSuffix(tr(" mm"));
    smoothing_->setToolTip(tr("Spatial smoothing FWHM"));
    mask_ = new QComboBox(this);
    mask_->addItem(tr("fMRIPrep's brain masks, else from the data"), "auto");
    mask_->addItem(tr("from the data (EPI)"), "epi");
    mask_->addItem(tr("MNI brain (template)"), "template");
    mask_->setToolTip(tr("Brain mask"));
    seed_ = new QSpinBox(this);
    seed_->setRange(0, 1000000000);
    seed_->setValue(0);
    seed_->setToolTip(tr("Random seed"));
    auto* form = new QFormLayout;
    form->addRow(tr("Datasets"), withBrowse(datasets_, this, [this] {
                     const QString d = QFileDialog::getExistingDirectory(this, tr("BIDS dataset"));
                     return d.isEmpty() ? QString() : (datasets_->text().isEmpty() ? d : datasets_->text() + ";" + d);
                 }));
    form->addRow(tr("Atlas file"), withBrowse(out_, this, [this] {
                     return QFileDialog::getSaveFileName(this, tr("Atlas bundle"), out_->text(), tr("Atlas bundles (*.nmatlas.h5)"));
                 }));
    form->addRow(tr("Scales"), scales_);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Smoothing"), smoothing_);
    form->addRow(tr("Mask"), mask_);
    form->addRow(tr("Seed"), seed_);
    finishDialog(this, form, tr("Learn"), [this] { return problem(); });
}

QString LearnDialog::problem() const {
    const QStringList dirs = datasets_->text().split(';', Qt::SkipEmptyParts);
    if (dirs.isEmpty()) return tr("Choose at least one BIDS dataset directory.");
    for (const QString& d : dirs)
        if (!QFileInfo(d.trimmed()).isDir()) return tr("%1: not a directory").arg(d.trimmed());
    if (!out_->text().trimmed().endsWith(".nmatlas.h5")) return tr("The atlas file must end with .nmatlas.h5");
    bool ok = !scales_->text().trimmed().isEmpty();
    for (const QString& k : scales_->text().split(',')) {
        const int v = k.trimmed().toInt(&ok);
        if (!ok || v < 2 || v > 4096) return tr("Scales: expected numbers of components between 2 and 4096, e.g. 64,256,1024");
    }
    return {};
}

QStringList LearnDialog::arguments() const {
    QStringList a{"learn"};
    for (const QString& d : datasets_->text().split(';', Qt::SkipEmptyParts)) a << d.trimmed();
    a << "--out" << out_->text().trimmed() << "--scales" << scales_->text().remove(' ') << "--epochs" << QString::number(epochs_->value()) << "--smoothing"
      << QString::number(smoothing_->value()) << "--mask" << mask_->currentData().toString() << "--seed" << QString::number(seed_->value());
    return a;
}
QString LearnDialog::outputFile() const { return out_->text().trimmed(); }
void LearnDialog::setDatasets(const QString& dirs) { datasets_->setText(dirs); }
void LearnDialog::setOutputFile(const QString& file) { out_->setText(file); }

LabelDialog::LabelDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Label an Atlas"));
    setObjectName("labelDialog");
    atlas_ = new QLineEdit(this);
    atlas_->setToolTip(tr("Atlas bundle (*.nmatlas.h5) learned from task data with events.tsv"));
    literature_ = new QLineEdit(this);
    literature_->setToolTip(tr("Folder of Neurosynth / NeuroQuery databases, as neurosynth-data and neuroquery_data publish them; "
                               "empty: labels from the data's annotations only"));
    mapping_ = new QLineEdit(this);
    mapping_->setToolTip(tr("Optional TSV mapping conditions to concepts (columns task, trial_type, concept)"));
    out_ = new QLineEdit(this);
    out_->setPlaceholderText(tr("the atlas itself"));
    out_->setToolTip(tr("Labelled bundle to write; empty: the labels go into the atlas (atomically)"));
    subsamples_ = new QSpinBox(this);
    subsamples_->setRange(10, 100000);
    subsamples_->setValue(100);
    subsamples_->setToolTip(tr("Stability selection: subsamples of half the subjects"));
    threshold_ = new QDoubleSpinBox(this);
    threshold_->setRange(0.55, 1.0);
    threshold_->setSingleStep(0.05);
    threshold_->setValue(0.7);
    threshold_->setToolTip(tr("Selection frequency π at or above which a component carries a concept"));
    auto* form = new QFormLayout;
    form->addRow(tr("Atlas"), withBrowse(atlas_, this, [this] {
                     return QFileDialog::getOpenFileName(this, tr("Atlas bundle"), atlas_->text(), tr("Atlas bundles (*.nmatlas.h5)"));
                 }));
    form->addRow(tr("Literature"), withBrowse(literature_, this, [this] { return QFileDialog::getExistingDirectory(this, tr("Literature folder")); }));
    form->addRow(tr("Mapping TSV"), withBrowse(mapping_, this, [this] {
                     return QFileDialog::getOpenFileName(this, tr("Condition → concept mapping"), QString(), tr("TSV (*.tsv *.txt)"));
                 }));
    form->addRow(tr("Subsamples"), subsamples_);
    form->addRow(tr("Threshold π"), threshold_);
    form->addRow(tr("Output"), withBrowse(out_, this, [this] {
                     return QFileDialog::getSaveFileName(this, tr("Labelled atlas"), atlas_->text(), tr("Atlas bundles (*.nmatlas.h5)"));
                 }));
    finishDialog(this, form, tr("Label"), [this] { return problem(); });
}

QString LabelDialog::problem() const {
    if (!QFileInfo(atlas_->text().trimmed()).isFile()) return tr("%1: no such atlas bundle").arg(atlas_->text().trimmed());
    const QString lit = literature_->text().trimmed();
    if (!lit.isEmpty() && !QFileInfo(lit).isDir()) return tr("%1: not a directory").arg(lit);
    const QString map = mapping_->text().trimmed();
    if (!map.isEmpty() && !QFileInfo(map).isFile()) return tr("%1: no such mapping file").arg(map);
    const QString out = out_->text().trimmed();
    if (!out.isEmpty() && !out.endsWith(".nmatlas.h5")) return tr("The output must end with .nmatlas.h5");
    return {};
}

QStringList LabelDialog::arguments() const {
    QStringList a{"label", atlas_->text().trimmed(), "--subsamples", QString::number(subsamples_->value()), "--threshold",
                  QString::number(threshold_->value(), 'f', 2)};
    if (!literature_->text().trimmed().isEmpty()) a << "--literature" << literature_->text().trimmed();
    if (!mapping_->text().trimmed().isEmpty()) a << "--mapping" << mapping_->text().trimmed();
    if (!out_->text().trimmed().isEmpty()) a << "--out" << out_->text().trimmed();
    return a;
}
QString LabelDialog::outputFile() const { return out_->text().trimmed().isEmpty() ? atlas_->text().trimmed() : out_->text().trimmed(); }
void LabelDialog::setAtlas(const QString& file) { atlas_->setText(file); }
void LabelDialog::setLiterature(const QString& dir) { literature_->setText(dir); }
QString LabelDialog::literature() const { return literature_->text().trimmed(); }

} // namespace nm::widgets
