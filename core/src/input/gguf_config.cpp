// What a GGUF header adds up to: its tensors by ggml type and by part, a Hugging Face config.json
// made from its metadata (in the keys input/config_parser.cpp and config_sections.cpp read, so a
// GGUF file alone can be estimated), and gguf_json, the boundary. The metadata keys are those
// llama.cpp's converters write (convert_hf_to_gguf.py and conversion/*.py; names in
// gguf-py/gguf/constants.py, Keys.LLM and Keys.Attention): "<arch>.block_count",
// "<arch>.attention.head_count", ... The tensors' shapes are checked against the config where it
// costs nothing, and a config that disagrees with them is not given.
#include <algorithm>
#include <optional>

#include "input/config_sections.hpp"  // kMaxLayers
#include "input/json_reader.hpp"      // fail
#include "llmmem/gguf_header.hpp"
#include "output/envelope.hpp"
#include "output/json_writer.hpp"

namespace llmmem {
namespace {

using detail::fail;

// general.architecture (src/llama-arch.cpp, LLM_ARCH_NAMES) -> transformers' model_type. A llama
// with experts is Mixtral, a deepseek2 with a router bias DeepSeek-V3 (below).
struct Family {
  std::string_view arch, model_type;
};
constexpr Family kFamilies[] = {
    {"llama", "llama"},         {"qwen2", "qwen2"},        {"qwen2moe", "qwen2_moe"},     {"qwen2vl", "qwen2_vl"},
    {"qwen3", "qwen3"},         {"qwen3moe", "qwen3_moe"}, {"gemma", "gemma"},            {"gemma2", "gemma2"},
    {"gemma3", "gemma3_text"},  {"phi2", "phi"},           {"phi3", "phi3"},              {"gpt2", "gpt2"},
    {"deepseek2", "deepseek_v2"}, {"gpt-oss", "gpt_oss"},  {"olmo2", "olmo2"},            {"granite", "granite"},
    {"command-r", "cohere"},    {"cohere2", "cohere2"},    {"starcoder2", "starcoder2"},  {"internlm2", "internlm2"},
    {"exaone4", "exaone4"},     {"nemotron_h", "nemotron_h"}, {"nemotron_h_moe", "nemotron_h"},
};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// The metadata under "<arch>.", read leniently: a value of the wrong type is as good as absent.
class ArchMetadata {
 public:
  ArchMetadata(const GgufRead& header, std::string arch) : header_(header), arch_(std::move(arch)) {}

  const GgufValue* find(std::string_view suffix) const { return header_.find(arch_ + "." + std::string(suffix)); }
  std::string key(std::string_view suffix) const { return arch_ + "." + std::string(suffix); }

  std::optional<std::int64_t> integer(std::string_view suffix) const {
    const GgufValue* v = find(suffix);
    if (v && v->integral && v->type != GgufType::boolean) return v->integer;
    return std::nullopt;
  }
  std::optional<double> number(std::string_view suffix) const {
    const GgufValue* v = find(suffix);
    if (v && v->type != GgufType::string && v->type != GgufType::array) return v->number;
    return std::nullopt;
  }
  std::optional<std::string> text(std::string_view suffix) const {
    const GgufValue* v = find(suffix);
    if (v && v->type == GgufType::string) return v->text;
    return std::nullopt;
  }
  /// A per-layer array's values (kept when at most 4096), or a scalar's one value; empty if absent.
  std::vector<std::int64_t> per_layer(std::string_view suffix) const {
    const GgufValue* v = find(suffix);
    std::vector<std::int64_t> values;
    if (v && v->type == GgufType::array && v->values_kept) {
      for (const double x : v->values) values.push_back(x >= 0 && x < 9.0e15 ? std::int64_t(x) : -1);
    } else if (v && v->integral) {
      values.push_back(v->integer);
    }
    return values;
  }
  /// A count llama.cpp may give per layer (0 where a layer has none, as in Nemotron-H): its one
  /// non-zero value. nullopt when absent; when the layers differ, nullopt and `why` says so.
  std::optional<std::int64_t> uniform(std::string_view suffix, std::string& why) const {
    const GgufValue* v = find(suffix);
    if (v == nullptr) return std::nullopt;
    if (v->type == GgufType::array && !v->values_kept) {
      why = key(suffix) + " is an array of " + std::to_string(v->count) + " values, too long to read per layer";
      return std::nullopt;
    }
    std::optional<std::int64_t> one;
    for (const std::int64_t x : per_layer(suffix)) {
      if (x == 0) continue;
      if (x < 0 || (one && *one != x)) {
        why = key(suffix) + " differs from layer to layer, which a config.json cannot say";
        return std::nullopt;
      }
      one = x;
    }
    return one;
  }

