#pragma once
namespace nm::render::data {
extern const float kViridis[256][3];
extern const float kTab20[20][3];
} // namespace nm::render::data
