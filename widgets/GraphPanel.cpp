#include "GraphPanel.hpp"

#include "connectivity/SparseNetwork.hpp"

#include "ColorMap.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

namespace nm::widgets {

GraphView2D::GraphView2D(QWidget* parent) : QWidget(parent) {
    setObjectName("graphView2D");
    setMinimumHeight(100);
    setToolTip(tr("Force-directed layout of the component network; click a component to select it"));
}

void GraphView2D::setGraph(std::shared_ptr<const graph::ComponentGraph> g, bool sizeByStrength) {
    g_ = std::move(g);
    byStrength_ = sizeByStrength;
    update();
}

void GraphView2D::setSelected(int node) {
    selected_ = node;
    update();
}

QPointF GraphView2D::nodePosition(int node) const {
    if (!g_ || node < 0 || node >= g_->layout.rows()) return {};
    const double m = 14.0, w = std::max(1.0, width() - 2 * m), h = std::max(1.0, height() - 2 * m), s = std::min(w, h) / 2;
    return {width() / 2.0 + s * g_->layout(node, 0), height() / 2.0 - s * g_->layout(node, 1)};
}

double GraphView2D::radius(int node) const {
    const auto& v = byStrength_ ? g_->strength : g_->degree;
    const double lo = v.minCoeff(), hi = v.maxCoeff();
    const double t = hi > lo ? (v[node] - lo) / (hi - lo) : 0.5;
    const double base = g_->layout.rows() > 300 ? 1.5 : g_->layout.rows() > 100 ? 2.5 : 4.0;
    return base * (1.0 + 1.5 * t);
}

void GraphView2D::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (!g_) {
        p.setPen(Qt::gray);
        p.drawText(rect(), Qt::AlignCenter, tr("No component network"));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);
    const double wmax = g_->weights.empty() ? 1.0 : *std::max_element(g_->weights.begin(), g_->weights.end());
    for (std::size_t e = 0; e < g_->edges.size(); ++e) {
        const auto [a, b] = g_->edges[e];
        const bool touches = a == selected_ || b == selected_;
        QColor c = touches ? QColor(230, 160, 0) : QColor(120, 120, 130, 110);
        p.setPen(QPen(c, (touches ? 1.8 : 0.6) + 1.2 * g_->weights[e] / wmax));
        p.drawLine(nodePosition(a), nodePosition(b));
    }
    for (int i = 0; i < int(g_->layout.rows()); ++i) {
        const auto c = render::labelColor(g_->module[std::size_t(i)]);
        p.setBrush(QColor::fromRgbF(c[0], c[1], c[2]));
        p.setPen(QPen(i == selected_ ? Qt::black : QColor(60, 60, 60), i == selected_ ? 2.0 : 0.5));
        const double r = radius(i) * (i == selected_ ? 1.8 : 1.0);
        p.drawEllipse(nodePosition(i), r, r);
    }
}

void GraphView2D::mousePressEvent(QMouseEvent* event) {
    if (!g_) return;
    int best = -1;
    double bestD = 1e300;
    for (int i = 0; i < int(g_->layout.rows()); ++i) {
        const QPointF d = nodePosition(i) - event->position();
        const double dd = d.x() * d.x() + d.y() * d.y();
        if (dd < bestD) bestD = dd, best = i;
    }
    if (best >= 0 && bestD <= std::pow(std::max(8.0, radius(best) + 4), 2)) {
        setSelected(best);
        emit nodeClicked(best);
    }
}

GraphPanel::GraphPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("graphPanel");
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    network_ = new QComboBox(this);
    network_->setObjectName("graphNetwork");
    network_->addItem(tr("Correlation"), "correlation");
    network_->addItem(tr("Partial correlation"), "partial");
    network_->addItem(tr("Graphical lasso"), "glasso");
    network_->addItem(tr("Sparse model (stored)"), "stored");
    network_->setToolTip(tr("Correlation and partial correlation: the bundle's Ledoit–Wolf group estimates. Graphical lasso: "
                            "of the group correlation at the chosen α. Sparse model: the one learned with the atlas "
                            "(group-sparse covariance, α cross-validated); every positive link is drawn."));
    alpha_ = new QDoubleSpinBox(this);
    alpha_->setObjectName("graphAlpha");
    alpha_->setRange(0.0, 1.0);
    alpha_->setDecimals(3);
    alpha_->setSingleStep(0.01);
    alpha_->setSpecialValueText(tr("auto (0.1 αmax)"));
    alpha_->setToolTip(tr("Penalty of the graphical lasso; every positive partial correlation it keeps is a link"));
    topK_ = new QSpinBox(this);
    topK_->setRange(1, 50);
    topK_->setValue(3);
    topK_->setToolTip(tr("Each component keeps its k strongest positive links"));
    threshold_ = new QDoubleSpinBox(this);
    threshold_->setRange(0.0, 1.0);
    threshold_->setSingleStep(0.05);
    threshold_->setDecimals(2);
    threshold_->setSpecialValueText(tr("off (top-k)"));
    threshold_->setToolTip(tr("Instead of the k strongest links: every link whose weight reaches this value"));
    sizeBy_ = new QComboBox(this);
    sizeBy_->addItem(tr("Degree"));
    sizeBy_->addItem(tr("Strength"));
    show3D_ = new QCheckBox(tr("Ball-and-stick on the brain (3-D)"), this);
    show3D_->setObjectName("graphShow3D");
    show3D_->setToolTip(tr("Components at their centroids on a translucent white-matter surface; colours are modules"));
    form->addRow(tr("Network"), network_);
    form->addRow(tr("Graphical lasso α"), alpha_);
    form->addRow(tr("Links per component"), topK_);
    form->addRow(tr("Or links above"), threshold_);
    form->addRow(tr("Node size"), sizeBy_);
    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    view_ = new GraphView2D(this);
    layout->addLayout(form);
    layout->addWidget(show3D_);
    layout->addWidget(summary_);
    layout->addWidget(view_, 1);
    connect(network_, &QComboBox::currentIndexChanged, this, &GraphPanel::recompute);
    connect(alpha_, &QDoubleSpinBox::valueChanged, this, [this] {
        if (network_->currentData().toString() == "glasso") recompute();
    });
    connect(topK_, &QSpinBox::valueChanged, this, &GraphPanel::recompute);
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, [this](double t) {
        topK_->setEnabled(t <= 0);
        recompute();
    });
    connect(sizeBy_, &QComboBox::currentIndexChanged, this, [this] {
        view_->setGraph(graph_, sizeByStrength());
        emit graphChanged();
    });
    connect(show3D_, &QCheckBox::toggled, this, &GraphPanel::show3DChanged);
    connect(view_, &GraphView2D::nodeClicked, this, &GraphPanel::componentSelected);
}

