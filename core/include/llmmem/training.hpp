#pragma once
// Model states of training (weights, gradients, optimizer states) per GPU, as PyTorch and
// DeepSpeed ZeRO keep them. Activations are not model states and live in the estimators.

#include <cstdint>
#include <string>

#include "llmmem/request.hpp"

namespace llmmem {

/// Bytes per GPU (cpu: bytes per node) of each model state.
struct ModelStates {
  double weights = 0;
  double gradients = 0;
  double optimizer = 0;  // optimizer states, and the fp32 master weights where they exist
  double cpu = 0;
};

/// Bytes per parameter of an optimizer's own states: Adam(W) momentum and variance 8 in fp32,
/// 8-bit AdamW 2 (bitsandbytes), SGD with momentum and Lion 4, plain SGD 0. Pure bf16 training
/// keeps them in bf16 (torch.optim stores states in the parameter's dtype), halving all but
/// the 8-bit states.
double optimizer_state_bytes(const std::string& optimizer, TrainingPrecision precision);

/// PyTorch (DDP, each GPU a full replica): AMP keeps fp32 weights and gradients
/// (transformers docs, model_memory_anatomy.md: 4 + 4 + 8 bytes for AdamW); pure bf16 keeps
/// 2 + 2 + 4 (torchtune's recipes); fp32 4 + 4 + 8.
ModelStates pytorch_model_states(double params, TrainingPrecision precision,
                                 const std::string& optimizer);

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
