// Resampling through ITK. Built into libnmitk.so with hidden visibility; it must not include the
// system Eigen or any core header that does (see ResampleItk.hpp).
#include "io/ResampleItk.hpp"

#include <itkImage.h>
#include <itkIdentityTransform.h>
#include <itkImportImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkVersion.h>

#include <cmath>

namespace nm::io::itkbridge {

namespace {
using Image3 = itk::Image<float, 3>;

void setGeometry(Image3* image, const RawImageInfo& info) {
    Image3::SpacingType spacing;
    Image3::PointType origin;
    Image3::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        spacing[a] = info.spacing[a];
        origin[a] = info.origin[a];
        for (unsigned c = 0; c < 3; ++c) direction(a, c) = info.direction[a * 3 + c];
    }
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
}

void resampleOrThrow(const RawImageInfo& source, const float* sourceData, const RawImageInfo& target,
                     float* targetData, Interpolator interpolator, float outside) {
    // Wrap the caller's buffer without copying.
    using Import = itk::ImportImageFilter<float, 3>;
    auto import = Import::New();
    Import::SizeType size;
    Import::IndexType start;
    start.Fill(0);
    std::size_t count = 1;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = source.size[a];
        count *= source.size[a];
    }
    Import::RegionType region;
    region.SetIndex(start);
    region.SetSize(size);
    import->SetRegion(region);
    auto geometry = Image3::New();
    setGeometry(geometry, source);
    import->SetSpacing(geometry->GetSpacing());
    import->SetOrigin(geometry->GetOrigin());
    import->SetDirection(geometry->GetDirection());
    import->SetImportPointer(const_cast<float*>(sourceData), count, /*letImportDeleteBuffer=*/false);

    using Resample = itk::ResampleImageFilter<Image3, Image3, double>;
    auto filter = Resample::New();
    filter->SetInput(import->GetOutput());
    filter->SetTransform(itk::IdentityTransform<double, 3>::New());
    if (interpolator == Interpolator::Nearest)
        filter->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<Image3, double>::New());
    else
        filter->SetInterpolator(itk::LinearInterpolateImageFunction<Image3, double>::New());
    filter->SetDefaultPixelValue(outside);
    Image3::SizeType outSize;
    for (unsigned a = 0; a < 3; ++a) outSize[a] = target.size[a];
    filter->SetSize(outSize);
    auto reference = Image3::New();
    setGeometry(reference, target);
    filter->SetOutputSpacing(reference->GetSpacing());
    filter->SetOutputOrigin(reference->GetOrigin());
    filter->SetOutputDirection(reference->GetDirection());
    filter->Update();
    const float* out = filter->GetOutput()->GetBufferPointer();
    std::copy(out, out + outSize[0] * outSize[1] * outSize[2], targetData);
}
} // namespace

std::string resample(const RawImageInfo& source, const float* sourceData, const RawImageInfo& target,
                     float* targetData, Interpolator interpolator, float outside) noexcept {
    try {
        resampleOrThrow(source, sourceData, target, targetData, interpolator, outside);
        return {};
    } catch (const itk::ExceptionObject& e) {
        return std::string(e.GetDescription());
    } catch (const std::exception& e) {
        return std::string(e.what());
    } catch (...) {
        return "unknown ITK error";
    }
}

std::string itkVersion() { return itk::Version::GetITKVersion(); }

} // namespace nm::io::itkbridge
