#include "semantics/Literature.hpp"

#include "common/AtomicFile.hpp"
#include "common/Error.hpp"
#include "common/Paths.hpp"
#include "io/Npy.hpp"
#include "io/Table.hpp"
#include "jobs/Checkpoint.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

namespace nm::semantics {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

/// Study ids as text: "9065511" and "9065511.0" are the same study.
std::string studyId(const std::string& s) {
    std::string t = trim(s);
    if (t.size() > 2 && t.compare(t.size() - 2, 2, ".0") == 0) t.resize(t.size() - 2);
    return t;
}

std::vector<std::filesystem::path> candidateDirs(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out{dir};
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.is_directory(ec)) out.push_back(e.path());
    std::sort(out.begin() + 1, out.end());
    return out;
}

} // namespace

std::vector<LiteratureFiles> findLiteratureDatabases(const std::filesystem::path& dir) {
    std::vector<LiteratureFiles> out;
    const std::regex coords(R"(data-([A-Za-z0-9]+)_version-([A-Za-z0-9.]+)_coordinates\.tsv(\.gz)?)");
    const std::regex feature(R"(data-([A-Za-z0-9]+)_version-([A-Za-z0-9.]+)_vocab-([A-Za-z0-9]+)_source-([A-Za-z0-9]+)_type-([A-Za-z0-9]+)_features\.npz)");
    for (const auto& d : candidateDirs(dir)) {
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(d, ec))
            if (e.is_regular_file(ec)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            std::smatch m;
            const std::string name = f.filename().string();
            if (!std::regex_match(name, m, coords)) continue;
            const std::string db = m[1].str(), version = m[2].str();
            const std::string prefix = "data-" + db + "_version-" + version + "_";
            LiteratureFiles lf;
            lf.name = db + "_v" + version;
            lf.coordinates = f;
            for (const char* ext : {"metadata.tsv.gz", "metadata.tsv"})
                if (std::filesystem::exists(d / (prefix + ext))) {
                    lf.metadata = d / (prefix + ext);
                    break;
                }
            // Vocabularies with features: terms before topics (LDA*), then by name.
            std::map<std::string, std::vector<std::pair<std::string, std::filesystem::path>>> byVocab;  // vocab → (type, file)
            for (const auto& g : files) {
                std::smatch fm;
                const std::string gn = g.filename().string();
                if (std::regex_match(gn, fm, feature) && fm[1].str() == db && fm[2].str() == version &&
                    std::filesystem::exists(d / (prefix + "vocab-" + fm[3].str() + "_vocabulary.txt")))
                    byVocab[fm[3].str()].emplace_back(fm[5].str(), g);
            }
            if (byVocab.empty()) continue;
            std::string chosen;
            for (const auto& [v, list] : byVocab)
                if (chosen.empty() || (chosen.rfind("LDA", 0) == 0 && v.rfind("LDA", 0) != 0)) chosen = v;
            lf.vocabularyName = chosen;
            lf.vocabulary = d / (prefix + "vocab-" + chosen + "_vocabulary.txt");
            lf.featureType = byVocab[chosen].front().first;
            for (const auto& [type, file] : byVocab[chosen])
                if (type == lf.featureType) lf.features.push_back(file);
            out.push_back(std::move(lf));
        }
    }
    return out;
}

LiteratureFiles chooseLiteratureDatabase(const std::filesystem::path& dir, const std::vector<std::string>& preferences) {
    const auto dbs = findLiteratureDatabases(dir);
    if (dbs.empty()) throw InputError(dir.string() + ": no Neurosynth or NeuroQuery database found there");
    for (const auto& want : preferences)
        for (const auto& d : dbs)
            if (d.name.rfind(want, 0) == 0) return d;
    return dbs.front();
}

std::optional<std::filesystem::path> findLiteratureDir(const std::optional<std::filesystem::path>& dir) {
    std::vector<std::filesystem::path> candidates;
    if (dir) candidates.push_back(*dir);
    else {
        if (const char* env = std::getenv("NEUROMOSAIC_LITERATURE"); env && *env) candidates.emplace_back(env);
        if (const auto data = paths::testDataDir()) candidates.push_back(*data / "literature");
    }
    for (const auto& c : candidates)
        if (!findLiteratureDatabases(c).empty()) return c;
    return std::nullopt;
}

