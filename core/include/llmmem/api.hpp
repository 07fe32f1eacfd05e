#pragma once
// The boundary: JSON text in, an envelope of JSON text out, never an exception. The JS API, the
// CLI and the page call these and nothing else.

#include <string>
#include <string_view>

#include "llmmem/engine.hpp"
#include "llmmem/input.hpp"
#include "llmmem/schema.hpp"

namespace llmmem {

/// The response object of README.md (breakdown, verdict, model, warnings, ...) as JSON text:
/// the engine's one result, formatted. Throws InputError for a scenario the model cannot run.
std::string estimate_to_json(const Request& request);

/// The one boundary function: request JSON text in, `{"ok":true,"result":{...}}` or
/// `{"ok":false,"error":{"field":...,"message":...}}` out. Never throws.
std::string estimate_json(std::string_view request_json) noexcept;

/// A sweep for charts: `{"request": {...}, "field": "workload.max_model_len", "values": [...]}`
/// in; the engine's result at every value (breakdown, verdict, capacity), one array per figure,
/// out. The config is parsed once. Same envelope as estimate_json; never throws.
std::string sweep_json(std::string_view sweep_request) noexcept;

/// The solver: `{"request": {...}, "field": "workload.batch_size"}` in (the request must give a
/// GPU); out, where the engine's verdict flips: the largest workload value or the smallest
/// parallel size (or gpu_memory_utilization) that runs, and the value one step past it. Never throws.
std::string solve_json(std::string_view solve_request) noexcept;

/// The request schema (llmmem/schema.hpp) in the same envelope.
std::string schema_json_envelope() noexcept;

const char* version() noexcept;

}  // namespace llmmem
