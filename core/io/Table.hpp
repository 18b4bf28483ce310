#pragma once
// Delimited text tables: TSV (BIDS events, confounds, Neurosynth/NeuroQuery coordinates) and CSV
// (connectome matrices), optionally gzip-compressed. Fields may be quoted (RFC 4180: "a,b",
// doubled quotes); "n/a" and empty numeric fields read as NaN.
#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nm::io {

struct TableOptions {
    char delimiter = '\0';   ///< '\0': '\t' for .tsv(.gz), ',' for .csv(.gz), else sniffed
    bool header = true;      ///< first row holds column names
    char comment = '\0';     ///< lines starting with this character are skipped ('\0': none)
};

class Table {
public:
    Table() = default;
    Table(std::vector<std::string> columns, std::vector<std::vector<std::string>> rows,
          std::filesystem::path source = {});

    [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
    [[nodiscard]] std::size_t rowCount() const { return rows_.size(); }
    [[nodiscard]] std::size_t columnCount() const { return columns_.size(); }
    [[nodiscard]] const std::filesystem::path& source() const { return source_; }
    [[nodiscard]] bool hasColumn(const std::string& name) const;
    /// Index of a column; throws nm::InputError naming the file and the missing column.
    [[nodiscard]] std::size_t columnIndex(const std::string& name) const;
    [[nodiscard]] const std::string& cell(std::size_t row, std::size_t column) const;
    [[nodiscard]] const std::string& cell(std::size_t row, const std::string& column) const;
    /// A column as numbers ("n/a", "" → NaN); throws naming file, row and column on junk.
    [[nodiscard]] std::vector<double> numbers(const std::string& column) const;
    [[nodiscard]] std::vector<std::string> strings(const std::string& column) const;
    /// All cells as a numeric matrix (rows × columns), for headerless matrices (connectomes).
    [[nodiscard]] Eigen::MatrixXd matrix() const;
    [[nodiscard]] const std::vector<std::vector<std::string>>& rows() const { return rows_; }

private:
    std::vector<std::string> columns_;
    std::vector<std::vector<std::string>> rows_;
    std::filesystem::path source_;
};

/// Reads a table; throws nm::InputError naming the file and line (ragged rows, unterminated quote).
Table readTable(const std::filesystem::path& file, const TableOptions& options = {});
/// Parses table text (for tests and in-memory data); `name` is used in error messages.
Table parseTable(const std::string& text, const TableOptions& options, const std::filesystem::path& name);
/// Writes atomically; fields containing the delimiter, quotes or newlines are quoted.
void writeTable(const std::filesystem::path& file, const Table& table, char delimiter = '\0');

/// Parses a number as a table cell: "n/a", "NaN", "" → NaN; throws std::invalid_argument otherwise.
double parseNumber(const std::string& text);

/// Reads a whole (possibly gzip-compressed) text file into memory.
std::string readMaybeGzipped(const std::filesystem::path& file);

} // namespace nm::io
