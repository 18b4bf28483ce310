#include "io/Connectome.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Text.hpp"
#include "io/Npy.hpp"
#include "io/Zip.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace nm::io {

namespace {

bool endsWith(const std::string& s, const std::string& e) { return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0; }

/// Connectomes are dense n × n matrices: a file claiming more nodes than this (7 GB of doubles) is
/// refused before allocating.
constexpr Eigen::Index kMaxConnectomeNodes = 30000;
void checkNodeCount(Eigen::Index n, const std::filesystem::path& file, const std::string& field) {
    if (n > kMaxConnectomeNodes)
        throw fileError(file, field, std::to_string(n) + " nodes exceed the " + std::to_string(kMaxConnectomeNodes) +
                                         " a dense connectome may hold");
}

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
    if (lowercase(t) == "nan") return std::nan("");
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
    try {
        out = readZipEntry(z, zip_uint64_t(index), file.string() + ": " + entry, std::filesystem::file_size(file), std::uint64_t(1) << 30);  // text of at most 1 GiB
    } catch (...) {
        zip_close(z);
        throw;
    }
    zip_close(z);
    return out;
}

/// Node positions feed distances (spatial wiring, generative models): a NaN or ∞ would only show
/// up later as a distance "that must be positive", far from its cause.
void requireFiniteCoordinates(const Connectome& c, const std::string& name) {
    for (Eigen::Index i = 0; i < c.coordinates.rows(); ++i)
        for (Eigen::Index d = 0; d < c.coordinates.cols(); ++d)
            if (!std::isfinite(c.coordinates(i, d)))
                throw fileError(name, "row " + std::to_string(i + 1) + ", column " + std::to_string(d + 1), "coordinate is not finite");
}

void finish(Connectome& c, const std::string& name, const ConnectomeOptions& o) {
    requireFiniteCoordinates(c, name);
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

/// GML (Himsolt 1997) as written by networkx, igraph and Gephi: nested "key value" lists;
/// `graph [ directed 0|1 node [ id … label "…" x … y … z … ] edge [ source … target … value|weight … ] ]`.
/// Node ids may be any integers; coordinates also from a node's `graphics [ x y z ]`.
/// (No Debian library reads GML into a matrix without a graph library's object model; igraph's
/// reader drops string labels and non-numeric attributes, so this small parser is ours.)
struct GmlValue {
    std::string scalar;  // number or string (quotes removed)
    bool isString = false;
    // Keys and values side by side: a vector of pair<string, GmlValue> would need GmlValue complete
    // inside its own definition (libstdc++ under clang refuses it); vector<GmlValue> may be incomplete.
    std::vector<std::string> keys;
    std::vector<GmlValue> values;
    bool isList = false;
    [[nodiscard]] const GmlValue* get(const std::string& key) const {
        for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i] == key) return &values[i];
        return nullptr;
    }
    void add(std::string key, GmlValue v) {
        keys.push_back(std::move(key));
        values.push_back(std::move(v));
    }
};

class GmlParser {
public:
    GmlParser(std::string text, std::string name) : t_(std::move(text)), name_(std::move(name)) {}
    GmlValue parseList(bool top, int depth = 0) {
        if (depth > 64) fail("lists nested more than 64 deep");  // recursion bound: no stack overflow on hostile input
        GmlValue v;
        v.isList = true;
        for (;;) {
            skip();
            if (pos_ >= t_.size()) {
                if (!top) fail("expected ']' before the end of the file");
                return v;
            }
            if (t_[pos_] == ']') {
                if (top) fail("unexpected ']'");
                ++pos_;
                return v;
            }
            std::string key = token();
            if (key.empty() || !std::isalpha(static_cast<unsigned char>(key[0]))) fail("expected a key, got '" + key + "'");
            skip();
            if (pos_ >= t_.size()) fail("key '" + key + "' has no value");
            if (t_[pos_] == '[') {
                ++pos_;
                v.add(key, parseList(false, depth + 1));
            } else if (t_[pos_] == '"') {
                const auto end = t_.find('"', pos_ + 1);
                if (end == std::string::npos) fail("unterminated string");
                GmlValue s;
                s.scalar = t_.substr(pos_ + 1, end - pos_ - 1);
                s.isString = true;
                pos_ = end + 1;
                v.add(key, s);
            } else {
                GmlValue s;
                s.scalar = token();
                v.add(key, s);
            }
        }
    }
    [[noreturn]] void fail(const std::string& what) const {
        const auto line = 1 + std::count(t_.begin(), t_.begin() + std::ptrdiff_t(std::min(pos_, t_.size())), '\n');
        throw InputError(name_ + ": line " + std::to_string(line) + ": GML: " + what);
    }

private:
    void skip() {
        while (pos_ < t_.size()) {
            if (std::isspace(static_cast<unsigned char>(t_[pos_]))) ++pos_;
            else if (t_[pos_] == '#') pos_ = std::min(t_.size(), t_.find('\n', pos_));
            else break;
        }
    }
    std::string token() {
        const auto start = pos_;
        while (pos_ < t_.size() && !std::isspace(static_cast<unsigned char>(t_[pos_])) && t_[pos_] != '[' && t_[pos_] != ']') ++pos_;
        return t_.substr(start, pos_ - start);
    }
    std::string t_, name_;
    std::size_t pos_ = 0;
};

