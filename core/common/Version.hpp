#pragma once
#include <string>
#include <utility>
#include <vector>

namespace nm {

/// NeuroMosaic's version ("0.1.0") and the git revision it was built from ("unknown" outside git).
std::string version();
std::string gitRevision();

/// Name/version pairs of the libraries core was built against (Eigen, ITK, VTK, ...), in a
/// stable order, for `neuromosaic-cli info`, Help → About and the provenance of every output.
std::vector<std::pair<std::string, std::string>> libraryVersions();

} // namespace nm
