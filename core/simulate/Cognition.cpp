// The simulated cognition: concepts named as in the Cognitive Atlas (cognitiveatlas.org), each
// expressed in the AAL regions where meta-analyses (Neurosynth/NeuroQuery term maps) place it,
// and a catalogue of studies whose paradigms probe overlapping subsets of the concepts.
#include "common/Error.hpp"
#include "simulate/Detail.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <map>
#include <set>

namespace nm::simulate::detail {

const std::vector<Concept>& vocabulary() {
    static const std::vector<Concept> v = {
        {"motor response (left hand)", {"Precentral_R", "Postcentral_R", "Supp_Motor_Area_R", "Cerebelum_4_5_L"}},
        {"motor response (right hand)", {"Precentral_L", "Postcentral_L", "Supp_Motor_Area_L", "Cerebelum_4_5_R"}},
        {"motor response (feet)", {"Paracentral_Lobule_L", "Paracentral_Lobule_R", "Supp_Motor_Area_L"}},
        {"motor response (tongue)", {"Rolandic_Oper_L", "Rolandic_Oper_R", "Precentral_L", "Precentral_R"}},
        {"saccadic eye movement", {"Frontal_Sup_L", "Frontal_Sup_R", "Parietal_Sup_L", "Parietal_Sup_R"}},
        {"visual perception", {"Calcarine_L", "Calcarine_R", "Cuneus_L", "Cuneus_R", "Lingual_L", "Lingual_R"}},
        {"face perception", {"Fusiform_R", "Fusiform_L", "Occipital_Inf_R", "Temporal_Sup_R"}},
        {"place perception", {"ParaHippocampal_L", "ParaHippocampal_R", "Lingual_R", "Precuneus_R"}},
        {"visual object recognition", {"Occipital_Inf_L", "Occipital_Inf_R", "Temporal_Inf_L", "Temporal_Inf_R"}},
        {"visual motion perception", {"Occipital_Mid_L", "Occipital_Mid_R", "Temporal_Mid_R"}},
        {"auditory perception", {"Heschl_L", "Heschl_R", "Temporal_Sup_L", "Temporal_Sup_R"}},
        {"speech perception", {"Temporal_Sup_L", "Temporal_Mid_L", "Heschl_L"}},
        {"language comprehension", {"Temporal_Mid_L", "Frontal_Inf_Tri_L", "Angular_L", "Temporal_Pole_Mid_L"}},
        {"speech production", {"Frontal_Inf_Oper_L", "Precentral_L", "Supp_Motor_Area_L", "Rolandic_Oper_L"}},
        {"reading", {"Fusiform_L", "Occipital_Inf_L", "Frontal_Inf_Oper_L"}},
        {"semantic processing", {"Temporal_Mid_L", "Angular_L", "Frontal_Inf_Orb_L"}},
        {"working memory", {"Frontal_Mid_L", "Frontal_Mid_R", "Parietal_Inf_L", "Parietal_Inf_R", "Supp_Motor_Area_R"}},
        {"spatial attention", {"Parietal_Sup_R", "Frontal_Sup_R", "SupraMarginal_R"}},
        {"response inhibition", {"Frontal_Inf_Oper_R", "Insula_R", "Supp_Motor_Area_R"}},
        {"conflict monitoring", {"Cingulum_Mid_L", "Cingulum_Mid_R", "Frontal_Mid_R"}},
        {"task switching", {"Frontal_Mid_L", "Parietal_Sup_L", "Frontal_Inf_Tri_L"}},
        {"reward processing", {"Caudate_L", "Caudate_R", "Putamen_L", "Putamen_R", "Frontal_Med_Orb_L"}},
        {"decision making", {"Frontal_Mid_Orb_R", "Frontal_Sup_Medial_R", "Cingulum_Ant_R"}},
        {"fear", {"Amygdala_L", "Amygdala_R", "Insula_L", "Cingulum_Ant_L"}},
        {"pain", {"Insula_R", "Cingulum_Mid_R", "Postcentral_L", "Thalamus_L"}},
        {"episodic memory encoding", {"Hippocampus_L", "ParaHippocampal_L", "Frontal_Inf_Tri_L"}},
        {"episodic memory retrieval", {"Cingulum_Post_L", "Precuneus_L", "Angular_L", "Hippocampus_R"}},
        {"theory of mind", {"Frontal_Sup_Medial_L", "Temporal_Pole_Sup_R", "Angular_R", "Precuneus_L"}},
        {"mind wandering", {"Cingulum_Post_R", "Frontal_Med_Orb_R", "Angular_L"}},
        {"mental arithmetic", {"Parietal_Inf_L", "Parietal_Inf_R", "Frontal_Mid_L"}},
        {"mental rotation", {"Parietal_Sup_L", "Parietal_Sup_R", "Precuneus_R", "Occipital_Mid_R"}},
        {"tactile sensation", {"Postcentral_R", "SupraMarginal_R", "Postcentral_L"}},
        {"olfactory perception", {"Olfactory_L", "Olfactory_R", "Rectus_L", "Amygdala_R"}},
        {"interoception", {"Insula_L", "Insula_R", "Cingulum_Ant_R"}},
    };
    return v;
}

namespace {
int conceptIndex(const std::string& name) {
    const auto& v = vocabulary();
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i].name == name) return int(i);
    throw std::logic_error("simulator: unknown concept " + name);
}
Condition cond(const std::string& name, const std::string& conceptName) { return {name, conceptIndex(conceptName)}; }
} // namespace

