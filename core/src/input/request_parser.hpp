#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "llmmem/request.hpp"
#include "llmmem/schema.hpp"

namespace llmmem::detail {

/// Parses JSON text; malformed text is an InputError on `what` with nlohmann's line and column.
nlohmann::json parse_json_text(std::string_view text, const std::string& what);

/// A request object (already parsed JSON) -> a validated Request.
Request request_from_json(const nlohmann::json& request);

/// One field's JSON value, read and checked by its schema kind; throws InputError naming `path`.
FieldValue read_field(const FieldSpec& field, const nlohmann::json& value, const std::string& path);

}  // namespace llmmem::detail
