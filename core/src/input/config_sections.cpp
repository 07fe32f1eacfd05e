// config.json's parts that each family spells its own way: quantization, sliding windows, MLA,
// experts, the vision tower and the context length (transformers' configuration classes).
#include "input/config_sections.hpp"

#include <algorithm>

#include "accounting/count.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem::detail {
namespace {

bool mentions(const json* list, std::string_view needle) {
  if (list == nullptr || !list->is_array()) return false;
  return std::any_of(list->begin(), list->end(), [&](const json& item) {
    return item.is_string() && item.get<std::string>().find(needle) != std::string::npos;
  });
}

/// The layers a config lists by index (Qwen-MoE's mlp_only_layers), marked in one pass: at most
/// one entry per layer, and an index past the last layer names no layer (transformers never
/// matches it), so it is ignored with a warning.
std::vector<bool> listed_layers(ObjectReader& config, std::string_view key, ModelSpec& spec) {
  std::vector<bool> listed(std::size_t(spec.num_layers), false);
  const json* list = config.find({key});
  if (list == nullptr) return listed;
  if (!list->is_array()) fail(config.path_of(key), "must be an array of layer indices, got " + quote_value(*list));
  if (std::int64_t(list->size()) > spec.num_layers) {
    fail(config.path_of(key), "lists " + std::to_string(list->size()) + " layers, more than num_hidden_layers (" +
                                  std::to_string(spec.num_layers) + ")");
  }
  std::size_t past_the_end = 0;  // one warning for them all
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::int64_t layer = integer_value((*list)[i], config.path_of(key) + "[" + std::to_string(i) + "]", 0, kMaxLayers);
    if (layer < spec.num_layers) {
      listed[std::size_t(layer)] = true;
    } else {
      ++past_the_end;
    }
  }
  if (past_the_end > 0) {
    spec.warnings.push_back(config.path_of(key) + ": " + std::to_string(past_the_end) +
                            " entries name no layer (past the last, " + std::to_string(spec.num_layers - 1) + "): ignored");
  }
  return listed;
}

}  // namespace

