#pragma once
// The parts of config.json that config_parser.cpp reads section by section.

#include <cstdint>
#include <string>

#include "input/json_reader.hpp"
#include "llmmem/model_spec.hpp"

namespace llmmem::detail {

constexpr std::int64_t kMaxDimension = std::int64_t(1) << 24;  // 16M: far above any real width
constexpr std::int64_t kMaxLayers = 100000;
constexpr std::int64_t kMaxVocabulary = std::int64_t(1) << 26;

/// quantization_config: how the linear layers are stored.
void read_quantization(ObjectReader& config, ModelSpec& spec);
/// Which layers slide, as transformers' modeling code (and vLLM's model files) decide it.
void read_sliding_window(ObjectReader& config, ModelSpec& spec, std::int64_t class_default_window = 0);
/// DeepSeek's multi-head latent attention.
void read_mla(ObjectReader& config, ModelSpec& spec);
/// Routed and shared experts, and which layers have them.
void read_moe(ObjectReader& config, ModelSpec& spec);
/// A hybrid decoder's blocks (Nemotron-H's hybrid_override_pattern) and its Mamba-2 mixers.
void read_hybrid(ObjectReader& config, ModelSpec& spec);
/// A vision tower from vision_config and its projector.
void read_vision(ObjectReader& outer, const std::string& outer_type, ModelSpec& spec);
/// The position limit and RoPE scaling: what an engine derives its maximum length from.
void read_context_length(ObjectReader& config, ModelSpec& spec, std::int64_t class_default_positions = 0);

}  // namespace llmmem::detail
