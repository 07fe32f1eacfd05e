// libFuzzer target for the whole estimate path: request text -> estimate_json / sweep_json /
// solve_json, and the same bytes as a config. Property: whatever the bytes, the answer is a
// JSON envelope; a result has only finite, non-negative figures; an error names a message.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "llmmem/api.hpp"

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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_envelope(llmmem::estimate_json(bytes));
  check_envelope(llmmem::estimate_json(R"({"framework":"vllm","config":)" + std::string(bytes) + "}"));
  check_envelope(llmmem::sweep_json(R"({"field":"workload.max_model_len","values":[1,4096],"request":)" +
                                    std::string(bytes) + "}"));
  check_envelope(llmmem::solve_json(R"({"field":"workload.batch_size","request":)" + std::string(bytes) + "}"));
  return 0;
}
