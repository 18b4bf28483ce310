#include "anatomy/Isosurface.hpp"

#include "anatomy/VtkMesh.hpp"
#include "common/Error.hpp"

#include <vtkFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkImageGaussianSmooth.h>
#include <vtkPolyData.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkQuadricDecimation.h>
#include <vtkTriangleFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nm::anatomy {

double otsuThreshold(const Volume& volume, int frame) {
    const float* v = volume.frame(frame);
    const std::size_t n = volume.voxelCount();
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(v[i]) && v[i] != 0.0f) {
            lo = std::min(lo, v[i]);
            hi = std::max(hi, v[i]);
            ++count;
        }
    if (count == 0 || !(hi > lo)) return count ? double(lo) * 0.5 : 0.5;
    constexpr int kBins = 256;
    std::vector<double> hist(kBins, 0.0);
    const double width = (double(hi) - double(lo)) / kBins;
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(v[i]) && v[i] != 0.0f)
            hist[std::size_t(std::clamp(int((v[i] - lo) / width), 0, kBins - 1))] += 1.0;
    double total = double(count), sumAll = 0.0;
    for (int b = 0; b < kBins; ++b) sumAll += b * hist[std::size_t(b)];
    double wB = 0.0, sumB = 0.0, best = -1.0;
    int bestBin = kBins / 2;
    for (int b = 0; b < kBins; ++b) {
        wB += hist[std::size_t(b)];
        if (wB == 0.0) continue;
        const double wF = total - wB;
        if (wF == 0.0) break;
        sumB += b * hist[std::size_t(b)];
        const double mB = sumB / wB, mF = (sumAll - sumB) / wF;
        const double between = wB * wF * (mB - mF) * (mB - mF);
        if (between > best) {
            best = between;
            bestBin = b;
        }
    }
    return double(lo) + (bestBin + 1) * width;
}

Mesh extractIsosurface(const Volume& volume, const IsosurfaceOptions& options, int frame) {
    if (frame < 0 || frame >= volume.frames)
        throw InputError("isosurface: frame " + std::to_string(frame) + " out of range [0, " +
                         std::to_string(volume.frames) + ")");
    const double level = options.level >= 0.0 ? options.level : otsuThreshold(volume, frame);
    const Eigen::Vector3d vox = volume.geometry.voxelSize();
    auto image = toImageData(volume, frame);

    vtkSmartPointer<vtkAlgorithm> source;
    auto iso = vtkSmartPointer<vtkFlyingEdges3D>::New();
    if (options.smoothingSigmaMm > 0.0) {
        auto smooth = vtkSmartPointer<vtkImageGaussianSmooth>::New();
        smooth->SetInputData(image);
        smooth->SetStandardDeviations(options.smoothingSigmaMm / vox[0], options.smoothingSigmaMm / vox[1],
                                      options.smoothingSigmaMm / vox[2]);
        smooth->SetRadiusFactors(2.5, 2.5, 2.5);
        iso->SetInputConnection(smooth->GetOutputPort());
    } else {
        iso->SetInputData(image);
    }
    iso->SetValue(0, level);
    iso->ComputeNormalsOff();
    iso->ComputeGradientsOff();
    iso->ComputeScalarsOff();
    vtkSmartPointer<vtkAlgorithm> last = iso;
    if (options.largestComponentOnly) {
        auto largest = vtkSmartPointer<vtkPolyDataConnectivityFilter>::New();
        largest->SetInputConnection(last->GetOutputPort());
        largest->SetExtractionModeToLargestRegion();
        last = largest;
    }
    auto tri = vtkSmartPointer<vtkTriangleFilter>::New();
    tri->SetInputConnection(last->GetOutputPort());
    tri->Update();
    const auto full = tri->GetOutput()->GetNumberOfPolys();
    if (full == 0) throw InputError("isosurface at level " + std::to_string(level) + " is empty");
    last = tri;
    if (options.targetTriangles > 0 && full > options.targetTriangles) {
        auto decimate = vtkSmartPointer<vtkQuadricDecimation>::New();
        decimate->SetInputConnection(last->GetOutputPort());
        decimate->SetTargetReduction(1.0 - double(options.targetTriangles) / double(full));
        decimate->VolumePreservationOn();
        last = decimate;
    }
    if (options.smoothingIterations > 0) {
        auto sinc = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
        sinc->SetInputConnection(last->GetOutputPort());
        sinc->SetNumberOfIterations(options.smoothingIterations);
        sinc->SetPassBand(0.1);
        sinc->NormalizeCoordinatesOn();
        sinc->BoundarySmoothingOff();
        last = sinc;
    }
    last->Update();
    Mesh mesh = fromPolyData(vtkPolyData::SafeDownCast(last->GetOutputDataObject(0)));
    transformVertices(mesh.vertices, volume.geometry.affine);
    return mesh;
}

} // namespace nm::anatomy
