#pragma once
// The words under each component: why it is this size, from the result's own figures.

#include <cstdint>

#include "llmmem/estimator.hpp"
#include "llmmem/result.hpp"

namespace llmmem::engines {

/// A transformers or DeepSpeed result's components, each with one line on why; `phases`: the
/// training step's, as the result was computed from them (null for inference).
Explanations explain_fit(const Request& request, const Result& result, const MemoryEstimator::TrainingPhases* phases);

/// What vLLM's start-up decided that its explanations name.
struct VllmTerms {
  std::int64_t max_num_batched_tokens = 0, max_model_len = 0, max_num_seqs = 0;
  double gpu_memory_utilization = 0;
  bool graphs = false, graphs_in_budget = false;
};

/// A vLLM result's parts, each in vLLM's own terms.
Explanations explain_vllm(const Request& request, const Result& result, const VllmTerms& terms);

}  // namespace llmmem::engines
