// The whole binding: JSON text in, JSON text out, nothing for JavaScript to free.
// Errors come back inside the JSON (estimate_json never throws); api.js turns them into Errors.
//
// The text crosses as UTF-8 bytes in two buffers that live here: api.js encodes the request into
// `request_bytes` (TextEncoder) and decodes the response from a view of `response_bytes`
// (TextDecoder). Embind's std::string conversion walks every byte in JavaScript, twice on the way
// out; with 4 KB responses that was a fifth of an estimate (docs/performance.md).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <string_view>

#include "llmmem/api.hpp"

namespace {
std::string request_bytes;
std::string response_bytes;

emscripten::val bytes_view(std::string& bytes) {
  return emscripten::val(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<unsigned char*>(bytes.data())));
}

/// Room for the next request's `size` bytes, for JavaScript to fill.
emscripten::val request_buffer(std::size_t size) {
  request_bytes.resize(size);
  return bytes_view(request_bytes);
}

/// The response, held until the next call: JavaScript decodes it at once.
emscripten::val respond(std::string response) {
  response_bytes = std::move(response);
  return bytes_view(response_bytes);
}

template <std::string (*Answer)(std::string_view) noexcept>
emscripten::val answer() {
  return respond(Answer(request_bytes));
}

emscripten::val schema() { return respond(llmmem::schema_json_envelope()); }

std::string version() { return llmmem::version(); }
}  // namespace

EMSCRIPTEN_BINDINGS(llm_mem) {
  emscripten::function("_requestBuffer", &request_buffer);
  emscripten::function("_estimateBytes", &answer<llmmem::estimate_json>);
  emscripten::function("_sweepBytes", &answer<llmmem::sweep_json>);
  emscripten::function("_solveBytes", &answer<llmmem::solve_json>);
  emscripten::function("_schemaBytes", &schema);
  emscripten::function("_version", &version);
}