// quantization_config as each library writes it (transformers' quantizers; AutoGPTQ's and
// AutoAWQ's quantize_config; compressed-tensors' config_groups; bitsandbytes' BnbQuantizationConfig).
void read_quantization(ObjectReader& config, ModelSpec& spec) {
  const json* quantization = config.find({"quantization_config"});
  if (!quantization) return;
  ObjectReader q(*quantization, config.path_of("quantization_config"), Nulls::mean_default);
  spec.quantization_method = q.string({"quant_method"}).value_or("");
  const std::string& method = spec.quantization_method;
  QuantizationSpec& format = spec.quantization;
  // -1 is one group per output row (GPTQ's per-channel); 0 would divide every row by nothing.
  auto group = [&](std::initializer_list<std::string_view> keys) {
    const std::int64_t size = q.integer(keys, -1, kMaxDimension).value_or(128);
    std::string key;
    if (size == 0 && q.find(keys, &key)) fail(q.path_of(key), "must be -1 (one group per row) or a positive group size, got 0");
    return size;
  };
  if (const json* skipped = q.find({"modules_to_not_convert", "ignore", "llm_int8_skip_modules"})) {
    format.attention = !mentions(skipped, "self_attn") && !mentions(skipped, "attn");
  }
  if (method == "gptq") {
    format.format = QuantFormat::gptq;
    format.bits = int(q.integer({"bits"}, 1, 16).value_or(4));
    format.group_size = group({"group_size"});
    format.scale_bytes = 2;  // fp16 scales
  } else if (method == "awq") {
    format.format = QuantFormat::awq;
    format.bits = int(q.integer({"bits", "w_bit"}, 1, 16).value_or(4));
    format.group_size = group({"group_size", "q_group_size"});
    format.scale_bytes = 2;
  } else if (method == "bitsandbytes" || q.boolean({"load_in_4bit"}).value_or(false) ||
             q.boolean({"load_in_8bit"}).value_or(false)) {
    const bool four = q.boolean({"load_in_4bit"}).value_or(method == "bitsandbytes" && !q.boolean({"load_in_8bit"}).value_or(false));
    format.format = four ? QuantFormat::bitsandbytes_4bit : QuantFormat::bitsandbytes_8bit;
    format.bits = four ? 4 : 8;
    format.double_quant = q.boolean({"bnb_4bit_use_double_quant"}).value_or(false);
  } else if (method == "fp8" || method == "fbgemm_fp8") {
    format.format = QuantFormat::fp8;
    format.bits = 8;
    format.scales = method == "fbgemm_fp8" ? ScaleGranularity::channel : ScaleGranularity::tensor;
    if (const json* block = q.find({"weight_block_size"}); block && block->is_array() && block->size() == 2) {
      format.scales = ScaleGranularity::block;  // DeepSeek-V3: an fp32 scale per 128x128 block
      format.block_rows = integer_value((*block)[0], q.path_of("weight_block_size") + "[0]", 1, kMaxDimension);
      format.block_cols = integer_value((*block)[1], q.path_of("weight_block_size") + "[1]", 1, kMaxDimension);
    }
  } else if (method == "mxfp4") {
    format.format = QuantFormat::mxfp4;  // OCP MX: 4-bit values, one 8-bit scale per 32
    format.bits = 4;
  } else if (method == "compressed-tensors") {
    // The first config group's weights: {num_bits, type "int"|"float", strategy, group_size}.
    const json* groups = q.find({"config_groups"});
    if (groups && groups->is_object() && !groups->empty() && groups->begin()->is_object() &&
        groups->begin()->contains("weights") && (*groups->begin())["weights"].is_object()) {
      ObjectReader weights((*groups->begin())["weights"], q.path_of("config_groups.weights"), Nulls::mean_default);
      format.bits = int(weights.integer({"num_bits"}, 1, 16).value_or(8));
      const bool is_float = weights.string({"type"}).value_or("int") == "float";
      format.format = is_float ? QuantFormat::fp8 : QuantFormat::int_packed;
      const std::string strategy = weights.string({"strategy"}).value_or("tensor");
      format.scales = strategy == "channel" ? ScaleGranularity::channel
                      : strategy == "group" ? ScaleGranularity::group
                      : strategy == "block" ? ScaleGranularity::block
                                            : ScaleGranularity::tensor;
      format.group_size = weights.integer({"group_size"}, 1, kMaxDimension).value_or(128);
      format.zero_points = !weights.boolean({"symmetric"}).value_or(true);
      format.scale_bytes = dtype_bytes(spec.storage_dtype.empty() ? "bfloat16" : spec.storage_dtype);
    }
  } else if (auto bits = q.integer({"bits", "weight_bits"}, 1, 16)) {
    format.format = QuantFormat::other;
    format.bits = int(*bits);
  }
  spec.quantization_bits = format.bits;
  if (format.format == QuantFormat::none || format.bits == 0) {
    format = QuantizationSpec{};
    spec.quantization_bits = 0;
    spec.warnings.push_back("quantization_config (" +
                            (method.empty() ? std::string("no quant_method") : method) +
                            ") gives no bit width: weights counted in the storage dtype");
  } else if (format.format == QuantFormat::other) {
    spec.warnings.push_back("quantization_config (" + (method.empty() ? std::string("no quant_method") : method) +
                            ") is not modelled: weights counted at " + std::to_string(format.bits) +
                            " bits times params.quantization_overhead_multiplier");
  }
}

