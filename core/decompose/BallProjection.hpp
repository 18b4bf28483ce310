#pragma once
// Euclidean projections onto the constraint sets of sparse dictionary atoms, in expected O(n):
//  - the L1 ball {x : ‖x‖₁ ≤ r} (Condat 2016, "Fast projection onto the simplex and the ℓ1 ball"),
//  - the elastic-net ball {x : ‖x‖₁ + γ/2 ‖x‖₂² ≤ r} (Mairal et al. 2010, JMLR, Prop. 2),
// optionally restricted to the non-negative orthant (positive maps). Written here because the
// online dictionary learner calls them k times per iteration on the sampled voxels and no Debian
// library provides them.
#include <cstddef>

namespace nm::decompose {

/// Projects x (n values, in place) onto the L1 ball of radius r (r <= 0: x becomes 0).
void projectL1Ball(float* x, std::size_t n, double radius, bool positive);

/// Projects x onto the elastic-net ball ‖x‖₁ + γ/2 ‖x‖₂² ≤ r (γ = 0: the L1 ball).
void projectElasticNetBall(float* x, std::size_t n, double radius, double gamma, bool positive);

} // namespace nm::decompose
