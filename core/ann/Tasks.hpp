#pragma once
// Tasks for the artificial networks of core/ann: sequences of input vectors with one class label
// per sequence. Torch-free: the tasks, their data and their unfamiliar variants are plain arrays.
#include <cstdint>
#include <string>
#include <vector>

namespace nm::ann {

/// N sequences of T steps of I inputs (row-major [n][t][i]) and one label in [0, classes) each.
struct SequenceData {
    int count = 0, steps = 0, inputs = 0, classes = 0;
    std::vector<float> x;
    std::vector<int> label;
    std::vector<int> item;  ///< which problem (maze) each sequence shows, for analyses by item
    [[nodiscard]] const float* sequence(int n) const { return x.data() + std::size_t(n) * std::size_t(steps) * std::size_t(inputs); }
};

/// seRNN's one-step inference maze (Achterberg, Akarca et al. 2023, `mazeGeneratorI` v1.2.0 of
/// 8erberg/spatially-embedded-RNN): the goal is shown for `goal` steps (one of 4 goal inputs),
/// then nothing for `delay` steps, then the two open directions for `choices` steps (4 choice
/// inputs: left, up, right, down); the answer is the first step towards the goal (4 classes).
/// The 8 problems are the repository's table; each sequence draws one uniformly.
struct MazeTiming {
    int goal = 20, delay = 10, choices = 20;
};
struct MazeProblem {
    int goal;                ///< goal cell of the 5×5 maze (7, 9, 17, 19)
    const char* choices;     ///< open directions, e.g. "ul"
    char step;               ///< correct first step: l, u, r or d
};
/// The repository's 8 first-choice problems, in its order.
const std::vector<MazeProblem>& mazeProblems();
/// `count` sequences, problem order drawn from `seed`.
SequenceData makeMaze(int count, std::uint64_t seed, const MazeTiming& timing = {});
/// Index of a direction letter (l, u, r, d → 0..3); throws for anything else.
int directionIndex(char c);

} // namespace nm::ann
