#include "ann/Tasks.hpp"

#include "common/Error.hpp"

#include <random>

namespace nm::ann {

const std::vector<MazeProblem>& mazeProblems() {
    // mazeGeneratorI.import_maze_dic: the first choices of the two-step mazes (MazeMetadata.py v1.0.0).
    static const std::vector<MazeProblem> problems = {
        {9, "ul", 'u'}, {9, "rd", 'r'}, {19, "ld", 'd'}, {17, "rd", 'd'},
        {17, "ul", 'l'}, {7, "ur", 'u'}, {19, "lr", 'r'}, {7, "lr", 'l'},
    };
    return problems;
}

int directionIndex(char c) {
    switch (c) {
    case 'l': return 0;
    case 'u': return 1;
    case 'r': return 2;
    case 'd': return 3;
    default: throw InputError(std::string("maze: unknown direction '") + c + "' (expected l, u, r or d)");
    }
}

namespace {
int goalIndex(int goal) {
    switch (goal) {
    case 7: return 0;
    case 9: return 1;
    case 17: return 2;
    case 19: return 3;
    default: throw InputError("maze: unknown goal cell " + std::to_string(goal) + " (expected 7, 9, 17 or 19)");
    }
}
} // namespace

SequenceData makeMaze(int count, std::uint64_t seed, const MazeTiming& timing) {
    if (count < 1) throw InputError("maze: the number of problems must be at least 1 (got " + std::to_string(count) + ")");
    if (timing.goal < 1 || timing.delay < 0 || timing.choices < 1)
        throw InputError("maze: goal and choice periods need at least one step, the delay zero or more");
    SequenceData d;
    d.count = count;
    d.steps = timing.goal + timing.delay + timing.choices;
    d.inputs = 8;
    d.classes = 4;
    d.x.assign(std::size_t(count) * std::size_t(d.steps) * 8u, 0.0f);
    d.label.resize(std::size_t(count));
    d.item.resize(std::size_t(count));
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> pick(0, int(mazeProblems().size()) - 1);
    for (int n = 0; n < count; ++n) {
        const int m = pick(rng);
        const MazeProblem& p = mazeProblems()[std::size_t(m)];
        d.item[std::size_t(n)] = m;
        d.label[std::size_t(n)] = directionIndex(p.step);
        float* s = d.x.data() + std::size_t(n) * std::size_t(d.steps) * 8u;
        const int g = goalIndex(p.goal);
        for (int t = 0; t < timing.goal; ++t) s[std::size_t(t) * 8u + std::size_t(g)] = 1.0f;
        for (int t = timing.goal + timing.delay; t < d.steps; ++t)
            for (const char* c = p.choices; *c; ++c) s[std::size_t(t) * 8u + 4u + std::size_t(directionIndex(*c))] = 1.0f;
    }
    return d;
}

} // namespace nm::ann
