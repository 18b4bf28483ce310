#include "io/Table.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"

#include <zlib.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace nm::io {

namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

char delimiterFor(const std::filesystem::path& file, const std::string& text) {
    const std::string name = file.filename().string();
    if (endsWith(name, ".tsv") || endsWith(name, ".tsv.gz") || endsWith(name, ".txt")) {
        // .txt tables are often space-separated matrices; sniffed below when they have no tab.
        if (!endsWith(name, ".txt") || text.find('\t') != std::string::npos) return '\t';
    }
    if (endsWith(name, ".csv") || endsWith(name, ".csv.gz")) return ',';
    const auto firstLine = text.substr(0, text.find('\n'));
    if (firstLine.find('\t') != std::string::npos) return '\t';
    if (firstLine.find(',') != std::string::npos) return ',';
    return ' ';
}

} // namespace

std::string readMaybeGzipped(const std::filesystem::path& file) {
    requireReadableFile(file);
    gzFile f = gzopen(file.c_str(), "rb");
    if (!f) throw fileError(file, "cannot be opened");
    std::string out;
    std::vector<char> buf(1 << 16);
    for (;;) {
        const int n = gzread(f, buf.data(), unsigned(buf.size()));
        if (n < 0) {
            int err = 0;
            const std::string msg = gzerror(f, &err);
            gzclose(f);
            throw fileError(file, "corrupt or truncated compressed data (" + msg + ")");
        }
        if (n == 0) break;
        out.append(buf.data(), std::size_t(n));
    }
    int err = Z_OK;
    gzerror(f, &err);
    gzclose(f);
    if (err != Z_OK && err != Z_STREAM_END) throw fileError(file, "corrupt or truncated compressed data");
    return out;
}

double parseNumber(const std::string& text) {
    std::size_t b = 0, e = text.size();
    while (b < e && (text[b] == ' ' || text[b] == '\r')) ++b;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\r')) --e;
    const std::string_view s(text.data() + b, e - b);
    if (s.empty() || s == "n/a" || s == "NA" || s == "NaN" || s == "nan" || s == "N/A")
        return std::numeric_limits<double>::quiet_NaN();
    double v = 0.0;
    const char* first = s.data();
    if (*first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
    if (s == "inf" || s == "Inf" || s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-inf" || s == "-Inf" || s == "-Infinity") return -std::numeric_limits<double>::infinity();
    throw std::invalid_argument("not a number: '" + std::string(s) + "'");
}

Table::Table(std::vector<std::string> columns, std::vector<std::vector<std::string>> rows,
             std::filesystem::path source)
    : columns_(std::move(columns)), rows_(std::move(rows)), source_(std::move(source)) {}

bool Table::hasColumn(const std::string& name) const {
    for (const auto& c : columns_)
        if (c == name) return true;
    return false;
}

std::size_t Table::columnIndex(const std::string& name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i] == name) return i;
    std::string have;
    for (const auto& c : columns_) have += (have.empty() ? "" : ", ") + c;
    throw fileError(source_, "column '" + name + "'", "missing (columns are: " + have + ")");
}

const std::string& Table::cell(std::size_t row, std::size_t column) const {
    if (row >= rows_.size() || column >= rows_[row].size())
        throw fileError(source_, "row " + std::to_string(row + 1), "no column " + std::to_string(column + 1));
    return rows_[row][column];
}

const std::string& Table::cell(std::size_t row, const std::string& column) const {
    return cell(row, columnIndex(column));
}

std::vector<double> Table::numbers(const std::string& column) const {
    const std::size_t c = columnIndex(column);
    std::vector<double> out(rows_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        try {
            out[r] = parseNumber(rows_[r][c]);
        } catch (const std::invalid_argument&) {
            throw fileError(source_, "row " + std::to_string(r + 1) + ", column '" + column + "'",
                            "expected a number, found '" + rows_[r][c] + "'");
        }
    }
    return out;
}

std::vector<std::string> Table::strings(const std::string& column) const {
    const std::size_t c = columnIndex(column);
    std::vector<std::string> out(rows_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r) out[r] = rows_[r][c];
    return out;
}

