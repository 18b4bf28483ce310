#pragma once
// The component graph drawn in 3-D: balls at the component centroids (radius by degree or
// strength, colour by module — the categorical palette of labels), sticks for the links (width
// by weight), and a halo around the selected component. Used on a translucent brain.
#include "ColorMap.hpp"

#include <Eigen/Core>

#include <vtkSmartPointer.h>

#include <utility>
#include <vector>

class vtkActor;
class vtkRenderer;

namespace nm::render {

struct GraphDrawing {
    Eigen::MatrixXd positions;                ///< n × 3, mm (display coordinates)
    std::vector<std::pair<int, int>> edges;
    std::vector<double> weights;              ///< per edge
    Eigen::VectorXd nodeSize;                 ///< per node (degree or strength), scaled to the radius range
    std::vector<int> module;                  ///< per node, 1-based (colours: labelColor)
    int selected = -1;
    double minRadius = 2.5, maxRadius = 7.0;  ///< mm
    double edgeRadius = 0.6;                  ///< mm, for the strongest link
};

class GraphActors {
public:
    GraphActors();
    ~GraphActors();
    void set(const GraphDrawing& drawing);
    void addTo(vtkRenderer* renderer) const;
    void removeFrom(vtkRenderer* renderer) const;
    void setVisible(bool visible);
    [[nodiscard]] vtkActor* nodes() const { return nodes_; }
    [[nodiscard]] vtkActor* edges() const { return edges_; }
    [[nodiscard]] vtkActor* halo() const { return halo_; }

private:
    vtkSmartPointer<vtkActor> nodes_, edges_, halo_;
};

} // namespace nm::render
