#pragma once

#include <nlohmann/json.hpp>

#include "llmmem/model_spec.hpp"

namespace llmmem::detail {

/// Derives the ModelSpec from a parsed config.json; `path` names it in messages ("config").
ModelSpec model_from_config(const nlohmann::json& config, const std::string& path);

}  // namespace llmmem::detail
