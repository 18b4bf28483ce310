#pragma once
// Small text helpers shared by the readers and the models (ASCII case folding: names, file
// extensions, concept names).
#include <cctype>
#include <string>

namespace nm {

/// ASCII lower case (bytes above 127, e.g. UTF-8, unchanged).
inline std::string lowercase(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace nm