 private:
  const GgufRead& header_;
  std::string arch_;
};

const GgufTensor* tensor_ending(const GgufRead& header, std::string_view suffix) {
  for (const GgufTensor& t : header.tensors) {
    if (t.name.rfind("blk.", 0) == 0 && ends_with(t.name, suffix)) return &t;
  }
  return nullptr;
}
const GgufTensor* tensor_named(const GgufRead& header, std::string_view name) {
  for (const GgufTensor& t : header.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

/// Checks a tensor's row count (ne[1]) against what the config makes of it.
std::string rows_disagree(const GgufTensor* t, std::int64_t expected, const std::string& from) {
  if (t == nullptr || t->shape.size() < 2 || t->shape[1] == expected) return "";
  return t->name + " has " + std::to_string(t->shape[1]) + " rows, but " + from + " make " + std::to_string(expected);
}

/// Nemotron-H's blocks from its per-layer arrays (conversion/nemotron.py writes head_count_kv 0
/// where a block has no attention, feed_forward_length 0 where it has no MLP or experts): one
/// character per block as hybrid_override_pattern spells it, or empty with `why` set.
std::string hybrid_pattern(const ArchMetadata& m, std::int64_t layers, bool moe, std::string& why) {
  const std::vector<std::int64_t> kv = m.per_layer("attention.head_count_kv"), ff = m.per_layer("feed_forward_length");
  if (std::int64_t(kv.size()) < layers || std::int64_t(ff.size()) < layers) {
    why = m.key("attention.head_count_kv") + " and " + m.key("feed_forward_length") + " must give one value per layer";
    return "";
  }
  std::string pattern;
  for (std::int64_t i = 0; i < layers; ++i) {
    const std::int64_t heads = kv[std::size_t(i)], width = ff[std::size_t(i)];
    if (heads > 0 && width > 0) {
      why = "block " + std::to_string(i) + " has both attention and an MLP, which hybrid_override_pattern cannot say";
      return "";
    }
    pattern += heads > 0 ? '*' : width > 0 ? (moe ? 'E' : '-') : 'M';
  }
  return pattern;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

void add(std::int64_t& total, std::int64_t amount) {
  if (__builtin_add_overflow(total, amount, &total)) fail("gguf.tensors", "hold more than 2^63 parameters");
}

GgufSummary summarize(const std::vector<GgufTensor>& tensors) {
  GgufSummary s;
  for (const GgufTensor& t : tensors) {
    s.tensors += 1;
    add(s.parameters, t.elements);
    add(s.bytes, t.bytes);
    auto total = std::find_if(s.types.begin(), s.types.end(), [&](const GgufTypeTotal& x) { return x.type == t.type_name; });
    if (total == s.types.end()) total = s.types.insert(s.types.end(), GgufTypeTotal{t.type_name});
    total->tensors += 1;
    add(total->parameters, t.elements);
    add(total->bytes, t.bytes);
    // Names as llama.cpp's tensor map writes them (gguf-py/gguf/constants.py, TENSOR_NAMES).
    const std::string_view name = t.name;
    if (starts_with(name, "token_embd.") || starts_with(name, "token_embd_norm.") || starts_with(name, "pos_embd.") ||
        starts_with(name, "token_types.")) {
      s.parts.input += t.bytes;
      continue;
    }
    if (starts_with(name, "output.") || starts_with(name, "output_norm.")) {
      s.parts.output += t.bytes;
      continue;
    }
    std::int64_t layer = -1;
    if (starts_with(name, "blk.")) {
      std::size_t i = 4;
      std::int64_t index = 0;
      while (i < name.size() && name[i] >= '0' && name[i] <= '9' && index < detail::kMaxLayers) index = index * 10 + (name[i++] - '0');
      if (i > 4 && i < name.size() && name[i] == '.' && index < detail::kMaxLayers) layer = index;
    }
    if (layer < 0) {
      s.parts.other += t.bytes;  // rope_freqs, v.* and mm.* of a vision tower, a block index past kMaxLayers
      continue;
    }
    if (std::int64_t(s.parts.layers.size()) <= layer) s.parts.layers.resize(std::size_t(layer) + 1, 0);
    s.parts.layers[std::size_t(layer)] += t.bytes;
  }
  return s;
}

}  // namespace

GgufSummary gguf_summary(const std::vector<GgufTensor>& tensors) { return summarize(tensors); }

const char* llama_file_type_name(std::int64_t file_type) {
  // include/llama.h, enum llama_ftype (4 to 6 and 33 to 35 were removed).
  static constexpr std::pair<int, const char*> kNames[] = {
      {0, "F32"},      {1, "F16"},      {2, "Q4_0"},     {3, "Q4_1"},     {7, "Q8_0"},     {8, "Q5_0"},
      {9, "Q5_1"},     {10, "Q2_K"},    {11, "Q3_K_S"},  {12, "Q3_K_M"},  {13, "Q3_K_L"},  {14, "Q4_K_S"},
      {15, "Q4_K_M"},  {16, "Q5_K_S"},  {17, "Q5_K_M"},  {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"},
      {21, "Q2_K_S"},  {22, "IQ3_XS"},  {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"},  {26, "IQ3_S"},
      {27, "IQ3_M"},   {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"},  {31, "IQ1_M"},   {32, "BF16"},
      {36, "TQ1_0"},   {37, "TQ2_0"},   {38, "MXFP4_MOE"}, {39, "NVFP4"}, {40, "Q1_0"}};
  for (const auto& [id, name] : kNames) {
    if (id == file_type) return name;
  }
  return nullptr;
}

GgufConfig gguf_config(const GgufRead& header) {
  GgufConfig out;
  const GgufValue* arch_value = header.find("general.architecture");
  if (arch_value == nullptr || arch_value->type != GgufType::string) {
    out.missing = "the header has no general.architecture";
    return out;
  }
  const std::string& arch = arch_value->text;
  std::string_view model_type;
  for (const Family& f : kFamilies) {
    if (f.arch == arch) model_type = f.model_type;
  }
  if (model_type.empty()) {
    out.missing = "general.architecture \"" + arch + "\" is not one whose config.json this reader can write";
    return out;
  }
  const ArchMetadata m(header, arch);
  std::string& why = out.missing;
  const auto required = [&](std::optional<std::int64_t> value, std::string_view suffix) {
    if ((!value || *value < 1) && why.empty()) why = "the header has no " + m.key(suffix) + " (a positive integer)";
    return value.value_or(0);
  };
  const std::int64_t blocks = required(m.integer("block_count"), "block_count");
  const std::int64_t hidden = required(m.integer("embedding_length"), "embedding_length");
  const std::int64_t heads = required(m.uniform("attention.head_count", why), "attention.head_count");
  if (!why.empty()) return out;
  // Multi-token-prediction blocks are counted in block_count (conversion/nemotron.py,
  // exaone.py), not in transformers' num_hidden_layers.
  const std::int64_t nextn = m.integer("nextn_predict_layers").value_or(0);
  const std::int64_t layers = nextn > 0 && nextn < blocks ? blocks - nextn : blocks;
  const std::int64_t kv_heads = m.uniform("attention.head_count_kv", why).value_or(heads);
  const std::optional<std::int64_t> dense_width = m.uniform("feed_forward_length", why);
  if (!why.empty()) return out;
  const std::optional<std::int64_t> head_dim = m.integer("attention.key_length");
  const std::optional<std::int64_t> expert_width = m.integer("expert_feed_forward_length");
  const std::int64_t experts = m.integer("expert_count").value_or(0);
  const GgufTensor* embedding = tensor_named(header, "token_embd.weight");

  // The vocabulary: the embedding's rows (what the weights hold: Gemma-3's converter trims
  // padding rows), else <arch>.vocab_size, else the tokenizer's token count.
  std::int64_t vocab = 0;
  if (embedding && embedding->shape.size() >= 2) {
    vocab = embedding->shape[1];
  } else if (auto size = m.integer("vocab_size")) {
    vocab = *size;
  } else if (const GgufValue* tokens = header.find("tokenizer.ggml.tokens"); tokens && tokens->type == GgufType::array) {
    vocab = tokens->count;
  }
  if (vocab < 1) {
    why = "the header gives no vocabulary size (no token_embd.weight, vocab_size or tokenizer tokens)";
    return out;
  }

  // What the tensors say, where it is cheap to ask.
  const bool mla = m.integer("attention.kv_lora_rank").has_value();
  const std::int64_t per_head = head_dim.value_or(hidden / heads);
  if (embedding && embedding->shape[0] != hidden) {
    why = "token_embd.weight has rows of " + std::to_string(embedding->shape[0]) + " values, but " + m.key("embedding_length") +
          " is " + std::to_string(hidden);
  } else if (std::int64_t(header.summary.parts.layers.size()) > blocks) {
    why = "the tensors name block " + std::to_string(header.summary.parts.layers.size() - 1) + ", past " + m.key("block_count") +
          " (" + std::to_string(blocks) + ")";
  } else if (!mla) {
    why = rows_disagree(tensor_ending(header, ".attn_q.weight"), heads * per_head, "the head count and head size");
    if (why.empty()) why = rows_disagree(tensor_ending(header, ".attn_k.weight"), kv_heads * per_head, "the KV head count and head size");
  }
  if (!why.empty()) return out;

  std::string type(model_type);
  if (type == "llama" && experts > 0) type = "mixtral";
  if (type == "deepseek_v2" && tensor_ending(header, ".exp_probs_b.bias")) type = "deepseek_v3";  // the router's score bias
  detail::JsonWriter w;
  w.begin_object().field("model_type", type).field("hidden_size", hidden).field("num_hidden_layers", layers)
      .field("num_attention_heads", heads).field("num_key_value_heads", mla ? heads : kv_heads);
  if (head_dim && !mla) w.field("head_dim", *head_dim);
  // gpt-oss's intermediate_size is its experts' width; a model with experts only, the same.
  const std::optional<std::int64_t> width = type == "gpt_oss" || !dense_width ? expert_width : dense_width;
  if (width) w.field("intermediate_size", *width);
  w.field("vocab_size", vocab);
  if (auto context = m.integer("context_length")) w.field(type == "gpt2" ? "n_positions" : "max_position_embeddings", *context);
  if (auto eps = m.number("attention.layer_norm_rms_epsilon")) w.field("rms_norm_eps", *eps);
  if (auto eps = m.number("attention.layer_norm_epsilon")) w.field("layer_norm_epsilon", *eps);
  if (auto theta = m.number("rope.freq_base")) w.field("rope_theta", *theta);
  if (auto scaling = m.text("rope.scaling.type"); scaling && *scaling != "none") {
    w.key("rope_scaling").begin_object().field("rope_type", *scaling);
    if (auto factor = m.number("rope.scaling.factor")) w.field("factor", *factor);
    if (auto original = m.integer("rope.scaling.original_context_length")) w.field("original_max_position_embeddings", *original);
    w.end_object();
  }
  // convert_hf_to_gguf.py leaves output.weight out when the head is the embedding.
  w.field("tie_word_embeddings", tensor_named(header, "output.weight") == nullptr);
  if (const GgufValue* file_type = header.find("general.file_type"); file_type && file_type->integral) {
    const std::int64_t f = file_type->integer;  // include/llama.h: ALL_F32 0, MOSTLY_F16 1, MOSTLY_BF16 32
    // A quantized file's other tensors and llama.cpp's activations are F16/F32: its weights are
    // the header's bytes whatever this says, and an absent dtype would only draw a warning.
    w.field("torch_dtype", f == 0 ? "float32" : f == 32 ? "bfloat16" : "float16");
  }
  if (auto window = m.integer("attention.sliding_window"); window && *window > 0) {
    w.field("sliding_window", *window);
    // exaone.py: one bool per layer, true where it slides (others keep their family's pattern).
    const std::vector<std::int64_t> slides = m.per_layer("attention.sliding_window_pattern");
    if (std::int64_t(slides.size()) >= layers && slides.size() > 1) {
      w.key("layer_types").begin_array();
      for (std::int64_t i = 0; i < layers; ++i) w.value(slides[std::size_t(i)] != 0 ? "sliding_attention" : "full_attention");
      w.end_array();
    }
  }
  if (type == "starcoder2") w.field("use_bias", tensor_ending(header, ".attn_output.bias") != nullptr);
  if (type == "cohere" || type == "cohere2") w.field("use_qk_norm", tensor_ending(header, ".attn_q_norm.weight") != nullptr);

  const auto experts_per_token = m.integer("expert_used_count");
  if (experts > 0 && (type == "mixtral" || type == "gpt_oss")) {
    w.field("num_local_experts", experts);
    if (experts_per_token) w.field("num_experts_per_tok", *experts_per_token);
  } else if (experts > 0 && (type == "qwen2_moe" || type == "qwen3_moe")) {
    w.field("num_experts", experts);
    if (experts_per_token) w.field("num_experts_per_tok", *experts_per_token);
    if (expert_width) w.field("moe_intermediate_size", *expert_width);
    if (auto shared = m.integer("expert_shared_feed_forward_length"); shared && type == "qwen2_moe") {
      w.field("shared_expert_intermediate_size", *shared);
    }
  } else if (type == "deepseek_v2" || type == "deepseek_v3") {
    // deepseek.py: MLA written as MQA over the latent (key_length = kv_lora_rank + rope dims);
    // the heads' own sizes are key_length_mla and value_length_mla (older files: key_length).
    const std::int64_t rope = m.integer("rope.dimension_count").value_or(64);
    const std::int64_t key = m.integer("attention.key_length_mla").value_or(head_dim.value_or(rope + 128));
    w.field("kv_lora_rank", *m.integer("attention.kv_lora_rank")).field("qk_rope_head_dim", rope)
        .field("qk_nope_head_dim", key > rope ? key - rope : 128)
        .field("v_head_dim", m.integer("attention.value_length_mla").value_or(m.integer("attention.value_length").value_or(128)));
    if (auto q_rank = m.integer("attention.q_lora_rank")) w.field("q_lora_rank", *q_rank);
    if (experts > 0) {
      w.field("n_routed_experts", experts).field("n_shared_experts", m.integer("expert_shared_count").value_or(0))
          .field("first_k_dense_replace", m.integer("leading_dense_block_count").value_or(0));
      if (experts_per_token) w.field("num_experts_per_tok", *experts_per_token);
      if (expert_width) w.field("moe_intermediate_size", *expert_width);
    }
    if (type == "deepseek_v3") w.field("topk_method", "noaux_tc");
  } else if (type == "nemotron_h") {
    const std::string pattern = hybrid_pattern(m, layers, experts > 0, why);
    if (pattern.empty()) return out;
    // Mamba-2 mixers (mamba.py, Mamba2Model): time_step_rank is the head count, inner_size heads x head size.
    const std::int64_t mamba_heads = m.integer("ssm.time_step_rank").value_or(0);
    const std::int64_t inner = m.integer("ssm.inner_size").value_or(0);
    if (mamba_heads < 1 || inner % mamba_heads != 0) {
      why = "the header's " + m.key("ssm.time_step_rank") + " and " + m.key("ssm.inner_size") + " give no Mamba head size";
      return out;
    }
    w.field("hybrid_override_pattern", pattern).field("mamba_num_heads", mamba_heads).field("mamba_head_dim", inner / mamba_heads);
    if (auto state = m.integer("ssm.state_size")) w.field("ssm_state_size", *state);
    if (auto groups = m.integer("ssm.group_count")) w.field("n_groups", *groups);
    if (auto kernel = m.integer("ssm.conv_kernel")) w.field("conv_kernel", *kernel);
    if (experts > 0) {
      w.field("n_routed_experts", experts).field("n_shared_experts", m.integer("expert_shared_count").value_or(0));
      if (experts_per_token) w.field("num_experts_per_tok", *experts_per_token);
      if (expert_width) w.field("moe_intermediate_size", *expert_width);
      if (auto shared = m.integer("expert_shared_feed_forward_length")) w.field("moe_shared_expert_intermediate_size", *shared);
    }
  }
  out.json = w.end_object().take();
  return out;
}

std::string gguf_json(std::string_view bytes, std::int64_t file_bytes) noexcept {
  return detail::guarded([&] {
    const GgufRead read = read_gguf_header(bytes, file_bytes);
    detail::JsonWriter w;
    w.begin_object().field("complete", read.complete);
    if (!read.complete) return w.field("needs", read.needs).end_object().take();
    w.field("version", std::int64_t(read.version));
    if (const GgufValue* v = read.find("general.architecture"); v && v->type == GgufType::string) w.field("architecture", v->text);
    if (const GgufValue* v = read.find("general.name"); v && v->type == GgufType::string) w.field("name", v->text);
    if (const GgufValue* v = read.find("general.file_type"); v && v->integral) {
      w.field("file_type", v->integer);
      if (const char* name = llama_file_type_name(v->integer)) w.field("file_type_name", name);
    }
    const GgufSummary& s = read.summary;
    w.field("alignment", read.alignment).field("header_bytes", read.header_bytes).field("tensors", s.tensors)
        .field("parameters", s.parameters).field("bytes", s.bytes).key("types").begin_array();
    for (const GgufTypeTotal& t : s.types) {
      w.begin_object().field("type", t.type).field("tensors", t.tensors).field("parameters", t.parameters).field("bytes", t.bytes).end_object();
    }
    w.end_array().key("parts").begin_object().field("input", s.parts.input).field("output", s.parts.output)
        .field("other", s.parts.other).key("layers").begin_array();
    for (const std::int64_t layer : s.parts.layers) w.value(layer);
    w.end_array().end_object();
    // The request's checkpoint fields for this file, worked out once here for every reader (the
    // CLI, the page): the rest (rope_freqs, a vision tower) stays in system memory with the input.
    w.key("checkpoint").begin_object().field("tensor_bytes", s.bytes).field("parameters", s.parameters)
        .field("input_bytes", s.parts.input + s.parts.other).field("output_bytes", s.parts.output).key("layer_bytes").begin_array();
    for (const std::int64_t layer : s.parts.layers) w.value(layer);
    w.end_array().end_object();
    const GgufConfig config = gguf_config(read);
    if (config.json.empty()) {
      w.field("config_missing", config.missing);
    } else {
      w.key("config").raw(config.json);
    }
    return w.end_object().take();
  });
}

}  // namespace llmmem
