#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llmmem/breakdown.hpp"
#include "llmmem/model_spec.hpp"
#include "llmmem/parameters.hpp"
#include "llmmem/request.hpp"
#include "llmmem/training.hpp"

namespace llmmem {

/// The spec's `MemoryEstimator`: one model (ModelSpec, which already knows dense vs. MoE,
/// GQA, gated MLPs...) and the accounting every engine shares: who holds which weights,
/// activations, the KV cache per token, training's model states. Subclasses are the spec's
/// estimator kinds and change only what their framework does differently, so vLLM serving an
/// MoE model keeps the MoE accounting; each engine's policy (core/src/engines/) turns them into
/// its one result. Every `estimate_*` returns GiB per GPU for the most loaded GPU.
class MemoryEstimator {
 public:
  MemoryEstimator(ModelSpec model, MemoryEstimationParameters params);
  virtual ~MemoryEstimator() = default;

  /// The spec's class name, e.g. "vLLMMemoryEstimator".
  virtual const char* kind() const = 0;

  virtual double estimate_model_weights(const Parallelism& parallelism) const;
  virtual double estimate_activations(const Scenario& scenario) const;
  virtual double estimate_gradients(const Scenario& scenario) const;
  virtual double estimate_optimizer_states(const Scenario& scenario) const;
  virtual double estimate_kv_cache(const Scenario& scenario) const;
  virtual double estimate_cuda_graphs(const Scenario& scenario) const;
  virtual double estimate_compilation_overhead(const Scenario& scenario) const;

  /// Sums the components and adds the spec's fragmentation and safety margin.
  MemoryBreakdown estimate_total_memory(const Scenario& scenario) const;

  const ModelSpec& model() const { return model_; }
  const ParameterCounts& parameter_counts() const { return counts_; }

