// Who holds which weights: tensor, pipeline and expert parallelism, priced part by part.
#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/gguf.hpp"
#include "accounting/quantization.hpp"
#include "accounting/units.hpp"

namespace llmmem {

MemoryEstimator::MemoryEstimator(ModelSpec model, MemoryEstimationParameters params)
    : model_(std::move(model)), params_(std::move(params)), counts_(model_.parameter_counts()) {
  storage_bytes_ = dtype_bytes(model_.storage_dtype.empty() ? params_.default_storage_dtype : model_.storage_dtype);
  // Float checkpoints compute in their own dtype; quantized ones dequantize to their
  // torch_dtype (GPTQ: float16), else to params.default_compute_dtype.
  const double storage = model_.is_quantized() && model_.storage_dtype.empty() ? 0 : storage_bytes_;
  compute_bytes_ = storage >= 2 ? storage : dtype_bytes(params_.default_compute_dtype);
  // Quantized linear layers at their format's bytes (packed values, scales, zero points);
  // embeddings, lm_head, norms, biases and routers stay in the storage dtype.
  const double s = storage_bytes_;
  weight_prices_ = {s, s, s, s, s, s, s, s, s};
  if (model_.quantization.format == QuantFormat::gguf) {
    // llama-quantize's mix, tensor by tensor; norms, biases and routers in F32; a vision tower
    // in its own F16 mmproj file.
    const auto file_type = detail::gguf_file_type(model_.quantization.gguf_type);
    const detail::GgufRates r = detail::gguf_rates(model_, counts_, file_type.value_or(detail::GgufFileType::q8_0));
    weight_prices_ = {r.attention, r.dense_mlp, r.expert, r.shared_expert, 4.0, r.embedding, r.lm_head, r.mamba, 2.0};
  } else if (model_.is_quantized()) {
    const detail::LinearByteRates rates =
        detail::linear_byte_rates(model_, storage_bytes_, params_.quantization_overhead_multiplier);
    weight_prices_ = {rates.attention, rates.dense_mlp, rates.expert, rates.shared_expert, s, s, s, rates.attention, s};
  }
  // The checkpoint's headers are the truth about its bytes; the config's parts say how they
  // split across GPUs (exact on one GPU, proportional beyond). Found once, not per probe.
  if (model_.checkpoint.tensor_bytes > 0) {
    checkpoint_scale_ = double(model_.checkpoint.tensor_bytes) / formula_weight_bytes_per_gpu(Parallelism{});
  }
}

double MemoryEstimator::storage_bytes() const { return storage_bytes_; }

double MemoryEstimator::bytes_per_parameter() const {
  // The whole checkpoint's bytes over its parameters: the storage dtype, or for quantized
  // checkpoints packed linear layers and their scales beside 16-bit embeddings and norms.
  const Parallelism whole;
  return weight_bytes_per_gpu(whole) / parameters_per_gpu(whole);
}

double MemoryEstimator::compute_dtype_bytes() const { return compute_bytes_; }

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
  const double norms = with_norms ? double(c.norms_per_layer) * price.other : 0.0;
  layer.attention = part(c.attention_per_layer, c.attention_matrices_per_layer, price.attention) / tp +
                    (model_.blocks.hybrid() ? 0.0 : norms);
  if (model_.blocks.hybrid()) {
    // Mamba-2 under TP (vLLM's MambaMixer2): the projections and the per-head tensors split by
    // heads; priced like attention's.
    layer.mamba = double(c.mamba_per_layer) * price.mamba / tp;
    layer.block_norm = norms;
  }
  layer.dense_mlp = part(c.dense_mlp_per_layer, c.dense_mlp_matrices, price.dense_mlp) / tp;
  if (model_.is_moe()) {
    layer.moe_mlp = expert_shares_per_gpu(p) * part(c.one_expert, c.expert_matrices, price.expert) +
                    part(c.shared_experts_per_layer, c.shared_expert_matrices, price.shared_expert) / tp +
                    double(c.router_per_layer) * price.other;
  }
  return layer;
}

double MemoryEstimator::LayerPrices::of(const PipelineStage& stage) const {
  if (stage.hybrid) {
    const double blocks = double(stage.attention_blocks + stage.mamba_blocks + stage.dense_layers + stage.moe_layers);
    return double(stage.attention_blocks) * attention + double(stage.mamba_blocks) * mamba +
           double(stage.dense_layers) * dense_mlp + double(stage.moe_layers) * moe_mlp + blocks * block_norm;
  }
  return double(stage.dense_layers) * (attention + dense_mlp) + double(stage.moe_layers) * (attention + moe_mlp);
}

