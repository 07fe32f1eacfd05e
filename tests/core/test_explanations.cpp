// The words under each component (result.explanations): every component a result holds has
// one, and the figures in it are the result's own (the bytes it names times the parameters it
// names give the component's GiB).
#include <doctest/doctest.h>

#include <cstdio>
#include <regex>
#include <string>

#include "engines/text.hpp"
#include "test_support.hpp"

namespace llmmem::testing {
namespace {

json training(const char* config, json framework_config, json workload = json::object(), const char* framework = "transformers") {
  workload["mode"] = "training";
  return {{"config", corpus_config(config)}, {"framework", framework}, {"workload", workload},
          {"framework_config", std::move(framework_config)}};
}

/// The number after `before` in `text`.
double number_after(const std::string& text, const std::string& before) {
  std::smatch match;
  const std::regex pattern(before + R"(([0-9]+(\.[0-9]+)?))");
  REQUIRE_MESSAGE(std::regex_search(text, match, pattern), text);
  return std::stod(match[1]);
}

void every_component_explained(const json& result) {
  for (const auto& item : result.at("breakdown").items()) {
    const std::string key = item.key();
    if (key == "total" || key == "compilation_overhead" || item.value().get<double>() <= 0) continue;
    CHECK_MESSAGE(result.at("explanations").contains(key), key, " has no explanation");
  }
}

TEST_CASE("AdamW's states are explained as 8 bytes per parameter and the step's temporary as 4, and they add up") {
  const json r = estimate_ok(training("llama-3.1-8b.json", json::object()));
  const std::string text = r.at("explanations").at("optimizer_states");
  CHECK(text.find("AdamW") != std::string::npos);
  const double states = number_after(text, "variance\\), "), temporary = number_after(text, "\\+ ");
  CHECK(states == 8);
  CHECK(temporary == 4);
  const double trained = r.at("training").at("trainable_parameters_per_gpu");
  CHECK(r.at("breakdown").at("optimizer_states").get<double>() == doctest::Approx((states + temporary) * trained / kGiB).epsilon(1e-6));
  every_component_explained(r);
}

TEST_CASE("8-bit AdamW and SGD name their own states") {
  CHECK(estimate_ok(training("llama-3.1-8b.json", {{"optimizer_type", "adamw_8bit"}})).at("explanations").at("optimizer_states")
            .get<std::string>().find("two 8-bit states") != std::string::npos);
  const json sgd = estimate_ok(training("llama-3.1-8b.json", {{"optimizer_type", "sgd"}}));
  CHECK_FALSE(sgd.at("explanations").contains("optimizer_states"));
}

TEST_CASE("inference weights: parameters times the bytes the result reports") {
  const json r = estimate_ok({{"config", corpus_config("llama-3.1-8b.json")}});
  const std::string text = r.at("explanations").at("model_weights");
  CHECK(number_after(text, "× ") == doctest::Approx(r.at("model").at("bytes_per_parameter").get<double>()).epsilon(0.01));
  const std::string kv = r.at("explanations").at("kv_cache");
  CHECK(kv.find("131,072 bytes per token") != std::string::npos);
  every_component_explained(r);
}

TEST_CASE("DeepSpeed without offload says why the CPU needs memory") {
  const json r = estimate_ok(training("llama-3.1-8b.json", {{"gpu", "H100"}}, json::object(), "deepspeed"));
  CHECK(r.at("explanations").at("cpu_memory").get<std::string>().find("no offload") != std::string::npos);
  every_component_explained(r);
}

TEST_CASE("vLLM explains its parts in its own terms: the KV cache is the budget's rest in blocks") {
  const json r = estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 8192}}, {{"gpu", "H100"}}));
  const std::string kv = r.at("explanations").at("kv_cache");
  const std::int64_t blocks = r.at("kv_cache_capacity").at("num_gpu_blocks");
  CHECK(kv.find(std::to_string(blocks % 1000)) != std::string::npos);
  CHECK(kv.find("gpu_memory_utilization") != std::string::npos);
  every_component_explained(r);
  every_component_explained(estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 8192}})));
}

TEST_CASE("a way to fit that the scenario already takes is not offered") {
  const json r = estimate_ok(training("llama-3.1-8b.json", {{"gpu", "RTX 4090"}, {"fine_tuning", "lora"}},
                                      {{"sequence_length", 2048}, {"batch_size", 2}}));
  for (const json& way : r.at("alternatives")) CHECK(way.at("label") != "LoRA (rank 16, q and v)");
  // "LoRA with gradient checkpointing" is "gradient checkpointing" for a LoRA run: offered once.
  for (const json& way : r.at("alternatives")) CHECK(way.at("label") != "LoRA with gradient checkpointing");
  bool checkpointing = false;
  for (const json& way : r.at("alternatives")) checkpointing |= way.at("label") == "gradient checkpointing" && way.at("ok").get<bool>();
  CHECK(checkpointing);
}

}  // namespace
}  // namespace llmmem::testing

namespace llmmem::testing {
namespace {

TEST_CASE("numbers print digit for digit as printf's %.2f and %g, ties and all, without printf") {
  std::uint64_t state = 7;
  const auto next = [&state] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  int checked = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::uint64_t bits = next();
    double v = bits % 4 == 0 ? double((bits >> 8) % 100000000) / 1000.0   // three decimals: .xx5 near-ties
             : bits % 4 == 1 ? double((bits >> 8) % 1000000) / 8.0       // exact binary ties
             : bits % 4 == 2 ? std::ldexp(double(bits >> 11), -int((bits >> 3) % 70))
                             : double((bits >> 8) % 10000000) / 1e6;
    if ((bits >> 60) % 5 == 0) v = -v;
    char fixed[400], general[64];
    std::snprintf(fixed, sizeof fixed, "%.2f", v);
    std::snprintf(general, sizeof general, "%g", v);
    CHECK_MESSAGE(engines::gib_text(v) == fixed, v);
    CHECK_MESSAGE(engines::number_text(v) == general, v);
    ++checked;
  }
  CHECK(checked == 50000);
  CHECK(engines::gib_text(0.125) == "0.12");   // a tie, to even as printf
  CHECK(engines::gib_text(0.375) == "0.38");
  CHECK(engines::number_text(9.999996) == "10");
  CHECK(engines::number_text(0.92) == "0.92");
}

}  // namespace
}  // namespace llmmem::testing