  /// Bytes one stored weight takes on average over the checkpoint (dtype, or for quantized
  /// checkpoints packed linear layers with their scales beside 16-bit embeddings and norms).
  double bytes_per_parameter() const;
  /// Bytes of one element in the checkpoint's dtype (torch_dtype, else the default).
  double storage_bytes() const;
  /// Weight bytes held by the most loaded GPU under TP, PP and EP.
  double weight_bytes_per_gpu(const Parallelism& parallelism) const;
  /// The same from config.json's formula alone, whatever the checkpoint's headers say.
  double formula_weight_bytes_per_gpu(const Parallelism& parallelism) const;
  /// Bytes of one activation element.
  double compute_dtype_bytes() const;
  /// Parameters held by the most loaded GPU under TP, PP and EP (before any ZeRO sharding).
  double parameters_per_gpu(const Parallelism& parallelism) const;
  /// Decoder layers on the most loaded pipeline stage.
  std::int64_t layers_per_stage(const Parallelism& parallelism) const;
  /// The whole checkpoint's weight bytes as an engine that places layers on devices sees them:
  /// the input side (embeddings), a vision tower, the output side (the final norm and the
  /// head; a tied head as a copy of the embedding, as llama.cpp loads it), and each layer.
  struct WeightParts {
    double input = 0, vision = 0, output = 0;
    std::vector<double> layers;
  };
  WeightParts weight_parts() const;
  /// KV cache bytes one token takes on one GPU (its KV heads, its pipeline stage's layers).
  double kv_cache_bytes_per_token(const Scenario& scenario) const;
  /// The same for one layer: one element's bytes (kv_cache_dtype) times the layer's elements.
  double kv_cache_bytes_per_token_per_layer(const Scenario& scenario) const;
  /// Layers that cache keys and values in the busiest stage: all, or a hybrid's attention blocks.
  std::int64_t kv_layers_per_stage(const Parallelism& parallelism) const;
  /// A hybrid's Mamba blocks' fixed state for one sequence on one GPU (bytes); 0 otherwise.
  double mamba_state_bytes_per_sequence(const Parallelism& parallelism) const;
  /// Sliding-window layers among the busiest pipeline stage's layers.
  std::int64_t sliding_layers_per_stage(const Parallelism& parallelism) const;
  /// K and V elements one token adds to one layer's cache on one GPU.
  virtual double kv_elements_per_token_per_layer(const Parallelism& parallelism) const;
  /// Parameters of the largest single module on one GPU (ZeRO-3 gathers a module whole).
  double largest_module_parameters(const Parallelism& parallelism) const;
  /// What each kind of parameter costs: 1 to count parameters, bytes to weigh them.
  /// `other` prices norms, biases, routers and what the layout does not name; a GGUF file keeps
  /// those in F32 while its embedding, output head and Mamba mixers take types of their own.
  struct PartPrices {
    double attention = 1, dense_mlp = 1, expert = 1, shared_expert = 1, other = 1;
    double embedding = 1, lm_head = 1, mamba = 1, vision = 1;
  };
  /// The busiest GPU's decoder layers priced part by part, and the whole GPU's share.
  double decoder_per_gpu(const Parallelism& parallelism, const PartPrices& prices, bool with_norms) const;
  /// One pipeline stage: its dense and MoE decoder layers, and whether it holds the embedding
  /// (first) or the lm_head (last).
  struct PipelineStage {
    std::int64_t dense_layers = 0, moe_layers = 0;
    bool first = false, last = false;
    // A hybrid decoder's stage (Nemotron-H): its blocks are one mixer each, so its attention and
    // Mamba blocks are counted apart from its MLP (dense) and expert (moe) blocks.
    bool hybrid = false;
    std::int64_t attention_blocks = 0, mamba_blocks = 0;
  };
  /// One decoder layer on one GPU, priced: its attention (with its norms), and a dense or a MoE
  /// MLP; a hybrid's blocks: each mixer, and one norm per block.
  struct LayerPrices {
    double attention = 0, dense_mlp = 0, moe_mlp = 0, mamba = 0, block_norm = 0;
    /// The decoder layers of `stage` at these prices.
    double of(const PipelineStage& stage) const;
  };
  LayerPrices layer_prices(const Parallelism& parallelism, const PartPrices& prices, bool with_norms) const;
  /// The decoder layers of the busiest stage when the split is not known: the most a stage
  /// holds, as many of them MoE as can be.
  PipelineStage busiest_stage_layers(const Parallelism& parallelism) const;
  /// A hybrid decoder's blocks [first, first + count) as a stage.
  PipelineStage hybrid_stage(std::int64_t first, std::int64_t count) const;
  /// The stages whose most loaded one per_gpu weighs.
  virtual std::vector<PipelineStage> pipeline_stages(const Parallelism& parallelism) const;
  double per_gpu(const Parallelism& parallelism, const PartPrices& prices) const;
  /// The decoder layers' parameters on the busiest GPU (without their norms: the linear
  /// layers, what QLoRA quantizes and autocast casts).
  double decoder_parameters_per_gpu(const Parallelism& parallelism, bool with_norms) const;
  /// Decoder-layer linear weights on one GPU: what QLoRA quantizes and autocast casts.
  double linear_parameters_per_gpu(const Parallelism& parallelism) const;
  /// One decoder layer's parameters on one GPU, on average (FSDP's wrapping unit).
  double layer_parameters_per_gpu(const Parallelism& parallelism) const;
  /// LoRA's A and B matrices on one GPU: rank x (in + out) for each targeted projection of
  /// each layer (each expert's, in MoE layers); 0 for full fine-tuning.
  double adapter_parameters_per_gpu(const Scenario& scenario) const;
  /// Training's weights, gradients and optimizer states per GPU (and CPU memory per node), as
  /// the framework keeps them: PyTorch here, DeepSpeed ZeRO in its estimator.
  virtual ModelStates model_states(const Scenario& scenario) const;