MemoryEstimator::PipelineStage MemoryEstimator::hybrid_stage(std::int64_t first, std::int64_t count) const {
  const BlockPattern& b = model_.blocks;
  PipelineStage stage{b.count('-', first, count), b.count('E', first, count), false, false};
  stage.hybrid = true;
  stage.attention_blocks = b.count('*', first, count);
  stage.mamba_blocks = b.count('M', first, count);
  return stage;
}

MemoryEstimator::PipelineStage MemoryEstimator::busiest_stage_layers(const Parallelism& p) const {
  const std::int64_t layers = layers_per_stage(p);
  if (model_.blocks.hybrid()) {
    // A hybrid's stages differ by their blocks: the one with the most parameters.
    const ParameterCounts& c = counts_;
    PipelineStage busiest;
    double most = -1;
    for (std::int64_t first = 0; first < model_.num_layers; first += layers) {
      const PipelineStage stage = hybrid_stage(first, layers);
      const double parameters = double(stage.attention_blocks) * double(c.attention_per_layer) +
                                double(stage.mamba_blocks) * double(c.mamba_per_layer) +
                                double(stage.dense_layers) * double(c.dense_mlp_per_layer) +
                                double(stage.moe_layers) * double(c.moe_mlp_per_layer());
      if (parameters > most) most = parameters, busiest = stage;
    }
    return busiest;
  }
  // Not knowing how the framework splits: the most layers a stage holds, as many of them MoE as
  // it can hold (DeepSeek's dense layers come first, so a stage is either one or the other).
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
  const double input_side = double(c.token_embedding) / tp * price.embedding +
                            (double(c.position_embedding) + double(c.extras)) * price.other +
                            double(c.vision) / tp * price.vision;
  // With pipeline stages, the last stage needs its own lm_head even when tied to the embedding.
  const double tied_copy = p.pipeline_parallel_size > 1 ? double(c.token_embedding) : 0.0;
  const double output_side =
      double(c.final_norm) * price.other + (c.lm_head > 0 ? double(c.lm_head) : tied_copy) / tp * price.lm_head;
  if (p.pipeline_parallel_size == 1) return input_side + decoder_per_gpu(p, price, true) + output_side;
  const LayerPrices layer = layer_prices(p, price, true);
  double busiest = 0;  // the most loaded stage
  for (const PipelineStage& stage : pipeline_stages(p)) {
    busiest = std::max(busiest, layer.of(stage) + (stage.first ? input_side : 0.0) + (stage.last ? output_side : 0.0));
  }
  return busiest;
}

double MemoryEstimator::parameters_per_gpu(const Parallelism& p) const { return per_gpu(p, PartPrices{}); }

MemoryEstimator::WeightParts MemoryEstimator::weight_parts() const {
  const CheckpointFacts& file = model_.checkpoint;
  if (!file.layer_bytes.empty()) {
    // A GGUF header's own figures, to the byte (what its tensors take, part by part).
    WeightParts parts;
    parts.input = double(file.input_bytes);
    parts.output = double(file.output_bytes);
    for (std::int64_t bytes : file.layer_bytes) parts.layers.push_back(double(bytes));
    return parts;
  }
  const ParameterCounts& c = counts_;
  PartPrices price = weight_prices_;
  if (!model_.is_quantized()) {
    const double b = storage_bytes_;
    price = {b, b, b, b, b, b, b, b, b};
  }
  const Parallelism whole;
  const LayerPrices layer = layer_prices(whole, price, true);
  WeightParts parts;
  parts.input = (double(c.token_embedding) * price.embedding + (double(c.position_embedding) + double(c.extras)) * price.other) *
                checkpoint_scale_;
  parts.vision = double(c.vision) * price.vision * checkpoint_scale_;
  parts.output = (double(c.final_norm) * price.other +
                  (c.lm_head > 0 ? double(c.lm_head) * price.lm_head : double(c.token_embedding) * price.embedding)) *
                 checkpoint_scale_;
  const BlockPattern& b = model_.blocks;
  for (std::int64_t i = 0; i < model_.num_layers; ++i) {
    const bool moe = model_.is_moe() && i >= model_.moe.dense_layers;  // DeepSeek's dense layers come first
    const PipelineStage one = b.hybrid() ? hybrid_stage(i, 1) : PipelineStage{moe ? 0 : 1, moe ? 1 : 0, false, false};
    parts.layers.push_back(layer.of(one) * checkpoint_scale_);
  }
  return parts;
}

double MemoryEstimator::formula_weight_bytes_per_gpu(const Parallelism& p) const {
  if (!model_.is_quantized()) return parameters_per_gpu(p) * storage_bytes_;
  return per_gpu(p, weight_prices_);
}

double MemoryEstimator::weight_bytes_per_gpu(const Parallelism& p) const {
  return formula_weight_bytes_per_gpu(p) * checkpoint_scale_;
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

}  // namespace llmmem
