// Work bounded by the input's values, not only its bytes: every estimate, sweep and solve stays
// within a fixed budget of engine evaluations; per-layer lists are bounded by the layer count;
// counts built from huge dimensions are refused, never wrapped.
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/engine.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_error;
using llmmem::testing::estimate_ok;
using llmmem::testing::call;
using llmmem::testing::json;
using llmmem::testing::Random;

namespace {

/// Engine evaluations one call makes.
template <typename Query>
std::uint64_t evaluations_of(Query&& query) {
  const std::uint64_t before = Engine::evaluation_count();
  query();
  return Engine::evaluation_count() - before;
}

const char* kSolveFields[] = {"workload.batch_size", "workload.sequence_length", "workload.max_num_seqs",
                              "workload.max_model_len", "parallelism.tensor_parallel_size",
                              "parallelism.pipeline_parallel_size", "parallelism.data_parallel_size",
                              "parallelism.expert_parallel_size", "framework_config.gpu_memory_utilization"};

json qwen_moe(std::int64_t layers, json mlp_only_layers) {
  return {{"model_type", "qwen2_moe"}, {"architectures", {"Qwen2MoeForCausalLM"}}, {"hidden_size", 64},
          {"intermediate_size", 128}, {"num_attention_heads", 4}, {"num_key_value_heads", 4},
          {"num_hidden_layers", layers}, {"vocab_size", 1000}, {"num_experts", 4}, {"num_experts_per_tok", 2},
          {"moe_intermediate_size", 32}, {"shared_expert_intermediate_size", 32}, {"torch_dtype", "bfloat16"},
          {"mlp_only_layers", std::move(mlp_only_layers)}};
}

}  // namespace

// The budget: an estimate runs its solver's bisections (each at most ~2 x 41 probes over a
// 2^40 range) and its alternatives; a sweep one evaluation per value; a solve one bisection.
constexpr std::uint64_t kEstimateBudget = 160;
constexpr std::uint64_t kSolveBudget = 100;

TEST_CASE("every estimate, sweep and solve within the documented bounds stays within a fixed budget of evaluations") {
  Random r{20261207};
  const char* frameworks[] = {"transformers", "vllm", "deepspeed", "llama.cpp", "sglang"};
  const char* configs[] = {"llama-3.1-8b.json", "mixtral-8x7b-v0.1.json", "gpt2.json", "deepseek-v2-lite-chat.json",
                           "gemma-2-9b-it.json"};
  std::uint64_t worst_estimate = 0, worst_solve = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string framework = frameworks[r.between(0, 2)];
    const std::string config = configs[r.between(0, 4)];
    CAPTURE(framework);
    CAPTURE(config);
    json request = {{"config", corpus_config(config)},
                    {"framework", framework},
                    {"workload", json::object()},
                    {"framework_config", {{"gpu_memory_gib", double(r.between(1, 200000)) / 1000.0}}}};
    // Anywhere in the documented bounds, extremes included.
    if (framework == "vllm") {
      request["workload"]["max_num_seqs"] = r.power_of_two_up_to(40);
      request["framework_config"]["allow_long_max_model_len"] = true;
      request["workload"]["max_model_len"] = r.power_of_two_up_to(40);
    } else {
      request["workload"]["batch_size"] = r.power_of_two_up_to(40);
      request["workload"]["sequence_length"] = r.power_of_two_up_to(40);
      if (framework == "deepspeed") request["workload"]["mode"] = "training";
    }
    std::uint64_t n = 0;
    const std::string text = request.dump();
    n = evaluations_of([&] { (void)estimate_json(text); });
    worst_estimate = std::max(worst_estimate, n);
    CHECK(n <= kEstimateBudget);

    const std::int64_t values = r.between(1, 200);
    json sweep_values = json::array();
    for (std::int64_t v = 0; v < values; ++v) sweep_values.push_back(r.power_of_two_up_to(20));
    n = evaluations_of([&] { (void)call(sweep_json, {{"request", request}, {"field", "parallelism.data_parallel_size"}, {"values", sweep_values}}); });
    CHECK(n <= std::uint64_t(values));

    for (const char* field : kSolveFields) {
      CAPTURE(field);
      json query = {{"request", request}, {"field", field}};
      if (r.between(0, 1) == 0) query["max"] = std::string(field).find("utilization") != std::string::npos ? 100 : r.power_of_two_up_to(20);
      n = evaluations_of([&] { (void)call(solve_json, query); });
      worst_solve = std::max(worst_solve, n);
      CHECK(n <= kSolveBudget);
    }
  }
  MESSAGE("worst estimate: " << worst_estimate << " evaluations, worst solve: " << worst_solve);
}

