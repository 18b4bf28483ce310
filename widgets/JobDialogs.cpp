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
    auto* box = okCancel(this, tr("Learn"));
    connect(box, &QDialogButtonBox::accepted, this, [this] {
        const QString p = problem();
        if (!p.isEmpty()) QMessageBox::warning(this, windowTitle(), p);
        else accept();
    });
    auto* v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(box);
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

} // namespace nm::widgets
