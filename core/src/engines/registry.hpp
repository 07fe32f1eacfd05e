#pragma once
// The engines, each once: its policy (create_engine) and its block of request fields.

#include <span>
#include <vector>

#include "llmmem/schema.hpp"

namespace llmmem::engines {

/// The request's fields in blocks, in order: the shared ones, each engine's, the spec's parameters.
std::vector<std::span<const FieldSpec>> field_blocks();

}  // namespace llmmem::engines