TEST_CASE("solve's max stays within the field's own bound") {
  const json request = {{"config", corpus_config("llama-3.1-8b.json")}, {"framework_config", {{"gpu_memory_gib", 0.001}}}};
  const json refused = call(solve_json, {{"request", request}, {"field", "parallelism.tensor_parallel_size"}, {"max", std::int64_t(1) << 40}});
  REQUIRE_FALSE(refused.at("ok").get<bool>());
  CHECK(refused.at("error").at("field") == "max");
  CHECK(refused.at("error").at("message").get<std::string>() == "max: must be at most 1048576, got 1099511627776");
  const json at_bound = call(solve_json, {{"request", request}, {"field", "parallelism.data_parallel_size"}, {"max", 1 << 20}});
  REQUIRE(at_bound.at("ok").get<bool>());
  CHECK(at_bound.at("result").at("value").is_null());
}

TEST_CASE("per-layer lists are bounded by the layer count and read in one pass") {
  SUBCASE("more entries than layers is refused by name") {
    json many = json::array();
    for (int i = 0; i < 230000; ++i) many.push_back(i % 100000);
    const json error = estimate_error(json{{"config", qwen_moe(100000, many)}}.dump());
    CHECK(error.at("field") == "config.mlp_only_layers");
    CHECK(error.at("message").get<std::string>() ==
          "config.mlp_only_layers: lists 230000 layers, more than num_hidden_layers (100000)");
  }
  SUBCASE("a list as long as the layers counts each listed layer once") {
    json every_other = json::array();
    for (int i = 0; i < 100000; ++i) every_other.push_back(i % 2 == 0 ? i : 0);  // duplicates of 0 included
    const json model = estimate_ok({{"config", qwen_moe(100000, every_other)}}).at("model");
    const json dense = estimate_ok({{"config", qwen_moe(100000, json::array())}}).at("model");
    // 50,000 layers listed lose their experts (4 x gate/up/down of 64 x 32, a router, a shared expert
    // and its gate) and gain a dense MLP of 3 x 64 x 128.
    const std::int64_t moe_mlp = 4 * 3 * 64 * 32 + 64 * 4 + 3 * 64 * 32 + 64, dense_mlp = 3 * 64 * 128;
    CHECK(dense.at("total_parameters").get<std::int64_t>() - model.at("total_parameters").get<std::int64_t>() ==
          50000 * (moe_mlp - dense_mlp));
  }
  SUBCASE("an index past the last layer names no layer: one warning for all of them") {
    const json result = estimate_ok({{"config", qwen_moe(4, {1, 7, 9})}});
    CHECK(result.at("warnings").at(0) == "config.mlp_only_layers: 2 entries name no layer (past the last, 3): ignored");
  }
}

TEST_CASE("vision towers from huge dimensions are refused, never a wrapped count") {
  json llava = corpus_config("llava-1.5-7b-hf.json");
  for (const char* key : {"hidden_size", "intermediate_size", "num_hidden_layers"}) llava["vision_config"][key] = 1 << 24;
  const json error = estimate_error(json{{"config", llava}}.dump());
  CHECK(error.at("field") == "config");
  CHECK(error.at("message").get<std::string>() == "config: describes more parameters than can be counted (over 9.2e18)");

  json qwen = corpus_config("qwen2.5-vl-3b-instruct.json");
  qwen["vision_config"]["spatial_merge_size"] = 1 << 24;
  CHECK(estimate_error(json{{"config", qwen}}.dump()).at("field") == "config");
}

TEST_CASE("inputs valid but unlike any deployment are warned about") {
  const json config = corpus_config("llama-2-7b-hf.json");  // max_position_embeddings 4096
  const json result = estimate_ok({{"config", config}, {"workload", {{"sequence_length", 1000000000000}, {"batch_size", 1000}}}});
  const json& warnings = result.at("warnings");
  CHECK(warnings.at(0) == "workload.sequence_length (1,000,000,000,000) is beyond the model's max_position_embeddings "
                          "(4,096): rotary models lose quality past it, learned positions fail with an index error");
  REQUIRE(warnings.size() >= 2);
  CHECK(warnings.at(1).get<std::string>().rfind("the KV cache alone is ", 0) == 0);
  CHECK(warnings.at(1).get<std::string>().find(" TB over all GPUs, beyond any real deployment (100 TB)") != std::string::npos);
  // At the limit, nothing to say.
  CHECK(estimate_ok({{"config", config}, {"workload", {{"sequence_length", 4096}}}}).at("warnings").empty());
}
