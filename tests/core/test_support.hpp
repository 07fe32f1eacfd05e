#pragma once
// Shared helpers for the core suites: the config corpus and request building.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "llmmem/api.hpp"

namespace llmmem::testing {

using json = nlohmann::json;

/// Memory in the response is GiB (1024^3 bytes); tests compare bytes against it.
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// A real config.json from tests/data/configs (sources in its SOURCES.md).
inline json corpus_config(const std::string& name) {
  const std::string path = std::string(LLMMEM_TEST_DATA_DIR) + "/configs/" + name;
  std::ifstream file(path);
  if (!file) throw std::runtime_error("missing test config " + path);
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str());
}

/// tests/data/configs/models.json: the corpus with its published counts and their sources.
inline json corpus_manifest() {
  const std::string path = std::string(LLMMEM_TEST_DATA_DIR) + "/configs/models.json";
  std::ifstream file(path);
  if (!file) throw std::runtime_error("missing " + path);
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str());
}

/// A vLLM request for a corpus config, its sections as given.
inline json vllm_request(const char* config, json workload = json::object(), json framework_config = json::object(),
                         json parallelism = json::object()) {
  return {{"config", corpus_config(config)}, {"framework", "vllm"}, {"workload", std::move(workload)},
          {"framework_config", std::move(framework_config)}, {"parallelism", std::move(parallelism)}};
}

/// The parsed response of estimate_json, which must have succeeded.
inline json estimate_ok(const json& request) {
  const json response = json::parse(estimate_json(request.dump()));
  if (!response.at("ok").get<bool>()) {
    throw std::runtime_error("estimate failed: " + response.dump());
  }
  return response.at("result");
}

/// The error object of estimate_json, which must have failed.
inline json estimate_error(const std::string& request_text) {
  const json response = json::parse(estimate_json(request_text));
  if (response.at("ok").get<bool>()) throw std::runtime_error("estimate unexpectedly succeeded");
  return response.at("error");
}

/// The parsed envelope of one boundary call (sweep_json, solve_json) for a query.
inline json call(std::string (*boundary)(std::string_view) noexcept, const json& query) {
  return json::parse(boundary(query.dump()));
}

/// A small deterministic generator: std::uniform_int_distribution differs between standard
/// libraries, and the suites also run compiled to wasm against libc++.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 17;
  }
  std::int64_t between(std::int64_t low, std::int64_t high) {  // inclusive
    return low + std::int64_t(next() % std::uint64_t(high - low + 1));
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&options)[N]) { return options[next() % N]; }
  bool coin() { return next() % 2 == 0; }
  std::int64_t power_of_two_up_to(int bits) { return std::int64_t(1) << between(0, bits); }
};

}  // namespace llmmem::testing
