#pragma once
// Colour maps for surface overlays: hot and gray (matplotlib's definitions), cold_hot (nilearn's
// two-tailed map: hot for positive values, its blue-cyan rotation for negative ones), viridis
// (matplotlib's table), and categorical palettes for labels and parcellations.
#include <array>
#include <string>
#include <vector>

namespace nm::render {

using Rgb = std::array<float, 3>;

class ColorMap {
public:
    /// "hot", "cold_hot", "viridis", "gray", "categorical"; append "_r" to reverse.
    /// Throws nm::InputError listing the names for an unknown one.
    static ColorMap named(const std::string& name);
    static std::vector<std::string> names();

    /// Colour at t in [0, 1] (clamped).
    [[nodiscard]] Rgb at(double t) const;
    [[nodiscard]] const std::string& name() const { return name_; }
    /// Two-tailed maps are centred on 0 (default range symmetric).
    [[nodiscard]] bool diverging() const { return diverging_; }
    [[nodiscard]] bool categorical() const { return categorical_; }
    /// 256 samples, for VTK lookup tables (colour bars).
    [[nodiscard]] std::vector<Rgb> table(int n = 256) const;

private:
    std::string name_;
    int kind_ = 0;
    bool reversed_ = false, diverging_ = false, categorical_ = false;
};

/// Distinct colours for integer labels: tab20 for the first 20, then golden-angle hues with
/// alternating lightness, so that neighbouring labels differ (1024 parcels stay distinguishable).
Rgb labelColor(int label);

} // namespace nm::render
