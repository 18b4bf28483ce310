#include "Figure.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkPNGReader.h>
#include <vtkPointData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace nm::render {

bool displayAvailable() {
    const char* d = std::getenv("DISPLAY");
    return d && *d;
}

Image renderFigure(const anatomy::SurfaceSpace& space, const SceneOptions& optionsIn,
                   const std::vector<OverlayLayer>& layers, const FigureSpec& spec) {
    if (!displayAvailable())
        throw Error("rendering needs an X display (Debian's VTK is built for X only): run the command under "
                    "xvfb-run, e.g. xvfb-run -a neuromosaic-cli render ...");
    if (spec.views.empty()) throw InputError("figure: no views requested");
    if (spec.scale < 1 || spec.scale > 16) throw InputError("figure: scale must be in 1..16");
    SurfaceScene scene(space, optionsIn, layers);
    const auto& o = scene.options();
    std::vector<std::optional<Hemisphere>> columns;
    if (spec.montage) {
        if (o.showLeft) columns.emplace_back(Hemisphere::Left);
        if (o.showRight) columns.emplace_back(Hemisphere::Right);
    }
    if (columns.empty()) columns.emplace_back(std::nullopt);
    const std::vector<View> rows = spec.montage ? spec.views : std::vector<View>{spec.views.front()};
    const int s = spec.scale;
    const int pw = spec.panelWidth * s, ph = spec.panelHeight * s;
    const bool bar = spec.colorBar && scene.colorBarLayer() >= 0;
    const int titleH = spec.title.empty() ? 0 : int(0.16 * spec.panelHeight) * s;
    const int barH = bar ? int(0.30 * spec.panelHeight) * s : 0;
    const int width = pw * int(columns.size()), height = ph * int(rows.size()) + titleH + barH;

    auto window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(8);
    window->SetSize(width, height);
    window->SetDPI(72 * s);
    const double aspect = double(spec.panelWidth) / double(spec.panelHeight);
    // One zoom for every panel of a montage: hemispheres keep their relative size.
    const double scale = scene.commonScale(aspect);
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < columns.size(); ++c) {
            auto ren = vtkSmartPointer<vtkRenderer>::New();
            ren->SetBackground(o.background.data());
            const double x0 = double(c) / double(columns.size()), x1 = double(c + 1) / double(columns.size());
            const double y1 = 1.0 - double(titleH + int(r) * ph) / height, y0 = y1 - double(ph) / height;
            ren->SetViewport(x0, y0, x1, y1);
            scene.addTo(ren, columns[c]);
            scene.applyView(ren, rows[r], columns[c], aspect, columns[c] ? scale : 0.0);
            window->AddRenderer(ren);
        }
    const double luminance = 0.3 * o.background[0] + 0.59 * o.background[1] + 0.11 * o.background[2];
    const double ink = luminance > 0.5 ? 0.0 : 1.0;
    if (titleH > 0) {
        auto strip = vtkSmartPointer<vtkRenderer>::New();
        strip->SetBackground(o.background.data());
        strip->SetViewport(0, 1.0 - double(titleH) / height, 1, 1);
        auto title = vtkSmartPointer<vtkTextActor>::New();
        title->SetInput(spec.title.c_str());
        auto* tp = title->GetTextProperty();
        tp->SetFontSize(int(0.42 * titleH / s));
        tp->SetColor(ink, ink, ink);
        tp->SetJustificationToCentered();
        tp->SetVerticalJustificationToCentered();
        tp->BoldOn();
        tp->SetFontFamilyToArial();
        title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        title->SetPosition(0.5, 0.5);
        strip->AddActor2D(title);
        window->AddRenderer(strip);
    }
    if (barH > 0) {
        auto strip = vtkSmartPointer<vtkRenderer>::New();
        strip->SetBackground(o.background.data());
        strip->SetViewport(0, 0, 1, double(barH) / height);
        auto colorBar = scene.makeColorBar();
        colorBar->SetTitle("");
        colorBar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        colorBar->SetPosition(0.32, 0.05);
        colorBar->SetWidth(0.5);
        colorBar->SetHeight(0.8);
        colorBar->SetMaximumHeightInPixels(barH);
        colorBar->SetMaximumWidthInPixels(width);
        colorBar->GetLabelTextProperty()->SetFontSize(int(0.16 * barH / s));
        strip->AddActor2D(colorBar);
        auto name = vtkSmartPointer<vtkTextActor>::New();
        name->SetInput(scene.layers()[std::size_t(scene.colorBarLayer())].name.c_str());
        auto* tp = name->GetTextProperty();
        tp->SetFontSize(int(0.2 * barH / s));
        tp->SetColor(ink, ink, ink);
        tp->SetJustificationToRight();
        tp->SetVerticalJustificationToCentered();
        tp->SetFontFamilyToArial();
        name->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
        name->SetPosition(0.27, 0.62);
        strip->AddActor2D(name);
        window->AddRenderer(strip);
    }
    window->Render();
    auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
    grab->SetInput(window);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->Update();
    vtkImageData* img = grab->GetOutput();
    int dims[3];
    img->GetDimensions(dims);
    Image out;
    out.width = dims[0];
    out.height = dims[1];
    out.rgb.resize(std::size_t(dims[0]) * std::size_t(dims[1]) * 3);
    auto* src = static_cast<unsigned char*>(img->GetScalarPointer());
    for (int y = 0; y < dims[1]; ++y)
        std::memcpy(out.rgb.data() + std::size_t(y) * std::size_t(dims[0]) * 3,
                    src + std::size_t(dims[1] - 1 - y) * std::size_t(dims[0]) * 3, std::size_t(dims[0]) * 3);
    return out;
}

