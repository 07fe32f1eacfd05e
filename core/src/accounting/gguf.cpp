#include "accounting/gguf.hpp"

#include <array>
#include <cmath>

#include "accounting/quantization.hpp"

namespace llmmem::detail {
namespace {

struct TypeInfo {
  const char* name;
  double block;  // values per block
  double bytes;  // bytes per block
};

// ggml/src/ggml-common.h: the block structs' sizes (e.g. block_q4_K: two fp16 scales, 12 bytes
// of 6-bit sub-scales, 128 bytes of nibbles for 256 values).
constexpr std::array<TypeInfo, 14> kTypes = {{
    {"F32", 1, 4},       {"F16", 1, 2},      {"Q4_0", 32, 18},    {"Q4_1", 32, 20},    {"Q5_0", 32, 22},
    {"Q5_1", 32, 24},    {"Q8_0", 32, 34},   {"Q2_K", 256, 84},   {"Q3_K", 256, 110},  {"Q4_K", 256, 144},
    {"Q5_K", 256, 176},  {"Q6_K", 256, 210}, {"IQ4_NL", 32, 18},  {"IQ4_XS", 256, 136},
}};

const TypeInfo& info(GgmlType type) { return kTypes[std::size_t(type)]; }

constexpr std::array<std::string_view, 11> kFileTypeNames = {"q8_0",   "q6_k",   "q5_k_m", "q5_k_s", "q4_k_m", "q4_k_s",
                                                             "q3_k_l", "q3_k_m", "q3_k_s", "q2_k",   "iq4_xs"};

// What each file type quantizes a tensor to before the mix's exceptions (llama_ftype_get_default_type).
GgmlType default_type(GgufFileType f) {
  switch (f) {
    case GgufFileType::q8_0: return GgmlType::q8_0;
    case GgufFileType::q6_k: return GgmlType::q6_k;
    case GgufFileType::q5_k_m:
    case GgufFileType::q5_k_s: return GgmlType::q5_k;
    case GgufFileType::q4_k_m:
    case GgufFileType::q4_k_s: return GgmlType::q4_k;
    case GgufFileType::q3_k_l:
    case GgufFileType::q3_k_m:
    case GgufFileType::q3_k_s: return GgmlType::q3_k;
    case GgufFileType::q2_k: return GgmlType::q2_k;
    case GgufFileType::iq4_xs: return GgmlType::iq4_xs;
  }
  return GgmlType::f16;
}

bool divides(GgmlType type, double ncols) { return std::int64_t(ncols) % std::int64_t(info(type).block) == 0; }

// tensor_type_fallback: a row that is not whole blocks of the chosen type takes a 32-value type
// of about the same bits, else F16.
GgmlType fallback(GgmlType type, double ncols) {
  if (divides(type, ncols)) return type;
  GgmlType other = GgmlType::f16;
  switch (type) {
    case GgmlType::iq4_xs: other = GgmlType::iq4_nl; break;
    case GgmlType::q2_k:
    case GgmlType::q3_k: other = GgmlType::q4_0; break;
    case GgmlType::q4_k: other = GgmlType::q5_0; break;
    case GgmlType::q5_k: other = GgmlType::q5_1; break;
    case GgmlType::q6_k: other = GgmlType::q8_0; break;
    default: break;
  }
  return divides(other, ncols) ? other : GgmlType::f16;
}

enum class Category { token_embd, output, attn_q, attn_k, attn_v, attn_qkv, attn_output, ffn_up, ffn_gate, ffn_down, other };

// llama_tensor_get_type_impl for the K-quant and IQ4_XS mixes, with an importance matrix (IQ
// types are made with one; it changes only IQ4_XS's first ffn_down layers here).
class Mix {
 public:
  Mix(const ModelSpec& m, const ParameterCounts& c, GgufFileType f)
      : f_(f), base_(default_type(f)), n_wv_(c.attention_layers), n_layer_(m.num_layers),
        tied_(c.lm_head == 0),  // no output.weight: the embedding serves as the output head
        gqa_(m.attention.num_kv_heads > 0 ? m.attention.num_heads / m.attention.num_kv_heads : 1),
        eight_experts_(m.moe.num_experts == 8), falcon_(m.model_type == "falcon"),
        // llama-model.cpp's LLM_TYPE_70B: 80 layers of Llama with GQA, or of Qwen2.
        is_70b_(m.num_layers == 80 && (((m.model_type == "llama" || m.model_type == "mistral") &&
                                        m.attention.num_heads != m.attention.num_kv_heads) ||
                                       m.model_type == "qwen2")) {}

