#include "VectorFigure.hpp"

#include "common/Error.hpp"

#include <QBuffer>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>

namespace nm::widgets {

namespace {
QString attribute(const QString& attributes, const QString& name) {
    const QRegularExpression re(QStringLiteral("(?:^|\\s)%1=\"([^\"]*)\"").arg(QRegularExpression::escape(name)));
    const auto m = re.match(attributes);
    return m.hasMatch() ? m.captured(1) : QString();
}

QString unescapeXml(QString s) {
    s.replace(QStringLiteral("&lt;"), QStringLiteral("<"));
    s.replace(QStringLiteral("&gt;"), QStringLiteral(">"));
    s.replace(QStringLiteral("&quot;"), QStringLiteral("\""));
    s.replace(QStringLiteral("&apos;"), QStringLiteral("'"));
    s.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
    return s;
}
} // namespace

QByteArray foldTextShifts(const QByteArray& svg) {
    static const QRegularExpression shifted(QStringLiteral(R"re(<text([^>]*?) y="([-0-9.eE+]+)"([^>]*?) dy="([-0-9.eE+]+)")re"));
    const QString text = QString::fromUtf8(svg);
    QString folded;
    qsizetype done = 0;
    for (auto it = shifted.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        folded += QStringView(text).mid(done, m.capturedStart() - done);
        folded += QStringLiteral("<text%1 y=\"%2\"%3").arg(m.captured(1)).arg(m.captured(2).toDouble() + m.captured(4).toDouble()).arg(m.captured(3));
        done = m.capturedEnd();
    }
    folded += QStringView(text).mid(done);
    return folded.toUtf8();
}

std::vector<VectorText> svgTexts(const QByteArray& svg) {
    static const QRegularExpression element(QStringLiteral(R"re(<text\b([^>]*)>(.*?)</text>)re"),
                                            QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression rotate(QStringLiteral(R"re(rotate\(\s*([-0-9.eE+]+))re"));
    std::vector<VectorText> out;
    const QString doc = QString::fromUtf8(svg);
    for (auto it = element.globalMatch(doc); it.hasNext();) {
        const auto m = it.next();
        const QString a = m.captured(1);
        VectorText t;
        t.position = QPointF(attribute(a, QStringLiteral("x")).toDouble(),
                             attribute(a, QStringLiteral("y")).toDouble() + attribute(a, QStringLiteral("dy")).toDouble());
        t.text = unescapeXml(m.captured(2));
        if (const QString s = attribute(a, QStringLiteral("font-size")); !s.isEmpty()) t.size = s.toDouble();
        if (const QString s = attribute(a, QStringLiteral("text-anchor")); !s.isEmpty()) t.anchor = s;
        if (const QString s = attribute(a, QStringLiteral("font-family")); !s.isEmpty()) t.family = s;
        t.bold = attribute(a, QStringLiteral("font-weight")) == QLatin1String("bold");
        t.italic = attribute(a, QStringLiteral("font-style")) == QLatin1String("italic");
        if (const QString s = attribute(a, QStringLiteral("fill")); !s.isEmpty() && QColor::isValidColorName(s)) t.fill = QColor::fromString(s);
        if (const auto r = rotate.match(attribute(a, QStringLiteral("transform"))); r.hasMatch()) t.rotation = r.captured(1).toDouble();
        out.push_back(std::move(t));
    }
    return out;
}

QByteArray toSvg(const VectorFigure& figure, const std::string& what) {
    QByteArray svg = foldTextShifts(figure.textSvg);
    const qsizetype open = svg.indexOf("<svg");
    const qsizetype openEnd = open < 0 ? -1 : svg.indexOf('>', open);
    if (openEnd < 0) throw nm::Error(what + ": GL2PS wrote no <svg> element");
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    figure.image.save(&buffer, "PNG");
    QByteArray inserted = QStringLiteral("\n<image x=\"0\" y=\"0\" width=\"%1\" height=\"%2\" preserveAspectRatio=\"none\" xlink:href=\"data:image/png;base64,")
                              .arg(figure.page.width())
                              .arg(figure.page.height())
                              .toUtf8();
    inserted += png.toBase64() + "\"/>\n";
    if (!figure.bars.empty()) {
        QByteArray gradients, rects;
        for (std::size_t b = 0; b < figure.bars.size(); ++b) {
            const auto& bar = figure.bars[b];
            const QString id = QStringLiteral("nmColorBar%1").arg(b);
            gradients += QStringLiteral("<linearGradient id=\"%1\" x1=\"0\" y1=\"%2\" x2=\"%3\" y2=\"0\">\n")
                             .arg(id, bar.horizontal ? "0" : "1", bar.horizontal ? "1" : "0")
                             .toUtf8();
            const std::size_t n = bar.colours.size();
            for (std::size_t i = 0; i < n; ++i)
                gradients += QStringLiteral("<stop offset=\"%1\" stop-color=\"%2\"/>\n")
                                 .arg(n > 1 ? double(i) / double(n - 1) : 0.0, 0, 'f', 4)
                                 .arg(bar.colours[i].name())
                                 .toUtf8();
            gradients += "</linearGradient>\n";
            rects += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"url(#%5)\"/>\n")
                         .arg(bar.rect.x())
                         .arg(bar.rect.y())
                         .arg(bar.rect.width())
                         .arg(bar.rect.height())
                         .arg(id)
                         .toUtf8();
        }
        inserted += "<defs>\n" + gradients + "</defs>\n" + rects;
    }
    svg.insert(openEnd + 1, inserted);
    if (!svg.left(openEnd).contains("xmlns:xlink")) svg.insert(open + 4, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    return svg;
}

void paintFigure(QPainter& p, const VectorFigure& figure) {
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.drawImage(QRectF(QPointF(0, 0), QSizeF(figure.page)), figure.image);
    for (const auto& bar : figure.bars) {
        QLinearGradient g(bar.horizontal ? bar.rect.topLeft() : bar.rect.bottomLeft(), bar.horizontal ? bar.rect.topRight() : bar.rect.topLeft());
        const std::size_t n = bar.colours.size();
        for (std::size_t i = 0; i < n; ++i) g.setColorAt(n > 1 ? double(i) / double(n - 1) : 0.0, bar.colours[i]);
        p.fillRect(bar.rect, g);
    }
    for (const auto& t : svgTexts(figure.textSvg)) {
        QFont font(t.family);
        font.setPointSizeF(t.size * 72.0 / p.device()->logicalDpiY());  // t.size device units
        font.setBold(t.bold);
        font.setItalic(t.italic);
        p.setFont(font);
        p.setPen(t.fill);
        const double width = QFontMetricsF(font, p.device()).horizontalAdvance(t.text);
        const double shift = t.anchor == QLatin1String("middle") ? -width / 2 : t.anchor == QLatin1String("end") ? -width : 0.0;
        p.save();
        p.translate(t.position);
        p.rotate(t.rotation);
        p.drawText(QPointF(shift, 0), t.text);
        p.restore();
    }
    p.restore();
}

void writePdf(const VectorFigure& figure, const QString& path) {
    const std::string what = path.toStdString();
    QPdfWriter writer(path);
    writer.setCreator(QStringLiteral("NeuroMosaic"));
    writer.setTitle(QFileInfo(path).completeBaseName());
    writer.setPageSize(QPageSize(QSizeF(figure.page), QPageSize::Point));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setResolution(72);  // one device unit = one point = one view pixel
    QPainter p;
    if (!p.begin(&writer)) throw nm::Error(what + ": cannot write the PDF");
    paintFigure(p, figure);
    if (!p.end()) throw nm::Error(what + ": the PDF could not be finished");
    if (!QFileInfo(path).exists() || QFileInfo(path).size() == 0) throw nm::Error(what + ": the PDF is empty");
}

} // namespace nm::widgets
