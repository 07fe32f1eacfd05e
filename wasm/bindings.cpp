// The whole binding: JSON text in, JSON text out, nothing for JavaScript to free.
// Errors come back inside the JSON (estimate_json never throws); api.js turns them into Errors.
//
// Plain C functions, no Embind: the text crosses as UTF-8 bytes in two buffers that live
// here. api.js encodes the request into the buffer `llmmem_request_buffer` returns (TextEncoder)
// and decodes the response from `llmmem_response_data` (TextDecoder). Embind's runtime was a
// third of the JavaScript glue for what these exports do
// (docs/performance.md); its string conversion walked every byte in JavaScript.
#include <emscripten/emscripten.h>

#include <string>
#include <string_view>

#include "llmmem/api.hpp"
#include "llmmem/checkpoint.hpp"
#include "llmmem/gguf_header.hpp"
#include "llmmem/limits.hpp"

namespace {
std::string request_bytes;
std::string response_bytes;

/// Holds the response until the next call (JavaScript decodes it at once); returns its size.
std::size_t respond(std::string response) {
  response_bytes = std::move(response);
  return response_bytes.size();
}
}  // namespace

extern "C" {

/// Room for the next request's `size` bytes, for JavaScript to fill.
EMSCRIPTEN_KEEPALIVE char* llmmem_request_buffer(std::size_t size) {
  request_bytes.resize(size);
  return request_bytes.data();
}

/// The last response's bytes (their count is what the call that made it returned).
EMSCRIPTEN_KEEPALIVE const char* llmmem_response_data() { return response_bytes.data(); }

EMSCRIPTEN_KEEPALIVE std::size_t llmmem_estimate() { return respond(llmmem::estimate_json(request_bytes)); }
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_sweep() { return respond(llmmem::sweep_json(request_bytes)); }
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_solve() { return respond(llmmem::solve_json(request_bytes)); }
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_safetensors() { return respond(llmmem::safetensors_json(request_bytes)); }
/// The request buffer holds a GGUF file's first bytes (binary); `file_bytes` its size, or -1.
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_gguf(double file_bytes) {
  return respond(llmmem::gguf_json(request_bytes, static_cast<std::int64_t>(file_bytes)));
}
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_schema() { return respond(llmmem::schema_json_envelope()); }
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_version() { return respond(llmmem::version()); }

/// The bounds on JSON text (the schema's `limits`), which api.js checks before a request enters
/// the heap: on its own, since building the whole schema for them cost the first estimate 4-8 ms.
EMSCRIPTEN_KEEPALIVE std::size_t llmmem_limits() {
  return respond("{\"request_bytes\":" + std::to_string(llmmem::kMaxJsonBytes) + ",\"nesting_depth\":" +
                 std::to_string(llmmem::kMaxJsonDepth) + ",\"json_values\":" + std::to_string(llmmem::kMaxJsonValues) + "}");
}

}  // extern "C"
