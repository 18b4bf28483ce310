#pragma once
// Connectomes in: adjacency matrices as CSV/TSV/whitespace text or .npy, The Virtual Brain
// connectivity zip (weights.txt, tract_lengths.txt, centres.txt), edge lists (source target
// [weight], 0- or 1-based), GML (networkx, igraph, Gephi), BrainNet Viewer .edge matrices with
// their .node files. Node coordinates, names and attributes come from side files.
#include <Eigen/Core>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

struct Connectome {
    std::string name;                         ///< from the file name
    Eigen::MatrixXd weights;                  ///< n × n; row = source, column = target
    bool directed = false;                    ///< weights not symmetric (set by the reader)
    std::vector<std::string> nodeNames;       ///< empty or n
    Eigen::MatrixXd coordinates;              ///< n × 2 or n × 3 (mm), or empty
    Eigen::MatrixXd lengths;                  ///< n × n fibre lengths (TVB), or empty
    std::map<std::string, Eigen::VectorXd> attributes;  ///< per node (e.g. "birth_time")
    int selfLoopsRemoved = 0;                 ///< non-zero diagonal entries set to 0 on reading

    [[nodiscard]] Eigen::Index nodes() const { return weights.rows(); }
    [[nodiscard]] bool binary() const;        ///< all weights 0 or 1
    [[nodiscard]] bool signedWeights() const; ///< some weight < 0
};

struct ConnectomeOptions {
    bool keepSelfLoops = false;               ///< default: the diagonal is set to 0 (counted)
};

/// By extension: .csv/.tsv/.txt/.dat (matrix), .npy, .zip (TVB), .edges/.el (edge list), .gml,
/// .edge (BrainNet Viewer matrix; a .node file of the same stem is read too).
/// Throws nm::InputError naming the file, the line and column, and what was expected.
Connectome readConnectome(const std::filesystem::path& file, const ConnectomeOptions& options = {});

/// A numeric matrix from text (commas, semicolons, tabs or spaces between values; '#' comments).
Eigen::MatrixXd readNumericMatrix(const std::filesystem::path& file);
Eigen::MatrixXd parseNumericMatrix(const std::string& text, const std::string& name);

/// A numeric matrix from .npy (2-D) or text (.csv/.tsv/.txt/.dat). Throws naming the file.
Eigen::MatrixXd readMatrixFile(const std::filesystem::path& file, const std::string& what = "matrix");
/// Writes a matrix by extension: .npy (float64), .csv (commas), .tsv (tabs), else spaces; 17
/// significant digits; atomically.
void writeMatrixFile(const std::filesystem::path& file, const Eigen::MatrixXd& matrix);

/// Adds side information: coordinates (n × 2|3 numeric file, or a BrainNet .node file, which also
/// brings labels and the "colour" and "size" attributes), names (one per line or first
/// column), or a named attribute (one value per node). Throws naming the file when n differs.
void attachCoordinates(Connectome& c, const std::filesystem::path& file);
void attachNames(Connectome& c, const std::filesystem::path& file);
/// With `allowMissing`, nodes absent from a "<name>,<value>" file get NaN instead of an error;
/// returns the number of such nodes.
int attachAttribute(Connectome& c, const std::string& name, const std::filesystem::path& file, bool allowMissing = false);

} // namespace nm::io
