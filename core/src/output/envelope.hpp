#pragma once
// What the three boundary functions (estimate_json, sweep_json, solve_json) share.

#include <new>
#include <string>

#include "llmmem/error.hpp"

namespace llmmem::detail {

std::string error_envelope(const std::string& field, const std::string& message) noexcept;

/// Runs `body` (which returns a result object as JSON text) and wraps it as
/// {"ok":true,"result":...}, or any exception as {"ok":false,"error":{field,message}}.
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
