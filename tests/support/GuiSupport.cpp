#include "GuiSupport.hpp"

#include <cmath>
#include <cstdlib>

namespace nm::test {

ImageStats imageStats(const QImage& in, QRgb background, int tolerance) {
    const QImage image = in.convertToFormat(QImage::Format_ARGB32);
    ImageStats s;
    double sum = 0.0, sum2 = 0.0;
    std::size_t fg = 0, n = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = row[x];
            const int d = std::max({std::abs(qRed(p) - qRed(background)), std::abs(qGreen(p) - qGreen(background)),
                                    std::abs(qBlue(p) - qBlue(background))});
            fg += d > tolerance;
            const double l = qGray(p);
            sum += l;
            sum2 += l * l;
            if (qAlpha(p) != 255) s.opaque = false;
            ++n;
        }
    }
    if (n) {
        s.foregroundFraction = double(fg) / double(n);
        const double mean = sum / double(n);
        s.luminanceStdDev = std::sqrt(std::max(0.0, sum2 / double(n) - mean * mean));
    }
    return s;
}

} // namespace nm::test
