#pragma once
// The component graph of the atlas scale shown: controls (network, top-k links, node size, 3-D
// view on/off) and a 2-D force-directed drawing with the same selection as the atlas table and the
// surfaces. The graph (edges, consensus modules, layout) is computed by core
// (graph::buildComponentGraph) on a worker thread.
#include "graph/ComponentGraph.hpp"
#include "io/AtlasBundle.hpp"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace nm::widgets {

/// The 2-D drawing: links as lines, components as discs coloured by module; click selects.
class GraphView2D : public QWidget {
    Q_OBJECT
public:
    explicit GraphView2D(QWidget* parent = nullptr);
    void setGraph(std::shared_ptr<const graph::ComponentGraph> g, bool sizeByStrength);
    void setSelected(int node);
    [[nodiscard]] int selected() const { return selected_; }
    /// Widget position of a node (for tests).
    [[nodiscard]] QPointF nodePosition(int node) const;
    [[nodiscard]] QSize sizeHint() const override { return {320, 300}; }

signals:
    void nodeClicked(int node);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    [[nodiscard]] double radius(int node) const;
    std::shared_ptr<const graph::ComponentGraph> g_;
    bool byStrength_ = false;
    int selected_ = -1;
};

class GraphPanel : public QWidget {
    Q_OBJECT
public:
    explicit GraphPanel(QWidget* parent = nullptr);
    /// The network of a scale of `bundle` (kept alive by the caller); recomputed in the background.
    void setScale(std::shared_ptr<const io::AtlasBundle> bundle, int components);
    void setSelected(int component);
    [[nodiscard]] std::shared_ptr<const graph::ComponentGraph> graph() const { return graph_; }
    [[nodiscard]] int components() const { return components_; }
    [[nodiscard]] bool show3D() const;
    [[nodiscard]] bool sizeByStrength() const;
    [[nodiscard]] bool busy() const { return pending_ > 0; }
    [[nodiscard]] GraphView2D* view() const { return view_; }
    [[nodiscard]] QCheckBox* show3DBox() const { return show3D_; }
    [[nodiscard]] QSpinBox* topKBox() const { return topK_; }
    [[nodiscard]] QDoubleSpinBox* thresholdBox() const { return threshold_; }
    [[nodiscard]] QComboBox* networkBox() const { return network_; }

signals:
    void componentSelected(int component);
    void graphChanged();
    void show3DChanged(bool show);

private:
    void recompute();

    std::shared_ptr<const io::AtlasBundle> bundle_;
    int components_ = 0;
    std::shared_ptr<const graph::ComponentGraph> graph_;
    int pending_ = 0, generation_ = 0;
    QComboBox *network_, *sizeBy_;
    QSpinBox* topK_;
    QDoubleSpinBox *threshold_, *alpha_;
    QCheckBox* show3D_;
    QLabel* summary_;
    GraphView2D* view_;
};

} // namespace nm::widgets
