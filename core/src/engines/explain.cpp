// One line of "why" per component of a transformers or DeepSpeed breakdown, written from the
// figures the result itself holds (its states, counts and settings), so the words can never
// disagree with the numbers. The page shows them under each large component.
#include "engines/explain.hpp"

#include <cmath>

#include "accounting/units.hpp"
#include "engines/text.hpp"

namespace llmmem::engines {
namespace {

/// Bytes per element, "2" or "0.52".
std::string bytes(double b) { return number_text(std::round(b * 100) / 100); }

std::string optimizer_name(const std::string& o) {
  if (o == "adamw") return "AdamW (PyTorch's default foreach implementation)";
  if (o == "adamw_fused") return "fused AdamW";
  if (o == "adam") return "Adam";
  if (o == "adamw_8bit") return "8-bit AdamW (bitsandbytes)";
  if (o == "paged_adamw") return "paged AdamW (bitsandbytes)";
  if (o == "paged_adamw_8bit") return "paged 8-bit AdamW (bitsandbytes)";
  if (o == "sgd") return "SGD";
  if (o == "sgd_momentum") return "SGD with momentum";
  if (o == "lion") return "Lion";
  if (o == "adafactor") return "Adafactor";
  return o;
}

std::string states_phrase(const std::string& o) {
  if (o == "sgd") return "no state";
  if (o == "sgd_momentum" || o == "lion") return "one momentum buffer";
  if (o == "adafactor") return "factored second moments (a row and a column per matrix)";
  if (o == "adamw_8bit" || o == "paged_adamw_8bit") return "two 8-bit states (momentum and variance)";
  return "two states (momentum and variance)";
}

const char* precision_name(TrainingPrecision p) {
  switch (p) {
    case TrainingPrecision::mixed: return "mixed precision (fp32 weights, 16-bit compute)";
    case TrainingPrecision::bf16: return "pure bf16";
    case TrainingPrecision::fp32: return "fp32";
  }
  return "";
}

void explain_training(const Request& request, const MemoryEstimator::TrainingPhases& phases, const Result& r, Explanations& out) {
  const Scenario& s = request.scenario;
  const FrameworkConfig& f = s.framework_config;
  const MemoryBreakdown& b = r.breakdown;
  const ModelStates& st = phases.states;
  const double trained = r.training ? r.training->trainable_parameters_per_gpu : 0;
  const bool deepspeed = request.framework == Framework::deepspeed;
  const bool step = phases.step_is_peak();
  const std::string per_gpu = amount_text(r.parameters_per_gpu) + " parameters on this GPU";

  std::string weights;
  if (f.fine_tuning != FineTuning::full) {
    weights = "the frozen base (" + std::string(f.fine_tuning == FineTuning::qlora ? "linear layers in 4-bit NF4" : "as loaded") +
              ") of " + per_gpu + ", and the LoRA adapters";
  } else if (deepspeed) {
    weights = per_gpu + " in the compute dtype (" + bytes(st.weights / std::max(1.0, r.parameters_per_gpu)) +
              " bytes each on average: ZeRO stage " + std::to_string(s.parallelism.zero_stage) +
              (s.parallelism.zero_stage == 3 ? " keeps a 1/" + std::to_string(s.parallelism.data_parallel_size) +
                                                   " share plus the largest layer gathered whole)"
                                             : " keeps them whole)");
  } else {
    weights = per_gpu + " × " + bytes(st.weights / std::max(1.0, r.parameters_per_gpu)) + " bytes: " + precision_name(f.training_precision);
    if (!step && st.transient_weights > 0) {
      weights += f.fsdp == FsdpSharding::full_shard ? ", plus the FSDP unit gathered and the next one prefetched"
                                                    : ", plus autocast's 16-bit copy of each weight through forward and backward";
    }
  }
  out.emplace_back("model_weights", weights);

  if (b.gradients_gb > 0 && trained > 0) {
    out.emplace_back("gradients", amount_text(trained) + " trainable parameters' gradients, " +
                                      bytes(b.gradients_gb * kBytesPerGiB / trained) + " bytes each" +
                                      (deepspeed ? " (16-bit and fp32 copies, as ZeRO partitions them)" : "") +
                                      (step ? "" : "; kept through backward by gradient accumulation"));
  }
  if (b.optimizer_states_gb > 0 && trained > 0) {
    std::string text = optimizer_name(f.optimizer_type) + ": " + states_phrase(f.optimizer_type);
    if (deepspeed) text += " and fp32 master weights";
    text += ", " + bytes(st.optimizer / trained) + " bytes per trainable parameter";
    const bool with_step = step || st.gradients_persist;
    if (with_step && st.step_temporaries > 0) {
      text += ", + " + bytes(st.step_temporaries / trained) + " bytes of the step's temporary (the square roots of every second moment at once)";
    }
    text += ", × " + amount_text(trained);
    if (f.fsdp != FsdpSharding::none && s.parallelism.data_parallel_size > 1) {
      text += ", sharded over " + std::to_string(s.parallelism.data_parallel_size) + " GPUs by FSDP";
    } else if (deepspeed && s.parallelism.zero_stage >= 1 && s.parallelism.data_parallel_size > 1) {
      text += ", partitioned over " + std::to_string(s.parallelism.data_parallel_size) + " GPUs by ZeRO";
    }
    out.emplace_back("optimizer_states", text);
  }
  if (b.activations_gb > 0) {
    const char* kept = f.gradient_checkpointing == GradientCheckpointing::full
                           ? "; gradient checkpointing keeps each layer's input and recomputes one layer at a time"
                           : "; gradient checkpointing would keep only each layer's input";
    out.emplace_back("activations", "saved for backward: batch " + count_text(s.workload.batch_size) + " × " +
                                        count_text(s.workload.sequence_length) + " tokens through " +
                                        std::to_string(request.model.num_layers) + " layers" + kept);
  }
  if (r.cpu_memory_gib && *r.cpu_memory_gib > 0) {
    std::string text;
    if (f.optimizer_type.rfind("paged_", 0) == 0) {
      text = "the paged optimizer's states, in unified memory the driver pages to the host";
    } else if (deepspeed && !f.offload_optimizer && !f.offload_param) {
      text = "no offload: while the model is built, each of the node's processes holds its fp32 copy in CPU memory "
             "(DeepSpeed's estimator: 4 bytes per parameter × GPUs per node × 1.5)";
    } else {
      text = "the offloaded model states in CPU memory, per node (DeepSpeed's estimator, × 1.5 for buffers)";
    }
    out.emplace_back("cpu_memory", text);
  }
}

}  // namespace

Explanations explain_fit(const Request& request, const Result& r, const MemoryEstimator::TrainingPhases* phases) {
  const Scenario& s = request.scenario;
  const MemoryBreakdown& b = r.breakdown;
  Explanations out;
  if (phases) {
    explain_training(request, *phases, r, out);
  } else {
    std::string weights = amount_text(r.parameters_per_gpu) + " parameters on this GPU × " + bytes(r.bytes_per_parameter) + " bytes (" +
                          (request.model.is_quantized() ? "quantized, with its scales" : r.storage_dtype) + ")";
    if (s.parallelism.tensor_parallel_size > 1) weights += ", split over " + std::to_string(s.parallelism.tensor_parallel_size) + " GPUs by tensor parallelism";
    out.emplace_back("model_weights", weights);
    out.emplace_back("activations", "the forward pass's largest temporaries for batch " + count_text(s.workload.batch_size) + " × " +
                                        count_text(s.workload.sequence_length) + " tokens");
  }
  if (b.kv_cache_gb > 0) {
    out.emplace_back("kv_cache", count_text(s.workload.batch_size) + " × " + count_text(s.workload.sequence_length) + " tokens × " +
                                     count_text(std::int64_t(r.kv_cache_bytes_per_token)) + " bytes per token (keys and values of every layer on this GPU)");
  }
  const double base = b.total_gb() - b.fragmentation_overhead_gb - b.safety_margin_gb;
  if (b.fragmentation_overhead_gb > 0 && base > 0) {
    out.emplace_back("fragmentation_overhead", number_text(std::round(1000 * b.fragmentation_overhead_gb / base) / 10) +
                                                   "% of the components above: blocks the allocator holds but cannot use "
                                                   "(params.fragmentation_overhead_factor)");
  }
  if (b.safety_margin_gb > 0) {
    out.emplace_back("safety_margin", "the larger of " + number_text(request.params.min_memory_safety_margin_gb) + " GiB and " +
                                          number_text(100 * request.params.memory_safety_margin_factor) +
                                          "% of the components above: room for what no formula sees (params.memory_safety_margin_factor)");
  }
  return out;
}

Explanations explain_vllm(const Request& request, const Result& r, const VllmTerms& t) {
  Explanations out;
  std::string weights = amount_text(r.parameters_per_gpu) + " parameters on this GPU as vLLM loads them "
                        "(its log's \"Model loading took ... GiB\"; the vocabulary padded to 64)";
  if (request.scenario.parallelism.tensor_parallel_size > 1) weights += ", split by tensor parallelism";
  out.emplace_back("model_weights", weights);
  out.emplace_back("activations", "the peak of vLLM's profiling run: one forward pass of " +
                                      count_text(t.max_num_batched_tokens) + " tokens (max_num_batched_tokens)");
  out.emplace_back("non_torch_memory", "memory outside PyTorch's allocator that grows during profiling: NCCL buffers, "
                                       "cuBLAS workspaces, custom all-reduce");
  if (t.graphs) {
    out.emplace_back("cuda_graphs", std::string("the captured CUDA graphs' memory pool, ") +
                                        (t.graphs_in_budget ? "taken off the budget before the KV cache is sized"
                                                            : "captured after the KV cache, on top of the budget"));
  }
  if (const auto& c = r.capacity; c && r.verdict.ok()) {
    out.emplace_back("kv_cache", "everything left of the budget (" + gib_text(c->budget_gib) + " GiB = GPU × gpu_memory_utilization " +
                                     number_text(t.gpu_memory_utilization) + ") in whole blocks: " + count_text(c->num_gpu_blocks) +
                                     " blocks of " + count_text(c->block_size) + " tokens");
    out.emplace_back("fragmentation_overhead", "the budget's remainder, less than one KV block");
  } else if (c) {
    out.emplace_back("kv_cache", "one request of max_model_len (" + count_text(t.max_model_len) + " tokens): the least vLLM needs to start");
  } else {
    out.emplace_back("kv_cache", "max_num_seqs (" + count_text(t.max_num_seqs) + ") requests of max_model_len (" +
                                     count_text(t.max_model_len) + " tokens) at once: choose a GPU to see what its budget holds");
  }
  return out;
}

}  // namespace llmmem::engines