const std::vector<Study>& studyCatalogue() {
    static const std::vector<Study> s = {
        {"motor", "Motor localizer (block design)", 2.0, true, true,
         {cond("LH", "motor response (left hand)"), cond("RH", "motor response (right hand)"),
          cond("FEET", "motor response (feet)"), cond("TONGUE", "motor response (tongue)")}},
        {"faces", "Category localizer (event-related)", 1.5, false, false,
         {cond("face perception", "face perception"), cond("place perception", "place perception"),
          cond("visual object recognition", "visual object recognition"), cond("visual perception", "visual perception")}},
        {"language", "Language localizer (block design)", 2.5, true, true,
         {cond("sentences", "language comprehension"), cond("speech", "speech perception"),
          cond("tones", "auditory perception"), cond("read_aloud", "speech production")}},
        {"wm", "N-back working memory (block design)", 1.0, true, false,
         {cond("working memory", "working memory"), cond("spatial attention", "spatial attention"),
          cond("visual perception", "visual perception")}},
        {"gambling", "Card guessing (event-related)", 2.0, false, true,
         {cond("win", "reward processing"), cond("choose", "decision making"), cond("press", "motor response (right hand)")}},
        {"tom", "False-belief stories (block design)", 2.0, true, false,
         {cond("theory of mind", "theory of mind"), cond("reading", "reading"), cond("semantic processing", "semantic processing")}},
        {"stopsignal", "Stop-signal task (event-related)", 2.0, false, true,
         {cond("go", "motor response (right hand)"), cond("stop", "response inhibition"), cond("conflict", "conflict monitoring")}},
        {"memory", "Encoding and retrieval (event-related)", 2.0, false, false,
         {cond("episodic memory encoding", "episodic memory encoding"),
          cond("episodic memory retrieval", "episodic memory retrieval"), cond("mental arithmetic", "mental arithmetic")}},
    };
    return s;
}

Eigen::MatrixXf conceptWeights(const Grid& g, const Scale& fine, std::uint64_t seed) {
    const auto& v = vocabulary();
    auto rng = stream(seed, 3);
    Eigen::MatrixXf w = Eigen::MatrixXf::Zero(Eigen::Index(v.size()), fine.k);
    for (std::size_t c = 0; c < v.size(); ++c) {
        std::set<int> regions;
        for (const auto& name : v[c].regions) {
            auto it = std::find(g.regionNames.begin(), g.regionNames.end(), name);
            if (it != g.regionNames.end()) regions.insert(int(it - g.regionNames.begin()));
        }
        std::vector<int> candidates;
        for (int k = 0; k < fine.k; ++k)
            if (regions.count(fine.region[std::size_t(k)])) candidates.push_back(k);
        if (candidates.empty()) {
            // Coarse grids: the components nearest to the regions' voxels.
            Eigen::RowVector3d centre = Eigen::RowVector3d::Zero();
            int n = 0;
            for (Eigen::Index b = 0; b < g.size(); ++b)
                if (regions.count(g.region[std::size_t(b)])) {
                    centre += g.world.row(b);
                    ++n;
                }
            if (n == 0) continue;
            centre /= n;
            int best = 0;
            for (int k = 1; k < fine.k; ++k)
                if ((fine.centroids.row(k) - centre).squaredNorm() < (fine.centroids.row(best) - centre).squaredNorm()) best = k;
            candidates.push_back(best);
        }
        // A sparse set: up to two components per region, at most eight in all.
        std::shuffle(candidates.begin(), candidates.end(), rng);
        std::map<int, int> perRegion;
        int taken = 0;
        for (int k : candidates) {
            if (taken >= 8 || perRegion[fine.region[std::size_t(k)]] >= 2) continue;
            ++perRegion[fine.region[std::size_t(k)]];
            w(Eigen::Index(c), k) = float(uniform(rng, 0.6, 1.0));
            ++taken;
        }
    }
    return w;
}

} // namespace nm::simulate::detail