Eigen::MatrixXd Table::matrix() const {
    Eigen::MatrixXd m(Eigen::Index(rows_.size()), Eigen::Index(columns_.size()));
    for (std::size_t r = 0; r < rows_.size(); ++r)
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            try {
                m(Eigen::Index(r), Eigen::Index(c)) = parseNumber(rows_[r][c]);
            } catch (const std::invalid_argument&) {
                throw fileError(source_, "row " + std::to_string(r + 1) + ", column " + std::to_string(c + 1),
                                "expected a number, found '" + rows_[r][c] + "'");
            }
        }
    return m;
}

Table parseTable(const std::string& text, const TableOptions& options, const std::filesystem::path& name) {
    const char delim = options.delimiter ? options.delimiter : delimiterFor(name, text);
    const bool whitespace = delim == ' ';
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> fields;
    std::string field;
    bool inQuotes = false, fieldStarted = false, quoted = false;
    std::size_t line = 1, recordLine = 1;
    auto endField = [&] {
        fields.push_back(std::move(field));
        field.clear();
        fieldStarted = false;
        quoted = false;
    };
    auto endRecord = [&] {
        if (whitespace && !fieldStarted && field.empty()) {
            // trailing separators in space-separated files
        } else {
            endField();
        }
        const bool blank = fields.empty() || (fields.size() == 1 && fields[0].empty());
        const bool comment = options.comment && !fields.empty() && !fields[0].empty() && fields[0][0] == options.comment;
        if (!blank && !comment) records.push_back(std::move(fields));
        fields.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (inQuotes) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field.push_back('"');
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (ch == '\n') ++line;
                field.push_back(ch);
            }
            continue;
        }
        if (ch == '"' && !fieldStarted) {
            inQuotes = true;
            fieldStarted = true;
            quoted = true;
            continue;
        }
        if (ch == '\r') continue;
        if (ch == '\n') {
            endRecord();
            ++line;
            recordLine = line;
            continue;
        }
        if (whitespace ? (ch == ' ' || ch == '\t') : ch == delim) {
            if (whitespace && !fieldStarted) continue;  // runs of spaces separate once
            endField();
            continue;
        }
        field.push_back(ch);
        fieldStarted = true;
    }
    if (inQuotes) throw fileError(name, "line " + std::to_string(recordLine), "unterminated quoted field");
    if (fieldStarted || !fields.empty() || !field.empty()) endRecord();
    (void)quoted;

    std::vector<std::string> columns;
    std::size_t first = 0;
    if (options.header) {
        if (records.empty()) throw fileError(name, "header", "the table is empty; expected a header row");
        columns = records[0];
        first = 1;
    } else if (!records.empty()) {
        for (std::size_t c = 0; c < records[0].size(); ++c) columns.push_back(std::to_string(c));
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(records.size() - first);
    for (std::size_t r = first; r < records.size(); ++r) {
        if (records[r].size() != columns.size())
            throw fileError(name, "row " + std::to_string(r + 1 - first),
                            "has " + std::to_string(records[r].size()) + " fields, expected " +
                                std::to_string(columns.size()));
        rows.push_back(std::move(records[r]));
    }
    return Table(std::move(columns), std::move(rows), name);
}

Table readTable(const std::filesystem::path& file, const TableOptions& options) {
    return parseTable(readMaybeGzipped(file), options, file);
}

void writeTable(const std::filesystem::path& file, const Table& table, char delimiter) {
    if (!delimiter) delimiter = endsWith(file.filename().string(), ".csv") ? ',' : '\t';
    auto quote = [delimiter](const std::string& s) {
        if (s.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) {
            if (c == '"') q += "\"\"";
            else q += c;
        }
        return q + "\"";
    };
    std::ostringstream out;
    for (std::size_t c = 0; c < table.columnCount(); ++c)
        out << (c ? std::string(1, delimiter) : std::string()) << quote(table.columns()[c]);
    out << '\n';
    for (const auto& row : table.rows()) {
        for (std::size_t c = 0; c < row.size(); ++c) out << (c ? std::string(1, delimiter) : std::string()) << quote(row[c]);
        out << '\n';
    }
    writeFileAtomic(file, out.str());
}

} // namespace nm::io