/// Which layers slide, as transformers' modeling code (and vLLM's model files) decide it:
/// `layer_types` when the config lists them, else the family's pattern, else every layer
/// (a model-level window: Mistral v0.1, Phi-3).
void read_sliding_window(ObjectReader& config, ModelSpec& spec, std::int64_t class_default_window) {
  auto window = config.integer({"sliding_window"}, 1, kMaxDimension);
  // A nested text_config without the key: its class's default (Gemma3TextConfig: 4096).
  if (!window && class_default_window > 0) window = class_default_window;
  if (!window) return;
  // Qwen2's configs carry a window with use_sliding_window false: it is off.
  const auto enabled = config.boolean({"use_sliding_window"});
  if (enabled && !*enabled) return;
  const std::string_view type = spec.model_type;
  std::vector<bool>& layers = spec.sliding_window.layers;
  layers.assign(std::size_t(spec.num_layers), true);
  if (const json* types = config.find({"layer_types"}); types && types->is_array()) {
    if (std::int64_t(types->size()) != spec.num_layers) {
      fail(config.path_of("layer_types"), "must list num_hidden_layers (" + std::to_string(spec.num_layers) +
                                              ") layer types, got " + std::to_string(types->size()));
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i] = (*types)[i].is_string() && (*types)[i].get<std::string>() == "sliding_attention";
    }
  } else if (type == "gemma2" || type == "gpt_oss") {
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = i % 2 == 0;  // even layers slide
  } else if (type == "gemma3_text" || type == "gemma3" || type == "cohere2") {
    // Every pattern-th layer is global (Gemma-3: 5 local, 1 global; Cohere2: 3 and 1).
    const std::int64_t pattern =
        config.integer({"sliding_window_pattern"}, 1, kMaxLayers).value_or(type == "cohere2" ? 4 : 6);
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = (std::int64_t(i) + 1) % pattern != 0;
  } else if (enabled) {
    // Qwen2 with use_sliding_window: layers from max_window_layers on slide.
    const std::int64_t full = config.integer({"max_window_layers"}, 0, kMaxLayers).value_or(0);
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = std::int64_t(i) >= full;
  }
  spec.sliding_window.window = *window;
  if (spec.sliding_window.count(0, spec.num_layers) == 0) spec.sliding_window = {};
}

// DeepSeek's multi-head latent attention (configuration_deepseek.py field names).
void read_mla(ObjectReader& config, ModelSpec& spec) {
  const auto kv_lora_rank = config.integer({"kv_lora_rank"}, 1, kMaxDimension);
  if (!kv_lora_rank) return;
  MlaShape& m = spec.attention.mla;
  m.kv_lora_rank = *kv_lora_rank;
  m.q_lora_rank = config.integer({"q_lora_rank"}, 1, kMaxDimension).value_or(0);
  m.qk_nope_head_dim = config.integer({"qk_nope_head_dim"}, 1, kMaxDimension).value_or(128);
  m.qk_rope_head_dim = config.integer({"qk_rope_head_dim"}, 1, kMaxDimension).value_or(64);
  m.v_head_dim = config.integer({"v_head_dim"}, 1, kMaxDimension).value_or(128);
  spec.attention.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
  spec.attention.num_kv_heads = spec.attention.num_heads;  // every head gets its own K and V
}

// Routed and shared experts, and which layers have them (modeling_qwen2_moe.py,
// modeling_deepseek.py, modeling_gpt_oss.py).
void read_moe(ObjectReader& config, ModelSpec& spec) {
  const auto experts = config.integer({"num_local_experts", "num_experts", "n_routed_experts"}, 0, kMaxDimension);
  if (!experts || *experts == 0) return;
  const std::string_view type = spec.model_type;
  MoeShape& moe = spec.moe;
  moe.num_experts = *experts;
  moe.experts_per_token =
      config.integer({"num_experts_per_tok", "num_experts_per_token", "experts_per_token", "top_k"}, 1, *experts)
          .value_or(1);  // the spec's default
  moe.expert_intermediate_size =
      config.integer({"moe_intermediate_size"}, 1, kMaxDimension).value_or(spec.mlp.intermediate_size);
  moe.expert_bias = moe.router_bias = type == "gpt_oss";
  if (auto shared = config.integer({"shared_expert_intermediate_size"}, 0, kMaxDimension)) {
    moe.shared_intermediate_size = *shared;  // Qwen2-MoE: one shared expert behind a sigmoid gate
    moe.shared_expert_gate = *shared > 0;
  }
  if (auto shared = config.integer({"n_shared_experts"}, 0, kMaxDimension)) {
    moe.shared_intermediate_size = *shared * moe.expert_intermediate_size;  // DeepSeek: fused
  }
  moe.router_correction_bias = config.string({"topk_method"}).value_or("") == "noaux_tc";  // DeepSeek-V3

  std::int64_t moe_layers = 0;
  if (type == "deepseek_v2" || type == "deepseek_v3") {
    // Layer i has experts from first_k_dense_replace on, every moe_layer_freq-th.
    const std::int64_t first = config.integer({"first_k_dense_replace"}, 0, kMaxLayers).value_or(0);
    const std::int64_t every = config.integer({"moe_layer_freq"}, 1, kMaxLayers).value_or(1);
    for (std::int64_t i = 0; i < spec.num_layers; ++i) moe_layers += (i >= first && i % every == 0) ? 1 : 0;
  } else {
    // Qwen-MoE: every decoder_sparse_step-th layer, except those in mlp_only_layers.
    const std::int64_t step = config.integer({"decoder_sparse_step"}, 1, kMaxLayers).value_or(1);
    const std::vector<bool> dense_only = listed_layers(config, "mlp_only_layers", spec);
    for (std::int64_t i = 0; i < spec.num_layers; ++i) moe_layers += (!dense_only[std::size_t(i)] && (i + 1) % step == 0) ? 1 : 0;
  }
  moe.dense_layers = spec.num_layers - moe_layers;
}

