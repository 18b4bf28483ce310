#pragma once
// Field access and formatting shared by the readings, the charts and the HTML summary of
// validation reports (Readings.cpp, Summary.cpp): missing or mistyped fields read as NaN or empty,
// never invented.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace nm::validate::report {

using json = nlohmann::json;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double num(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return kNaN;
    return j[key].get<double>();
}
inline std::string str(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}
inline const json& arr(const json& j, const char* key) {
    static const json empty = json::array();
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : empty;
}

inline std::string fmt(double v, int digits) {
    if (!std::isfinite(v)) return "n/a";
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << v;
    return s.str();
}
inline std::string pct(double fraction) { return fmt(100.0 * fraction, 1) + " %"; }
/// "+14.5 points" / "−2.0 points" between two fractions.
inline std::string points(double a, double b) {
    const double d = 100.0 * (a - b);
    return (d >= 0 ? "+" : "−") + fmt(std::abs(d), 1) + " points";
}
inline std::string prettyMethod(const std::string& m) {
    if (m == "pca") return "PCA";
    if (m == "aal") return "AAL";
    if (m == "harvard-oxford") return "Harvard–Oxford";
    return m;
}

/// (method, components) → value of an array of entries.
inline std::map<std::pair<std::string, int>, double> byMethod(const json& entries, const char* value) {
    std::map<std::pair<std::string, int>, double> out;
    for (const auto& e : entries) out[{str(e, "method"), int(num(e, "components"))}] = num(e, value);
    return out;
}
inline double lookup(const std::map<std::pair<std::string, int>, double>& m, const std::string& method, int k) {
    const auto it = m.find({method, k});
    return it == m.end() ? kNaN : it->second;
}
inline std::vector<int> atlasScales(const std::map<std::pair<std::string, int>, double>& m, const std::string& atlasMethod = "atlas") {
    std::vector<int> ks;
    for (const auto& [key, v] : m)
        if (key.first == atlasMethod) ks.push_back(key.second);
    std::sort(ks.begin(), ks.end());
    return ks;
}
/// "AAL (116 regions) 9.8 %, Harvard–Oxford (96 regions) 8.1 %" for the parcellations in `m`.
inline std::string parcellations(const std::map<std::pair<std::string, int>, double>& m, bool asPercent) {
    std::string out;
    for (const auto& [key, v] : m)
        if (key.first == "aal" || key.first == "harvard-oxford")
            out += (out.empty() ? "" : ", ") + prettyMethod(key.first) + " (" + std::to_string(key.second) + " regions) " + (asPercent ? pct(v) : fmt(v, 3));
    return out;
}

} // namespace nm::validate::report