namespace {
// Minimal PNG encoder: VTK's vtkPNGWriter cannot store the resolution (pHYs chunk) that
// publication figures need, and Qt is not available to the headless CLI.
void putBigEndian(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(char((v >> shift) & 0xff));
}
void chunk(std::string& png, const char* type, const std::string& data) {
    putBigEndian(png, std::uint32_t(data.size()));
    std::string body(type, 4);
    body += data;
    png += body;
    putBigEndian(png, std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
}
} // namespace

void writePng(const std::filesystem::path& file, const Image& image, double dotsPerInch) {
    if (image.width <= 0 || image.height <= 0 || image.rgb.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
        throw Error(file.string() + ": empty or inconsistent image");
    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    putBigEndian(ihdr, std::uint32_t(image.width));
    putBigEndian(ihdr, std::uint32_t(image.height));
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bit, RGB, deflate, no filter, no interlace
    chunk(png, "IHDR", ihdr);
    if (dotsPerInch > 0) {
        std::string phys;
        const auto ppm = std::uint32_t(std::lround(dotsPerInch / 0.0254));
        putBigEndian(phys, ppm);
        putBigEndian(phys, ppm);
        phys.push_back('\x01');  // unit: metre
        chunk(png, "pHYs", phys);
    }
    std::string raw;
    raw.reserve(image.rgb.size() + std::size_t(image.height));
    for (int y = 0; y < image.height; ++y) {
        raw.push_back('\0');  // filter: none
        raw.append(reinterpret_cast<const char*>(image.rgb.data()) + std::size_t(y) * std::size_t(image.width) * 3,
                   std::size_t(image.width) * 3);
    }
    uLongf size = compressBound(uLong(raw.size()));
    std::string compressed(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
                  uLong(raw.size()), 6) != Z_OK)
        throw Error(file.string() + ": PNG compression failed");
    compressed.resize(size);
    chunk(png, "IDAT", compressed);
    chunk(png, "IEND", "");
    writeFileAtomic(file, png);
}

Image readPng(const std::filesystem::path& file, double* dotsPerInch) {
    requireReadableFile(file, "PNG image");
    auto reader = vtkSmartPointer<vtkPNGReader>::New();
    if (!reader->CanReadFile(file.c_str())) throw fileError(file, "not a PNG file");
    reader->SetFileName(file.c_str());
    reader->Update();
    vtkImageData* img = reader->GetOutput();
    int dims[3];
    img->GetDimensions(dims);
    const int comps = img->GetNumberOfScalarComponents();
    Image out;
    out.width = dims[0];
    out.height = dims[1];
    out.rgb.resize(std::size_t(dims[0]) * std::size_t(dims[1]) * 3);
    auto* src = static_cast<unsigned char*>(img->GetScalarPointer());
    for (int y = 0; y < dims[1]; ++y)
        for (int x = 0; x < dims[0]; ++x)
            for (int c = 0; c < 3; ++c)
                out.rgb[(std::size_t(y) * std::size_t(dims[0]) + std::size_t(x)) * 3 + std::size_t(c)] =
                    src[(std::size_t(dims[1] - 1 - y) * std::size_t(dims[0]) + std::size_t(x)) * std::size_t(comps) +
                        std::size_t(std::min(c, comps - 1))];
    if (dotsPerInch) {
        *dotsPerInch = 0.0;
        const std::string bytes = readFileBytes(file);
        const auto pos = bytes.find("pHYs");
        if (pos != std::string::npos && pos + 13 <= bytes.size() && bytes[pos + 12] == 1) {
            const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + pos + 4);
            const std::uint32_t ppm = (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
            *dotsPerInch = ppm * 0.0254;
        }
    }
    return out;
}

} // namespace nm::render