// Nemotron-H (configuration_nemotron_h.py, modeling_nemotron_h.py): one character per block.
void read_hybrid(ObjectReader& config, ModelSpec& spec) {
  std::string key;
  const json* pattern = config.find({"hybrid_override_pattern"}, &key);
  if (pattern == nullptr) return;
  const std::string path = config.path_of(key);
  if (!pattern->is_string()) fail(path, "must be a string of M, *, - and E (one per layer), got " + quote_value(*pattern));
  const std::string& kinds = pattern->get_ref<const std::string&>();
  if (std::int64_t(kinds.size()) != spec.num_layers) {
    fail(path, "must have one character per layer (num_hidden_layers " + std::to_string(spec.num_layers) + "), got " +
                   std::to_string(kinds.size()));
  }
  if (const auto bad = kinds.find_first_not_of("M*-E"); bad != std::string::npos) {
    fail(path, "layer " + std::to_string(bad) + " is " + quote_text(kinds.substr(bad, 1)) +
                   ": each layer is M (Mamba-2), * (attention), - (MLP) or E (experts)");
  }
  if (kinds.find('E') != std::string::npos && !spec.is_moe()) fail(path, "has expert layers (E) but the config gives no n_routed_experts");
  spec.blocks.kinds = kinds;
  spec.norms_per_layer = 1;  // each block: one norm, one mixer
  MambaShape& m = spec.mamba;
  auto need = [&](std::string_view name, std::int64_t fallback) {
    return config.integer({name}, 1, kMaxDimension).value_or(fallback);
  };
  // NemotronHConfig's defaults; `expand` is not read: the inner width is heads x head_dim.
  m.num_heads = need("mamba_num_heads", 128);
  m.head_dim = need("mamba_head_dim", 64);
  m.state_size = need("ssm_state_size", 128);
  m.groups = need("n_groups", 8);
  m.conv_kernel = need("conv_kernel", 4);
  m.proj_bias = config.boolean({"mamba_proj_bias", "use_bias"}).value_or(false);
  m.conv_bias = config.boolean({"use_conv_bias"}).value_or(true);
  if (spec.is_moe()) {
    // NemotronHMoE: experts of moe_intermediate_size, one shared expert of its own width, and the
    // router's e_score_correction_bias, which the checkpoint stores (fp32).
    spec.moe.shared_intermediate_size =
        config.integer({"moe_shared_expert_intermediate_size"}, 0, kMaxDimension).value_or(spec.moe.shared_intermediate_size);
    spec.moe.router_correction_bias = true;
    if (config.integer({"moe_latent_size"}, 1, kMaxDimension)) {
      spec.warnings.push_back("moe_latent_size: the experts' latent projections (Nemotron-3-Super's LatentMoE) are not counted exactly");
    }
  }
}

