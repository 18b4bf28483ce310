#pragma once
// Helpers for GUI tests: waiting on the event loop and measuring screenshots.
#include <QImage>
#include <QTest>

#include <functional>

namespace nm::test {

double slowdown();  // TestSupport.hpp

/// Processes events until `predicate` holds or `timeoutMs` passes (× slowdown() under the
/// sanitizers); returns the predicate.
inline bool waitUntil(const std::function<bool()>& predicate, int timeoutMs = 30000) {
    return QTest::qWaitFor(predicate, int(timeoutMs * slowdown()));
}

struct ImageStats {
    double foregroundFraction = 0.0;  ///< pixels differing from the background colour
    double luminanceStdDev = 0.0;
    bool opaque = true;
};

/// Foreground = max channel difference from `background` above `tolerance`.
ImageStats imageStats(const QImage& image, QRgb background, int tolerance = 30);

} // namespace nm::test
