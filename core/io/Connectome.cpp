#include "io/Connectome.hpp"

#include "common/Error.hpp"
#include "io/Npy.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace nm::io {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool endsWith(const std::string& s, const std::string& e) { return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0; }

std::string readText(const std::filesystem::path& file) {
    requireReadableFile(file, "connectome");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Splits a line on commas, semicolons, tabs and spaces (runs of spaces count once).
std::vector<std::string> fields(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool any = false;
    auto flush = [&](bool separatorIsHard) {
        if (!cur.empty() || (separatorIsHard && any)) out.push_back(cur);
        cur.clear();
    };
    for (char c : line) {
        if (c == ',' || c == ';' || c == '\t') {
            flush(true);
            any = true;
        } else if (c == ' ' || c == '\r') {
            if (!cur.empty()) flush(false);
        } else {
            cur.push_back(c);
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

double number(const std::string& s, const std::string& name, std::size_t line, std::size_t column) {
    std::string t = s;
    if (t.empty()) throw fileError(name, "line " + std::to_string(line) + ", column " + std::to_string(column), "empty value (expected a number)");
    if (lower(t) == "nan") return std::nan("");
    const char* b = t.data();
    if (*b == '+') ++b;
    double v = 0.0;
    const auto [end, ec] = std::from_chars(b, t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size())
        throw fileError(name, "line " + std::to_string(line) + ", column " + std::to_string(column), "'" + s + "' is not a number");
    return v;
}

std::string zipEntry(const std::filesystem::path& file, const std::string& entry, bool required) {
    int err = 0;
    zip_t* z = zip_open(file.c_str(), ZIP_RDONLY, &err);
    if (!z) throw fileError(file, "not a readable zip archive (expected a The Virtual Brain connectivity zip)");
    std::string out;
    // Entries may sit in a folder inside the archive: match the base name.
    const zip_int64_t n = zip_get_num_entries(z, 0);
    zip_int64_t index = -1;
    for (zip_int64_t i = 0; i < n; ++i) {
        const std::string nm = zip_get_name(z, zip_uint64_t(i), 0);
        if (nm == entry || endsWith(nm, "/" + entry)) index = i;
    }
    if (index < 0) {
        zip_close(z);
        if (required) throw fileError(file, entry, "missing from the archive (a TVB connectivity zip has weights.txt, tract_lengths.txt, centres.txt)");
        return out;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    zip_stat_index(z, zip_uint64_t(index), 0, &st);
    zip_file_t* f = zip_fopen_index(z, zip_uint64_t(index), 0);
    if (!f) {
        zip_close(z);
        throw fileError(file, entry, "cannot be read");
    }
    out.resize(std::size_t(st.size));
    const auto got = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    zip_close(z);
    if (got < 0 || zip_uint64_t(got) != st.size) throw fileError(file, entry, "truncated");
    return out;
}

void finish(Connectome& c, const std::string& name, const ConnectomeOptions& o) {
    if (c.weights.rows() != c.weights.cols())
        throw fileError(name, "shape", "adjacency is " + std::to_string(c.weights.rows()) + " × " + std::to_string(c.weights.cols()) +
                                           ", expected a square matrix");
    if (c.weights.rows() < 2) throw fileError(name, "shape", "expected at least 2 nodes");
    for (Eigen::Index j = 0; j < c.weights.cols(); ++j)
        for (Eigen::Index i = 0; i < c.weights.rows(); ++i)
            if (!std::isfinite(c.weights(i, j)))
                throw fileError(name, "row " + std::to_string(i + 1) + ", column " + std::to_string(j + 1), "weight is not finite");
    if (!o.keepSelfLoops)
        for (Eigen::Index i = 0; i < c.weights.rows(); ++i)
            if (c.weights(i, i) != 0.0) {
                c.weights(i, i) = 0.0;
                ++c.selfLoopsRemoved;
            }
    c.directed = (c.weights - c.weights.transpose()).cwiseAbs().maxCoeff() > 1e-12 * std::max(1.0, c.weights.cwiseAbs().maxCoeff());
}

} // namespace

bool Connectome::binary() const { return ((weights.array() == 0.0) || (weights.array() == 1.0)).all(); }
bool Connectome::signedWeights() const { return (weights.array() < 0.0).any(); }

Eigen::MatrixXd parseNumericMatrix(const std::string& text, const std::string& name) {
    std::vector<std::vector<double>> rows;
    std::istringstream in(text);
    std::size_t lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        const auto f = fields(line);
        if (f.empty()) continue;
        std::vector<double> r;
        for (std::size_t k = 0; k < f.size(); ++k) r.push_back(number(f[k], name, lineNo, k + 1));
        if (!rows.empty() && r.size() != rows.front().size())
            throw fileError(name, "line " + std::to_string(lineNo), "has " + std::to_string(r.size()) + " values, the first row has " +
                                                                     std::to_string(rows.front().size()));
        rows.push_back(std::move(r));
    }
    if (rows.empty()) throw fileError(name, "no numbers (expected a matrix)");
    Eigen::MatrixXd m(Eigen::Index(rows.size()), Eigen::Index(rows.front().size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j) m(Eigen::Index(i), Eigen::Index(j)) = rows[i][j];
    return m;
}

Eigen::MatrixXd readNumericMatrix(const std::filesystem::path& file) { return parseNumericMatrix(readText(file), file.string()); }

Connectome readConnectome(const std::filesystem::path& file, const ConnectomeOptions& o) {
    requireReadableFile(file, "connectome");
    const std::string ext = lower(file.filename().string());
    Connectome c;
    c.name = file.stem().string();
    if (endsWith(ext, ".npy")) {
        const auto a = readNpy(file);
        if (a.shape.size() != 2) throw fileError(file, "shape", "expected a 2-D array (an adjacency matrix)");
        c.weights = a.matrix("adjacency");
    } else if (endsWith(ext, ".zip")) {
        const std::string name = file.string();
        c.weights = parseNumericMatrix(zipEntry(file, "weights.txt", true), name + ":weights.txt");
        const std::string lengths = zipEntry(file, "tract_lengths.txt", false);
        if (!lengths.empty()) c.lengths = parseNumericMatrix(lengths, name + ":tract_lengths.txt");
        const std::string centres = zipEntry(file, "centres.txt", false);
        if (!centres.empty()) {
            // "<label> x y z" per line.
            std::istringstream in(centres);
            std::vector<std::array<double, 3>> xyz;
            std::size_t lineNo = 0;
            for (std::string line; std::getline(in, line);) {
                ++lineNo;
                const auto f = fields(line);
                if (f.empty()) continue;
                if (f.size() < 4) throw fileError(name + ":centres.txt", "line " + std::to_string(lineNo), "expected '<label> x y z'");
                c.nodeNames.push_back(f[0]);
                xyz.push_back({number(f[1], name + ":centres.txt", lineNo, 2), number(f[2], name + ":centres.txt", lineNo, 3),
                               number(f[3], name + ":centres.txt", lineNo, 4)});
            }
            c.coordinates.resize(Eigen::Index(xyz.size()), 3);
            for (std::size_t i = 0; i < xyz.size(); ++i)
                for (int d = 0; d < 3; ++d) c.coordinates(Eigen::Index(i), d) = xyz[i][std::size_t(d)];
        }
        if (c.lengths.size() && (c.lengths.rows() != c.weights.rows() || c.lengths.cols() != c.weights.cols()))
            throw fileError(name + ":tract_lengths.txt", "shape", "differs from weights.txt");
        if (c.coordinates.size() && c.coordinates.rows() != c.weights.rows())
            throw fileError(name + ":centres.txt", "rows", std::to_string(c.coordinates.rows()) + " centres for " + std::to_string(c.weights.rows()) + " nodes");
    } else if (endsWith(ext, ".edges") || endsWith(ext, ".el")) {
        const Eigen::MatrixXd e = readNumericMatrix(file);
        if (e.cols() < 2 || e.cols() > 3) throw fileError(file, "columns", "expected 'source target [weight]' per line");
        const double lo = e.leftCols(2).minCoeff();
        if (lo < 0 || e.leftCols(2).array().floor().matrix() != e.leftCols(2))
            throw fileError(file, "node ids", "expected non-negative integers");
        const int base = lo >= 1 ? 1 : 0;  // 1-based when no node 0 appears
        const auto n = Eigen::Index(e.leftCols(2).maxCoeff()) + 1 - base;
        c.weights = Eigen::MatrixXd::Zero(n, n);
        for (Eigen::Index r = 0; r < e.rows(); ++r) c.weights(Eigen::Index(e(r, 0)) - base, Eigen::Index(e(r, 1)) - base) = e.cols() == 3 ? e(r, 2) : 1.0;
    } else if (endsWith(ext, ".csv") || endsWith(ext, ".tsv") || endsWith(ext, ".txt") || endsWith(ext, ".dat") || endsWith(ext, ".edge")) {
        c.weights = readNumericMatrix(file);
    } else {
        throw fileError(file, "unknown connectome format (expected .csv, .tsv, .txt, .npy, a TVB .zip, or an .edges list)");
    }
    finish(c, file.string(), o);
    return c;
}

void attachCoordinates(Connectome& c, const std::filesystem::path& file) {
    const Eigen::MatrixXd m = readNumericMatrix(file);
    if (m.rows() != c.nodes()) throw fileError(file, "rows", std::to_string(m.rows()) + " coordinates for " + std::to_string(c.nodes()) + " nodes");
    if (m.cols() != 2 && m.cols() != 3) throw fileError(file, "columns", "expected 2 or 3 coordinates per node");
    c.coordinates = m;
}

void attachNames(Connectome& c, const std::filesystem::path& file) {
    std::istringstream in(readText(file));
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);) {
        const auto f = fields(line);
        if (!f.empty()) names.push_back(f.front());
    }
    if (Eigen::Index(names.size()) != c.nodes())
        throw fileError(file, "rows", std::to_string(names.size()) + " names for " + std::to_string(c.nodes()) + " nodes");
    c.nodeNames = std::move(names);
}

int attachAttribute(Connectome& c, const std::string& name, const std::filesystem::path& file, bool allowMissing) {
    int missing = 0;
    std::istringstream in(readText(file));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
        auto f = fields(line);
        if (!f.empty()) rows.push_back(std::move(f));
    }
    Eigen::VectorXd v = Eigen::VectorXd::Constant(c.nodes(), std::nan(""));
    if (!rows.empty() && rows.front().size() >= 2 && !c.nodeNames.empty()) {
        // "<node name>,<value>" rows, matched by name (extra rows for unknown nodes are ignored).
        // Names match exactly or up to zero padding of numbers ("AS01" = "AS1"), as neuron
        // tables from different sources write them.
        auto key = [](const std::string& name) {
            std::string k;
            for (std::size_t i = 0; i < name.size(); ++i) {
                const bool digit = std::isdigit((unsigned char)name[i]);
                const bool leadingZero = name[i] == '0' && (i == 0 || !std::isdigit((unsigned char)name[i - 1])) && i + 1 < name.size() &&
                                         std::isdigit((unsigned char)name[i + 1]);
                if (!(digit && leadingZero)) k.push_back(char(std::toupper((unsigned char)name[i])));
            }
            return k;
        };
        std::map<std::string, Eigen::Index> index;
        for (Eigen::Index i = 0; i < c.nodes(); ++i) index[key(c.nodeNames[std::size_t(i)])] = i;
        std::size_t lineNo = 0;
        for (const auto& r : rows) {
            ++lineNo;
            auto it = index.find(key(r[0]));
            if (it != index.end()) v[it->second] = number(r[1], file.string(), lineNo, 2);
        }
        for (Eigen::Index i = 0; i < c.nodes(); ++i)
            if (std::isnan(v[i])) {
                if (!allowMissing) throw fileError(file, name, "no value for node '" + c.nodeNames[std::size_t(i)] + "'");
                ++missing;
            }
    } else {
        if (Eigen::Index(rows.size()) != c.nodes())
            throw fileError(file, "rows", std::to_string(rows.size()) + " values for " + std::to_string(c.nodes()) + " nodes");
        for (std::size_t i = 0; i < rows.size(); ++i) v[Eigen::Index(i)] = number(rows[i].back(), file.string(), i + 1, rows[i].size());
    }
    c.attributes[name] = v;
    return missing;
}

} // namespace nm::io