bool GraphPanel::show3D() const { return show3D_->isChecked(); }
bool GraphPanel::sizeByStrength() const { return sizeBy_->currentIndex() == 1; }

void GraphPanel::setScale(std::shared_ptr<const io::AtlasBundle> bundle, int components) {
    bundle_ = std::move(bundle);
    components_ = components;
    recompute();
}

void GraphPanel::setSelected(int component) { view_->setSelected(component); }

void GraphPanel::recompute() {
    if (!bundle_ || components_ <= 0) return;
    const io::AtlasScale* scale = nullptr;
    for (const auto& s : bundle_->scales)
        if (s.components == components_) scale = &s;
    if (!scale) return;
    const QString kindName = network_->currentData().toString();
    const auto kind = kindName == "partial"  ? connectivity::NetworkKind::PartialCorrelation
                      : kindName == "glasso" ? connectivity::NetworkKind::GraphicalLasso
                      : kindName == "stored" ? connectivity::NetworkKind::Stored
                                             : connectivity::NetworkKind::Correlation;
    const bool sparse = kind == connectivity::NetworkKind::GraphicalLasso || kind == connectivity::NetworkKind::Stored;
    alpha_->setEnabled(kind == connectivity::NetworkKind::GraphicalLasso);
    topK_->setEnabled(!sparse && threshold_->value() <= 0);
    threshold_->setEnabled(!sparse);
    const bool available = kind == connectivity::NetworkKind::Stored ? scale->sparseNetwork.has_value()
                           : kind == connectivity::NetworkKind::PartialCorrelation ? scale->partialCorrelation.rows() == components_
                                                                                    : scale->correlation.rows() == components_;
    if (!available) {
        graph_.reset();
        view_->setGraph(nullptr, false);
        summary_->setText(kind == connectivity::NetworkKind::Stored ? tr("This scale has no sparse model: run neuromosaic-cli network on the atlas.")
                                                                    : tr("This scale has no component network."));
        emit graphChanged();
        return;
    }
    const int generation = ++generation_;
    ++pending_;
    summary_->setText(tr("Computing the network of %1 components…").arg(components_));
    graph::ComponentGraphOptions o;
    o.topK = topK_->value();
    // A sparse model's links are its support: every positive partial correlation.
    o.threshold = sparse ? 1e-12 : threshold_->value();
    o.consensusRuns = components_ > 512 ? 10 : 50;
    const double alpha = alpha_->value();
    const std::string method = scale->sparseNetwork ? scale->sparseNetwork->method : std::string();
    const double storedAlpha = scale->sparseNetwork ? scale->sparseNetwork->alpha : 0.0;
    const io::AtlasScale* sc = scale;
    auto keep = bundle_;
    auto* watcher = new QFutureWatcher<std::shared_ptr<const graph::ComponentGraph>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<const graph::ComponentGraph>>::finished, this,
            [this, watcher, generation, kind, method, storedAlpha] {
        watcher->deleteLater();
        --pending_;
        if (generation != generation_) return;
        graph_ = watcher->result();
        if (!graph_) {
            summary_->setText(tr("The component network could not be computed."));
            return;
        }
        const int modules = *std::max_element(graph_->module.begin(), graph_->module.end());
        QString what;
        if (kind == connectivity::NetworkKind::Stored)
            what = tr(" — %1, α = %2").arg(QString::fromStdString(method)).arg(storedAlpha, 0, 'g', 3);
        summary_->setText(tr("%1 components, %2 links, %3 modules (consensus, Q = %4)%5")
                              .arg(graph_->layout.rows())
                              .arg(graph_->edges.size())
                              .arg(modules)
                              .arg(graph_->q, 0, 'f', 3)
                              .arg(what));
        view_->setGraph(graph_, sizeByStrength());
        emit graphChanged();
    });
    watcher->setFuture(QtConcurrent::run([keep, sc, kind, alpha, o]() -> std::shared_ptr<const graph::ComponentGraph> {
        try {
            return std::make_shared<const graph::ComponentGraph>(graph::buildComponentGraph(connectivity::scaleNetworkMatrix(*sc, kind, alpha), o));
        } catch (const std::exception&) {
            return nullptr;
        }
    }));
}

} // namespace nm::widgets
