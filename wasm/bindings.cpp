// The whole binding: JSON text in, JSON text out, nothing for JavaScript to free.
// Errors come back inside the JSON (estimate_json never throws); api.js turns them into Errors.
#include <emscripten/bind.h>

#include <string>

#include "llmmem/api.hpp"

namespace {
std::string estimate(const std::string& request_json) { return llmmem::estimate_json(request_json); }
std::string sweep(const std::string& sweep_json) { return llmmem::sweep_json(sweep_json); }
std::string solve(const std::string& solve_json) { return llmmem::solve_json(solve_json); }
std::string schema() { return llmmem::schema_json_envelope(); }
std::string version() { return llmmem::version(); }
}  // namespace

EMSCRIPTEN_BINDINGS(llm_mem) {
  emscripten::function("_estimateJson", &estimate);
  emscripten::function("_sweepJson", &sweep);
  emscripten::function("_solveJson", &solve);
  emscripten::function("_schemaJson", &schema);
  emscripten::function("_version", &version);
}
