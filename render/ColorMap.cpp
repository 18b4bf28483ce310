#include "ColorMap.hpp"

#include "ColorMapData.hpp"
#include "common/Error.hpp"

#include <algorithm>
#include <cmath>

namespace nm::render {

namespace {
enum Kind { kHot, kColdHot, kViridis, kGray, kCategorical };

// matplotlib's "hot" segment data: red ramps up first, then green, then blue.
Rgb hot(double x) {
    x = std::clamp(x, 0.0, 1.0);
    const double r = std::min(1.0, 0.0416 + x * (1.0 - 0.0416) / 0.365079);
    const double g = std::clamp((x - 0.365079) / (0.746032 - 0.365079), 0.0, 1.0);
    const double b = std::clamp((x - 0.746032) / (1.0 - 0.746032), 0.0, 1.0);
    return {float(r), float(g), float(b)};
}

Rgb hsvToRgb(double h, double s, double v) {
    h = std::fmod(h, 1.0) * 6.0;
    const int i = int(h);
    const double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    switch (i % 6) {
    case 0: return {float(v), float(t), float(p)};
    case 1: return {float(q), float(v), float(p)};
    case 2: return {float(p), float(v), float(t)};
    case 3: return {float(p), float(q), float(v)};
    case 4: return {float(t), float(p), float(v)};
    default: return {float(v), float(p), float(q)};
    }
}
} // namespace

std::vector<std::string> ColorMap::names() { return {"hot", "cold_hot", "viridis", "gray", "categorical"}; }

ColorMap ColorMap::named(const std::string& nameIn) {
    ColorMap m;
    m.name_ = nameIn;
    std::string base = nameIn;
    if (base.size() > 2 && base.compare(base.size() - 2, 2, "_r") == 0) {
        m.reversed_ = true;
        base = base.substr(0, base.size() - 2);
    }
    if (base == "hot") m.kind_ = kHot;
    else if (base == "cold_hot" || base == "coldhot") {
        m.kind_ = kColdHot;
        m.diverging_ = true;
    } else if (base == "viridis") m.kind_ = kViridis;
    else if (base == "gray" || base == "grey") m.kind_ = kGray;
    else if (base == "categorical" || base == "labels" || base == "tab20") {
        m.kind_ = kCategorical;
        m.categorical_ = true;
    } else {
        std::string list;
        for (const auto& n : names()) list += (list.empty() ? "" : ", ") + n;
        throw InputError("colour map '" + nameIn + "': expected one of " + list + " (append _r to reverse)");
    }
    return m;
}

Rgb ColorMap::at(double t) const {
    if (!std::isfinite(t)) t = 0.0;
    t = std::clamp(t, 0.0, 1.0);
    if (reversed_) t = 1.0 - t;
    switch (kind_) {
    case kHot: return hot(t);
    case kColdHot: {
        // nilearn's _pigtailed_cmap(hot): the negative half swaps channels (red←blue, blue←red).
        if (t >= 0.5) return hot(2.0 * t - 1.0);
        const Rgb h = hot(1.0 - 2.0 * t);
        return {h[2], h[1], h[0]};
    }
    case kViridis: {
        const double x = t * 255.0;
        const int i = std::min(int(x), 254);
        const double f = x - i;
        Rgb c;
        for (int k = 0; k < 3; ++k) c[std::size_t(k)] = float((1 - f) * data::kViridis[i][k] + f * data::kViridis[i + 1][k]);
        return c;
    }
    case kGray: return {float(t), float(t), float(t)};
    default: return labelColor(int(std::lround(t * 255.0)));
    }
}

std::vector<Rgb> ColorMap::table(int n) const {
    std::vector<Rgb> out(std::size_t(std::max(n, 2)));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = at(double(i) / double(out.size() - 1));
    return out;
}

Rgb labelColor(int label) {
    if (label < 0) return {0.5f, 0.5f, 0.5f};
    if (label < 20) return {data::kTab20[label][0], data::kTab20[label][1], data::kTab20[label][2]};
    const double golden = 0.618033988749895;
    const double hue = std::fmod(0.1 + label * golden, 1.0);
    const double sat = 0.55 + 0.35 * ((label / 3) % 2);
    const double val = 0.65 + 0.3 * ((label / 2) % 2);
    return hsvToRgb(hue, sat, val);
}

} // namespace nm::render
