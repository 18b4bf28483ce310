#include "PersonalizeModel.hpp"

#include "io/AtlasBundle.hpp"
#include "io/Bids.hpp"

#include <algorithm>
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
        }
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

std::vector<std::string> personalizeArguments(const std::filesystem::path& atlas, const std::filesystem::path& subject,
                                              const std::filesystem::path& out, const PersonalizeSettings& s) {
    auto num = [](double x) {
        std::ostringstream o;
        o << x;
        return o.str();
    };
    return {"personalize", atlas.string(), subject.string(), "-o", out.string(),
            "--displacement", displacementFile(out).string(), "--alpha", num(s.alpha), "--rho", num(s.rho),
            "--eps", num(s.eps), "--bcd", std::to_string(s.bcd), "--inner", std::to_string(s.inner),
            "--coarse-samples", std::to_string(s.coarseSamples), "--max-dense", std::to_string(s.maxDense)};
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