Eigen::Vector3d talairachToMni(const Eigen::Vector3d& tal) {
    // Lancaster et al. 2007 (Hum. Brain Mapp. 28:1194), tal2icbm "other": MNI → Talairach; inverted.
    Eigen::Matrix4d icbmToTal;
    icbmToTal << 0.9357, 0.0029, -0.0072, -1.0423, -0.0065, 0.9396, -0.0726, -1.3940, 0.0103, 0.0752, 0.8967, 3.6475, 0, 0, 0, 1;
    return (icbmToTal.inverse() * tal.homogeneous()).head<3>();
}

VolumeGeometry defaultLiteratureGrid() {
    VolumeGeometry g;
    g.dims = {46, 55, 46};
    g.affine = Eigen::Matrix4d::Identity();
    g.affine.topLeftCorner<3, 3>() *= 4.0;
    g.affine.topRightCorner<3, 1>() = Eigen::Vector3d(-90, -126, -72);
    return g;
}

LiteratureDatabase readLiteratureDatabase(const LiteratureFiles& f) {
    LiteratureDatabase db;
    db.name = f.name;
    db.vocabularyName = f.vocabularyName;
    if (f.metadata.empty()) throw fileError(f.coordinates, "metadata", "no metadata table next to the coordinates (data-*_metadata.tsv.gz)");
    // Studies: the metadata's rows, in order (the feature matrices follow it).
    const auto meta = io::readTable(f.metadata);
    const auto idCol = meta.columnIndex("id");
    const bool hasSpace = meta.hasColumn("space");
    std::map<std::string, int> index;
    std::vector<bool> talairach;
    for (std::size_t r = 0; r < meta.rowCount(); ++r) {
        const std::string id = studyId(meta.cell(r, idCol));
        if (id.empty()) throw fileError(f.metadata, "id", "empty on line " + std::to_string(r + 2));
        index.emplace(id, int(db.studyIds.size()));
        db.studyIds.push_back(id);
        std::string space = hasSpace ? meta.cell(r, "space") : std::string("MNI");
        for (auto& c : space) c = char(std::toupper(static_cast<unsigned char>(c)));
        talairach.push_back(space.find("TAL") != std::string::npos);
        if (talairach.back()) ++db.talairachStudies;
    }
    // Peaks.
    const auto coords = io::readTable(f.coordinates);
    const auto cid = coords.columnIndex("id");
    const auto xs = coords.numbers("x"), ys = coords.numbers("y"), zs = coords.numbers("z");
    std::vector<Eigen::Vector3d> peaks;
    for (std::size_t r = 0; r < coords.rowCount(); ++r) {
        const auto it = index.find(studyId(coords.cell(r, cid)));
        if (it == index.end() || !std::isfinite(xs[r]) || !std::isfinite(ys[r]) || !std::isfinite(zs[r])) {
            ++db.droppedPeaks;
            continue;
        }
        Eigen::Vector3d p(xs[r], ys[r], zs[r]);
        if (talairach[std::size_t(it->second)]) p = talairachToMni(p);
        peaks.push_back(p);
        db.peakStudy.push_back(it->second);
    }
    db.peaks.resize(Eigen::Index(peaks.size()), 3);
    for (std::size_t i = 0; i < peaks.size(); ++i) db.peaks.row(Eigen::Index(i)) = peaks[i].transpose();
    // Vocabulary and features (sources summed).
    {
        std::istringstream in(io::readMaybeGzipped(f.vocabulary));
        std::string line;
        while (std::getline(in, line))
            if (!trim(line).empty()) db.terms.push_back(trim(line));
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> sum;
    for (const auto& file : f.features) {
        const auto m = io::readSparseNpz(file);
        if (m.rows() != Eigen::Index(db.studyIds.size()))
            throw fileError(file, "shape", std::to_string(m.rows()) + " rows for the " + std::to_string(db.studyIds.size()) +
                                               " studies of " + f.metadata.filename().string());
        if (m.cols() != Eigen::Index(db.terms.size()))
            throw fileError(file, "shape", std::to_string(m.cols()) + " columns for the " + std::to_string(db.terms.size()) +
                                               " terms of " + f.vocabulary.filename().string());
        if (sum.size() == 0) sum = m;
        else sum += m;
    }
    db.features = sum.cast<float>();
    db.featureThreshold = f.featureType == "count" ? 0.0 : f.featureType == "weight" ? 0.05 : 0.001;
    return db;
}

double benjaminiHochbergThreshold(std::vector<double> p, double q) {
    std::sort(p.begin(), p.end());
    const double m = double(p.size());
    double threshold = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p[i] <= q * double(i + 1) / m) threshold = p[i];
    return threshold;
}

