#pragma once
// A view as vector graphics: the 3-D props as one image, colour bars as gradients, text as text —
// written as SVG or PDF. Pure Qt (no OpenGL): VtkViewport gathers the parts from VTK.
#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>

class QPainter;

#include <vector>

namespace nm::widgets {

struct VectorColourBar {
    QRectF rect;                  ///< page units (points), y down
    bool horizontal = true;       ///< colours run left → right, else bottom → top
    std::vector<QColor> colours;  ///< the lookup table, low to high
};

/// One text element of an SVG document (as GL2PS writes them: absolute x/y, baseline anchor).
struct VectorText {
    QPointF position;   ///< baseline anchor, page units
    QString text;
    double size = 12;   ///< font size, page units
    QString anchor = QStringLiteral("start");  ///< start, middle or end
    QString family = QStringLiteral("Helvetica");
    bool bold = false, italic = false;
    QColor fill = Qt::black;
    double rotation = 0;  ///< degrees, about `position` (SVG's rotate(a, x, y))
};

struct VectorFigure {
    QSize page;                           ///< points (one per view pixel)
    QImage image;                         ///< the 3-D props, drawn over the whole page
    std::vector<VectorColourBar> bars;
    QByteArray textSvg;                   ///< GL2PS's SVG of the 2-D props' text
};

/// Folds GL2PS's relative `dy` shifts into the absolute `y` of its <text> elements (SVG Tiny
/// renderers ignore dy).
QByteArray foldTextShifts(const QByteArray& svg);
/// The <text> elements of an SVG document (as GL2PS writes them), attributes resolved.
std::vector<VectorText> svgTexts(const QByteArray& svg);
/// The SVG: GL2PS's document with the image and the colour bars inserted behind its text.
/// Throws nm::Error naming `what` when the text document has no <svg> element.
QByteArray toSvg(const VectorFigure& figure, const std::string& what);
/// Paints the figure in page units (one per point): what the PDF holds, on any paint device.
void paintFigure(QPainter& painter, const VectorFigure& figure);
/// The PDF, painted with Qt's PDF engine: the image, the bars as axial gradients and the text as
/// text (fonts embedded). Throws nm::Error naming the file on failure.
void writePdf(const VectorFigure& figure, const QString& path);

} // namespace nm::widgets