// A vision tower from vision_config and its projector, as transformers builds them
// (modeling_clip.py, modeling_siglip.py, modeling_qwen2_vl.py, modeling_qwen2_5_vl.py; the projectors of
// modeling_llava.py and modeling_gemma3.py).
void read_vision(ObjectReader& outer, const std::string& outer_type, ModelSpec& spec) {
  const json* vision = outer.find({"vision_config"});
  if (vision == nullptr) return;
  ObjectReader v(*vision, outer.path_of("vision_config"), Nulls::mean_default);
  const std::string type = v.string({"model_type"}).value_or(
      outer_type == "qwen2_5_vl" ? "qwen2_5_vl_vision"
      : (outer_type == "qwen2_vl" || outer_type == "qwen3_vl" || outer_type == "qwen3_vl_moe") ? outer_type : "");
  spec.vision.model_type = type;
  // Dimensions up to 2^24 each: their products are checked counts, never a wrapped int64.
  const Count text = spec.hidden_size;
  Count tower = 0, projector = 0;
  auto dim = [&](std::initializer_list<std::string_view> keys, std::int64_t fallback) {
    return Count(v.integer(keys, 1, kMaxDimension).value_or(fallback));
  };
  if (type == "clip_vision_model" || type == "siglip_vision_model") {
    const bool clip = type == "clip_vision_model";
    const Count h = dim({"hidden_size"}, 768), layers = dim({"num_hidden_layers"}, 12);
    const Count inner = dim({"intermediate_size"}, 3072), channels = dim({"num_channels"}, 3);
    const Count patch = dim({"patch_size"}, clip ? 32 : 16), image = dim({"image_size"}, 224);
    const Count patches = (image / patch) * (image / patch);
    // CLIP: class token, bias-free patch convolution, positions for patches + class, pre-norm;
    // SigLIP: patch convolution with bias, positions for the patches.
    const Count embeddings = clip ? h + channels * patch * patch * h + (patches + 1) * h + 2 * h
                                         : channels * patch * patch * h + h + patches * h;
    const Count layer = 4 * (h * h + h) + 4 * h + (h * inner + inner) + (inner * h + h);
    tower = embeddings + layers * layer + 2 * h;  // post_layernorm
    if (!clip && v.boolean({"vision_use_head"}).value_or(true)) {
      tower += h + (3 * h * h + 3 * h) + (h * h + h) + 2 * h + (h * inner + inner) + (inner * h + h);
    }
    if (outer_type == "llava") {
      projector = (h * text + text) + (text * text + text);  // linear_1, GELU, linear_2
    } else if (outer_type == "gemma3") {
      projector = h * text + h;  // mm_input_projection_weight, mm_soft_emb_norm
    }
  } else if (type == "qwen2_vl") {
    // modeling_qwen2_vl.py, Qwen2VisionTransformerPretrainedModel (defaults: Qwen2VLVisionConfig):
    // a bias-free Conv3d patch embedding, blocks with LayerNorms (weight and bias), biased qkv and
    // proj, an fc1/fc2 MLP of embed_dim * mlp_ratio; the PatchMerger (a LayerNorm, then an MLP
    // over merge^2 patches into the vision config's hidden_size, the language model's width).
    const Count e = dim({"embed_dim"}, 1280), depth = dim({"depth"}, 32);
    double ratio = 4;
    if (const json* r = v.find({"mlp_ratio"}); r && r->is_number() && r->get<double>() > 0 && r->get<double>() < 1e6) {
      ratio = r->get<double>();
    }
    const Count inner = Count(std::int64_t(double(e.value()) * ratio));  // int(embed_dim * mlp_ratio)
    const Count out = dim({"hidden_size"}, spec.hidden_size), patch = dim({"patch_size"}, 14);
    const Count temporal = dim({"temporal_patch_size"}, 2), channels = dim({"in_chans", "in_channels"}, 3);
    const Count merge = dim({"spatial_merge_size"}, 2);
    const Count block = 4 * e + (3 * e * e + 3 * e) + (e * e + e) + (e * inner + inner) + (inner * e + e);
    const Count merged = e * merge * merge;
    tower = channels * temporal * patch * patch * e + depth * block;
    projector = 2 * e + (merged * merged + merged) + (merged * out + out);
  } else if (type == "qwen2_5_vl_vision") {
    const Count h = dim({"hidden_size"}, 1280), depth = dim({"depth"}, 32);
    const Count inner = dim({"intermediate_size"}, 3420), out = dim({"out_hidden_size"}, 3584);
    const Count patch = dim({"patch_size"}, 14), temporal = dim({"temporal_patch_size"}, 2);
    const Count channels = dim({"in_chans"}, 3), merge = dim({"spatial_merge_size"}, 2);
    const Count block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (h * inner + inner) + (inner * h + h);
    const Count merged = h * merge * merge;
    tower = channels * temporal * patch * patch * h + depth * block;
    projector = h + (merged * merged + merged) + (merged * out + out);  // the merger: ln_q and its MLP
  } else if (type == "qwen3_vl" || type == "qwen3_vl_moe" || type == "qwen3_vl_vision" || type == "qwen3_vl_moe_vision") {
    // (The hub's configs say "qwen3_vl"; transformers' own vision config class "qwen3_vl_vision".)
    // modeling_qwen3_vl.py, Qwen3VLVisionModel (defaults: Qwen3VLVisionConfig): a Conv3d patch
    // embedding with bias, a learned position table, blocks with LayerNorms (weight and bias),
    // biased qkv, proj and a two-matrix MLP; the merger (LayerNorm over the hidden size, then an
    // MLP over merge^2 patches), and one more merger per deepstack index whose LayerNorm spans
    // the merged width.
    const Count h = dim({"hidden_size"}, 1152), depth = dim({"depth"}, 27);
    const Count inner = dim({"intermediate_size"}, 4304), out = dim({"out_hidden_size"}, 3584);
    const Count patch = dim({"patch_size"}, 16), temporal = dim({"temporal_patch_size"}, 2);
    const Count channels = dim({"in_channels"}, 3), merge = dim({"spatial_merge_size"}, 2);
    const Count positions = dim({"num_position_embeddings"}, 2304);
    std::int64_t deepstack = 3;  // the class default: [8, 16, 24]
    if (const json* indexes = v.find({"deepstack_visual_indexes"}); indexes && indexes->is_array()) {
      deepstack = std::int64_t(indexes->size());
    }
    const Count block = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * inner + inner) + (inner * h + h);
    const Count merged = h * merge * merge;
    const Count mlp = (merged * merged + merged) + (merged * out + out);
    tower = channels * temporal * patch * patch * h + h + positions * h + depth * block;
    projector = (2 * h + mlp) + Count(deepstack) * (2 * merged + mlp);
  } else {
    spec.warnings.push_back("vision tower (" + (type.empty() ? std::string("no model_type") : type) +
                            ") is not counted: only the language model is");
    return;
  }
  if (projector.value() == 0) spec.warnings.push_back("the projector between vision tower and language model is not counted");
  spec.vision.parameters = (tower + projector).value();
}