  GgmlType type(Category c, double ncols, std::int64_t layer) { return fallback(pick(c, ncols, layer), ncols); }
  bool tied() const { return tied_; }

 private:
  bool more_bits(std::int64_t i, std::int64_t n) const { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }
  bool is(GgufFileType f) const { return f_ == f; }

  GgmlType pick(Category c, double ncols, std::int64_t i) {
    using F = GgufFileType;
    using T = GgmlType;
    if (c == Category::output || (tied_ && c == Category::token_embd)) {
      // The output head (or the embedding it shares) keeps more bits.
      if (falcon_ || !divides(base_, ncols)) return T::q8_0;
      return base_ == T::q8_0 ? T::q8_0 : T::q6_k;
    }
    if (c == Category::attn_qkv) {
      // A fused attn_qkv (Phi-3, Falcon) by its own rule, as every published file we checked
      // was made (Phi-3/3.5-mini, phi-4: their type counts and sizes). llama.cpp's 2025
      // rewrite into tensor categories sends it through attn_v's rules instead, which leaves
      // this branch unreachable there; files made since differ by up to 6.5% (Q2_K).
      if (is(F::q3_k_m) || is(F::q3_k_l)) return T::q4_k;
      if (is(F::q4_k_m)) return T::q5_k;
      if (is(F::q5_k_m)) return T::q6_k;
      return base_;
    }
    if (c == Category::attn_v) {
      T t = base_;
      if (is(F::q2_k)) t = gqa_ >= 4 ? T::q4_k : T::q3_k;
      else if (is(F::q3_k_m)) t = i_wv_ < 2 ? T::q5_k : T::q4_k;
      else if (is(F::q3_k_l)) t = T::q5_k;
      else if (is(F::iq4_xs) && gqa_ >= 4) t = T::q5_k;
      else if ((is(F::q4_k_m) || is(F::q5_k_m)) && more_bits(i_wv_, n_wv_)) t = T::q6_k;
      else if (is(F::q4_k_s) && i_wv_ < 4) t = T::q5_k;
      if (is_70b_ && (t == T::q3_k || t == T::q4_k)) t = T::q5_k;
      if (eight_experts_) t = T::q8_0;
      ++i_wv_;
      return t;
    }
    if (c == Category::attn_k) return eight_experts_ ? T::q8_0 : base_;
    if (c == Category::ffn_down) {
      const std::int64_t n = n_layer_;
      if (is(F::q2_k)) return T::q3_k;
      if (is(F::q3_k_m)) return i < n / 16 ? T::q5_k : !falcon_ || more_bits(i, n) ? T::q4_k : T::q3_k;
      if (is(F::q3_k_l)) return falcon_ ? T::q4_k : T::q5_k;
      if (is(F::q4_k_m)) {
        if (falcon_) return i < n / 16 ? T::q6_k : more_bits(i, n) ? T::q5_k : T::q4_k;
        return more_bits(i, n) ? T::q6_k : base_;
      }
      if (is(F::q5_k_m) && more_bits(i, n)) return T::q6_k;
      if (is(F::q4_k_s) && !falcon_ && i < n / 8) return T::q5_k;
      return base_;
    }
    if (c == Category::attn_output) {
      if (falcon_) return is(F::q3_k_l) ? T::q4_k : base_;
      if (eight_experts_) {
        const bool bump = is(F::q2_k) || is(F::q3_k_s) || is(F::q3_k_m) || is(F::q4_k_s) || is(F::q4_k_m) || is(F::iq4_xs);
        return bump ? T::q5_k : base_;
      }
      if (is(F::q2_k)) return T::q3_k;
      if (is(F::q3_k_m)) return T::q4_k;
      if (is(F::q3_k_l)) return T::q5_k;
    }
    return base_;
  }

