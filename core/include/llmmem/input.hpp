#pragma once
// Reading requests and configs: the bottom layer, which knows nothing of engines or results.

#include <string_view>

#include "llmmem/model_spec.hpp"
#include "llmmem/request.hpp"

namespace llmmem {

/// Parses and validates a request (the JSON contract of README.md, field by field as
/// llmmem/schema.hpp lists them). Throws InputError naming the field.
Request parse_request(std::string_view request_json);

/// Checks what only the whole request can tell (TP dividing the heads, ZeRO needing DeepSpeed...).
/// parse_request calls it; call it again after changing a parsed request.
void validate_request(const Request& request);

/// Derives the ModelSpec from a Hugging Face config.json text. Throws InputError naming the field.
ModelSpec parse_config(std::string_view config_json);

const char* to_string(Framework framework);
const char* to_string(Mode mode);

}  // namespace llmmem