double gmlNumber(const GmlValue* v, const std::string& file, const std::string& what) {
    if (!v || v->isList || v->isString) throw InputError(file + ": GML: " + what + ": expected a number");
    double x = 0;
    const auto* b = v->scalar.data();
    const auto r = std::from_chars(b, b + v->scalar.size(), x);
    if (r.ec != std::errc() || r.ptr != b + v->scalar.size()) throw InputError(file + ": GML: " + what + ": expected a number, got '" + v->scalar + "'");
    return x;
}

/// A node id: an integer-valued number within ±2^53 (exact in a double; the cast stays defined).
long long gmlId(const GmlValue* v, const std::string& file, const std::string& what) {
    const double x = gmlNumber(v, file, what);
    if (!(std::abs(x) <= 9007199254740992.0) || x != std::floor(x)) throw InputError(file + ": GML: " + what + ": expected an integer id");
    return (long long)x;
}

void readGml(Connectome& c, const std::filesystem::path& file) {
    const std::string name = file.string();
    GmlParser parser(readText(file), name);
    const GmlValue top = parser.parseList(true);
    const GmlValue* g = top.get("graph");
    if (!g || !g->isList) throw InputError(name + ": GML: expected a 'graph [ … ]' block");
    const GmlValue* dir = g->get("directed");
    const bool directed = dir && gmlNumber(dir, name, "graph.directed") != 0;
    std::map<long long, Eigen::Index> index;
    std::vector<std::string> labels;
    std::vector<std::array<double, 3>> xyz;
    int coordDims = 3;
    for (std::size_t e = 0; e < g->keys.size(); ++e) {
        const auto& v = g->values[e];
        if (g->keys[e] != "node") continue;
        const auto id = gmlId(v.get("id"), name, "node " + std::to_string(index.size() + 1) + ": id");
        if (!index.emplace(id, Eigen::Index(index.size())).second) throw InputError(name + ": GML: node id " + std::to_string(id) + " appears twice");
        const GmlValue* label = v.get("label");
        labels.push_back(label ? label->scalar : std::to_string(id));
        const GmlValue* gr = v.get("graphics");
        const GmlValue* src = v.get("x") ? &v : (gr && gr->get("x") ? gr : nullptr);
        std::array<double, 3> p{std::nan(""), std::nan(""), 0.0};
        if (src) {
            p[0] = gmlNumber(src->get("x"), name, "node " + std::to_string(id) + ": x");
            p[1] = gmlNumber(src->get("y"), name, "node " + std::to_string(id) + ": y");
            if (src->get("z")) p[2] = gmlNumber(src->get("z"), name, "node " + std::to_string(id) + ": z");
            else coordDims = std::min(coordDims, 2);
        } else {
            coordDims = 0;
        }
        xyz.push_back(p);
    }
    if (index.empty()) throw InputError(name + ": GML: the graph has no nodes");
    const auto n = Eigen::Index(index.size());
    checkNodeCount(n, file, "GML nodes");
    c.weights = Eigen::MatrixXd::Zero(n, n);
    std::size_t e = 0;
    for (std::size_t i = 0; i < g->keys.size(); ++i) {
        const auto& v = g->values[i];
        if (g->keys[i] != "edge") continue;
        ++e;
        const std::string where = "edge " + std::to_string(e);
        const auto s = gmlId(v.get("source"), name, where + ": source");
        const auto t = gmlId(v.get("target"), name, where + ": target");
        if (!index.count(s) || !index.count(t)) throw InputError(name + ": GML: " + where + ": node " + std::to_string(index.count(s) ? t : s) + " is not declared");
        const GmlValue* w = v.get("weight") ? v.get("weight") : v.get("value");
        const double x = w ? gmlNumber(w, name, where + ": weight") : 1.0;
        c.weights(index[s], index[t]) = x;
        if (!directed) c.weights(index[t], index[s]) = x;
    }
    c.nodeNames = labels;
    if (coordDims > 0) {
        c.coordinates.resize(n, coordDims);
        for (Eigen::Index i = 0; i < n; ++i)
            for (int d = 0; d < coordDims; ++d) c.coordinates(i, d) = xyz[std::size_t(i)][std::size_t(d)];
    }
}

