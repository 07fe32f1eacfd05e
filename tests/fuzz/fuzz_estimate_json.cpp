// libFuzzer target for the whole estimate path: request text -> estimate_json / sweep_json /
// solve_json, and the same bytes as a config, as a safetensors header and as a GGUF file. The first byte picks the
// field a sweep and a solve vary (every variable field) and the solver's max (2^0 to 2^47, past
// every field's bound), so work that grows with values is reached; scripts/fuzz.sh makes any input
// slower than 10 s a finding. Property: whatever the bytes, the answer is a JSON envelope; a result
// has only finite, non-negative figures; an error names a message.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "llmmem/api.hpp"
#include "llmmem/checkpoint.hpp"
#include "llmmem/error.hpp"
#include "llmmem/gguf_header.hpp"

namespace {

void check_envelope(const std::string& text) {
  const nlohmann::json envelope = nlohmann::json::parse(text);  // not JSON: a crash, a finding
  if (!envelope.at("ok").get<bool>()) {
    if (envelope.at("error").at("message").get<std::string>().empty()) std::abort();
    return;
  }
  const nlohmann::json& result = envelope.at("result");
  if (result.contains("breakdown") && result.at("breakdown").is_object()) {
    for (const auto& item : result.at("breakdown").items()) {
      const auto check = [](const nlohmann::json& value) {
        const double gib = value.get<double>();
        if (!std::isfinite(gib) || gib < 0) std::abort();
      };
      if (item.value().is_array()) {
        for (const auto& value : item.value()) check(value);
      } else {
        check(item.value());
      }
    }
  }
}

}  // namespace

const char* const kVariableFields[] = {
    "workload.batch_size", "workload.sequence_length", "workload.max_num_seqs", "workload.max_model_len",
    "parallelism.tensor_parallel_size", "parallelism.pipeline_parallel_size", "parallelism.data_parallel_size",
    "parallelism.expert_parallel_size", "framework_config.gpu_memory_utilization"};

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_envelope(llmmem::estimate_json(bytes));
  check_envelope(llmmem::estimate_json(R"({"framework":"vllm","config":)" + std::string(bytes) + "}"));
  const std::uint8_t pick = size > 0 ? data[0] : 0;
  const std::string field = kVariableFields[pick % std::size(kVariableFields)];
  const std::string max = std::to_string(std::int64_t(1) << (pick / std::size(kVariableFields) % 48));
  const std::string request = std::string(bytes.substr(size > 0 ? 1 : 0));
  check_envelope(llmmem::sweep_json(R"({"field":")" + field + R"(","values":[1,)" + max + R"(],"request":)" + request + "}"));
  check_envelope(llmmem::solve_json(R"({"field":")" + field + R"(","max":)" + max + R"(,"request":)" + request + "}"));
  // The fraction field's solve without max (its own default), and the classic one.
  check_envelope(llmmem::solve_json(R"({"field":"workload.batch_size","request":)" + std::string(bytes) + "}"));
  // The same bytes as a safetensors header: refused with an InputError, or summed to figures that
  // cannot be negative; any other exception is a finding.
  try {
    llmmem::CheckpointTensors tensors;
    llmmem::add_safetensors_header(bytes, -1, "header", tensors);
    if (tensors.elements < 0 || tensors.bytes < 0 || tensors.tensors < 0) std::abort();
  } catch (const llmmem::InputError&) {
  }
  // The same bytes as a GGUF file's prefix, its size unknown and known: an envelope either way,
  // and a prefix too short asks for more than it has.
  for (const std::int64_t file_bytes : {std::int64_t(-1), std::int64_t(size)}) {
    const std::string gguf = llmmem::gguf_json(bytes, file_bytes);
    check_envelope(gguf);
    const nlohmann::json envelope = nlohmann::json::parse(gguf);
    if (envelope.at("ok").get<bool>() && !envelope.at("result").at("complete").get<bool>() &&
        envelope.at("result").at("needs").get<std::int64_t>() <= std::int64_t(size)) {
      std::abort();
    }
  }
  return 0;
}
