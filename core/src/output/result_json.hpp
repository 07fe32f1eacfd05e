#pragma once
// A result as the response's JSON text, and what the sweep shares with it (the verdict's words).

#include <string>

#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem::detail {

const char* verdict_status(Verdict::Status status);
/// The whole response object of README.md.
std::string result_to_json(const Request& request, const Result& result);

}  // namespace llmmem::detail
