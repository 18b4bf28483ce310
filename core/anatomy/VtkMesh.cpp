#include "anatomy/VtkMesh.hpp"

#include <vtkCellArray.h>
#include <vtkCellArrayIterator.h>
#include <vtkFloatArray.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>

#include <cstring>

namespace nm {

vtkSmartPointer<vtkPolyData> toPolyData(const Mesh& mesh) {
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(mesh.vertexCount());
    std::memcpy(points->GetVoidPointer(0), mesh.vertices.data(), std::size_t(mesh.vertices.size()) * sizeof(float));
    auto polys = vtkSmartPointer<vtkCellArray>::New();
    polys->AllocateExact(mesh.triangleCount(), mesh.triangleCount() * 3);
    for (Eigen::Index t = 0; t < mesh.triangleCount(); ++t) {
        const vtkIdType ids[3] = {mesh.triangles(t, 0), mesh.triangles(t, 1), mesh.triangles(t, 2)};
        polys->InsertNextCell(3, ids);
    }
    auto poly = vtkSmartPointer<vtkPolyData>::New();
    poly->SetPoints(points);
    poly->SetPolys(polys);
    for (const auto& [name, values] : mesh.scalars) {
        auto arr = vtkSmartPointer<vtkFloatArray>::New();
        arr->SetName(name.c_str());
        arr->SetNumberOfValues(values.size());
        std::memcpy(arr->GetVoidPointer(0), values.data(), std::size_t(values.size()) * sizeof(float));
        poly->GetPointData()->AddArray(arr);
    }
    return poly;
}

Mesh fromPolyData(vtkPolyData* poly) {
    Mesh m;
    const vtkIdType np = poly->GetNumberOfPoints();
    m.vertices.resize(np, 3);
    for (vtkIdType i = 0; i < np; ++i) {
        double p[3];
        poly->GetPoint(i, p);
        m.vertices.row(i) << float(p[0]), float(p[1]), float(p[2]);
    }
    vtkCellArray* polys = poly->GetPolys();
    std::vector<std::int32_t> tri;
    tri.reserve(std::size_t(polys->GetNumberOfCells()) * 3);
    auto it = vtk::TakeSmartPointer(polys->NewIterator());
    for (it->GoToFirstCell(); !it->IsDoneWithTraversal(); it->GoToNextCell()) {
        vtkIdList* ids = it->GetCurrentCell();
        if (ids->GetNumberOfIds() != 3) continue;
        for (int k = 0; k < 3; ++k) tri.push_back(std::int32_t(ids->GetId(k)));
    }
    m.triangles = Eigen::Map<Triangles>(tri.data(), Eigen::Index(tri.size() / 3), 3);
    vtkPointData* pd = poly->GetPointData();
    for (int a = 0; a < pd->GetNumberOfArrays(); ++a) {
        vtkDataArray* arr = pd->GetArray(a);
        if (!arr || arr->GetNumberOfComponents() != 1 || !arr->GetName()) continue;
        Eigen::VectorXf v(np);
        for (vtkIdType i = 0; i < np; ++i) v[i] = float(arr->GetTuple1(i));
        m.scalars.emplace(arr->GetName(), std::move(v));
    }
    return m;
}

vtkSmartPointer<vtkImageData> toImageData(const Volume& volume, int frame) {
    auto image = vtkSmartPointer<vtkImageData>::New();
    const auto& d = volume.geometry.dims;
    image->SetDimensions(d[0], d[1], d[2]);
    image->SetOrigin(0, 0, 0);
    image->SetSpacing(1, 1, 1);
    auto arr = vtkSmartPointer<vtkFloatArray>::New();
    arr->SetName("values");
    arr->SetNumberOfValues(vtkIdType(volume.voxelCount()));
    std::memcpy(arr->GetVoidPointer(0), volume.frame(frame), volume.voxelCount() * sizeof(float));
    image->GetPointData()->SetScalars(arr);
    return image;
}

void transformVertices(Vertices& vertices, const Eigen::Matrix4d& affine) {
    const Eigen::Matrix3f a = affine.topLeftCorner<3, 3>().cast<float>();
    const Eigen::RowVector3f t = affine.topRightCorner<3, 1>().cast<float>().transpose();
    vertices = (vertices * a.transpose()).rowwise() + t;
}

} // namespace nm
