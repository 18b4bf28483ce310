#include "PersonalizeModel.hpp"

#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"
#include "common/Text.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace nm::widgets {

SubjectFolderCheck checkSubjectFolder(const std::filesystem::path& folder) {
    SubjectFolderCheck c;
    std::filesystem::path dir = folder.lexically_normal();
    if (dir.filename().empty()) dir = dir.parent_path();
    if (folder.empty()) {
        c.error = "choose the subject's folder";
        return c;
    }
    if (!std::filesystem::is_directory(dir)) {
        c.error = dir.string() + ": not a folder";
        return c;
    }
    const std::string name = dir.filename().string();
    if (name.rfind("sub-", 0) != 0) {
        c.error = dir.string() + ": not a BIDS subject folder (expected a folder named sub-<label>)";
        return c;
    }
    const auto root = dir.parent_path();
    if (!std::filesystem::exists(root / "dataset_description.json")) {
        c.error = dir.string() + ": its parent " + root.string() + " has no dataset_description.json (expected a BIDS dataset)";
        return c;
    }
    c.label = name.substr(4);
    c.dataset = root.string();
    try {
        io::BidsFilter f;
        f.subjects = {c.label};
        const auto ds = io::readBidsDataset(root, f);
        std::set<std::string> tasks;
        for (const auto& r : ds.runs) {
            c.runs.push_back({r.task, r.session, r.run, r.bold.filename().string(), r.repetitionTime, r.events.has_value(),
                              r.confounds.has_value()});
            tasks.insert(r.task.empty() ? "(no task)" : r.task);
        }
        c.tasks.assign(tasks.begin(), tasks.end());
    } catch (const std::exception& e) {
        c.error = e.what();
        return c;
    }
    if (c.runs.empty()) {
        c.error = dir.string() + ": no functional run (expected func/sub-" + c.label + "_task-*_bold.nii[.gz])";
        return c;
    }
    c.ok = true;
    return c;
}

AtlasCheck checkAtlas(const std::filesystem::path& atlas) {
    AtlasCheck a;
    if (atlas.empty()) {
        a.error = "choose the group atlas (*.nmatlas.h5)";
        return a;
    }
    try {
        const auto b = io::readAtlasBundle(atlas);
        for (const auto& s : b.scales) {
            a.scales.push_back(s.components);
            a.labelled |= s.labels.has_value();
            if (s.labels) a.concepts.insert(a.concepts.end(), s.labels->concepts.begin(), s.labels->concepts.end());
        }
        std::sort(a.concepts.begin(), a.concepts.end());
        a.concepts.erase(std::unique(a.concepts.begin(), a.concepts.end()), a.concepts.end());
        a.voxels = (long long)b.maskVoxels.size();
        a.heldOutKnown = b.provenance.contains("inputs") && b.provenance["inputs"].contains("held_out_subjects") &&
                         !b.provenance["inputs"]["held_out_subjects"].empty();
        if (!b.provenance.contains("inputs")) {
            a.error = atlas.string() + ": provenance/inputs is missing (expected an atlas written by learn: "
                                       "personalization preprocesses the subject as learning did)";
            return a;
        }
    } catch (const std::exception& e) {
        a.error = e.what();
        return a;
    }
    a.ok = true;
    return a;
}

namespace {
bool endsWith(const std::string& s, const std::string& e) { return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0; }
} // namespace

ContrastMapsCheck checkContrastMaps(const std::vector<ContrastMapEntry>& maps, const AtlasCheck& atlas) {
    ContrastMapsCheck c;
    if (maps.empty()) {
        c.error = "add the subject's contrast maps (a concept and a NIfTI map, or a left and right GIFTI map)";
        return c;
    }
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const auto& m = maps[i];
        const std::string where = "contrast " + std::to_string(i + 1) + (m.concept_.empty() ? "" : " (" + m.concept_ + ")");
        if (m.concept_.empty()) {
            c.error = where + ": name the concept it shows";
            return c;
        }
        for (const auto& f : {m.file, m.rightFile}) {
            if (f.empty()) continue;
            std::error_code ec;
            if (!std::filesystem::is_regular_file(f, ec)) {
                c.error = where + ": " + f + " does not exist";
                return c;
            }
        }
        const std::string f = lowercase(m.file);
        if (endsWith(f, ".gii")) {
            if (m.rightFile.empty() || !endsWith(lowercase(m.rightFile), ".gii")) {
                c.error = where + ": " + m.file + " is a surface map; give the right hemisphere's GIFTI too";
                return c;
            }
            ++c.surfaces;
        } else if (endsWith(f, ".nii") || endsWith(f, ".nii.gz")) {
            ++c.volumes;
        } else {
            c.error = where + ": " + (m.file.empty() ? std::string("no file") : m.file) +
                      " (expected a NIfTI map, .nii or .nii.gz, or a pair of GIFTI maps)";
            return c;
        }
        if (atlas.ok) {
            if (!atlas.labelled) {
                c.error = "the atlas has no labels: contrast maps are matched to the concepts it labels (label it first)";
                return c;
            }
            const bool known = std::any_of(atlas.concepts.begin(), atlas.concepts.end(),
                                           [&](const std::string& a) { return lowercase(a) == lowercase(m.concept_); });
            if (!known) {
                std::string list;
                for (std::size_t k = 0; k < atlas.concepts.size() && k < 8; ++k) list += (k ? ", " : "") + atlas.concepts[k];
                c.error = where + ": the atlas labels no such concept (expected one of: " + list +
                          (atlas.concepts.size() > 8 ? ", …" : "") + ")";
                return c;
            }
        }
    }
    c.ok = true;
    return c;
}

std::vector<std::string> personalizeArguments(const std::filesystem::path& atlas, const std::filesystem::path& subject,
                                              const std::filesystem::path& out, const PersonalizeSettings& s,
                                              const std::vector<ContrastMapEntry>& maps) {
    auto num = [](double x) {
        std::ostringstream o;
        o << x;
        return o.str();
    };
    std::vector<std::string> a{"personalize", atlas.string()};
    if (!subject.empty()) a.push_back(subject.string());
    for (const auto& m : maps) {
        a.push_back("--contrast");
        a.push_back(m.concept_ + "=" + m.file + (m.rightFile.empty() ? "" : "+" + m.rightFile));
    }
    a.push_back("-o");
    a.push_back(out.string());
    const std::vector<std::string> rest{"--displacement", displacementFile(out).string(), "--alpha", num(s.alpha), "--rho", num(s.rho),
                                        "--eps", num(s.eps), "--bcd", std::to_string(s.bcd), "--inner", std::to_string(s.inner),
                                        "--coarse-samples", std::to_string(s.coarseSamples), "--max-dense", std::to_string(s.maxDense)};
    a.insert(a.end(), rest.begin(), rest.end());
    if (s.surfaces) a.push_back("--surfaces");
    return a;
}

std::filesystem::path defaultSubjectBundle(const std::filesystem::path& atlas, const std::string& label) {
    std::string stem = atlas.filename().string();
    for (const std::string ext : {".nmatlas.h5", ".h5"})
        if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
            stem.resize(stem.size() - ext.size());
            break;
        }
    return atlas.parent_path() / (stem + "_sub-" + label + ".nmatlas.h5");
}

std::filesystem::path displacementFile(const std::filesystem::path& bundle) {
    std::string stem = bundle.filename().string();
    const std::string ext = ".nmatlas.h5";
    if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) stem.resize(stem.size() - ext.size());
    return bundle.parent_path() / (stem + "_displacement.nii.gz");
}

} // namespace nm::widgets
