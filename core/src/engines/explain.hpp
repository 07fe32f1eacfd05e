#pragma once
// The words under each component: why it is this size, from the result's own figures.

#include "llmmem/estimator.hpp"
#include "llmmem/result.hpp"

namespace llmmem::engines {

/// A transformers or DeepSpeed result's components, each with one line on why.
Explanations explain_fit(const Request& request, const MemoryEstimator& estimator, const Result& result);

}  // namespace llmmem::engines