Eigen::VectorXf TermMaps::termMap(int term) const {
    Eigen::VectorXf z(z100.rows());
    for (Eigen::Index v = 0; v < z100.rows(); ++v) z[v] = float(z100(v, term)) / 100.0f;
    return z;
}

Eigen::VectorXf TermMaps::correlate(const Eigen::VectorXf& map) const {
    if (map.size() != z100.rows())
        throw InputError("decode: the map has " + std::to_string(map.size()) + " voxels, the term maps " + std::to_string(z100.rows()));
    Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t> m(1, map.size());
    std::vector<Eigen::Triplet<float, std::int64_t>> t;
    for (Eigen::Index v = 0; v < map.size(); ++v)
        if (map[v] != 0) t.emplace_back(0, v, map[v]);
    m.setFromTriplets(t.begin(), t.end());
    return correlate(m).row(0).transpose();
}

Eigen::MatrixXf TermMaps::correlate(const Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>& maps) const {
    const Eigen::Index T = z100.cols(), p = z100.rows();
    if (maps.cols() != p)
        throw InputError("decode: the maps have " + std::to_string(maps.cols()) + " voxels, the term maps " + std::to_string(p));
    Eigen::MatrixXf r(maps.rows(), T);
#pragma omp parallel for schedule(dynamic, 4)
    for (Eigen::Index i = 0; i < maps.rows(); ++i) {
        // m·z_t over the map's non-zeros; centring by Σ z_t (a centred map's dot product ignores z's mean).
        Eigen::VectorXf acc = Eigen::VectorXf::Zero(T);
        double s = 0, ss = 0;
        for (Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>::InnerIterator it(maps, i); it; ++it) {
            const float w = it.value();
            const std::int16_t* row = z100.data() + it.col() * T;
            for (Eigen::Index t = 0; t < T; ++t) acc[t] += w * float(row[t]);
            s += w;
            ss += double(w) * w;
        }
        const double mean = s / double(p);
        const double mapNorm = std::sqrt(std::max(0.0, ss - double(p) * mean * mean));
        for (Eigen::Index t = 0; t < T; ++t) {
            const double dot = acc[t] / 100.0 - mean * sum[t];
            r(i, t) = mapNorm > 0 && norm[t] > 0 ? float(dot / (mapNorm * norm[t])) : 0.0f;
        }
    }
    return r;
}

