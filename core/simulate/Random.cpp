#include "simulate/Detail.hpp"

#include <cmath>

namespace nm::simulate::detail {

std::mt19937_64 stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
    // splitmix64 mixing of the three numbers into one 64-bit seed.
    auto mix = [](std::uint64_t z) {
        z += 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    return std::mt19937_64(mix(mix(mix(seed) ^ purpose) ^ index));
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
    return lo + (hi - lo) * (double(rng() >> 11) * (1.0 / 9007199254740992.0));
}

double Normal::operator()() {
    if (cached_) {
        cached_ = false;
        return spare_;
    }
    double u, v, s;
    do {
        u = uniform(rng_, -1.0, 1.0);
        v = uniform(rng_, -1.0, 1.0);
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    cached_ = true;
    return u * f;
}

} // namespace nm::simulate::detail
