#pragma once

#include <string>
#include <string_view>

#include "llmmem/estimator.hpp"
#include "llmmem/request.hpp"

namespace llmmem {

/// Parses and validates a request (DESIGN.md's JSON contract). Throws InputError naming the field.
Request parse_request(std::string_view request_json);

/// Checks what only the whole request can tell (TP dividing the heads, ZeRO needing DeepSpeed...).
/// parse_request calls it; call it again after changing a parsed request.
void validate_request(const Request& request);

/// Derives the ModelSpec from a Hugging Face config.json text. Throws InputError naming the field.
ModelSpec parse_config(std::string_view config_json);

/// The response object of DESIGN.md (breakdown, model, warnings, ...) as JSON text.
/// Throws InputError for a scenario the model cannot run (e.g. more pipeline stages than layers).
std::string estimate_to_json(const Request& request);

/// The one boundary function: request JSON text in, `{"ok":true,"result":{...}}` or
/// `{"ok":false,"error":{"field":...,"message":...}}` out. Never throws.
std::string estimate_json(std::string_view request_json) noexcept;

/// A sweep for charts: `{"request": {...}, "field": "workload.sequence_length", "values": [...]}`
/// in; the breakdown at every value, one array per component, out. The config is parsed once.
/// Same envelope as estimate_json; never throws.
std::string sweep_json(std::string_view sweep_request) noexcept;

/// The solver: `{"request": {...}, "field": "workload.batch_size"}` in (the request must give
/// framework_config.gpu_memory_gib); out, the largest workload value or the smallest
/// parallel size whose total fits, with the total one step past it. Never throws.
std::string solve_json(std::string_view solve_request) noexcept;

const char* version() noexcept;

}  // namespace llmmem
