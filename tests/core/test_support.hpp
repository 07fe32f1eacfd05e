#pragma once
// Shared helpers for the core suites: the config corpus and request building.

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

}  // namespace llmmem::testing
