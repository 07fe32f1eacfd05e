#pragma once
// What the three boundary functions (estimate_json, sweep_json, solve_json) share.

#include <cmath>
#include <string>

#include "llmmem/breakdown.hpp"
#include "llmmem/error.hpp"
#include "llmmem/request.hpp"

namespace llmmem::detail {

/// Runs `body` (which returns a result object as JSON text) and wraps it as
/// {"ok":true,"result":...}, or any exception as {"ok":false,"error":{field,message}}.
template <typename Body>
std::string guarded(Body&& body) noexcept;

std::string error_envelope(const std::string& field, const std::string& message) noexcept;

/// No NaN, Infinity or negative figure leaves the core: inputs that drive one there are refused.
inline const MemoryBreakdown& require_computable(const MemoryBreakdown& breakdown) {
  for (const auto& [key, gib] : breakdown.to_dict()) {
    if (!std::isfinite(gib) || gib < 0) {
      throw InputError("request", "request: the " + std::string(key) +
                                      " estimate is beyond what can be computed for these inputs");
    }
  }
  return breakdown;
}

/// The memory a framework may use on one GPU: vLLM claims gpu_memory_utilization of it.
inline double usable_gib(const Request& request) {
  const FrameworkConfig& f = request.scenario.framework_config;
  return f.gpu_memory_gib.value_or(0) *
         (request.framework == Framework::vllm ? f.gpu_memory_utilization : 1.0);
}

}  // namespace llmmem::detail

#include <new>

#include "llmmem/error.hpp"

namespace llmmem::detail {

template <typename Body>
std::string guarded(Body&& body) noexcept {
  try {
    try {
      return R"({"ok":true,"result":)" + body() + "}";
    } catch (const InputError& e) {
      return error_envelope(e.field(), e.what());
    } catch (const std::bad_alloc&) {
      return error_envelope("request", "request: out of memory");
    } catch (const std::exception& e) {
      return error_envelope("", std::string("internal error: ") + e.what());
    }
  } catch (...) {
    return R"({"ok":false,"error":{"field":"","message":"internal error"}})";
  }
}

}  // namespace llmmem::detail
