#include "llmmem/training.hpp"

#include <algorithm>

namespace llmmem {

double optimizer_state_bytes(const std::string& optimizer, TrainingPrecision precision) {
  double fp32_bytes = 8;  // adamw, adam: momentum and variance
  if (optimizer == "sgd") fp32_bytes = 0;
  else if (optimizer == "sgd_momentum" || optimizer == "lion") fp32_bytes = 4;
  else if (optimizer == "adamw_8bit") return 2;  // two 8-bit states, whatever the precision
  return precision == TrainingPrecision::bf16 ? fp32_bytes / 2 : fp32_bytes;
}

ModelStates pytorch_model_states(double params, TrainingPrecision precision,
                                 const std::string& optimizer) {
  const double element = precision == TrainingPrecision::bf16 ? 2 : 4;
  return {element * params, element * params, optimizer_state_bytes(optimizer, precision) * params, 0};
}

ModelStates deepspeed_model_states(const ZeroSetup& z) {
  // DeepSpeed keeps fp32 master weights whenever it computes in 16 bits (its fp16 and bf16
  // optimizers), so "bf16" behaves as "mixed" here.
  const bool sixteen_bit = z.precision != TrainingPrecision::fp32;
  const double w = sixteen_bit ? 2 : 4;           // the weights the model computes with
  const double g16 = sixteen_bit ? 2 : 0;         // their gradients, when 16-bit
  const double g32 = 4;                           // fp32 gradients the optimizer steps with
  const double master = sixteen_bit ? 4 : 0;      // fp32 master weights
  const double k = master + z.optimizer_state_bytes;
  const double P = z.params, L = z.largest_layer, N = double(z.data_parallel);
  const double g = double(z.gpus_per_node), n = double(z.nodes), f = z.buffer_factor;
  const double cpu_states = master + g32 + z.optimizer_state_bytes;  // 16 for mixed Adam

  ModelStates s;
  switch (z.stage) {
    case 0:
      s = {w * P, (g16 + g32) * P, k * P, P * 4 * g * f};
      break;
    case 1:
    case 2: {
      // stage_1_and_2.py: stage 1 partitions the fp32 gradients and optimizer states, stage 2
      // the 16-bit gradients as well; with offload all of them live in CPU memory.
      const double g16_on_gpu = z.stage == 1 ? g16 * P : g16 * P / N;
      if (z.offload_optimizer) {
        s = {w * P, z.stage == 1 ? g16 * P : 0.0, 0.0, P * std::max(4 * g, cpu_states) * f};
      } else {
        s = {w * P, g16_on_gpu + g32 * P / N, k * P / N, P * 4 * g * f};
      }
      break;
    }
    default: {
      // stage3.py: every state partitioned; the largest layer is gathered whole, with its
      // gradients, while it runs (4L for 16-bit weights).
      const double per_node = 1 / n;
      if (z.offload_optimizer && z.offload_param) {
        s = {w * L, w * L, 0.0,
             z.zero_init ? P * (w + cpu_states) * per_node * f : P * std::max(4 * g, (w + cpu_states) * per_node) * f};
      } else if (z.offload_optimizer) {
        s = {w * L + w * P / N, w * L, 0.0,
             z.zero_init ? P * cpu_states * per_node * f : P * std::max(4 * g, cpu_states * per_node) * f};
      } else {
        s = {w * L + w * P / N, w * L + g32 * P / N, k * P / N, z.zero_init ? L * 4 * g * f : P * 4 * g * f};
      }
    }
  }
  return s;
}

}  // namespace llmmem
