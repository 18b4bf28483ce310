// Writing NIfTI through ITK. This file must not include Eigen (see NiftiItk.hpp).
#include "io/NiftiItk.hpp"

#include "common/Error.hpp"

#include <itkImage.h>
#include <itkImageFileWriter.h>
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

} // namespace nm::io::itkbridge
