#include "ExportDialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace nm::widgets {

ExportDialog::ExportDialog(const io::FigureSettings& settings, QWidget* parent) : QDialog(parent), base_(settings) {
    setWindowTitle(tr("Export Figure"));
    current_ = new QRadioButton(tr("Current view (as on screen)"), this);
    montage_ = new QRadioButton(tr("Montage: views × hemispheres, colour bar and title"), this);
    (settings.montage ? montage_ : current_)->setChecked(true);
    auto* viewsRow = new QHBoxLayout;
    for (const char* v : {"lateral", "medial", "dorsal", "ventral", "anterior", "posterior"}) {
        auto* box = new QCheckBox(tr(v), this);
        box->setChecked(std::find(settings.views.begin(), settings.views.end(), v) != settings.views.end());
        views_.emplace_back(v, box);
        viewsRow->addWidget(box);
    }
    title_ = new QLineEdit(QString::fromStdString(settings.title), this);
    scale_ = new QSpinBox(this);
    scale_->setRange(1, 8);
    scale_->setValue(settings.scale);
    scale_->setToolTip(tr("The image is this many times the view's pixel size; text and colour bar scale with it"));
    dpi_ = new QDoubleSpinBox(this);
    dpi_->setRange(72, 2400);
    dpi_->setDecimals(0);
    dpi_->setValue(settings.dpi);
    dpi_->setToolTip(tr("Resolution stored in the PNG (how large it prints)"));
    path_ = new QLineEdit(QStringLiteral("figure.png"), this);
    path_->setToolTip(tr(".png: the view or the montage at the chosen scale and DPI; .pdf/.svg: the current view with its text "
                         "and colour bar as vectors, the surfaces as an embedded image at twice the view's resolution"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Export Figure"), path_->text(),
                                                       tr("PNG images (*.png);;PDF, current view (*.pdf);;SVG, current view (*.svg)"));
        if (p.isEmpty()) return;
        const QString l = p.toLower();
        path_->setText(l.endsWith(".png") || l.endsWith(".pdf") || l.endsWith(".svg") ? p : p + ".png");
    });
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_);
    pathRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(current_);
    form->addRow(montage_);
    form->addRow(tr("Views"), viewsRow);
    form->addRow(tr("Title"), title_);
    form->addRow(tr("Scale"), scale_);
    form->addRow(tr("DPI"), dpi_);
    form->addRow(tr("File"), pathRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

bool ExportDialog::montage() const { return montage_->isChecked(); }

io::FigureSettings ExportDialog::settings() const {
    io::FigureSettings s = base_;
    s.montage = montage();
    s.views.clear();
    for (const auto& [name, box] : views_)
        if (box->isChecked()) s.views.push_back(name);
    if (s.views.empty()) s.views = {"lateral"};
    s.title = title_->text().toStdString();
    s.scale = scale_->value();
    s.dpi = dpi_->value();
    return s;
}

QString ExportDialog::path() const { return path_->text(); }

} // namespace nm::widgets
