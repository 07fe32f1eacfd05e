#pragma once

#include <string>
#include <string_view>

#include "llmmem/estimator.hpp"
#include "llmmem/request.hpp"

namespace llmmem {

/// Parses and validates a request (DESIGN.md's JSON contract). Throws InputError naming the field.
Request parse_request(std::string_view request_json);

/// Derives the ModelSpec from a Hugging Face config.json text. Throws InputError naming the field.
ModelSpec parse_config(std::string_view config_json);

/// The response object of DESIGN.md (breakdown, model, warnings, ...) as JSON text.
/// Throws InputError for a scenario the model cannot run (e.g. more pipeline stages than layers).
std::string estimate_to_json(const Request& request);

/// The one boundary function: request JSON text in, `{"ok":true,"result":{...}}` or
/// `{"ok":false,"error":{"field":...,"message":...}}` out. Never throws.
std::string estimate_json(std::string_view request_json) noexcept;

const char* version() noexcept;

}  // namespace llmmem
