#pragma once
// The pieces of a result as JSON, shared by the estimate and the sweep.

#include <string>

#include <nlohmann/json.hpp>

#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem::detail {

const char* verdict_status(Verdict::Status status);
nlohmann::ordered_json verdict_json(const Verdict& verdict);
nlohmann::ordered_json capacity_json(const KvCacheCapacity& capacity, bool starts);
/// The whole response object of README.md.
std::string result_to_json(const Request& request, const Result& result);

}  // namespace llmmem::detail
