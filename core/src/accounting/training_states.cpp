// Training's model states and its two peaks, and the spec's estimate_total_memory.
#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/quantization.hpp"
#include "accounting/units.hpp"

namespace llmmem {

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


double MemoryEstimator::estimate_gradients(const Scenario& s) const {
  if (s.mode == Mode::inference) return 0;
  return model_states(s).gradients * params_.gradient_memory_multiplier / kBytesPerGiB;
}

double MemoryEstimator::estimate_optimizer_states(const Scenario& s) const {
  if (s.mode == Mode::inference) return 0;
  return model_states(s).optimizer / kBytesPerGiB;
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
    b.model_weights_gb = estimate_model_weights(s.parallelism);
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

}  // namespace llmmem
