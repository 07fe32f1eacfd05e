// Activations: one layer's forward peak (inference), and what training keeps for backward.
#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/quantization.hpp"
#include "accounting/units.hpp"

namespace llmmem {
namespace {

// LoRA targets by their Llama names; "all-linear" means all of them (PEFT excludes lm_head).
constexpr std::string_view kProjections[] = {"q_proj", "k_proj", "v_proj", "o_proj",
                                             "gate_proj", "up_proj", "down_proj"};

}  // namespace

double MemoryEstimator::layer_forward_bytes(double tokens, double batch, double seq_len, const Parallelism& p,
                                            bool eager_scores) const {
  const double a = compute_dtype_bytes();
  const double tp = double(p.tensor_parallel_size);
  const AttentionShape& at = model_.attention;
  const double h = double(model_.hidden_size);

  const double residual = 2.0 * tokens * h * a;  // layer input and its normed copy
  double attention = tokens * double(at.num_heads + 2 * at.num_kv_heads) * double(at.head_dim) * a / tp +
                     tokens * double(at.num_heads * at.head_dim) * a / tp;  // q, k, v and output
  if (eager_scores) {
    // transformers' eager_attention_forward: scores, then softmax in fp32 cast back.
    attention += batch * double(at.num_heads) / tp * seq_len * seq_len * (a + 4.0);
  }
  // Gated MLP: act(gate) and up live together with their product; plain MLP: fc1 and act(fc1).
  const double live_intermediates = model_.mlp.gated ? 3.0 : 2.0;
  double mlp = 0;
  if (model_.is_moe()) {
    const double routed_tokens = tokens * double(model_.moe.experts_per_token);
    mlp = routed_tokens * double(model_.moe.expert_intermediate_size) * live_intermediates * a / tp +
          tokens * double(model_.moe.num_experts) * 4.0;  // router logits, fp32
  } else {
    mlp = tokens * double(model_.mlp.intermediate_size) * live_intermediates * a / tp;
  }
  return residual + std::max(attention, mlp);
}

double MemoryEstimator::residual_stream_bytes(const Scenario& s) const {
  // PEFT's prepare_model_for_kbit_training casts every parameter bitsandbytes left in 16 bits
  // (embeddings, norms, lm_head) to fp32, and bitsandbytes' Linear4bit returns its input's
  // dtype, so under AMP QLoRA's residual stream, norm outputs and MLP intermediates stay fp32;
  // autocast still runs attention and lm_head in 16 bits (peft/utils/other.py;
  // bitsandbytes/nn/modules.py, Linear4bit.forward).
  const FrameworkConfig& f = s.framework_config;
  if (f.fine_tuning == FineTuning::qlora && f.training_precision == TrainingPrecision::mixed) return 4;
  return compute_dtype_bytes();
}

double MemoryEstimator::layer_training_bytes(double batch, double seq_len, const Scenario& s,
                                             bool with_scores) const {
  // What backward needs from one layer, after Korthikanti et al. 2022 ("Reducing Activation
  // Recomputation in Large Transformer Models", Table 2: sbh(34 + 5as/h) for GPT), generalised
  // to GQA, gated MLPs, MoE and frozen weights. A frozen projection needs no copy of its input
  // (autograd saves a matmul's input only for its weight's gradient); attention kernels keep
  // q, k, v and their output; activation functions keep their inputs.
  const FrameworkConfig& f = s.framework_config;
  const double a = compute_dtype_bytes();
  const double r = residual_stream_bytes(s);
  const double tp = double(s.parallelism.tensor_parallel_size);
  const double sp = s.parallelism.sequence_parallel ? tp : 1.0;  // SP splits what TP keeps whole
  const AttentionShape& at = model_.attention;
  const double tokens = batch * seq_len;
  const double h = double(model_.hidden_size);
  const bool full = f.fine_tuning == FineTuning::full;

  // Per token, kept whole on every TP rank: each norm's input (transformers' RMSNorm upcasts
  // to fp32 and saves that copy), the inputs of trained projections, 1-byte dropout masks.
  const double norm_input = model_.norm == NormKind::rms_norm ? std::max(4.0, r) : r;
  double whole = 2.0 * norm_input * h;
  if (trains(f, "q_proj") || trains(f, "k_proj") || trains(f, "v_proj")) whole += r * h;
  const bool mlp_input_saved = trains(f, "gate_proj") || trains(f, "up_proj") || (full && model_.is_moe());
  if (mlp_input_saved) whole += r * h;
  if (model_.hidden_dropout) whole += 2.0 * h;  // after attention and after the MLP

  // Split over TP ranks: q, k, v and the attention output; the MLP's intermediates (gated:
  // gate, up and act(gate) always, their product when down_proj trains; plain: fc1's output,
  // and its activation when fc2 trains).
  double split = a * double(at.num_heads + 2 * at.num_kv_heads + at.num_heads) * double(at.head_dim);
  const double down_input = trains(f, "down_proj") ? 1.0 : 0.0;
  const double per_intermediate = (model_.mlp.gated ? 3.0 : 1.0) + down_input;
  if (model_.is_moe()) {
    // Each token's hidden state goes to top_k experts; the router's fp32 logits are kept.
    split += r * per_intermediate * double(model_.moe.expert_intermediate_size * model_.moe.experts_per_token);
    whole += 4.0 * double(model_.moe.num_experts);
  } else {
    split += r * per_intermediate * double(model_.mlp.intermediate_size);
  }
  // LoRA keeps each adapter's rank-wide middle (the input of B).
  double adapters = 0;
  if (!full) {
    for (std::string_view projection : kProjections) {
      if (trains(f, projection)) adapters += a * double(f.lora_rank);
    }
  }
  double bytes = tokens * (whole / sp + split / tp + adapters);
  if (with_scores && f.attention_implementation == AttentionImplementation::eager) {
    // The softmax output, and with attention dropout its mask and result.
    const double per_score = a + (model_.attention_dropout ? 1.0 + a : 0.0);
    bytes += batch * double(at.num_heads) / tp * seq_len * seq_len * per_score;
  }
  return bytes;
}

double MemoryEstimator::training_activation_bytes(const Scenario& s) const {
  const FrameworkConfig& f = s.framework_config;
  const double batch = double(s.workload.batch_size);
  const double seq_len = double(s.workload.sequence_length);
  const double tokens = batch * seq_len;
  const double a = compute_dtype_bytes();
  const double r = residual_stream_bytes(s);
  const double tp = double(s.parallelism.tensor_parallel_size);
  const double sp = s.parallelism.sequence_parallel ? tp : 1.0;
  const double h = double(model_.hidden_size);
  // Megatron's 1F1B schedule: the first pipeline stage holds its layers' activations for as
  // many micro-batches as there are stages, the whole model's worth of one micro-batch.
  const double layers = double(layers_per_stage(s.parallelism) * s.parallelism.pipeline_parallel_size);
  // With offloading (torchtune), stored tensors wait in CPU memory; the GPU holds the layer in
  // use and the one being copied.
  const double resident_layers = f.offload_activations ? std::min(2.0, layers) : layers;
  double stored = 0;
  switch (f.gradient_checkpointing) {
    case GradientCheckpointing::none:
      stored = resident_layers * layer_training_bytes(batch, seq_len, s, true);
      break;
    case GradientCheckpointing::selective:  // attention's s^2 part is recomputed
      stored = resident_layers * layer_training_bytes(batch, seq_len, s, false);
      break;
    case GradientCheckpointing::full:  // each layer's input, plus one layer rebuilt in backward
      stored = resident_layers * tokens * h * r / sp + layer_training_bytes(batch, seq_len, s, true);
      break;
  }
  // The spec's factor scales the layers computed above only when a request sets it, as an
  // override (its 0.3 default would otherwise cut real activations to a third).
  if (s.gave("params.activation_recomputation_factor")) stored *= params_.activation_recomputation_factor;
  if (model_.hidden_dropout) stored += tokens * h / sp;  // the embedding dropout's mask

  // The head. A language model's logits in the compute dtype, their fp32 copy and the fp32
  // log-softmax the loss keeps (transformers' ForCausalLMLoss upcasts): b x s x vocab, the
  // largest single tensor for 128k-256k vocabularies. torchtune's chunked loss upcasts one of
  // 8 chunks at a time. A classifier scores one pooled token per sequence.
  const double rows = model_.num_labels > 0 ? batch : tokens;
  const double width = double(model_.num_labels > 0 ? model_.num_labels : model_.vocab_size) / tp;
  const double fp32_copies = f.loss_implementation == LossImplementation::chunked ? 8.0 / 8.0 : 8.0;
  return stored + rows * width * (a + fp32_copies);
}

double MemoryEstimator::estimate_activations(const Scenario& s) const {
  const double batch = double(s.workload.batch_size);
  const double seq_len = double(s.workload.sequence_length);
  if (s.mode == Mode::training) return training_activation_bytes(s) / kBytesPerGiB;
  // Inference frees each layer's activations before the next layer runs. generate() computes
  // logits for the last position only (transformers >= 4.45, logits_to_keep), upcast to fp32.
  const double logits = batch * double(model_.vocab_size) * 4.0;
  const bool eager = s.framework_config.attention_implementation == AttentionImplementation::eager;
  return (layer_forward_bytes(batch * seq_len, batch, seq_len, s.parallelism, eager) + logits) / kBytesPerGiB;
}

bool MemoryEstimator::trains(const FrameworkConfig& f, std::string_view projection) const {
  if (f.fine_tuning == FineTuning::full) return true;
  if (projection == "gate_proj" && !model_.mlp.gated) return false;
  const auto& targets = f.lora_target_modules;
  return std::any_of(targets.begin(), targets.end(),
                     [&](const std::string& t) { return t == projection || t == "all-linear"; });
}

}  // namespace llmmem
