#include "ComparisonWindow.hpp"

#include "ReadOnlyTable.hpp"
#include "SceneController.hpp"
#include "VtkViewport.hpp"
#include "io/AtlasBundle.hpp"

#include <QComboBox>
#include <QFileInfo>
#include <QFile>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

#include <fstream>

namespace nm::widgets {

ComparisonWindow::ComparisonWindow(const QString& groupAtlas, const QString& subjectAtlas, const QString& displacement,
                                   const QString& report, QWidget* parent)
    : QWidget(parent, Qt::Window), group_(groupAtlas), subject_(subjectAtlas), displacement_(displacement) {
    setObjectName("comparisonWindow");
    setWindowTitle(tr("Group and subject — %1").arg(QFileInfo(subjectAtlas).fileName()));
    resize(1500, 760);
    panes_ = displacement.isEmpty() ? 2 : 3;
    auto* grid = new QGridLayout;
    const QString titles[3] = {tr("Group: %1").arg(QFileInfo(groupAtlas).fileName()),
                               tr("Subject: %1").arg(QFileInfo(subjectAtlas).fileName()), tr("Displacement (mm)")};
    for (int p = 0; p < panes_; ++p) {
        views_[p] = new VtkViewport(this);
        views_[p]->setObjectName(QStringLiteral("comparisonView%1").arg(p));
        views_[p]->setMinimumSize(320, 320);
        scenes_[p] = new SceneController(views_[p], this);
        connect(scenes_[p], &SceneController::layersChanged, this, [this, p] { sync(p); });
        scenes_[p]->loadSpace(QStringLiteral("template"));
        auto* t = new QLabel(titles[p]);
        t->setAlignment(Qt::AlignCenter);
        grid->addWidget(t, 0, p);
        grid->addWidget(views_[p], 1, p);
        grid->setColumnStretch(p, 1);
    }
    grid->setRowStretch(1, 1);
    // linked cameras: the other views share the first view's camera and redraw when it moves
    for (int p = 1; p < panes_; ++p) views_[p]->renderer()->SetActiveCamera(views_[0]->renderer()->GetActiveCamera());
    // after a view renders on its own (the user moved the camera there), the others follow; a
    // render they do because of that does not propagate again (no ping-pong)
    for (int p = 0; p < panes_; ++p) {
        auto* observer = vtkCallbackCommand::New();
        observer->SetClientData(&sync_[p]);
        observer->SetCallback([](vtkObject*, unsigned long, void* data, void*) {
            auto* link = static_cast<PaneLink*>(data);
            auto* w = link->window;
            const int self = link->pane;
            if (w->following_[self]) {
                w->following_[self] = false;
                return;
            }
            for (int q = 0; q < w->panes_; ++q)
                if (q != self) {
                    w->following_[q] = true;
                    w->views_[q]->requestRender();
                }
        });
        sync_[p] = {this, p};
        views_[p]->renderWindow()->AddObserver(vtkCommand::EndEvent, observer);
        observer->Delete();
    }

    scale_ = new QComboBox;
    scale_->setObjectName("comparisonScale");
    component_ = new QSpinBox;
    component_->setObjectName("comparisonComponent");
    caption_ = new QLabel;
    caption_->setObjectName("comparisonCaption");
    gains_ = makeReadOnlyTable(this, {tr("Components"), tr("Method"), tr("Mean r with the true maps")}, "comparisonGains");
    gains_->setMaximumHeight(180);
    nlohmann::json provenance;
    try {
        const auto b = io::readAtlasBundle(subjectAtlas.toStdString());
        for (const auto& s : b.scales) scale_->addItem(tr("%1 components").arg(s.components), s.components);
        provenance = b.provenance.value("personalization", nlohmann::json::object());
    } catch (const std::exception& e) {
        caption_->setText(QString::fromStdString(e.what()));
    }
    nlohmann::json rep;
    if (!report.isEmpty()) {
        std::ifstream in(report.toStdString());
        rep = nlohmann::json::parse(in, nullptr, false);
        if (rep.is_discarded()) rep = {};
    }
    fillGains(rep, provenance);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Scale")));
    controls->addWidget(scale_);
    controls->addWidget(new QLabel(tr("Component")));
    controls->addWidget(component_);
    controls->addWidget(caption_, 1);
    auto* v = new QVBoxLayout(this);
    v->addLayout(controls);
    v->addLayout(grid, 1);
    v->addWidget(gains_);
    auto refresh = [this] { showComponent(scale_->currentData().toInt(), component_->value()); };
    connect(scale_, &QComboBox::currentIndexChanged, this, [this, refresh] {
        component_->setRange(0, std::max(0, scale_->currentData().toInt() - 1));
        refresh();
    });
    connect(component_, &QSpinBox::valueChanged, this, refresh);
    if (scale_->count()) {
        component_->setRange(0, std::max(0, scale_->currentData().toInt() - 1));
        refresh();
    }
}

ComparisonWindow::~ComparisonWindow() {
    // the scenes hold actors of the viewports' renderers: they go first
    for (int p = 0; p < panes_; ++p) {
        views_[p]->renderWindow()->RemoveAllObservers();
        delete scenes_[p];
        scenes_[p] = nullptr;
    }
}

void ComparisonWindow::sync(int p) {
    auto* sc = scenes_[p];
    const auto& want = desired_[p];
    if (want.file.empty()) return;
    if (!added_[p]) {
        added_[p] = true;
        sc->addLayer(want);  // kept until the space is ready, or loaded now
        return;
    }
    if (sc->layerCount() == 0) return;  // still loading: layersChanged calls back
    const auto& have = sc->layer(0);
    if (have.file != want.file || have.scale != want.scale || have.map != want.map) sc->setLayer(0, want);
}

bool ComparisonWindow::camerasLinked() const {
    for (int p = 1; p < panes_; ++p)
        if (views_[p]->renderer()->GetActiveCamera() != views_[0]->renderer()->GetActiveCamera()) return false;
    return true;
}

void ComparisonWindow::showComponent(int components, int component) {
    auto layer = [&](const QString& file, const QString& name) {
        io::SessionLayer l;
        l.file = file.toStdString();
        l.name = name.toStdString();
        l.scale = components;
        l.map = component;
        l.colormap = "hot";
        l.sign = "positive";
        l.threshold = 0.05;
        return l;
    };
    {
        const QSignalBlocker b1(scale_), b2(component_);
        const int i = scale_->findData(components);
        if (i >= 0) scale_->setCurrentIndex(i);
        component_->setRange(0, std::max(0, components - 1));
        component_->setValue(component);
    }
    desired_[0] = layer(group_, tr("group %1/%2").arg(components).arg(component));
    desired_[1] = layer(subject_, tr("subject %1/%2").arg(components).arg(component));
    if (panes_ == 3) {
        io::SessionLayer d;
        d.file = displacement_.toStdString();
        d.name = tr("displacement (mm)").toStdString();
        d.colormap = "viridis";
        d.sign = "positive";
        desired_[2] = d;
    }
    for (int p = 0; p < panes_; ++p) sync(p);
    caption_->setText(tr("component %1 of %2").arg(component).arg(components));
}

void ComparisonWindow::fillGains(const nlohmann::json& report, const nlohmann::json& provenance) {
    gains_->setRowCount(0);
    auto add = [this](const QString& a, const QString& b, const QString& c) {
        const int r = gains_->rowCount();
        gains_->insertRow(r);
        gains_->setItem(r, 0, new QTableWidgetItem(a));
        gains_->setItem(r, 1, new QTableWidgetItem(b));
        gains_->setItem(r, 2, new QTableWidgetItem(c));
    };
    if (report.contains("summary")) {
        for (const auto& s : report["summary"])
            add(QString::number(s.value("components", 0)), QString::fromStdString(s.value("method", "")),
                QString::number(s.value("mean_r", 0.0), 'f', 3));
        return;
    }
    gains_->setHorizontalHeaderLabels({tr("Figure"), tr("Value"), tr("")});
    if (provenance.is_object())
        for (const char* key : {"median_displacement_mm", "seconds", "plan_entries", "coarse_to_fine", "loss", "subject"})
            if (provenance.contains(key)) add(QString::fromUtf8(key), QString::fromStdString(provenance[key].dump()), {});
}

} // namespace nm::widgets
