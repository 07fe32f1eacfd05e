// The whole binding: JSON text in, JSON text out, nothing for JavaScript to free.
// Errors come back inside the JSON (estimate_json never throws); api.js turns them into Errors.
#include <emscripten/bind.h>

#include <string>

#include "llmmem/api.hpp"

namespace {
std::string estimate(const std::string& request_json) { return llmmem::estimate_json(request_json); }
std::string version() { return llmmem::version(); }
}  // namespace

EMSCRIPTEN_BINDINGS(llm_mem) {
  emscripten::function("_estimateJson", &estimate);
  emscripten::function("_version", &version);
}