/// BrainNet Viewer node file (Xia et al. 2013): "x y z colour size label" per node, '#' comments.
void readBrainNetNodes(Connectome& c, const std::filesystem::path& file) {
    std::istringstream in(readText(file));
    std::vector<std::array<double, 5>> rows;
    std::vector<std::string> labels;
    std::size_t lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        if (const auto h = line.find('#'); h != std::string::npos) line.erase(h);
        const auto f = fields(line);
        if (f.empty()) continue;
        if (f.size() < 5) throw InputError(file.string() + ": line " + std::to_string(lineNo) + ": expected 'x y z colour size [label]' (BrainNet Viewer .node)");
        std::array<double, 5> r{};
        for (std::size_t k = 0; k < 5; ++k) r[k] = number(f[k], file.string(), lineNo, k + 1);
        rows.push_back(r);
        labels.push_back(f.size() > 5 ? f[5] : std::to_string(rows.size()));
    }
    if (Eigen::Index(rows.size()) != c.nodes())
        throw InputError(file.string() + ": rows: " + std::to_string(rows.size()) + " nodes for a " + std::to_string(c.nodes()) + "-node network");
    const auto n = c.nodes();
    c.coordinates.resize(n, 3);
    Eigen::VectorXd colour(n), size(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        for (int d = 0; d < 3; ++d) c.coordinates(i, d) = rows[std::size_t(i)][std::size_t(d)];
        colour[i] = rows[std::size_t(i)][3];
        size[i] = rows[std::size_t(i)][4];
    }
    c.attributes["colour"] = colour;
    c.attributes["size"] = size;
    c.nodeNames = labels;
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

Eigen::MatrixXd readMatrixFile(const std::filesystem::path& file, const std::string& what) {
    requireReadableFile(file, what);
    if (endsWith(lowercase(file.filename().string()), ".npy")) {
        const auto a = readNpy(file);
        if (a.shape.size() != 2) throw fileError(file, "shape", "expected a 2-D array (" + what + ")");
        return a.matrix(what);
    }
    return readNumericMatrix(file);
}

void writeMatrixFile(const std::filesystem::path& file, const Eigen::MatrixXd& m) {
    const std::string ext = lowercase(file.extension().string());
    if (ext == ".npy") {
        writeNpy(file, m);
        return;
    }
    const char sep = ext == ".csv" ? ',' : (ext == ".tsv" ? '\t' : ' ');
    std::ostringstream out;
    out.precision(17);
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            if (j) out << sep;
            out << m(i, j);
        }
        out << '\n';
    }
    writeFileAtomic(file, out.str());
}

Connectome readConnectome(const std::filesystem::path& file, const ConnectomeOptions& o) {
    requireReadableFile(file, "connectome");
    const std::string ext = lowercase(file.filename().string());
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
        const double hi = e.leftCols(2).maxCoeff();
        if (!(hi + 1 - base <= double(kMaxConnectomeNodes)))
            throw fileError(file, "node ids", "the largest, " + std::to_string(hi) + ", needs more than the " + std::to_string(kMaxConnectomeNodes) +
                                                  " nodes a dense connectome may hold");
        const auto n = Eigen::Index(hi) + 1 - base;
        // Ids number the nodes: far more ids than edges can touch means a corrupt file (and an n × n allocation for nothing).
        if (n > 2 * e.rows() + 1000)
            throw fileError(file, "node ids", "ids up to " + std::to_string(Eigen::Index(hi)) + " for only " + std::to_string(e.rows()) +
                                                  " edges; expected the nodes numbered 0..n−1 or 1..n");
        c.weights = Eigen::MatrixXd::Zero(n, n);
        for (Eigen::Index r = 0; r < e.rows(); ++r) c.weights(Eigen::Index(e(r, 0)) - base, Eigen::Index(e(r, 1)) - base) = e.cols() == 3 ? e(r, 2) : 1.0;
    } else if (endsWith(ext, ".gml")) {
        readGml(c, file);
    } else if (endsWith(ext, ".csv") || endsWith(ext, ".tsv") || endsWith(ext, ".txt") || endsWith(ext, ".dat") || endsWith(ext, ".edge")) {
        c.weights = readNumericMatrix(file);
        if (endsWith(ext, ".edge")) {
            // BrainNet Viewer: the matching .node file (same stem) brings coordinates and labels.
            auto node = file;
            node.replace_extension(".node");
            if (std::filesystem::exists(node)) readBrainNetNodes(c, node);
        }
    } else {
        throw fileError(file, "unknown connectome format (expected .csv, .tsv, .txt, .npy, a TVB .zip, .gml, a BrainNet .edge, or an .edges list)");
    }
    finish(c, file.string(), o);
    return c;
}

void attachCoordinates(Connectome& c, const std::filesystem::path& file) {
    if (endsWith(lowercase(file.filename().string()), ".node")) {
        readBrainNetNodes(c, file);
        return;
    }
    const Eigen::MatrixXd m = readNumericMatrix(file);
    if (m.rows() != c.nodes()) throw fileError(file, "rows", std::to_string(m.rows()) + " coordinates for " + std::to_string(c.nodes()) + " nodes");
    if (m.cols() != 2 && m.cols() != 3) throw fileError(file, "columns", "expected 2 or 3 coordinates per node");
    c.coordinates = m;
    requireFiniteCoordinates(c, file.string());
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