TermMaps buildTermMaps(const LiteratureDatabase& db, const VolumeGeometry& grid, const std::vector<std::int64_t>& maskVoxels,
                       const TermMapOptions& o, jobs::Progress& progress, MkdaStatistics* full) {
    const auto start = std::chrono::steady_clock::now();
    if (maskVoxels.empty()) throw InputError("literature maps: the mask is empty");
    const auto p = Eigen::Index(maskVoxels.size());
    std::vector<int> maskIndex(grid.voxelCount(), -1);
    for (std::size_t v = 0; v < maskVoxels.size(); ++v) maskIndex[std::size_t(maskVoxels[v])] = int(v);

    // Sphere offsets (voxels whose centre lies within the radius of the peak's voxel centre).
    const Eigen::Matrix3d A = grid.affine.topLeftCorner<3, 3>();
    const Eigen::Vector3d vs = grid.voxelSize();
    std::vector<std::array<int, 3>> offsets;
    const int ri = int(std::ceil(o.radiusMm / vs[0])), rj = int(std::ceil(o.radiusMm / vs[1])), rk = int(std::ceil(o.radiusMm / vs[2]));
    for (int a = -ri; a <= ri; ++a)
        for (int b = -rj; b <= rj; ++b)
            for (int c = -rk; c <= rk; ++c)
                if ((A * Eigen::Vector3d(a, b, c)).norm() <= o.radiusMm + 1e-9) offsets.push_back({a, b, c});

    // Each study's active mask voxels (union of spheres: max, not sum).
    const int S = int(db.studyIds.size());
    std::vector<std::vector<int>> active(static_cast<std::size_t>(S));
    std::vector<char> hasPeaks(std::size_t(S), 0);
    const Eigen::Matrix4d inv = grid.affine.inverse();
    for (Eigen::Index k = 0; k < db.peaks.rows(); ++k) {
        const int s = db.peakStudy[std::size_t(k)];
        hasPeaks[std::size_t(s)] = 1;
        const Eigen::Vector3d ijk = (inv * Eigen::Vector3d(db.peaks.row(k).transpose()).homogeneous()).head<3>();
        // Truncation toward zero, as NiMARE's mm2vox (`.astype(int)`): peaks on the 4 mm grid often
        // fall on half-voxels, where rounding and truncation part ways (r 0.98 instead of 1).
        const int i0 = int(ijk[0]), j0 = int(ijk[1]), k0 = int(ijk[2]);
        for (const auto& d : offsets) {
            const int i = i0 + d[0], j = j0 + d[1], kk = k0 + d[2];
            if (i < 0 || j < 0 || kk < 0 || i >= grid.dims[0] || j >= grid.dims[1] || kk >= grid.dims[2]) continue;
            const int m = maskIndex[grid.index(i, j, kk)];
            if (m >= 0) active[std::size_t(s)].push_back(m);
        }
    }
    for (auto& a : active) {
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
    }
    progress.update(0.1, "study maps");
    progress.checkCancelled();

    // Terms of each study (only studies with peaks are "mappable", as in NiMARE).
    int N = 0;
    for (int s = 0; s < S; ++s) N += hasPeaks[std::size_t(s)];
    std::vector<int> termStudies(db.terms.size(), 0);
    std::vector<std::vector<int>> studyTerms(static_cast<std::size_t>(S));
    for (int s = 0; s < S; ++s) {
        if (!hasPeaks[std::size_t(s)]) continue;
        for (Eigen::SparseMatrix<float, Eigen::RowMajor>::InnerIterator it(db.features, s); it; ++it)
            if (it.value() > db.featureThreshold) {
                studyTerms[std::size_t(s)].push_back(int(it.col()));
                ++termStudies[std::size_t(it.col())];
            }
    }
    TermMaps out;
    out.database = db.name;
    out.vocabulary = db.vocabularyName;
    std::vector<int> keep(db.terms.size(), -1);
    for (std::size_t t = 0; t < db.terms.size(); ++t)
        if (termStudies[t] >= o.minStudies && termStudies[t] < N) {
            keep[t] = int(out.terms.size());
            out.terms.push_back(db.terms[t]);
            out.studies.push_back(termStudies[t]);
        }
    const auto T = Eigen::Index(out.terms.size());
    if (T == 0) throw InputError(db.name + ": no term is used by " + std::to_string(o.minStudies) + " or more studies with coordinates");
    for (auto& st : studyTerms) {
        std::vector<int> k;
        for (int t : st)
            if (keep[std::size_t(t)] >= 0) k.push_back(keep[std::size_t(t)]);
        st = std::move(k);
    }

    // Counts of active term studies per voxel, voxel-major, in voxel blocks (one per thread pass).
    // uint16: a count never exceeds the studies of a term (Neurosynth: 14,371).
    if (N > 65535) throw InputError(db.name + ": more than 65,535 studies with coordinates are not supported");
    Eigen::Matrix<std::uint16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> counts =
        Eigen::Matrix<std::uint16_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>::Zero(p, T);
    Eigen::VectorXi activeStudies = Eigen::VectorXi::Zero(p);
    for (int s = 0; s < S; ++s)
        for (int v : active[std::size_t(s)]) ++activeStudies[v];
    const int blocks = 64;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < blocks; ++b) {
        const int v0 = int(p * b / blocks), v1 = int(p * (b + 1) / blocks);
        for (int s = 0; s < S; ++s) {
            const auto& a = active[std::size_t(s)];
            const auto& terms = studyTerms[std::size_t(s)];
            if (terms.empty()) continue;
            for (auto it = std::lower_bound(a.begin(), a.end(), v0); it != a.end() && *it < v1; ++it) {
                std::uint16_t* row = counts.data() + Eigen::Index(*it) * T;
                for (int t : terms) ++row[t];
            }
        }
    }
    progress.update(0.5, "term counts");
    progress.checkCancelled();

    // Association (two-way χ²) z and p; BH per term; int16 quantisation.
    out.z100.resize(p, T);
    if (full) {
        full->associationZ.resize(p, T);
        full->associationP.resize(p, T);
        full->uniformityZ.resize(p, T);
    }
    std::vector<float> absZ(std::size_t(p * T));  // term-major copy for the BH thresholds
