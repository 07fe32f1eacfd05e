#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>

#include "units.hpp"

namespace llmmem {

MemoryEstimator::MemoryEstimator(ModelSpec model, MemoryEstimationParameters params)
    : model_(std::move(model)), params_(std::move(params)), counts_(model_.parameter_counts()) {}

double MemoryEstimator::bytes_per_parameter() const {
  if (model_.is_quantized()) {
    // The spec's _get_precision_bytes: bits/8, times the packing overhead below 8 bits.
    const double bytes = model_.quantization_bits / 8.0;
    return model_.quantization_bits < 8 ? bytes * params_.quantization_overhead_multiplier : bytes;
  }
  return dtype_bytes(model_.storage_dtype.empty() ? params_.default_storage_dtype
                                                  : model_.storage_dtype);
}

double MemoryEstimator::compute_dtype_bytes() const {
  // Float checkpoints compute in their own dtype; quantized ones dequantize to the compute dtype.
  const double storage = model_.is_quantized() ? 0 : bytes_per_parameter();
  return storage >= 2 ? storage : dtype_bytes(params_.default_compute_dtype);
}

std::int64_t MemoryEstimator::layers_per_stage(const Parallelism& parallelism) const {
  return ceil_div(model_.num_layers, parallelism.pipeline_parallel_size);
}

double MemoryEstimator::parameters_per_gpu(const Parallelism& p) const {
  const ParameterCounts& c = counts_;
  const double tp = double(p.tensor_parallel_size);
  // Megatron-style TP (also vLLM's and transformers' tp_plan): linear layers and the
  // vocabulary are split across ranks, norms and the router are replicated.
  const double experts = model_.is_moe() ? expert_shares_per_gpu(p) * double(c.one_expert) : 0.0;
  const double layer = double(c.attention_per_layer + c.dense_mlp_per_layer) / tp + experts +
                       double(c.norms_per_layer + c.router_per_layer);
  const double input_side = double(c.token_embedding) / tp + double(c.position_embedding);
  // With pipeline stages, the last stage needs its own lm_head even when tied to the embedding.
  const bool head_shares_embedding = c.lm_head == 0 && p.pipeline_parallel_size == 1;
  const double output_side =
      double(c.final_norm) +
      (head_shares_embedding ? 0.0 : double(model_.vocab_size * model_.hidden_size) / tp);
  const double layers = double(layers_per_stage(p)) * layer;
  if (p.pipeline_parallel_size == 1) return input_side + layers + output_side;
  return layers + std::max(input_side, output_side);  // the most loaded stage: first or last
}

double MemoryEstimator::expert_shares_per_gpu(const Parallelism& p) const {
  // Megatron-LM: expert parallelism places whole experts (the busiest rank takes the
  // remainder), and each expert is further split by tensor parallelism.
  return double(ceil_div(model_.moe.num_experts, p.expert_parallel_size)) /
         double(p.tensor_parallel_size);
}

double MemoryEstimator::estimate_model_weights(const Parallelism& parallelism) const {
  return parameters_per_gpu(parallelism) * bytes_per_parameter() / kBytesPerGiB;
}

double MemoryEstimator::kv_cache_bytes_per_token(const Scenario& s) const {
  const std::string& dtype = s.workload.kv_cache_dtype;
  double element_bytes = 2;
  if (dtype == "auto") {
    element_bytes = compute_dtype_bytes();  // vLLM: "auto" uses the model's dtype
  } else if (dtype.rfind("fp8", 0) == 0) {
    element_bytes = 1;
  } else {
    element_bytes = dtype_bytes(dtype);
  }
  // KV heads are split across TP ranks; with more ranks than KV heads each rank keeps one
  // replica (vLLM: max(1, num_kv_heads // tp_size)).
  const std::int64_t kv_heads =
      std::max<std::int64_t>(1, ceil_div(model_.attention.num_kv_heads, s.parallelism.tensor_parallel_size));
  return element_bytes * 2.0 * double(kv_heads) * double(model_.attention.head_dim) *
         double(layers_per_stage(s.parallelism));
}

double MemoryEstimator::kv_cache_for_tokens(double tokens, const Scenario& s) const {
  return tokens * kv_cache_bytes_per_token(s) / kBytesPerGiB;
}

double MemoryEstimator::layer_forward_bytes(double tokens, double batch, double seq_len,
                                            const Scenario& s) const {
  const double a = compute_dtype_bytes();
  const double tp = double(s.parallelism.tensor_parallel_size);
  const AttentionShape& at = model_.attention;
  const double h = double(model_.hidden_size);

  const double residual = 2.0 * tokens * h * a;  // layer input and its normed copy
  double attention = tokens * double(at.num_heads + 2 * at.num_kv_heads) * double(at.head_dim) * a / tp +
                     tokens * double(at.num_heads * at.head_dim) * a / tp;  // q, k, v and output
  if (s.framework_config.attention_implementation == AttentionImplementation::eager) {
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

double MemoryEstimator::layer_training_bytes(double batch, double seq_len, const Scenario& s,
                                             bool with_scores) const {
  // What backward needs from one layer, after Korthikanti et al. 2022 ("Reducing Activation
  // Recomputation in Large Transformer Models", Table 2: sbh(34 + 5as/h) for GPT), generalised
  // to GQA, gated MLPs and MoE, for models trained without dropout (so without its masks).
  // Per token: the inputs of both norms, of the QKV and of the MLP projections stay whole on
  // every TP rank (4h); q, k, v, the output projection's input and the MLP intermediates
  // (gated: gate, up, act(gate), their product; plain: fc1 output and its activation) split.
  const double a = compute_dtype_bytes();
  const double tp = double(s.parallelism.tensor_parallel_size);
  const AttentionShape& at = model_.attention;
  const double tokens = batch * seq_len;
  const double h = double(model_.hidden_size);
  const double attention = double(at.num_heads + 2 * at.num_kv_heads + at.num_heads) * double(at.head_dim);
  const double per_intermediate = model_.mlp.gated ? 4.0 : 2.0;
  double mlp = per_intermediate * double(model_.mlp.intermediate_size);
  if (model_.is_moe()) {
    // Each token's hidden state goes to top_k experts; the router's fp32 logits are kept.
    mlp = per_intermediate * double(model_.moe.expert_intermediate_size * model_.moe.experts_per_token) +
          double(model_.moe.num_experts) * 4.0 / a;
  }
  double bytes = tokens * a * (4.0 * h + (attention + mlp) / tp);
  if (with_scores && s.framework_config.attention_implementation == AttentionImplementation::eager) {
    bytes += batch * double(at.num_heads) / tp * seq_len * seq_len * a;  // the softmax output
  }
  return bytes;
}

double MemoryEstimator::training_activation_bytes(const Scenario& s) const {
  const double batch = double(s.workload.batch_size);
  const double seq_len = double(s.workload.sequence_length);
  const double a = compute_dtype_bytes();
  // Megatron's 1F1B schedule: the first pipeline stage holds its layers' activations for as
  // many micro-batches as there are stages, the whole model's worth of one micro-batch.
  const double layers = double(layers_per_stage(s.parallelism) * s.parallelism.pipeline_parallel_size);
  double stored = 0;
  switch (s.framework_config.gradient_checkpointing) {
    case GradientCheckpointing::none:
      stored = layers * layer_training_bytes(batch, seq_len, s, true);
      break;
    case GradientCheckpointing::selective:  // attention's s^2 part is recomputed
      stored = layers * layer_training_bytes(batch, seq_len, s, false);
      break;
    case GradientCheckpointing::full:  // each layer's input, plus one layer rebuilt in backward
      stored = layers * batch * seq_len * double(model_.hidden_size) * a +
               layer_training_bytes(batch, seq_len, s, true);
      break;
  }
  if (params_.activation_recomputation_factor_given) stored *= params_.activation_recomputation_factor;
  // The head: logits in the compute dtype, their fp32 copy and the fp32 log-softmax the loss
  // keeps (transformers' ForCausalLMLoss upcasts) -- b x s x vocab, the largest single tensor
  // for 128k-256k vocabularies.
  const double logits = batch * seq_len * double(model_.vocab_size) / double(s.parallelism.tensor_parallel_size) * (a + 8.0);
  return stored + logits;
}

double MemoryEstimator::estimate_activations(const Scenario& s) const {
  const double batch = double(s.workload.batch_size);
  const double seq_len = double(s.workload.sequence_length);
  if (s.mode == Mode::training) return training_activation_bytes(s) / kBytesPerGiB;
  // Inference frees each layer's activations before the next layer runs. generate() computes
  // logits for the last position only (transformers >= 4.45, logits_to_keep), upcast to fp32.
  const double logits = batch * double(model_.vocab_size) * 4.0;
  return (layer_forward_bytes(batch * seq_len, batch, seq_len, s) + logits) / kBytesPerGiB;
}

ModelStates MemoryEstimator::model_states(const Scenario& s) const {
  return pytorch_model_states(parameters_per_gpu(s.parallelism), s.framework_config.training_precision,
                              s.framework_config.optimizer_type);
}

double MemoryEstimator::largest_module_parameters(const Parallelism& p) const {
  // One module's own parameters (DeepSpeed: sum(p.numel() for p in m.parameters(recurse=False))):
  // the embedding or lm_head, one projection, or one expert's projection; TP splits each.
  const double tp = double(p.tensor_parallel_size);
  const double h = double(model_.hidden_size);
  const AttentionShape& a = model_.attention;
  const double widest = double(std::max({model_.vocab_size, a.num_heads * a.head_dim, model_.mlp.intermediate_size,
                                         model_.moe.expert_intermediate_size}));
  return std::max(widest * h / tp, double(model_.learned_positions) * h);
}

double MemoryEstimator::estimate_gradients(const Scenario& s) const {
  if (s.mode == Mode::inference) return 0;
  return model_states(s).gradients * params_.gradient_memory_multiplier / kBytesPerGiB;
}

double MemoryEstimator::estimate_optimizer_states(const Scenario& s) const {
  if (s.mode == Mode::inference) return 0;
  return model_states(s).optimizer / kBytesPerGiB;
}

double MemoryEstimator::estimate_kv_cache(const Scenario& s) const {
  if (s.mode == Mode::training) return 0;  // training runs with use_cache=False
  // generate() keeps K and V of every position of every sequence (DynamicCache).
  return kv_cache_for_tokens(double(s.workload.batch_size) * double(s.workload.sequence_length), s);
}

double MemoryEstimator::estimate_cuda_graphs(const Scenario&) const { return 0; }
double MemoryEstimator::estimate_compilation_overhead(const Scenario&) const { return 0; }

MemoryBreakdown MemoryEstimator::estimate_total_memory(const Scenario& s) const {
  MemoryBreakdown b;
  // Training keeps the weights in the precision its loop needs (fp32 under PyTorch AMP).
  b.model_weights_gb = s.mode == Mode::training ? model_states(s).weights / kBytesPerGiB
                                                : estimate_model_weights(s.parallelism);
  b.activations_gb = estimate_activations(s);
  b.gradients_gb = estimate_gradients(s);
  b.optimizer_states_gb = estimate_optimizer_states(s);
  b.kv_cache_gb = estimate_kv_cache(s);
  b.cuda_graphs_gb = estimate_cuda_graphs(s);
  b.compilation_overhead_gb = estimate_compilation_overhead(s);
  const double base = b.total_gb();
  b.fragmentation_overhead_gb = base * (params_.fragmentation_overhead_factor - 1.0);
  b.safety_margin_gb =
      std::max(params_.min_memory_safety_margin_gb, base * params_.memory_safety_margin_factor);
  return b;
}

// ---- vLLM ----

double vLLMMemoryEstimator::expert_shares_per_gpu(const Parallelism& p) const {
  // vLLM's --enable-expert-parallel spreads whole experts over all TP x DP ranks instead of
  // splitting each expert by TP (vllm/model_executor/layers/fused_moe/layer.py, FusedMoE).
  if (p.expert_parallel_size == 1) return MemoryEstimator::expert_shares_per_gpu(p);
  return double(ceil_div(model_.moe.num_experts, p.expert_parallel_size));
}

double vLLMMemoryEstimator::estimate_activations(const Scenario& s) const {
  // vLLM's profiling run pushes one batch of max_num_batched_tokens through the model
  // (its attention kernels never hold s^2 scores) and samples max_num_seqs rows of fp32 logits.
  const Workload& w = s.workload;
  const double tokens = std::min(double(w.max_num_batched_tokens),
                                 double(w.max_num_seqs) * double(w.max_model_len));
  Scenario flash = s;
  flash.framework_config.attention_implementation = AttentionImplementation::flash_attention_2;
  const double logits = double(w.max_num_seqs) * double(model_.vocab_size) * 4.0;
  return (layer_forward_bytes(tokens, 1, tokens, flash) + logits) / kBytesPerGiB;
}

double vLLMMemoryEstimator::estimate_kv_cache(const Scenario& s) const {
  // Demand: max_num_seqs sequences of max_model_len tokens, each in whole paged blocks.
  const Workload& w = s.workload;
  const double tokens_per_sequence = double(ceil_div(w.max_model_len, w.block_size) * w.block_size);
  return kv_cache_for_tokens(double(w.max_num_seqs) * tokens_per_sequence, s);
}

double vLLMMemoryEstimator::estimate_cuda_graphs(const Scenario& s) const {
  // The spec's empirical formula, per capture size: weights x ratio x (1 + size x scaling).
  // We take this GPU's (sharded) weights; the spec takes the unsharded model's.
  const FrameworkConfig& f = s.framework_config;
  const double ratio = f.graph_memory_overhead_ratio.value_or(params_.graph_memory_overhead_ratio);
  const double scaling = f.graph_batch_scaling_factor.value_or(params_.graph_batch_scaling_factor);
  const double weights = estimate_model_weights(s.parallelism);
  double total = 0;
  for (std::int64_t size : f.cudagraph_capture_sizes) {
    total += weights * ratio * (1.0 + double(size) * scaling);
  }
  return total;
}

// ---- DeepSpeed ----

ModelStates DeepSpeedMemoryEstimator::model_states(const Scenario& s) const {
  const Parallelism& p = s.parallelism;
  const FrameworkConfig& f = s.framework_config;
  const std::int64_t world = p.tensor_parallel_size * p.pipeline_parallel_size * p.data_parallel_size;
  ZeroSetup z;
  z.params = parameters_per_gpu(p);
  z.largest_layer = largest_module_parameters(p);
  z.data_parallel = p.data_parallel_size;
  z.gpus_per_node = f.gpus_per_node.value_or(std::min<std::int64_t>(8, world));
  z.nodes = ceil_div(world, z.gpus_per_node);
  z.stage = int(p.zero_stage);
  z.offload_optimizer = f.offload_optimizer;
  z.offload_param = f.offload_param;
  z.zero_init = f.zero_init;
  z.precision = f.training_precision;
  // DeepSpeed's optimizers keep their states in fp32 next to the fp32 master weights.
  z.optimizer_state_bytes = optimizer_state_bytes(f.optimizer_type, TrainingPrecision::mixed);
  return deepspeed_model_states(z);
}

double DeepSpeedMemoryEstimator::estimate_kv_cache(const Scenario&) const { return 0; }

std::unique_ptr<MemoryEstimator> create_memory_estimator(const ModelSpec& model, Framework framework,
                                                         const MemoryEstimationParameters& params) {
  switch (framework) {
    case Framework::vllm: return std::make_unique<vLLMMemoryEstimator>(model, params);
    case Framework::deepspeed: return std::make_unique<DeepSpeedMemoryEstimator>(model, params);
    default:
      if (model.is_moe()) return std::make_unique<MoEMemoryEstimator>(model, params);
      return std::make_unique<TransformersMemoryEstimator>(model, params);
  }
}

}  // namespace llmmem