  /// Training peaks twice: at the start of backward (weights, optimizer states, every stored
  /// activation) and in optimizer.step() (weights, all gradients, states, the step's
  /// temporaries); PyTorch frees gradients before the next forward. Bytes per GPU.
  struct TrainingPhases {
    ModelStates states;
    double gradients = 0;    // states.gradients, scaled by params.gradient_memory_multiplier
    double activations = 0;  // stored for backward
    double forward_backward = 0;
    double optimizer_step = 0;
    bool step_is_peak() const { return optimizer_step > forward_backward; }
  };
  TrainingPhases training_phases(const Scenario& scenario) const;

 protected:
  /// Peak activation bytes while one decoder layer runs forward over `tokens` tokens
  /// (`batch` sequences of `seq_len`): inference frees each layer's activations before the next.
  /// `eager_scores`: attention materialises the batch x heads x seq x seq scores (transformers' eager).
  double layer_forward_bytes(double tokens, double batch, double seq_len, const Parallelism& parallelism,
                             bool eager_scores) const;
  /// Activation bytes one layer keeps for the backward pass (Korthikanti et al. 2022,
  /// generalised); `with_scores` adds eager attention's softmax output.
  /// Bytes of one element of training's residual stream (layer inputs, norm outputs, MLP
  /// intermediates): the compute dtype, or fp32 where PEFT's QLoRA preparation keeps it so.
  double residual_stream_bytes(const Scenario& scenario) const;
  double layer_training_bytes(double batch, double seq_len, const Scenario& scenario, bool with_scores) const;
  /// Training's activations on the busiest GPU: stored layers under the checkpointing mode,
  /// pipeline micro-batches in flight, and the logits and loss at the head.
  double training_activation_bytes(const Scenario& scenario) const;
  /// Whether training updates a projection (by its Llama name): always for full fine-tuning.
  bool trains(const FrameworkConfig& config, std::string_view projection) const;
  /// The PyTorch training of this scenario, for pytorch_model_states.
  PyTorchTraining pytorch_training(const Scenario& scenario) const;
  /// The frozen base's bytes on one GPU under LoRA (NF4 linear layers under QLoRA).
  double frozen_base_bytes(const Scenario& scenario) const;
  /// Routed experts of one layer held by the busiest GPU, in units of one whole expert.
  virtual double expert_shares_per_gpu(const Parallelism& parallelism) const;

  ModelSpec model_;
  MemoryEstimationParameters params_;
  ParameterCounts counts_;

 private:
  // What every estimate asks again and again, worked out once (the solver probes a model dozens
  // of times per request): the dtypes' bytes and the weights' price per kind of parameter.
  double storage_bytes_ = 0;
  double compute_bytes_ = 0;
  PartPrices weight_prices_;
  double checkpoint_scale_ = 1;  // the headers' bytes over the formula's (1 without headers)
};

/// Plain Hugging Face transformers: inference with a KV cache (`generate`), or PyTorch training.
class TransformersMemoryEstimator : public MemoryEstimator {
 public:
  using MemoryEstimator::MemoryEstimator;
  const char* kind() const override { return "TransformersMemoryEstimator"; }
};

/// The spec's MoE kind. Expert accounting lives in ModelSpec, so this only names the kind.
class MoEMemoryEstimator : public TransformersMemoryEstimator {
 public:
  using TransformersMemoryEstimator::TransformersMemoryEstimator;
  const char* kind() const override { return "MoEMemoryEstimator"; }
};

/// DeepSpeed training with ZeRO stages 0-3 over data_parallel_size ranks, with CPU offload.
class DeepSpeedMemoryEstimator : public MemoryEstimator {
 public:
  using MemoryEstimator::MemoryEstimator;
  const char* kind() const override { return "DeepSpeedMemoryEstimator"; }
  double estimate_kv_cache(const Scenario& scenario) const override;
  ModelStates model_states(const Scenario& scenario) const override;
};

}  // namespace llmmem