#pragma omp parallel for schedule(static)
    for (Eigen::Index v = 0; v < p; ++v) {
        const double row0 = activeStudies[v], row1 = N - row0;
        for (Eigen::Index t = 0; t < T; ++t) {
            const double nSel = out.studies[std::size_t(t)], nUnsel = N - nSel;
            const double a = counts(v, t), b = row0 - a;
            const double den = row0 * row1 * nSel * nUnsel;
            // A voxel active in no study (or in all) carries no evidence: χ² = 0 (NiMARE puts 2;
            // its z is 0 either way, as p(A|F) = p(A|U) there).
            const double diff = a * nUnsel - b * nSel;
            const double chi2 = den > 0 ? double(N) * diff * diff / den : 0.0;
            const double sign = (a / nSel - b / nUnsel) > 0 ? 1.0 : ((a / nSel - b / nUnsel) < 0 ? -1.0 : 0.0);
            const double z = std::sqrt(chi2) * sign;
            out.z100(v, t) = std::int16_t(std::clamp(std::lround(z * 100.0), -32767l, 32767l));
            absZ[std::size_t(t * p + v)] = float(std::abs(z));
            if (full) {
                full->associationZ(v, t) = float(z);
                full->associationP(v, t) = float(std::erfc(std::sqrt(chi2 / 2.0)));
            }
        }
    }
    if (full)
        for (Eigen::Index t = 0; t < T; ++t) {
            // One-way χ² of the term's studies' activation counts against their mean over voxels.
            const double n = out.studies[std::size_t(t)];
            double mean = 0;
            for (Eigen::Index v = 0; v < p; ++v) mean += counts(v, t);
            mean /= double(p);
            for (Eigen::Index v = 0; v < p; ++v) {
                const double d = counts(v, t) - mean;
                const double chi2 = mean > 0 && n > mean ? d * d * n / (mean * (n - mean)) : 0.0;
                full->uniformityZ(v, t) = float(std::sqrt(chi2) * (d > 0 ? 1 : d < 0 ? -1 : 0));
            }
        }
    counts.resize(0, 0);
    out.fdrZ.assign(std::size_t(T), std::numeric_limits<float>::infinity());
    out.fdrVoxels.assign(std::size_t(T), 0);
    out.sum.resize(T);
    out.norm.resize(T);
#pragma omp parallel for schedule(dynamic, 16)
    for (Eigen::Index t = 0; t < T; ++t) {
        // BH on p = erfc(|z|/√2), a decreasing function of |z|: sort |z| descending.
        float* zt = absZ.data() + t * p;
        std::sort(zt, zt + p, std::greater<float>());
        int passed = 0;
        for (Eigen::Index i = 0; i < p; ++i) {
            const double pv = std::erfc(double(zt[i]) / std::sqrt(2.0));
            if (pv <= o.fdrQ * double(i + 1) / double(p)) passed = int(i + 1);
        }
        if (passed > 0) out.fdrZ[std::size_t(t)] = zt[passed - 1];
        out.fdrVoxels[std::size_t(t)] = passed;
        double s = 0, ss = 0;
        for (Eigen::Index v = 0; v < p; ++v) {
            const double z = out.z100(v, t) / 100.0;
            s += z;
            ss += z * z;
        }
        out.sum[t] = float(s);
        out.norm[t] = float(std::sqrt(std::max(0.0, ss - s * s / double(p))));
    }
    progress.update(1.0, std::to_string(T) + " term maps");
    out.buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

namespace {
constexpr char kTermMagic[] = "NMTERMS1";
}

