#include "llmmem/training.hpp"

#include <algorithm>

namespace llmmem {

double optimizer_state_bytes(const std::string& optimizer, TrainingPrecision precision) {
  double fp32_bytes = 8;  // adamw, adam, adamw_fused, paged_adamw: momentum and variance
  if (optimizer == "sgd" || optimizer == "adafactor") fp32_bytes = 0;
  else if (optimizer == "sgd_momentum" || optimizer == "lion") fp32_bytes = 4;
  else if (optimizer == "adamw_8bit" || optimizer == "paged_adamw_8bit") return 2;  // two 8-bit states
  return precision == TrainingPrecision::bf16 ? fp32_bytes / 2 : fp32_bytes;
}

double optimizer_step_temporary_bytes(const std::string& optimizer, TrainingPrecision precision) {
  const bool foreach_adam = optimizer == "adamw" || optimizer == "adam" || optimizer == "paged_adamw";
  if (!foreach_adam) return 0;
  return precision == TrainingPrecision::bf16 ? 2 : 4;
}

double nf4_bytes_per_parameter(bool double_quantization) {
  constexpr double kBlock = 64, kSecondBlock = 256;
  return 0.5 + (double_quantization ? 1.0 / kBlock + 4.0 / (kBlock * kSecondBlock) : 4.0 / kBlock);
}

namespace {

/// Temporaries of optimizers that loop over parameters one at a time, per parameter of the
/// largest: transformers' Adafactor upcasts the gradient and squares it (two fp32 copies plus
/// the update), lion-pytorch builds the update from a clone of the momentum.
double per_parameter_loop_bytes(const std::string& optimizer, TrainingPrecision precision) {
  if (optimizer == "adafactor") return 12;
  if (optimizer == "lion") return precision == TrainingPrecision::bf16 ? 4 : 8;
  return 0;
}

}  // namespace

ModelStates pytorch_model_states(const PyTorchTraining& t) {
  const bool lora = t.fine_tuning != FineTuning::full;
  const double trained_element = t.precision == TrainingPrecision::bf16 ? 2 : 4;
  const double compute_element = t.precision == TrainingPrecision::fp32 ? 4 : 2;
  const double trained = lora ? t.adapter_params : t.params;
  const double largest = std::min(t.largest_module, trained);

  ModelStates s;
  if (!lora) {
    s.weights = trained_element * t.params;
    // torch.autocast caches the 16-bit cast of each weight for the forward pass, and backward
    // keeps the casts it saved; under checkpointing the forward saves nothing, so only the
    // layer being rebuilt holds its copies.
    if (t.precision == TrainingPrecision::mixed) {
      s.transient_weights = 2 * (t.checkpointed ? t.layer_params : t.quantizable_params);
    }
  } else {
    // PEFT: the base stays in its 16-bit load dtype (QLoRA: its linear layers in NF4, the
    // embeddings, norms and head in 16 bits); the adapters train in the training precision.
    s.weights = t.frozen_base_bytes + trained_element * t.adapter_params;
  }
  s.gradients = trained_element * trained;
  s.optimizer = t.optimizer == "adafactor" ? 4 * t.factored_state_elements
                                           : optimizer_state_bytes(t.optimizer, t.precision) * trained;
  const double foreach_temporaries = optimizer_step_temporary_bytes(t.optimizer, t.precision);
  const double loop_temporaries = per_parameter_loop_bytes(t.optimizer, t.precision) * largest;
  s.step_temporaries = foreach_temporaries * trained + loop_temporaries;
  if (t.optimizer.rfind("paged_", 0) == 0) {
    // Unified memory the driver pages to the host when the GPU runs short, outside PyTorch's
    // allocator (torchtune's and QLoRA's reported peaks leave it out): host memory here.
    s.cpu = s.optimizer;
    s.optimizer = 0;
  }
  s.gradients_persist = t.accumulates_gradients;
  if (t.optimizer_in_backward) {
    // torchtune's optimizer_in_backward: each parameter steps as soon as its gradient exists
    // and frees it, so one module's gradient and step live at a time, inside backward.
    s.gradients = trained_element * largest;
    s.step_temporaries = foreach_temporaries * largest + loop_temporaries;
    s.gradients_persist = true;
  }

  if (t.fsdp != FsdpSharding::none && t.data_parallel > 1) {
    const double n = double(t.data_parallel);
    s.gradients /= n;
    s.optimizer /= n;
    s.step_temporaries /= n;
    if (t.fsdp == FsdpSharding::full_shard) {
      // FULL_SHARD gathers one wrapped unit (a decoder layer) and prefetches the next, in the
      // compute dtype, and reduce-scatters each unit's full gradients in backward.
      s.weights /= n;
      s.transient_weights = 2 * compute_element * t.layer_params + (lora ? 0 : trained_element * t.layer_params);
    }
  }
  return s;
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
  auto set = [&s](double weights, double gradients, double optimizer, double cpu) {
    s.weights = weights;
    s.gradients = gradients;
    s.optimizer = optimizer;
    s.cpu = cpu;
  };
  s.gradients_persist = true;  // DeepSpeed allocates its gradient partitions once
  switch (z.stage) {
    case 0:
      set(w * P, (g16 + g32) * P, k * P, P * 4 * g * f);
      break;
    case 1:
    case 2: {
      // stage_1_and_2.py: stage 1 partitions the fp32 gradients and optimizer states, stage 2
      // the 16-bit gradients as well; with offload all of them live in CPU memory.
      const double g16_on_gpu = z.stage == 1 ? g16 * P : g16 * P / N;
      if (z.offload_optimizer) {
        set(w * P, z.stage == 1 ? g16 * P : 0.0, 0.0, P * std::max(4 * g, cpu_states) * f);
      } else {
        set(w * P, g16_on_gpu + g32 * P / N, k * P / N, P * 4 * g * f);
      }
      break;
    }
    default: {
      // stage3.py: every state partitioned; the largest layer is gathered whole, with its
      // gradients, while it runs (4L for 16-bit weights).
      const double per_node = 1 / n;
      if (z.offload_optimizer && z.offload_param) {
        set(w * L, w * L, 0.0,
             z.zero_init ? P * (w + cpu_states) * per_node * f : P * std::max(4 * g, (w + cpu_states) * per_node) * f);
      } else if (z.offload_optimizer) {
        set(w * L + w * P / N, w * L, 0.0,
             z.zero_init ? P * cpu_states * per_node * f : P * std::max(4 * g, cpu_states * per_node) * f);
      } else {
        set(w * L + w * P / N, w * L + g32 * P / N, k * P / N, z.zero_init ? L * 4 * g * f : P * 4 * g * f);
      }
    }
  }
  return s;
}

}  // namespace llmmem
