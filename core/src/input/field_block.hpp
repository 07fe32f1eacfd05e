#pragma once
// What a block of request fields is written with: each engine's block (engines/<engine>/fields.cpp)
// and the shared one (input/schema_fields.cpp) use these names.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "llmmem/schema.hpp"

namespace llmmem::fields {

using V = std::string_view;
constexpr double kMaxTokens = double(std::int64_t(1) << 40);  // far past any context or batch
constexpr double kMaxGpus = double(1 << 20);

constexpr EngineMask kTransformers = engine_bit(Framework::transformers);
constexpr EngineMask kVllm = engine_bit(Framework::vllm);
constexpr EngineMask kDeepSpeed = engine_bit(Framework::deepspeed);
constexpr EngineMask kLlamaCpp = engine_bit(Framework::llamacpp);
constexpr EngineMask kSglang = engine_bit(Framework::sglang);
// llama.cpp splits a model over GPUs by layers only (--split-mode layer: pipeline_parallel_size).
constexpr EngineMask kSplittingEngines = kAllEngines & ~kLlamaCpp;
constexpr ModeMask kInference = mode_bit(Mode::inference);
constexpr ModeMask kTraining = mode_bit(Mode::training);

/// The enum a choice names: choices are listed in the enum's order.
template <typename Enum>
Enum nth(const FieldValue& v, std::span<const V> choices) {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == v.text) return Enum(i);
  }
  return Enum(0);
}

}  // namespace llmmem::fields

// Writing a checked value into a request's typed member.
#define LLMMEM_ASSIGN(expression) [](Request& r, const FieldValue& v) { expression; }