TermMaps cachedTermMaps(const LiteratureFiles& files, const VolumeGeometry& grid, const std::vector<std::int64_t>& maskVoxels,
                        const TermMapOptions& o, jobs::Progress& progress) {
    std::ostringstream params;
    params << "terms-v1 " << o.radiusMm << ' ' << o.minStudies << ' ' << o.fdrQ << ' ' << files.vocabularyName << ' ' << files.featureType;
    for (int i = 0; i < 3; ++i) params << ' ' << grid.dims[std::size_t(i)];
    for (int i = 0; i < 16; ++i) params << ' ' << grid.affine(i / 4, i % 4);
    std::uint64_t h = 1469598103934665603ull;
    for (auto v : maskVoxels) h = (h ^ std::uint64_t(v)) * 1099511628211ull;
    params << ' ' << maskVoxels.size() << ' ' << h;
    std::string identity = params.str();
    for (const auto& f : files.features) identity += "|" + paths::cacheKey(f, "");
    const auto file = paths::ensureDirectory(paths::cacheDir() / "literature") /
                      (files.name + "-" + paths::cacheKey(files.coordinates, identity) + ".nmterms");
    const auto p = Eigen::Index(maskVoxels.size());
    if (std::filesystem::exists(file)) {
        // A damaged cache entry is rebuilt, never trusted.
        try {
            std::ifstream in(file, std::ios::binary);
            char magic[8];
            std::uint64_t headerBytes = 0;
            in.read(magic, 8);
            in.read(reinterpret_cast<char*>(&headerBytes), 8);
            if (in && std::memcmp(magic, kTermMagic, 8) == 0 && headerBytes < (1u << 28)) {
                std::string header(headerBytes, '\0');
                in.read(header.data(), std::streamsize(headerBytes));
                const auto j = nlohmann::json::parse(header);
                TermMaps t;
                t.database = j.at("database");
                t.vocabulary = j.at("vocabulary");
                t.terms = j.at("terms").get<std::vector<std::string>>();
                t.studies = j.at("studies").get<std::vector<int>>();
                // JSON has no infinity: −1 stands for "no voxel survives".
                t.fdrZ = j.at("fdr_z").get<std::vector<float>>();
                for (auto& z : t.fdrZ)
                    if (z < 0) z = std::numeric_limits<float>::infinity();
                t.fdrVoxels = j.at("fdr_voxels").get<std::vector<int>>();
                t.buildSeconds = j.at("build_seconds");
                const auto T = Eigen::Index(t.terms.size());
                if (j.at("voxels").get<Eigen::Index>() == p && Eigen::Index(t.studies.size()) == T) {
                    t.sum.resize(T);
                    t.norm.resize(T);
                    t.z100.resize(p, T);
                    in.read(reinterpret_cast<char*>(t.sum.data()), std::streamsize(T * 4));
                    in.read(reinterpret_cast<char*>(t.norm.data()), std::streamsize(T * 4));
                    in.read(reinterpret_cast<char*>(t.z100.data()), std::streamsize(p * T * 2));
                    if (in) {
                        t.fromCache = true;
                        return t;
                    }
                }
            }
        } catch (const std::exception& e) {
            progress.warn(file.string() + ": " + e.what());
        }
        progress.warn(file.string() + ": damaged literature cache, rebuilding");
    }
    progress.update(0.0, "reading " + files.name);
    const auto db = readLiteratureDatabase(files);
    TermMaps t = buildTermMaps(db, grid, maskVoxels, o, progress);
    std::vector<float> fdrZ = t.fdrZ;
    for (auto& z : fdrZ)
        if (!std::isfinite(z)) z = -1.0f;
    const nlohmann::json j = {{"database", t.database}, {"vocabulary", t.vocabulary}, {"terms", t.terms}, {"studies", t.studies},
                              {"fdr_z", fdrZ},         {"fdr_voxels", t.fdrVoxels}, {"voxels", p},     {"build_seconds", t.buildSeconds}};
    const std::string header = j.dump();
    writeFileAtomic(file, [&](std::ostream& out) {
        const std::uint64_t n = header.size();
        out.write(kTermMagic, 8);
        out.write(reinterpret_cast<const char*>(&n), 8);
        out.write(header.data(), std::streamsize(n));
        out.write(reinterpret_cast<const char*>(t.sum.data()), std::streamsize(t.sum.size() * 4));
        out.write(reinterpret_cast<const char*>(t.norm.data()), std::streamsize(t.norm.size() * 4));
        out.write(reinterpret_cast<const char*>(t.z100.data()), std::streamsize(t.z100.size() * 2));
    });
    return t;
}

} // namespace nm::semantics
