// Writing NIfTI through ITK. This file must not include Eigen (see NiftiItk.hpp).
#include "io/NiftiItk.hpp"

#include "common/Error.hpp"

#include <itkImage.h>
#include <itkIdentityTransform.h>
#include <itkImageFileWriter.h>
#include <itkImportImageFilter.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkNiftiImageIO.h>

#include <cmath>

namespace nm::io::itkbridge {

namespace {

template <typename Pixel, unsigned Dim>
void writeTyped(const std::filesystem::path& file, const RawImageInfo& info, const float* data) {
    using Image = itk::Image<Pixel, Dim>;
    auto image = Image::New();
    typename Image::RegionType region;
    typename Image::SpacingType spacing;
    typename Image::PointType origin;
    typename Image::DirectionType direction;
    direction.SetIdentity();
    std::size_t count = 1;
    for (unsigned axis = 0; axis < Dim; ++axis) {
        region.SetSize(axis, info.size[axis]);
        spacing[axis] = info.spacing[axis];
        origin[axis] = axis < 3 ? info.origin[axis] : 0.0;
        count *= info.size[axis];
    }
    for (unsigned r = 0; r < 3; ++r)
        for (unsigned c = 0; c < 3; ++c) direction(r, c) = info.direction[r * 3 + c];
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
    image->Allocate();
    Pixel* dst = image->GetBufferPointer();
    for (std::size_t i = 0; i < count; ++i) {
        if constexpr (std::is_floating_point_v<Pixel>) dst[i] = Pixel(data[i]);
        else dst[i] = Pixel(std::lround(data[i]));
    }
    auto writer = itk::ImageFileWriter<Image>::New();
    writer->SetImageIO(itk::NiftiImageIO::New());
    writer->SetFileName(file.string());
    writer->SetInput(image);
    writer->Update();
}

template <typename Pixel>
void writeDims(const std::filesystem::path& file, const RawImageInfo& info, const float* data) {
    if (info.dimensions == 4) writeTyped<Pixel, 4>(file, info, data);
    else writeTyped<Pixel, 3>(file, info, data);
}

} // namespace

void write(const std::filesystem::path& file, const RawImageInfo& info, const float* data, Storage storage) {
    try {
        switch (storage) {
        case Storage::Float32: writeDims<float>(file, info, data); break;
        case Storage::Int16: writeDims<std::int16_t>(file, info, data); break;
        case Storage::Int32: writeDims<std::int32_t>(file, info, data); break;
        case Storage::UInt8: writeDims<std::uint8_t>(file, info, data); break;
        }
    } catch (const itk::ExceptionObject& e) {
        throw Error(file.string() + ": cannot write NIfTI: " + e.GetDescription());
    }
}

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
} // namespace

void resample(const RawImageInfo& source, const float* sourceData, const RawImageInfo& target, float* targetData,
              Interpolator interpolator, float outside) {
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
    try {
        filter->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(std::string("resampling failed: ") + e.GetDescription());
    }
    const float* out = filter->GetOutput()->GetBufferPointer();
    std::copy(out, out + outSize[0] * outSize[1] * outSize[2], targetData);
}

} // namespace nm::io::itkbridge