  GgufFileType f_;
  GgmlType base_;
  std::int64_t n_wv_, n_layer_, gqa_;
  bool tied_, eight_experts_, falcon_, is_70b_;
  std::int64_t i_wv_ = 0;
};

// Architectures whose converter writes q, k and v as one attn_qkv tensor.
bool fused_qkv(const ModelSpec& m) {
  for (std::string_view type : {"phi3", "falcon", "gpt2", "bloom", "gpt_neox", "gpt_bigcode", "mpt", "chatglm", "dbrx"}) {
    if (m.model_type == type) return true;
  }
  return false;
}

// Phi-3's converter keeps gate_up_proj as one ffn_up tensor of twice the rows.
bool fused_gate_up(const ModelSpec& m) { return m.model_type == "phi3"; }

char block_kind(const ModelSpec& m, std::int64_t i) {
  if (m.blocks.hybrid()) return m.blocks.kinds[std::size_t(i)];
  return 'L';  // attention and an MLP
}

}  // namespace

std::optional<GgufFileType> gguf_file_type(std::string_view name) {
  for (std::size_t i = 0; i < kFileTypeNames.size(); ++i) {
    if (kFileTypeNames[i] == name) return GgufFileType(i);
  }
  return std::nullopt;
}

const char* ggml_type_name(GgmlType type) { return info(type).name; }

double ggml_tensor_bytes(GgmlType type, double ncols, double rows) {
  return rows * std::ceil(ncols / info(type).block) * info(type).bytes;
}

namespace {

std::vector<GgufTensor> plan_of(const ModelSpec& m, const ParameterCounts& counts, GgufFileType file_type) {
  Mix mix(m, counts, file_type);
  const double h = double(m.hidden_size);
  std::vector<GgufTensor> plan;
  auto add = [&](std::string name, Category c, double ncols, double rows, GgufPart part, std::int64_t layer) {
    plan.push_back({std::move(name), mix.type(c, ncols, layer), ncols, rows, part});
  };
  add("token_embd.weight", Category::token_embd, h, double(m.vocab_size), GgufPart::embedding, 0);

  const AttentionShape& a = m.attention;
  for (std::int64_t i = 0; i < m.num_layers; ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    const char kind = block_kind(m, i);
    if (kind == 'L' || kind == '*') {
      const auto matrices = attention_matrices(m);
      if (a.is_mla()) {
        // convert_hf_to_gguf.py splits kv_b into per-head k_b (rows of qk_nope values) and v_b.
        const MlaShape& l = a.mla;
        const double heads = double(a.num_heads);
        add(blk + "attn_kv_a_mqa.weight", Category::other, matrices[0].first, matrices[0].second, GgufPart::attention, i);
        add(blk + "attn_k_b.weight", Category::other, double(l.qk_nope_head_dim), heads * double(l.kv_lora_rank), GgufPart::attention, i);
        add(blk + "attn_v_b.weight", Category::other, double(l.kv_lora_rank), heads * double(l.v_head_dim), GgufPart::attention, i);
        add(blk + "attn_output.weight", Category::attn_output, matrices[2].first, matrices[2].second, GgufPart::attention, i);
        if (matrices.size() == 5) {
          add(blk + "attn_q_a.weight", Category::other, matrices[3].first, matrices[3].second, GgufPart::attention, i);
          add(blk + "attn_q_b.weight", Category::other, matrices[4].first, matrices[4].second, GgufPart::attention, i);
        } else {
          add(blk + "attn_q.weight", Category::attn_q, matrices[3].first, matrices[3].second, GgufPart::attention, i);
        }
      } else if (fused_qkv(m)) {
        add(blk + "attn_qkv.weight", Category::attn_qkv, h, matrices[0].second + 2 * matrices[1].second, GgufPart::attention, i);
        add(blk + "attn_output.weight", Category::attn_output, matrices[3].first, matrices[3].second, GgufPart::attention, i);
      } else {
        add(blk + "attn_q.weight", Category::attn_q, matrices[0].first, matrices[0].second, GgufPart::attention, i);
        add(blk + "attn_k.weight", Category::attn_k, matrices[1].first, matrices[1].second, GgufPart::attention, i);
        add(blk + "attn_v.weight", Category::attn_v, matrices[2].first, matrices[2].second, GgufPart::attention, i);
        add(blk + "attn_output.weight", Category::attn_output, matrices[3].first, matrices[3].second, GgufPart::attention, i);
      }
    }
    if (kind == 'M') {
      const MambaShape& s = m.mamba;
      const double in_proj = double(2 * s.inner() + 2 * s.groups * s.state_size + s.num_heads);
      add(blk + "ssm_in.weight", Category::other, h, in_proj, GgufPart::mamba, i);
      add(blk + "ssm_out.weight", Category::other, double(s.inner()), h, GgufPart::mamba, i);
    }
    auto mlp = [&](std::int64_t width, std::string_view suffix, double copies, GgufPart part) {
      const double i_width = double(width);
      const bool fused = m.mlp.gated && fused_gate_up(m);
      if (m.mlp.gated && !fused) add(blk + "ffn_gate" + std::string(suffix) + ".weight", Category::ffn_gate, h, i_width * copies, part, i);
      add(blk + "ffn_up" + std::string(suffix) + ".weight", Category::ffn_up, h, i_width * copies * (fused ? 2 : 1), part, i);
      add(blk + "ffn_down" + std::string(suffix) + ".weight", Category::ffn_down, i_width, h * copies, part, i);
    };
    const bool dense = m.blocks.hybrid() ? kind == '-' : kind == 'L' && (!m.is_moe() || i < m.moe.dense_layers);
    const bool moe = m.blocks.hybrid() ? kind == 'E' : kind == 'L' && m.is_moe() && i >= m.moe.dense_layers;
    if (dense) mlp(m.mlp.intermediate_size, "", 1, GgufPart::dense_mlp);
    if (moe) {
      mlp(m.moe.expert_intermediate_size, "_exps", double(m.moe.num_experts), GgufPart::expert);
      if (m.moe.shared_intermediate_size > 0) mlp(m.moe.shared_intermediate_size, "_shexp", 1, GgufPart::shared_expert);
    }
  }
  if (!mix.tied()) add("output.weight", Category::output, h, double(m.vocab_size), GgufPart::lm_head, 0);
  return plan;
}

}  // namespace

std::vector<GgufTensor> gguf_plan(const ModelSpec& m, GgufFileType file_type) {
  return plan_of(m, m.parameter_counts(), file_type);
}

int gguf_bits(GgufFileType file_type) {
  // The base type's whole bits: Q4_K's 4.5 are 4, Q2_K's 2.625 are 2.
  return int(ggml_tensor_bytes(default_type(file_type), 256, 1) * 8 / 256);
}

GgufRates gguf_rates(const ModelSpec& m, const ParameterCounts& c, GgufFileType file_type) {
  std::array<double, 7> bytes{};
  double mamba_projections = 0;  // parameters of the Mamba tensors listed (in_proj, out_proj)
  for (const GgufTensor& t : plan_of(m, c, file_type)) {
    bytes[std::size_t(t.part)] += ggml_tensor_bytes(t.type, t.ncols, t.rows);
    if (t.part == GgufPart::mamba) mamba_projections += t.ncols * t.rows;
  }
  auto per = [](double b, double params) { return params > 0 ? b / params : 0.0; };
  const double moe_layers = double(c.moe_layers());
  GgufRates r;
  r.attention = per(bytes[0], double(c.attention_matrices_per_layer) * double(c.attention_layers));
  r.dense_mlp = per(bytes[1], double(c.dense_mlp_matrices) * double(c.dense_layers));
  r.expert = per(bytes[2], double(c.expert_matrices) * double(m.moe.num_experts) * moe_layers);
  r.shared_expert = per(bytes[3], double(c.shared_expert_matrices) * moe_layers);
  // A Mamba mixer: its two projections at their types, the rest (conv1d, A, D, dt bias, norm) F32.
  const double mamba_params = double(c.mamba_per_layer) * double(c.mamba_layers);
  r.mamba = per(bytes[4] + (mamba_params - mamba_projections) * 4, mamba_params);
  r.embedding = per(bytes[5], double(c.token_embedding));
  r.lm_head = c.lm_head == 0 ? r.embedding : per(bytes[6], double(c.lm_head));
  return r;
}

}  // namespace llmmem::detail
