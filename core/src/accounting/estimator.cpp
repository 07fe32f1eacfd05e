#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "accounting/quantization.hpp"
#include "accounting/units.hpp"

namespace llmmem {
namespace {

// LoRA targets by their Llama names; "all-linear" means all of them (PEFT excludes lm_head).
constexpr std::string_view kProjections[] = {"q_proj", "k_proj", "v_proj", "o_proj",
                                             "gate_proj", "up_proj", "down_proj"};

}  // namespace

MemoryEstimator::MemoryEstimator(ModelSpec model, MemoryEstimationParameters params)
    : model_(std::move(model)), params_(std::move(params)), counts_(model_.parameter_counts()) {}

double MemoryEstimator::storage_bytes() const {
  return dtype_bytes(model_.storage_dtype.empty() ? params_.default_storage_dtype : model_.storage_dtype);
}

double MemoryEstimator::bytes_per_parameter() const {
  // The whole checkpoint's bytes over its parameters: the storage dtype, or for quantized
  // checkpoints packed linear layers and their scales beside 16-bit embeddings and norms.
  const Parallelism whole;
  return weight_bytes_per_gpu(whole) / parameters_per_gpu(whole);
}

double MemoryEstimator::compute_dtype_bytes() const {
  // Float checkpoints compute in their own dtype; quantized ones dequantize to their
  // torch_dtype (GPTQ: float16), else to params.default_compute_dtype.
  const double storage = model_.is_quantized() && model_.storage_dtype.empty() ? 0 : storage_bytes();
  return storage >= 2 ? storage : dtype_bytes(params_.default_compute_dtype);
}

std::int64_t MemoryEstimator::layers_per_stage(const Parallelism& parallelism) const {
  return ceil_div(model_.num_layers, parallelism.pipeline_parallel_size);
}

MemoryEstimator::LayerPrices MemoryEstimator::layer_prices(const Parallelism& p, const PartPrices& price,
                                                           bool with_norms) const {
  const ParameterCounts& c = counts_;
  const double tp = double(p.tensor_parallel_size);
  // A part's weight matrices at their price, its biases (and sinks, q/k norms) at `other`.
  auto part = [&](std::int64_t all, std::int64_t matrices, double matrix_price) {
    return double(matrices) * matrix_price + double(all - matrices) * price.other;
  };
  // Megatron-style TP (also vLLM's and transformers' tp_plan): linear layers are split across
  // ranks, norms and the router are replicated; experts as expert_shares_per_gpu places them.
  LayerPrices layer;
  layer.attention = part(c.attention_per_layer, c.attention_matrices_per_layer, price.attention) / tp +
                    (with_norms ? double(c.norms_per_layer) * price.other : 0.0);
  layer.dense_mlp = part(c.dense_mlp_per_layer, c.dense_mlp_matrices, price.dense_mlp) / tp;
  if (model_.is_moe()) {
    layer.moe_mlp = expert_shares_per_gpu(p) * part(c.one_expert, c.expert_matrices, price.expert) +
                    part(c.shared_experts_per_layer, c.shared_expert_matrices, price.shared_expert) / tp +
                    double(c.router_per_layer) * price.other;
  }
  return layer;
}

double MemoryEstimator::LayerPrices::of(const PipelineStage& stage) const {
  return double(stage.dense_layers) * (attention + dense_mlp) + double(stage.moe_layers) * (attention + moe_mlp);
}

MemoryEstimator::PipelineStage MemoryEstimator::busiest_stage_layers(const Parallelism& p) const {
  // Not knowing how the framework splits: the most layers a stage holds, as many of them MoE as
  // it can hold (DeepSeek's dense layers come first, so a stage is either one or the other).
  const std::int64_t layers = layers_per_stage(p);
  const std::int64_t moe = std::min(layers, counts_.moe_layers());
  return {layers - moe, moe, false, false};
}

double MemoryEstimator::decoder_per_gpu(const Parallelism& p, const PartPrices& price, bool with_norms) const {
  return layer_prices(p, price, with_norms).of(busiest_stage_layers(p));
}

double MemoryEstimator::decoder_parameters_per_gpu(const Parallelism& p, bool with_norms) const {
  return decoder_per_gpu(p, PartPrices{}, with_norms);
}

std::vector<MemoryEstimator::PipelineStage> MemoryEstimator::pipeline_stages(const Parallelism& p) const {
  // The busiest layers, holding the embedding (first) or the lm_head (last), whichever is larger.
  PipelineStage first = busiest_stage_layers(p), last = first;
  first.first = true;
  last.last = true;
  return {first, last};
}

double MemoryEstimator::per_gpu(const Parallelism& p, const PartPrices& price) const {
  const ParameterCounts& c = counts_;
  const double tp = double(p.tensor_parallel_size);
  // The vocabulary is split across TP ranks; a vision tower runs on the first stage.
  const double input_side =
      (double(c.token_embedding) / tp + double(c.position_embedding) + double(c.extras) + double(c.vision) / tp) *
      price.other;
  // With pipeline stages, the last stage needs its own lm_head even when tied to the embedding.
  const double tied_copy = p.pipeline_parallel_size > 1 ? double(c.token_embedding) : 0.0;
  const double output_side =
      (double(c.final_norm) + (c.lm_head > 0 ? double(c.lm_head) : tied_copy) / tp) * price.other;
  if (p.pipeline_parallel_size == 1) return input_side + decoder_per_gpu(p, price, true) + output_side;
  const LayerPrices layer = layer_prices(p, price, true);
  double busiest = 0;  // the most loaded stage
  for (const PipelineStage& stage : pipeline_stages(p)) {
    busiest = std::max(busiest, layer.of(stage) + (stage.first ? input_side : 0.0) + (stage.last ? output_side : 0.0));
  }
  return busiest;
}

double MemoryEstimator::parameters_per_gpu(const Parallelism& p) const { return per_gpu(p, PartPrices{}); }

double MemoryEstimator::weight_bytes_per_gpu(const Parallelism& p) const {
  const double storage = storage_bytes();
  if (!model_.is_quantized()) return parameters_per_gpu(p) * storage;
  // Quantized linear layers at their format's bytes (packed values, scales, zero points);
  // embeddings, lm_head, norms, biases and routers stay in the storage dtype.
  const detail::LinearByteRates rates =
      detail::linear_byte_rates(model_, storage, params_.quantization_overhead_multiplier);
  return per_gpu(p, PartPrices{rates.attention, rates.dense_mlp, rates.expert, rates.shared_expert, storage});
}

double MemoryEstimator::expert_shares_per_gpu(const Parallelism& p) const {
  // Megatron-LM: expert parallelism places whole experts (the busiest rank takes the
  // remainder), and each expert is further split by tensor parallelism.
  return double(ceil_div(model_.moe.num_experts, p.expert_parallel_size)) /
         double(p.tensor_parallel_size);
}

double MemoryEstimator::estimate_model_weights(const Parallelism& parallelism) const {
  return weight_bytes_per_gpu(parallelism) / kBytesPerGiB;
}

double MemoryEstimator::estimate_loaded_weights(const Scenario& s) const {
  return estimate_model_weights(s.parallelism);
}

double MemoryEstimator::kv_cache_bytes_per_token_per_layer(const Scenario& s) const {
  const std::string& dtype = s.workload.kv_cache_dtype;
  double element_bytes = 2;
  if (dtype == "auto") {
    element_bytes = compute_dtype_bytes();  // vLLM: "auto" uses the model's dtype
  } else if (dtype.rfind("fp8", 0) == 0) {
    element_bytes = 1;
  } else {
    element_bytes = dtype_bytes(dtype);
  }
  return element_bytes * kv_elements_per_token_per_layer(s.parallelism);
}

double MemoryEstimator::kv_cache_bytes_per_token(const Scenario& s) const {
  return kv_cache_bytes_per_token_per_layer(s) * double(layers_per_stage(s.parallelism));
}

std::int64_t MemoryEstimator::sliding_layers_per_stage(const Parallelism& p) const {
  return model_.sliding_window.count(0, layers_per_stage(p));
}

double MemoryEstimator::kv_elements_per_token_per_layer(const Parallelism& p) const {
  const AttentionShape& a = model_.attention;
  if (a.is_mla()) {
    // transformers' DeepSeek attention caches each head's decompressed key and value.
    return double(ceil_div(a.num_heads, p.tensor_parallel_size)) * double(a.head_dim + a.mla.v_head_dim);
  }
  // KV heads are split across TP ranks; with more ranks than KV heads each rank keeps one
  // replica (vLLM: max(1, num_kv_heads // tp_size)).
  const std::int64_t kv_heads = std::max<std::int64_t>(1, ceil_div(a.num_kv_heads, p.tensor_parallel_size));
  return 2.0 * double(kv_heads) * double(a.head_dim);
}

double vLLMMemoryEstimator::kv_elements_per_token_per_layer(const Parallelism& p) const {
  const AttentionShape& a = model_.attention;
  // vLLM's MLA backends cache one latent per token, kv_lora_rank + qk_rope_head_dim wide,
  // replicated on every TP rank (vllm/attention/backends/mla, MLACommonBackend.get_kv_cache_shape).
  if (a.is_mla()) return double(a.mla.kv_lora_rank + a.mla.qk_rope_head_dim);
  return MemoryEstimator::kv_elements_per_token_per_layer(p);
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
  if (params_.activation_recomputation_factor_given) stored *= params_.activation_recomputation_factor;
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
  return (layer_forward_bytes(batch * seq_len, batch, seq_len, s) + logits) / kBytesPerGiB;
}

bool MemoryEstimator::trains(const FrameworkConfig& f, std::string_view projection) const {
  if (f.fine_tuning == FineTuning::full) return true;
  if (projection == "gate_proj" && !model_.mlp.gated) return false;
  const auto& targets = f.lora_target_modules;
  return std::any_of(targets.begin(), targets.end(),
                     [&](const std::string& t) { return t == projection || t == "all-linear"; });
}

double MemoryEstimator::linear_parameters_per_gpu(const Parallelism& p) const {
  return decoder_parameters_per_gpu(p, false);
}

double MemoryEstimator::layer_parameters_per_gpu(const Parallelism& p) const {
  const double layers = double(layers_per_stage(p));
  return decoder_parameters_per_gpu(p, true) / layers;
}

double MemoryEstimator::adapter_parameters_per_gpu(const Scenario& s) const {
  const FrameworkConfig& f = s.framework_config;
  if (f.fine_tuning == FineTuning::full) return 0;
  const AttentionShape& at = model_.attention;
  const double h = double(model_.hidden_size);
  const double q = double(at.num_heads * at.head_dim), kv = double(at.num_kv_heads * at.head_dim);
  const double intermediate =
      double(model_.is_moe() ? model_.moe.expert_intermediate_size : model_.mlp.intermediate_size);
  // Each expert of an MoE layer has its own projections, and its own adapters.
  const double mlp_copies =
      model_.is_moe() ? expert_shares_per_gpu(s.parallelism) * double(s.parallelism.tensor_parallel_size) : 1.0;
  const std::pair<std::string_view, double> widths[] = {
      {"q_proj", h + q}, {"k_proj", h + kv}, {"v_proj", h + kv}, {"o_proj", q + h},
      {"gate_proj", mlp_copies * (h + intermediate)}, {"up_proj", mlp_copies * (h + intermediate)},
      {"down_proj", mlp_copies * (intermediate + h)}};
  double per_layer = 0;
  for (const auto& [projection, in_plus_out] : widths) {
    if (trains(f, projection)) per_layer += double(f.lora_rank) * in_plus_out;
  }
  return double(layers_per_stage(s.parallelism)) * per_layer / double(s.parallelism.tensor_parallel_size);
}

PyTorchTraining MemoryEstimator::pytorch_training(const Scenario& s) const {
  const Parallelism& p = s.parallelism;
  const FrameworkConfig& f = s.framework_config;
  PyTorchTraining t;
  t.params = parameters_per_gpu(p);
  t.quantizable_params = linear_parameters_per_gpu(p);
  t.adapter_params = adapter_parameters_per_gpu(s);
  t.layer_params = layer_parameters_per_gpu(p);
  t.largest_module = largest_module_parameters(p);
  t.precision = f.training_precision;
  t.fine_tuning = f.fine_tuning;
  t.optimizer = f.optimizer_type;
  t.fsdp = f.fsdp;
  t.data_parallel = p.data_parallel_size;
  t.optimizer_in_backward = f.optimizer_in_backward;
  t.accumulates_gradients = f.gradient_accumulation_steps > 1;
  if (t.fine_tuning != FineTuning::full) t.frozen_base_bytes = frozen_base_bytes(s);
  t.checkpointed = f.gradient_checkpointing == GradientCheckpointing::full;
  if (f.optimizer_type == "adafactor") {
    // Adafactor (Shazeer & Stern 2018; transformers' default: no first moment) keeps a row and
    // a column of second moments per matrix and whole vectors otherwise: per trained matrix
    // rows + columns. LoRA's A and B are rank-thin: (in + rank) + (rank + out) per projection.
    const double h = double(model_.hidden_size);
    if (t.fine_tuning == FineTuning::full) {
      const double matrices_per_layer = 4.0 + (model_.mlp.gated ? 3.0 : 2.0) *
                                                  (model_.is_moe() ? double(model_.moe.num_experts) : 1.0);
      const double per_layer = matrices_per_layer * 2.0 * h + double(counts_.norms_per_layer);
      t.factored_state_elements = double(layers_per_stage(p)) * per_layer + 2.0 * (double(model_.vocab_size) + h);
    } else {
      t.factored_state_elements = t.adapter_params / double(f.lora_rank) + 2.0 * double(f.lora_rank);
    }
  }
  return t;
}

ModelStates MemoryEstimator::model_states(const Scenario& s) const {
  return pytorch_model_states(pytorch_training(s));
}

double MemoryEstimator::frozen_base_bytes(const Scenario& s) const {
  const double params = parameters_per_gpu(s.parallelism);
  const double linear = linear_parameters_per_gpu(s.parallelism);
  const FrameworkConfig& f = s.framework_config;
  const bool kbit_prepared = f.fine_tuning == FineTuning::qlora && f.training_precision == TrainingPrecision::mixed;
  const double element = f.training_precision == TrainingPrecision::fp32 || kbit_prepared ? 4 : 2;
  // QLoRA quantizes the decoder's linear layers to NF4 on load; a checkpoint that is already
  // quantized (GPTQ, AWQ...) trains adapters on its own storage.
  if (s.framework_config.fine_tuning == FineTuning::qlora) {
    return element * (params - linear) + nf4_bytes_per_parameter(true) * linear;
  }
  if (model_.is_quantized()) return weight_bytes_per_gpu(s.parallelism) * element / storage_bytes();
  return element * params;
}

MemoryEstimator::TrainingPhases MemoryEstimator::training_phases(const Scenario& s) const {
  TrainingPhases phases;
  phases.states = model_states(s);
  const ModelStates& st = phases.states;
  phases.gradients = st.gradients * params_.gradient_memory_multiplier;
  phases.activations = training_activation_bytes(s);
  phases.forward_backward = st.weights + st.transient_weights + st.optimizer + phases.activations +
                            (st.gradients_persist ? phases.gradients + st.step_temporaries : 0.0);
  phases.optimizer_step = st.weights + phases.gradients + st.optimizer + st.step_temporaries;
  return phases;
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
  // generate() keeps K and V of every position of every sequence (DynamicCache); since
  // transformers 4.56 a sliding layer keeps only its window (DynamicSlidingWindowLayer).
  const double length = double(s.workload.sequence_length);
  const double sliding = double(sliding_layers_per_stage(s.parallelism));
  const double full = double(layers_per_stage(s.parallelism)) - sliding;
  const double window = std::min(length, double(model_.sliding_window.window));
  return double(s.workload.batch_size) * (full * length + sliding * window) *
         kv_cache_bytes_per_token_per_layer(s) / kBytesPerGiB;
}

double MemoryEstimator::estimate_cuda_graphs(const Scenario&) const { return 0; }
double MemoryEstimator::estimate_compilation_overhead(const Scenario&) const { return 0; }

MemoryBreakdown MemoryEstimator::estimate_total_memory(const Scenario& s) const {
  MemoryBreakdown b;
  if (s.mode == Mode::training) {
    // The breakdown of the peak moment: the start of backward, or optimizer.step() when that
    // is higher (then the activations are already freed and every gradient exists).
    const TrainingPhases phases = training_phases(s);
    const ModelStates& st = phases.states;
    if (phases.step_is_peak()) {
      b.model_weights_gb = st.weights / kBytesPerGiB;
      b.gradients_gb = phases.gradients / kBytesPerGiB;
      b.optimizer_states_gb = (st.optimizer + st.step_temporaries) / kBytesPerGiB;
    } else {
      b.model_weights_gb = (st.weights + st.transient_weights) / kBytesPerGiB;
      b.activations_gb = phases.activations / kBytesPerGiB;
      b.gradients_gb = st.gradients_persist ? phases.gradients / kBytesPerGiB : 0.0;
      b.optimizer_states_gb =
          (st.optimizer + (st.gradients_persist ? st.step_temporaries : 0.0)) / kBytesPerGiB;
    }
  } else {
    b.model_weights_gb = estimate_loaded_weights(s);
    b.activations_gb = estimate_activations(s);
  }
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

namespace {

/// The kernels vLLM runs MXFP4 experts with; each lays the experts out its own way.
enum class Mxfp4Kernel { checkpoint, marlin, triton, flashinfer_sm100 };

/// vllm/model_executor/layers/quantization/mxfp4.py, get_mxfp4_backend (0.10.2 onwards, with
/// vLLM's image: FlashInfer and triton_kernels installed, no VLLM_*MXFP4* variables set).
Mxfp4Kernel mxfp4_kernel(const std::optional<double>& capability) {
  if (!capability) return Mxfp4Kernel::checkpoint;  // the GPU is not known: as stored
  if (*capability >= 10.0 && *capability < 11.0) return Mxfp4Kernel::flashinfer_sm100;  // B200, GB200
  if (*capability >= 9.0 && *capability < 10.0) return Mxfp4Kernel::triton;  // H100, H200
  return Mxfp4Kernel::marlin;  // Ampere, Ada and the RTX Blackwells (12.x): no Triton kernels there
}

/// One MoE layer's MXFP4 experts on one GPU as `kernel` holds them: `experts` of a fused
/// gate_up (w13: 2I x H) and a down (w2: H x I) projection, 4-bit values with an e8m0 scale
/// per 32, and their biases (Mxfp4MoEMethod.create_weights, process_weights_after_loading).
double mxfp4_expert_layer_bytes(Mxfp4Kernel kernel, double experts, std::int64_t intermediate,
                                std::int64_t hidden) {
  std::int64_t i = intermediate, h = hidden;
  double bias_bytes = 2;  // bf16
  double swizzled_scales = 0;
  switch (kernel) {
    case Mxfp4Kernel::marlin:  // the Marlin MoE kernel needs n % 256 == 0 and k % 128 == 0
      i = ceil_div(i, 128) * 128;
      h = ceil_div(h, 256) * 256;
      break;
    case Mxfp4Kernel::triton:
      // Values keep their shape (swizzled in place); biases become fp32; the scales get a
      // swizzled copy padded to 2 x num_warps(8) x 2 x 8 = 256 rows
      // (triton_kernels HopperMXScaleLayout) while the loaded ones stay registered.
      i = ceil_div(i, 64) * 64;
      bias_bytes = 4;
      swizzled_scales = double(ceil_div(2 * i, 256) * 256 * h / 32 + ceil_div(h, 256) * 256 * i / 32);
      break;
    case Mxfp4Kernel::flashinfer_sm100:  // TRT-LLM's shuffled layout, fp32 biases
      i = ceil_div(i, 256) * 256;
      h = ceil_div(h, 256) * 256;
      bias_bytes = 4;
      break;
    case Mxfp4Kernel::checkpoint: break;
  }
  const double values = 3.0 * double(i) * double(h);
  const double per_expert = values / 2.0 + values / 32.0 + double(2 * i + h) * bias_bytes + swizzled_scales;
  return experts * per_expert;
}

}  // namespace

double vLLMMemoryEstimator::expert_shares_per_gpu(const Parallelism& p) const {
  // vLLM's --enable-expert-parallel spreads whole experts over all TP x DP ranks instead of
  // splitting each expert by TP (vllm/model_executor/layers/fused_moe/layer.py, FusedMoE).
  if (p.expert_parallel_size == 1) return MemoryEstimator::expert_shares_per_gpu(p);
  return double(ceil_div(model_.moe.num_experts, p.expert_parallel_size));
}

double vLLMMemoryEstimator::estimate_model_weights(const Parallelism& p) const {
  // VocabParallelEmbedding and ParallelLMHead pad the vocabulary to a multiple of 64 before
  // splitting it over TP ranks (vllm/model_executor/layers/vocab_parallel_embedding.py,
  // pad_vocab_size, DEFAULT_VOCAB_PADDING_SIZE).
  const std::int64_t padded = ceil_div(model_.vocab_size, 64) * 64;
  const double extra_rows = double(padded - model_.vocab_size) / double(p.tensor_parallel_size);
  const double tables = (model_.tie_word_embeddings || model_.num_labels > 0) ? 1.0 : 2.0;
  const double padding = extra_rows * double(model_.hidden_size) * tables * storage_bytes();
  return (weight_bytes_per_gpu(p) + padding) / kBytesPerGiB;
}

std::vector<MemoryEstimator::PipelineStage> vLLMMemoryEstimator::pipeline_stages(const Parallelism& p) const {
  // vllm/distributed/utils.py get_pp_indices: num_layers // pp layers each, the remainder one
  // each to the stages before the last, counting back from the second to last (DeepSeek-R1's
  // 61 layers on two stages: 31 and 30). The dense layers come first (first_k_dense_replace).
  const std::int64_t stages = p.pipeline_parallel_size, layers = model_.num_layers;
  const std::int64_t dense = layers - counts_.moe_layers();
  std::vector<std::int64_t> sizes(std::size_t(stages), layers / stages);
  for (std::int64_t i = 2; i < layers % stages + 2; ++i) ++sizes[std::size_t(stages - i)];
  std::vector<PipelineStage> result;
  std::int64_t start = 0;
  for (std::int64_t i = 0; i < stages; ++i) {
    const std::int64_t end = start + sizes[std::size_t(i)];
    const std::int64_t dense_here = std::max<std::int64_t>(0, std::min(end, dense) - start);
    result.push_back({dense_here, end - start - dense_here, i == 0, i == stages - 1});
    start = end;
  }
  return result;
}

double vLLMMemoryEstimator::estimate_loaded_weights(const Scenario& s) const {
  const double stored = estimate_model_weights(s.parallelism);
  const Mxfp4Kernel kernel = mxfp4_kernel(s.framework_config.gpu_compute_capability);
  if (kernel == Mxfp4Kernel::checkpoint || model_.quantization.format != QuantFormat::mxfp4 || !model_.is_moe() ||
      !model_.mlp.gated) {
    return stored;
  }
  // gpt-oss: vLLM pads and re-lays the experts out for the kernel it picks by GPU (Marlin on an
  // A100 adds 0.85 GiB to gpt-oss-20b), in place of the checkpoint's layout counted above.
  const Parallelism& p = s.parallelism;
  const bool expert_parallel = p.expert_parallel_size > 1;
  const double experts = expert_parallel ? double(ceil_div(model_.moe.num_experts, p.expert_parallel_size))
                                         : double(model_.moe.num_experts);
  const std::int64_t intermediate = expert_parallel ? model_.moe.expert_intermediate_size
                                                    : model_.moe.expert_intermediate_size / p.tensor_parallel_size;
  const double stored_layer = mxfp4_expert_layer_bytes(Mxfp4Kernel::checkpoint, experts, intermediate, model_.hidden_size);
  const double loaded_layer = mxfp4_expert_layer_bytes(kernel, experts, intermediate, model_.hidden_size);
  return stored + double(busiest_stage_layers(p).moe_layers) * (loaded_layer - stored_layer) / kBytesPerGiB;
}

namespace {

/// V1 with model runner v2 (vllm/v1/worker/gpu/): V0 has no model runners to choose from.
bool model_runner_v2(const FrameworkConfig& f) {
  return f.vllm_engine == VllmEngine::v1 && f.vllm_model_runner == VllmModelRunner::v2;
}

/// Bytes the profiling run's sampler holds per logits row and vocabulary entry.
double sampler_bytes_per_logit(const FrameworkConfig& f) {
  if (model_runner_v2(f)) {
    // Model runner v2 (vllm/v1/worker/gpu/model_runner.py, _dummy_sampler_run) profiles a
    // sampler that skips top-k and top-p: bf16 logits and their fp32 copy (Qwen2.5 under
    // 0.27.1: 0.25 GiB at 256 rows).
    return 6.0;
  }
  if (f.vllm_sampler == VllmSampler::flashinfer) {
    // FlashInfer's top_k_top_p_sampling_from_logits sorts nothing: bf16 and fp32 logits, the
    // top-k-masked copy and its softmax (a Llama-3.2-1B log under 0.10.1 that names it:
    // 0.45 GiB at 256 rows).
    return 14.0;
  }
  // V0 and the first runner profile with top_k = vocab - 1 and top_p < 1, so PyTorch sorts:
  // bf16 and fp32 logits, the sorted copy and its int64 indices, the sort's scratch, the
  // softmax and masks. The logs show 38.5 (tests/data/vllm: Qwen2.5 under V0 on T4/L4,
  // 1.40-1.44 GiB at 256 rows; Llama-3.1-8B, Qwen3-32B and gpt-oss-20b under V1 on H100, 4.76,
  // 5.64 and 7.38 GiB at 1024 rows).
  return 38.5;
}

}  // namespace

double vLLMMemoryEstimator::estimate_activations(const Scenario& s) const {
  // The profiling run's peak of allocated bytes (vllm/v1/worker/gpu_model_runner.py
  // profile_run; V0: vllm/worker/model_runner.py). One batch of max_num_batched_tokens goes
  // through the model (attention is skipped or flash: no s^2 scores), then the sampler draws
  // from min(max_num_seqs, tokens) rows of logits, every TP rank the full vocabulary (V1
  // all-gathers them). Only the final hidden states outlive the forward pass, so the peak is
  // the larger of the two.
  const Workload& w = s.workload;
  const double tokens = std::min(double(w.max_num_batched_tokens),
                                 double(w.max_num_seqs) * double(w.max_model_len));
  Scenario flash = s;
  flash.framework_config.attention_implementation = AttentionImplementation::flash_attention_2;
  const double hidden = tokens * double(model_.hidden_size) * compute_dtype_bytes();
  // vLLM's MLP (vllm/model_executor/models/llama.py, LlamaMLP.forward) still holds gate_up
  // when down_proj writes its output: one hidden-sized tensor more than transformers' peak
  // (the 3090 logs of vllm#10517: 2.07 and 2.99 GiB at 20k and 29k tokens).
  // Its fused MoE kernel (fused_moe.py) also keeps intermediate_cache3, tokens x top_k x
  // hidden_size whatever the TP split, in chunks of VLLM_FUSED_MOE_CHUNK_SIZE (32768) tokens
  // (DeepSeek-V2-Lite at TP8, 8192 tokens: 0.36 GiB logged).
  const double moe_cache = model_.is_moe() ? std::min(tokens, 32768.0) * double(model_.moe.experts_per_token) *
                                                 double(model_.hidden_size) * compute_dtype_bytes()
                                           : 0.0;
  const double forward = layer_forward_bytes(tokens, 1, tokens, flash) + hidden + moe_cache;
  const double rows = std::min(double(w.max_num_seqs), tokens);
  const double sampler = rows * double(model_.vocab_size) * sampler_bytes_per_logit(s.framework_config);
  return std::max(forward, sampler + hidden) / kBytesPerGiB;
}

vLLMMemoryEstimator::KvLayout vLLMMemoryEstimator::kv_layout(const Scenario& s) const {
  // vllm/v1/core/kv_cache_utils.py (get_kv_cache_groups, _get_kv_cache_groups_uniform_page_size,
  // v0.9 onwards): layers of one kind form groups of group_size layers, and each of group_size
  // tensors is shared by one layer of every group. V0 and a model of one kind: one group.
  const Workload& w = s.workload;
  KvLayout layout;
  layout.page_bytes = double(w.block_size) * kv_cache_bytes_per_token_per_layer(s);
  const std::int64_t layers = layers_per_stage(s.parallelism);
  const std::int64_t sliding =
      s.framework_config.vllm_engine == VllmEngine::v1 ? sliding_layers_per_stage(s.parallelism) : 0;
  const std::int64_t full = layers - sliding;
  if (sliding == 0 || full == 0) {
    layout.group_size = std::max<std::int64_t>(1, layers);
    layout.full_groups = full > 0 ? 1 : 0;
    layout.sliding_groups = sliding > 0 ? 1 : 0;
  } else {
    // The smaller kind sets the group size, unless the larger is under 1.5 times it (then
    // padding a group wastes less than splitting one: "gpt-oss-20b + eagle, 12 sw + 13 full").
    const std::int64_t fewer = std::min(full, sliding), more = std::max(full, sliding);
    layout.group_size = double(more) < 1.5 * double(fewer) ? more : fewer;
    layout.full_groups = ceil_div(full, layout.group_size);
    layout.sliding_groups = ceil_div(sliding, layout.group_size);
  }
  layout.block_size = w.block_size;
  layout.window_reach = std::max<std::int64_t>(0, model_.sliding_window.window - 1 + w.max_num_batched_tokens);
  return layout;
}

std::int64_t vLLMMemoryEstimator::KvLayout::blocks_per_request(std::int64_t max_model_len) const {
  return full_groups * ceil_div(max_model_len, block_size) +
         sliding_groups * (ceil_div(std::min(window_reach, max_model_len), block_size) + 1);
}

KvCacheCapacity vLLMMemoryEstimator::kv_cache_capacity(const Scenario& s) const {
  // vllm/v1/worker/gpu_worker.py, determine_available_memory: the budget is the card's memory
  // times gpu_memory_utilization; weights, the profiling run's activation peak and the growth
  // of non-torch memory come off it; the rest holds KV blocks.
  const FrameworkConfig& f = s.framework_config;
  const Workload& w = s.workload;
  const bool v1 = f.vllm_engine == VllmEngine::v1;
  KvCacheCapacity c;
  c.budget_gib = f.gpu_memory_gib.value_or(0) * f.gpu_memory_utilization;
  c.weights_gib = estimate_loaded_weights(s);
  const double ranks = double(s.parallelism.tensor_parallel_size * s.parallelism.pipeline_parallel_size);
  // Without a stated figure: 0.15 GiB on one GPU (the median of tests/data/vllm's logs), and
  // per further rank 0.25 GiB with vLLM's custom all-reduce (its IPC buffers: TP8 on A100s
  // logs 2.10) or 0.02 without it (NCCL's growth after init: TP4 on PCIe-only 2080 Tis, 0.20).
  // Model runner v2 also holds its penalties state from start-up, which it reports with the
  // non-torch memory ("consumed memory (weights + non-torch)"): an int32 count per request and
  // vocabulary entry, and a bit mask of the prompt's tokens (worker/gpu/sample/penalties.py,
  // PenaltiesState; Llama-3.1-8B under 0.31 at 256 requests: 0.27 GiB logged, 0.15 + 0.12).
  const double per_rank = f.disable_custom_all_reduce ? 0.02 : 0.25;
  const double vocab = double(model_.vocab_size);
  const double penalties =
      model_runner_v2(f) ? double(w.max_num_seqs) * (vocab + std::ceil(vocab / 32.0)) * 4.0 / kBytesPerGiB : 0.0;
  c.non_torch_gib = f.non_torch_memory_gib.value_or(0.15 + per_rank * (ranks - 1) + penalties);
  c.activation_peak_gib = estimate_activations(s);
  // The first model runner from 0.21 captures graphs before sizing the KV cache and takes
  // their memory off it; earlier, in V0 and in runner v2 (profile_cudagraph_memory returns 0)
  // they are captured afterwards, on top of the budget.
  c.cuda_graph_gib = estimate_cuda_graphs(s);
  c.cuda_graph_in_budget = v1 && f.vllm_model_runner == VllmModelRunner::v1 && f.profile_cudagraph_memory;
  c.available_gib = c.budget_gib - c.weights_gib - c.non_torch_gib - c.activation_peak_gib -
                    (c.cuda_graph_in_budget ? c.cuda_graph_gib : 0.0);

  // get_num_blocks: available // page_size // group_size; the log's "GPU KV cache size" is
  // num_blocks // groups x block_size, and its concurrency num_blocks over a request's blocks
  // (get_max_concurrency_for_kv_cache_config; V0: tokens / max_model_len).
  const KvLayout layout = kv_layout(s);
  const std::int64_t groups = layout.full_groups + layout.sliding_groups;
  c.bytes_per_block = layout.page_bytes * double(layout.group_size);
  const double available_bytes = c.available_gib * kBytesPerGiB;
  if (c.available_gib > 0 && c.bytes_per_block > 0) {
    c.num_gpu_blocks = std::int64_t(std::floor(available_bytes / c.bytes_per_block));
  }
  c.tokens = c.num_gpu_blocks / std::max<std::int64_t>(groups, 1) * w.block_size;
  c.max_concurrency = v1 ? double(c.num_gpu_blocks) / double(layout.blocks_per_request(w.max_model_len))
                         : double(c.tokens) / double(w.max_model_len);
  auto gib = [](double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", bytes / kBytesPerGiB);
    return std::string(text);
  };
  if (c.available_gib <= 0) {
    // Both engines, in these words.
    c.refusal = "No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when "
                "initializing the engine.";
  } else if (v1) {
    // vllm/v1/core/kv_cache_utils.py, check_enough_kv_cache_memory: one request of
    // max_model_len must fit, its blocks counted per group as they are allocated.
    const double needed = double(layout.blocks_per_request(w.max_model_len)) * c.bytes_per_block;
    if (needed > available_bytes) {
      // "the estimated maximum model length": the longest that would fit (vLLM bisects).
      std::int64_t low = 0, high = w.max_model_len;
      while (low < high) {
        const std::int64_t mid = (low + high + 1) / 2;
        if (double(layout.blocks_per_request(mid)) * c.bytes_per_block <= available_bytes) {
          low = mid;
        } else {
          high = mid - 1;
        }
      }
      c.refusal = "To serve at least one request with the models's max seq len (" + std::to_string(w.max_model_len) +
                  "), (" + gib(needed) + " GiB KV cache is needed, which is larger than the available KV cache "
                  "memory (" + gib(available_bytes) + " GiB). Based on the available memory, the estimated "
                  "maximum model length is " + std::to_string(low) + ". Try increasing `gpu_memory_utilization` "
                  "or decreasing `max_model_len` when initializing the engine.";
    }
  } else if (c.tokens < w.max_model_len) {
    // vllm/engine/llm_engine.py (V0), _initialize_kv_caches via raise_if_cache_size_invalid.
    c.refusal = "The model's max seq len (" + std::to_string(w.max_model_len) +
                ") is larger than the maximum number of tokens that can be stored in KV cache (" +
                std::to_string(c.tokens) + "). Try increasing `gpu_memory_utilization` or decreasing "
                "`max_model_len` when initializing the engine.";
  }
  c.starts = c.refusal.empty();
  return c;
}

double vLLMMemoryEstimator::estimate_kv_cache(const Scenario& s) const {
  // Demand: max_num_seqs requests of max_model_len tokens, each in whole paged blocks, sliding
  // layers holding their window only (V1).
  const KvLayout layout = kv_layout(s);
  const double blocks = double(layout.blocks_per_request(s.workload.max_model_len));
  return double(s.workload.max_num_seqs) * blocks * layout.page_bytes * double(layout.group_size) / kBytesPerGiB;
}

std::vector<std::int64_t> vLLMMemoryEstimator::cudagraph_capture_sizes(const Scenario& s) const {
  const FrameworkConfig& f = s.framework_config;
  if (f.enforce_eager) return {};
  if (!f.cudagraph_capture_sizes.empty()) return f.cudagraph_capture_sizes;
  const Workload& w = s.workload;
  std::int64_t largest = 0;
  if (f.vllm_engine == VllmEngine::v1) {
    // vllm/config/vllm.py (v0.11 on): max_cudagraph_capture_size = min(2 x max_num_seqs, 512),
    // within max_num_batched_tokens.
    largest = std::min({2 * w.max_num_seqs, std::int64_t(512), w.max_num_batched_tokens});
  } else {
    // V0 (vllm/worker/model_runner.py): the batch sizes up to max_num_seqs padded to the next one.
    largest = std::min<std::int64_t>(256, w.max_num_seqs <= 4 ? w.max_num_seqs : ceil_div(w.max_num_seqs, 8) * 8);
  }
  // [1, 2, 4] + range(8, 256, 8) + range(256, largest + 1, 16)
  std::vector<std::int64_t> sizes;
  for (std::int64_t size : {1, 2, 4}) {
    if (size <= largest) sizes.push_back(size);
  }
  for (std::int64_t size = 8; size <= largest && size < 256; size += 8) sizes.push_back(size);
  for (std::int64_t size = 256; size <= largest; size += 16) sizes.push_back(size);
  return sizes;
}

double vLLMMemoryEstimator::estimate_cuda_graphs(const Scenario& s) const {
  const FrameworkConfig& f = s.framework_config;
  const std::vector<std::int64_t> sizes = cudagraph_capture_sizes(s);
  const MemoryEstimationParameters defaults;
  const bool spec_formula = f.graph_memory_overhead_ratio || f.graph_batch_scaling_factor ||
                            params_.graph_memory_overhead_ratio != defaults.graph_memory_overhead_ratio ||
                            params_.graph_batch_scaling_factor != defaults.graph_batch_scaling_factor;
  if (spec_formula) {
    // The spec's empirical formula, asked for by its two parameters: per capture size,
    // weights x ratio x (1 + size x scaling), on this GPU's (sharded) weights.
    const double ratio = f.graph_memory_overhead_ratio.value_or(params_.graph_memory_overhead_ratio);
    const double scaling = f.graph_batch_scaling_factor.value_or(params_.graph_batch_scaling_factor);
    const double weights = estimate_loaded_weights(s);
    double total = 0;
    for (std::int64_t size : sizes) total += weights * ratio * (1.0 + double(size) * scaling);
    return total;
  }
  // What vLLM's "Graph capturing finished in N secs, took X GiB" reports: the graphs share one
  // memory pool, and what they keep grows with the graphs captured, one per capture size and
  // (piecewise) per layer. 0.375 MiB per size and layer is the median of five logs
  // (tests/data/vllm/cuda_graph_logs.json: 0.23 to 0.95 MiB, V0 and V1, 16 to 94 layers).
  constexpr double kBytesPerSizeAndLayer = 0.375 * 1024 * 1024;
  return double(sizes.size()) * double(layers_per_stage(s.parallelism)) * kBytesPerSizeAndLayer / kBytesPerGiB;
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
  if (f.fine_tuning == FineTuning::full) return deepspeed_model_states(z);

  // LoRA under ZeRO: DeepSpeed's states cover the adapters; the frozen base is partitioned
  // (and offloaded) like any parameter at stage 3, gathered a module at a time, and replicated
  // below stage 3.
  z.params = adapter_parameters_per_gpu(s);
  z.largest_layer = std::min(z.largest_layer, z.params);
  ModelStates states = deepspeed_model_states(z);
  const double base = frozen_base_bytes(s);
  const double base_per_rank = base / double(p.data_parallel_size);
  if (p.zero_stage < 3) {
    states.weights += base;
  } else {
    states.weights += 2.0 * largest_module_parameters(p) + (f.offload_param ? 0.0 : base_per_rank);
    if (f.offload_param) states.cpu += base_per_rank * double(std::min(z.gpus_per_node, world));
  }
  return states;
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