void read_context_length(ObjectReader& config, ModelSpec& spec, std::int64_t class_default_positions) {
  // The keys vLLM's _get_and_verify_max_len reads, smallest first (vllm/config/model.py; the
  // list is the same from 0.8 to 0.21): the position limit as the model's config states it.
  ContextLimit& c = spec.context;
  for (std::string_view key : {"max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "model_max_length",
                               "max_target_positions", "max_sequence_length", "max_seq_length", "seq_len"}) {
    if (const json* value = config.find({key}); value && value->is_number_integer() && value->get<std::int64_t>() > 0) {
      const std::int64_t length = value->get<std::int64_t>();
      if (c.positions == 0 || length < c.positions) {
        c.positions = length;
        c.key = key;
      }
    }
  }
  if (c.positions == 0 && class_default_positions > 0) {
    c.positions = class_default_positions;  // a nested text_config's class default
    c.key = "max_position_embeddings";
  }
  if (const json* value = config.find({"model_max_length"}); value && value->is_number_integer()) {
    c.model_max_length = std::max<std::int64_t>(0, value->get<std::int64_t>());
  }
  const json* rope = config.find({"rope_scaling", "rope_parameters"});
  if (rope && rope->is_object()) {
    ObjectReader r(*rope, config.path_of("rope_scaling"), Nulls::mean_default);
    c.rope_type = r.string({"rope_type", "type"}).value_or("");
    if (const json* factor = r.find({"factor"}); factor && factor->is_number()) c.rope_factor = factor->get<double>();
    if (const json* original = r.find({"original_max_position_embeddings"}); original && original->is_number_integer()) {
      c.original_positions = original->get<std::int64_t>();
    }
  }
}

}  // namespace llmmem::detail
