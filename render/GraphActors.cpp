#include "GraphActors.hpp"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkDoubleArray.h>
#include <vtkGlyph3D.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>
#include <vtkTubeFilter.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>

namespace nm::render {

GraphActors::GraphActors() : nodes_(vtkSmartPointer<vtkActor>::New()), edges_(vtkSmartPointer<vtkActor>::New()), halo_(vtkSmartPointer<vtkActor>::New()) {
    nodes_->GetProperty()->SetSpecular(0.3);
    nodes_->GetProperty()->SetSpecularPower(20);
    edges_->GetProperty()->SetColor(0.35, 0.35, 0.4);
    edges_->GetProperty()->SetOpacity(0.85);
    halo_->GetProperty()->SetColor(1.0, 0.85, 0.0);
    halo_->GetProperty()->SetOpacity(0.45);
    setVisible(false);
}

GraphActors::~GraphActors() = default;

void GraphActors::set(const GraphDrawing& d) {
    const auto n = d.positions.rows();
    auto points = vtkSmartPointer<vtkPoints>::New();
    for (Eigen::Index i = 0; i < n; ++i) points->InsertNextPoint(d.positions(i, 0), d.positions(i, 1), d.positions(i, 2));
    // Nodes: a sphere glyph per centroid, scaled by the radius, coloured by module.
    auto radius = vtkSmartPointer<vtkDoubleArray>::New();
    radius->SetName("radius");
    auto colours = vtkSmartPointer<vtkUnsignedCharArray>::New();
    colours->SetName("colours");
    colours->SetNumberOfComponents(3);
    const double lo = n ? d.nodeSize.minCoeff() : 0.0, hi = n ? d.nodeSize.maxCoeff() : 1.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double t = hi > lo ? (d.nodeSize[i] - lo) / (hi - lo) : 0.5;
        radius->InsertNextValue(d.minRadius + t * (d.maxRadius - d.minRadius));
        const Rgb c = labelColor(i < Eigen::Index(d.module.size()) ? d.module[std::size_t(i)] : 1);
        const unsigned char rgb[3] = {static_cast<unsigned char>(255 * c[0]), static_cast<unsigned char>(255 * c[1]), static_cast<unsigned char>(255 * c[2])};
        colours->InsertNextTypedTuple(rgb);
    }
    auto nodeData = vtkSmartPointer<vtkPolyData>::New();
    nodeData->SetPoints(points);
    nodeData->GetPointData()->AddArray(radius);
    nodeData->GetPointData()->SetScalars(radius);
    nodeData->GetPointData()->AddArray(colours);
    auto sphere = vtkSmartPointer<vtkSphereSource>::New();
    sphere->SetRadius(1.0);
    // Many nodes are drawn small: coarser balls keep the frame light (1024 nodes: 150 instead of
    // 520 triangles each, 59 → 40 ms a frame in software OpenGL) with no visible facets.
    sphere->SetThetaResolution(n > 300 ? 12 : n > 100 ? 16 : 20);
    sphere->SetPhiResolution(n > 300 ? 8 : n > 100 ? 11 : 14);
    auto glyph = vtkSmartPointer<vtkGlyph3D>::New();
    glyph->SetInputData(nodeData);
    glyph->SetSourceConnection(sphere->GetOutputPort());
    glyph->SetScaleModeToScaleByScalar();
    glyph->SetScaleFactor(1.0);
    glyph->SetColorModeToColorByScalar();
    glyph->Update();
    auto nodeMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    nodeMapper->SetInputConnection(glyph->GetOutputPort());
    nodeMapper->SetScalarModeToUsePointFieldData();
    nodeMapper->SelectColorArray("colours");
    nodeMapper->SetColorModeToDirectScalars();
    nodeMapper->ScalarVisibilityOn();
    nodes_->SetMapper(nodeMapper);
    // Links: tubes whose radius follows the weight.
    auto lines = vtkSmartPointer<vtkCellArray>::New();
    auto w = vtkSmartPointer<vtkDoubleArray>::New();
    w->SetName("weight");
    const double wmax = d.weights.empty() ? 1.0 : std::max(1e-12, *std::max_element(d.weights.begin(), d.weights.end()));
    auto edgePoints = vtkSmartPointer<vtkPoints>::New();
    for (std::size_t e = 0; e < d.edges.size(); ++e) {
        const auto [a, b] = d.edges[e];
        const vtkIdType ids[2] = {edgePoints->InsertNextPoint(d.positions(a, 0), d.positions(a, 1), d.positions(a, 2)),
                                  edgePoints->InsertNextPoint(d.positions(b, 0), d.positions(b, 1), d.positions(b, 2))};
        lines->InsertNextCell(2, ids);
        const double r = d.edgeRadius * (0.35 + 0.65 * (e < d.weights.size() ? d.weights[e] / wmax : 1.0));
        w->InsertNextValue(r);
        w->InsertNextValue(r);
    }
    auto edgeData = vtkSmartPointer<vtkPolyData>::New();
    edgeData->SetPoints(edgePoints);
    edgeData->SetLines(lines);
    edgeData->GetPointData()->SetScalars(w);
    auto tubes = vtkSmartPointer<vtkTubeFilter>::New();
    tubes->SetInputData(edgeData);
    tubes->SetVaryRadiusToVaryRadiusByAbsoluteScalar();
    tubes->SetNumberOfSides(8);
    auto edgeMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    edgeMapper->SetInputConnection(tubes->GetOutputPort());
    edgeMapper->ScalarVisibilityOff();
    edges_->SetMapper(edgeMapper);
    // Halo around the selected node.
    auto halo = vtkSmartPointer<vtkSphereSource>::New();
    halo->SetThetaResolution(24);
    halo->SetPhiResolution(16);
    if (d.selected >= 0 && d.selected < n) {
        halo->SetCenter(d.positions(d.selected, 0), d.positions(d.selected, 1), d.positions(d.selected, 2));
        halo->SetRadius(1.8 * radius->GetValue(d.selected));
    } else {
        halo->SetRadius(0.0);
    }
    auto haloMapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    haloMapper->SetInputConnection(halo->GetOutputPort());
    halo_->SetMapper(haloMapper);
}

void GraphActors::addTo(vtkRenderer* renderer) const {
    renderer->AddActor(edges_);
    renderer->AddActor(nodes_);
    renderer->AddActor(halo_);
}

void GraphActors::removeFrom(vtkRenderer* renderer) const {
    renderer->RemoveActor(edges_);
    renderer->RemoveActor(nodes_);
    renderer->RemoveActor(halo_);
}

void GraphActors::setVisible(bool visible) {
    nodes_->SetVisibility(visible);
    edges_->SetVisibility(visible);
    halo_->SetVisibility(visible);
}

} // namespace nm::render
