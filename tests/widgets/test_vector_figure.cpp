// Vector figures: GL2PS's SVG text read back, SVG assembly, PDF with real text.
#include "TestSupport.hpp"
#include "common/Error.hpp"
#include "VectorFigure.hpp"

#include <catch2/catch.hpp>

#include <QFile>
#include <QImage>

using nm::widgets::VectorFigure;

namespace {
// As GL2PS 1.4 writes text (relative dy, escapes), with one rotated label.
const QByteArray kGl2psSvg = R"svg(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg"
     width="200pt" height="100pt" viewBox="0 0 200 100">
<g>
<text fill="#000000" x="50" y="80" font-size="12" text-anchor="middle" dy="12" font-family="Helvetica">0.2 &amp; &lt;1&gt;</text>
<text fill="#ff0000" x="10" y="50" font-size="10" font-family="Helvetica" font-weight="bold" transform="rotate(-90, 10, 50)">title</text>
</g>
</svg>
)svg";
} // namespace

TEST_CASE("vector figures: GL2PS text read back, SVG with image and colour bar, PDF with embedded fonts", "[gui][export]") {
    const auto texts = nm::widgets::svgTexts(kGl2psSvg);
    REQUIRE(texts.size() == 2);
    CHECK(texts[0].text == "0.2 & <1>");
    CHECK(texts[0].position == QPointF(50, 92));  // y + dy
    CHECK(texts[0].anchor == "middle");
    CHECK(texts[0].size == 12);
    CHECK_FALSE(texts[0].bold);
    CHECK(texts[1].bold);
    CHECK(texts[1].rotation == -90);
    CHECK(texts[1].fill == QColor(255, 0, 0));
    // dy folded into y: what SVG Tiny renderers (Qt's) need.
    const QByteArray folded = nm::widgets::foldTextShifts(kGl2psSvg);
    CHECK_FALSE(folded.contains("dy="));
    CHECK(folded.contains("y=\"92\""));

    VectorFigure f;
    f.page = QSize(200, 100);
    f.image = QImage(400, 200, QImage::Format_RGB888);
    f.image.fill(QColor(128, 128, 128));
    f.textSvg = kGl2psSvg;
    f.bars.push_back({QRectF(40, 60, 120, 10), true, {Qt::black, Qt::red, Qt::yellow, Qt::white}});
    const QByteArray svg = nm::widgets::toSvg(f, "test.svg");
    CHECK(svg.contains("xmlns:xlink"));
    CHECK(svg.count("<image") == 1);
    CHECK(svg.count("<stop ") == 4);
    CHECK(svg.indexOf("<rect") < svg.indexOf("<text"));  // behind the text
    CHECK_THROWS_AS(nm::widgets::toSvg(VectorFigure{}, "empty.svg"), nm::Error);

    nm::test::TempDir dir;
    const QString pdf = QString::fromStdString((dir / "figure.pdf").string());
    nm::widgets::writePdf(f, pdf);
    QFile file(pdf);
    REQUIRE(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    CHECK(bytes.startsWith("%PDF"));
    CHECK(bytes.contains("/FontFile"));        // text as text, font embedded
    CHECK(bytes.contains("/Subtype /Image"));  // the surfaces
    CHECK(bytes.contains("/ShadingType 2"));   // the colour bar
    CHECK(bytes.contains("/MediaBox [0 0 200"));
}
