#pragma once
// Model states of training (weights, gradients, optimizer states) per GPU, as PyTorch and
// DeepSpeed ZeRO keep them. Activations are not model states and live in the estimators.

#include <cstdint>
#include <string>

#include "llmmem/request.hpp"

namespace llmmem {

/// Bytes per GPU (cpu: bytes per node) of each model state.
struct ModelStates {
  double weights = 0;            // resident: fp32 masters, 16-bit weights, a frozen base, adapters
  double transient_weights = 0;  // 16-bit copies alive only through forward and backward
  double gradients = 0;
  double optimizer = 0;          // optimizer states, and the fp32 master weights where they exist
  double step_temporaries = 0;   // what optimizer.step() allocates on top of the states
  double cpu = 0;
  /// DeepSpeed allocates its gradient buffers once; PyTorch frees gradients after every step
  /// (zero_grad(set_to_none=True)), so they never meet the forward pass's activations.
  bool gradients_persist = false;
};

/// Bytes per parameter of an optimizer's own states: Adam(W) momentum and variance 8 in fp32,
/// 8-bit AdamW 2 (bitsandbytes; its paged variants the same, in unified memory), SGD with
/// momentum and Lion 4, plain SGD and Adafactor 0 (Adafactor's factored moments are counted
/// per matrix, see PyTorchTraining). Pure bf16 training keeps them in bf16 (torch.optim stores
/// states in the parameter's dtype), halving all but the 8-bit states. Paged optimizers'
/// states sit in CUDA unified memory that pages out to the host under pressure
/// (bitsandbytes, paged_*): see pytorch_model_states.
double optimizer_state_bytes(const std::string& optimizer, TrainingPrecision precision);

/// Bytes per parameter optimizer.step() allocates beyond the states: torch's default foreach
/// Adam(W) takes the square root of every second moment at once (torch/optim/adam.py,
/// _multi_tensor_adam: exp_avg_sq_sqrt = torch._foreach_sqrt(...)), one state-sized list. Fused
/// and bitsandbytes kernels, SGD and Lion update in place.
double optimizer_step_temporary_bytes(const std::string& optimizer, TrainingPrecision precision);

/// Bytes per parameter of bitsandbytes NF4 (QLoRA): 4-bit codes plus one absmax per block of
/// 64, itself 8-bit with an fp32 constant per 256 blocks under double quantization
/// (bitsandbytes/functional.py, quantize_4bit; Dettmers et al. 2023, section 3).
double nf4_bytes_per_parameter(bool double_quantization);

/// One GPU's share of a PyTorch training run (DDP or FSDP), parameters after TP and PP.
struct PyTorchTraining {
  double params = 0;                   // all parameters this GPU's replica holds
  double quantizable_params = 0;       // decoder-layer linear weights (QLoRA's NF4 part)
  double adapter_params = 0;           // LoRA's A and B matrices
  double layer_params = 0;             // one decoder layer: FSDP's unit, one recomputed layer
  double largest_module = 0;           // the largest module's own parameters
  double factored_state_elements = 0;  // Adafactor: rows + columns of each matrix, each vector whole
  double frozen_base_bytes = 0;        // LoRA: the frozen base as stored (16-bit, NF4, GPTQ...)
  TrainingPrecision precision = TrainingPrecision::mixed;
  FineTuning fine_tuning = FineTuning::full;
  std::string optimizer = "adamw";
  FsdpSharding fsdp = FsdpSharding::none;
  std::int64_t data_parallel = 1;
  bool optimizer_in_backward = false;
  bool accumulates_gradients = false;  // gradient accumulation keeps them across micro-batches
  bool checkpointed = false;  // full gradient checkpointing: autocast's weight copies are not kept
};

/// PyTorch AMP keeps fp32 weights and gradients and, through forward and backward, autocast's
/// 16-bit copy of every weight it casts (transformers docs, model_memory_anatomy.md: 6 bytes of
/// weights, 4 of gradients, 8 of AdamW); pure bf16 keeps 2 + 2 + 4 (torchtune's recipes); fp32
/// 4 + 4 + 8. LoRA trains adapters only, on a frozen 16-bit or NF4 base. FSDP divides the
/// sharded states by the data-parallel size and gathers one unit (plus one prefetched) at a time.
ModelStates pytorch_model_states(const PyTorchTraining& training);

/// One data-parallel group under DeepSpeed ZeRO.
struct ZeroSetup {
  double params = 0;         // parameters this rank's model replica holds (after TP/PP)
  double largest_layer = 0;  // the largest module's own parameters (ZeRO-3 gathers it whole)
  std::int64_t data_parallel = 1;
  std::int64_t gpus_per_node = 1;
  std::int64_t nodes = 1;
  int stage = 0;
  bool offload_optimizer = false;
  bool offload_param = false;
  bool zero_init = true;
  TrainingPrecision precision = TrainingPrecision::mixed;
  double optimizer_state_bytes = 8;
  double buffer_factor = 1.5;  // DeepSpeed's additional_buffer_factor for CPU memory
};

/// ZeRO's model states per GPU and CPU memory per node, counted as DeepSpeed's own estimators
/// count them (deepspeed/runtime/zero/stage_1_and_2.py and stage3.py,
/// estimate_zero{2,3}_model_states_mem_needs): with mixed precision and Adam, 2P + 18P/N at
/// stage 2 and 4L + 18P/N at stage 3, where 18 = 2 (16-bit gradients) + 4 (fp32 gradients) +
/// 4 (fp32 master weights) + 8 (Adam). Stage 0 and 1 follow the same states unpartitioned
/// (Rajbhandari et al. 2020).
ModelStates deepspeed_model_states(const ZeroSetup& setup);

}  // namespace llmmem
