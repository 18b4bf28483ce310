#include "SurfaceActors.hpp"

#include "anatomy/VtkMesh.hpp"
#include "common/Error.hpp"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>

namespace nm::widgets {

vtkSmartPointer<vtkActor> makeSurfaceActor(const nm::Mesh& mesh, std::array<double, 3> rgb) {
    auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
    normals->SetInputData(nm::toPolyData(mesh));
    normals->SplittingOff();
    normals->ConsistencyOn();
    normals->AutoOrientNormalsOff();
    normals->Update();
    auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    mapper->SetInputConnection(normals->GetOutputPort());
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    auto* p = actor->GetProperty();
    p->SetColor(rgb[0], rgb[1], rgb[2]);
    p->SetAmbient(0.15);
    p->SetDiffuse(0.8);
    p->SetSpecular(0.15);
    p->SetSpecularPower(20);
    p->SetInterpolationToPhong();
    return actor;
}

StandardView standardViewFromString(const std::string& name) {
    if (name == "left" || name == "lateral-left") return StandardView::Left;
    if (name == "right" || name == "lateral-right") return StandardView::Right;
    if (name == "anterior") return StandardView::Anterior;
    if (name == "posterior") return StandardView::Posterior;
    if (name == "superior" || name == "dorsal") return StandardView::Superior;
    if (name == "inferior" || name == "ventral") return StandardView::Inferior;
    if (name == "oblique") return StandardView::Oblique;
    throw InputError("view '" + name + "': expected left, right, anterior, posterior, superior, inferior or oblique");
}

void setStandardView(vtkRenderer* renderer, StandardView view) {
    double b[6];
    renderer->ComputeVisiblePropBounds(b);
    if (b[0] > b[1]) {  // nothing visible
        renderer->ResetCamera();
        return;
    }
    const double c[3] = {(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2};
    double dir[3] = {-1, 0, 0}, up[3] = {0, 0, 1};
    switch (view) {
    case StandardView::Left: dir[0] = -1; break;
    case StandardView::Right: dir[0] = 1; break;
    case StandardView::Anterior: dir[0] = 0; dir[1] = 1; break;
    case StandardView::Posterior: dir[0] = 0; dir[1] = -1; break;
    case StandardView::Superior: dir[0] = 0; dir[2] = 1; up[1] = 1; up[2] = 0; break;
    case StandardView::Inferior: dir[0] = 0; dir[2] = -1; up[1] = 1; up[2] = 0; break;
    case StandardView::Oblique: dir[0] = -0.75; dir[1] = 0.45; dir[2] = 0.45; break;
    }
    auto* cam = renderer->GetActiveCamera();
    cam->SetFocalPoint(c);
    cam->SetPosition(c[0] + 500 * dir[0], c[1] + 500 * dir[1], c[2] + 500 * dir[2]);
    cam->SetViewUp(up);
    cam->OrthogonalizeViewUp();
    renderer->ResetCamera(b);
    cam->Zoom(1.15);
    renderer->ResetCameraClippingRange();
}

} // namespace nm::widgets
