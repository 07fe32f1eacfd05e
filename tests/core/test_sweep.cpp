// Sweeps (chart points) and the solver, checked against single estimates.
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;
using llmmem::testing::call;

namespace {
json vllm_request(double gpu_gib) {
  return {{"config", corpus_config("llama-3.1-8b.json")},
          {"framework", "vllm"},
          {"workload", {{"max_num_seqs", 32}, {"max_model_len", 8192}}},
          {"framework_config", {{"gpu_memory_gib", gpu_gib}}}};
}
}  // namespace

TEST_CASE("a sweep gives, per value, the engine's own result: breakdown, verdict, capacity") {
  const json request = vllm_request(80);
  const json values = {1024, 4096, 32768, 131072, 262144};
  const json response = call(sweep_json, {{"request", request}, {"field", "workload.max_model_len"}, {"values", values}});
  REQUIRE(response.at("ok") == true);
  const json& result = response.at("result");
  CHECK(result.at("values") == values);
  for (std::size_t i = 0; i < values.size(); ++i) {
    json single = request;
    single["workload"]["max_model_len"] = values[i];
    const json expected = estimate_ok(single);
    for (const auto& item : expected.at("breakdown").items()) {
      const std::string key = item.key();
      CAPTURE(key);
      CHECK(result.at("breakdown").at(key).at(i) == item.value());
    }
    CHECK(result.at("ok").at(i) == expected.at("verdict").at("ok"));
    CHECK(result.at("status").at(i) == expected.at("verdict").at("status"));
    CHECK(result.at("needed_gib").at(i) == expected.at("verdict").at("needed_gib"));
    CHECK(result.at("kv_tokens").at(i) == expected.at("kv_cache_capacity").at("tokens"));
    CHECK(result.at("max_concurrency").at(i) == expected.at("kv_cache_capacity").at("max_concurrency"));
  }
  // Beyond Llama-3.1's 131072 tokens vLLM refuses the length itself.
  CHECK(result.at("ok") == json({true, true, true, true, false}));
}

TEST_CASE("without a GPU a sweep's points have no verdict to run or not, but refusals are still refusals") {
  json request = vllm_request(80);
  request["framework_config"].erase("gpu_memory_gib");
  const json result = call(sweep_json, {{"request", request}, {"field", "workload.max_model_len"}, {"values", {4096, 262144}}}).at("result");
  CHECK(result.at("ok") == json({false, false}));
  CHECK(result.at("status") == json({"no_gpu", "refuses"}));  // beyond Llama-3.1's 131072 tokens
}

TEST_CASE("sweep errors name the field or the value") {
  const json request = vllm_request(80);
  auto error = [&](const json& query) { return call(sweep_json, query).at("error"); };
  CHECK(error({{"request", request}, {"field", "workload.colour"}, {"values", {1}}}).at("field") == "field");
  CHECK(error({{"request", request}, {"field", "workload.max_num_seqs"}, {"values", {1, "two"}}}).at("field") ==
        "values[1]");
  // transformers checks a TP size itself (vLLM refuses it in its verdict instead).
  json transformers = request;
  transformers["framework"] = "transformers";
  transformers.erase("workload");
  const json invalid = error({{"request", transformers}, {"field", "parallelism.tensor_parallel_size"}, {"values", {1, 3}}});
  CHECK(invalid.at("field") == "values[1]");
  CHECK(invalid.at("message") ==
        "values[1]: parallelism.tensor_parallel_size: must divide num_attention_heads (32), got 3");
  const json refused = call(sweep_json, {{"request", request}, {"field", "parallelism.tensor_parallel_size"}, {"values", {1, 3}}});
  CHECK(refused.at("result").at("ok") == json({true, false}));
  CHECK(error({{"field", "workload.max_num_seqs"}, {"values", {1}}}).at("field") == "request");
  CHECK(error({{"request", request}, {"field", "workload.max_num_seqs"}, {"values", {1}}, {"extra", 1}}).at("field") ==
        "extra");
}

TEST_CASE("the solver's answer runs and one step past it does not, by the engine's verdict") {
  auto verdict_at = [](json request, const std::string& field, const json& value) {
    const auto dot = field.find('.');
    request[field.substr(0, dot)][field.substr(dot + 1)] = value;
    return estimate_ok(request).at("verdict").at("ok").get<bool>();
  };
  SUBCASE("vLLM: the longest max_model_len and the largest max_num_seqs that start on an 80 GiB card") {
    for (const char* field : {"workload.max_model_len", "workload.max_num_seqs"}) {
      CAPTURE(field);
      json request = vllm_request(80);
      request["framework_config"]["allow_long_max_model_len"] = true;
      const json result = call(solve_json, {{"request", request}, {"field", field}}).at("result");
      const std::int64_t value = result.at("value");
      CHECK(value > 1);
      CHECK(verdict_at(request, field, value));
      CHECK_FALSE(verdict_at(request, field, value + 1));
      CHECK(result.at("step_past").at("value") == value + 1);
      CHECK(result.at("limit_gib").get<double>() >= 80 * 0.92);  // the budget, and the graphs outside it
    }
  }
  SUBCASE("smallest tensor-parallel size for Mixtral on 24 GiB cards skips sizes that are no scenario") {
    json request = vllm_request(24);
    request["config"] = corpus_config("mixtral-8x7b-v0.1.json");
    const json result = call(solve_json, {{"request", request}, {"field", "parallelism.tensor_parallel_size"}}).at("result");
    const std::int64_t tp = result.at("value");
    CHECK(32 % tp == 0);
    CHECK(verdict_at(request, "parallelism.tensor_parallel_size", tp));
    const std::int64_t smaller = result.at("step_past").at("value");
    CHECK(smaller < tp);
    CHECK_FALSE(verdict_at(request, "parallelism.tensor_parallel_size", smaller));
  }
  SUBCASE("phi-4's 40 heads: the fewest TP is the first size that divides them and runs, as the estimate's own solver says") {
    // Doubling and bisection would count 3, 6 and 7 (no request) as "does not run" and miss 5.
    for (const double gpu : {7.0, 4.0}) {
      CAPTURE(gpu);
      const json request = {{"config", corpus_config("phi-4.json")},
                            {"framework", "transformers"},
                            {"framework_config", {{"gpu_memory_gib", gpu}}}};
      const json result = call(solve_json, {{"request", request}, {"field", "parallelism.tensor_parallel_size"}}).at("result");
      const json estimate = estimate_ok(request);
      json engine_answer;
      for (const json& a : estimate.at("solver")) {
        if (a.at("field") == "parallelism.tensor_parallel_size") engine_answer = a;
      }
      REQUIRE(result.at("value").is_number());
      CHECK(result.at("value") == engine_answer.at("value"));
      const std::int64_t tp = result.at("value");
      CHECK(40 % tp == 0);
      CHECK(verdict_at(request, "parallelism.tensor_parallel_size", tp));
      CHECK(result.at("step_past").at("ok") == false);
      CHECK(result.at("step_past").at("value") < tp);
    }
  }
  SUBCASE("vLLM's expert parallelism: all TP x DP ranks or none") {
    json request = vllm_request(24);
    request["config"] = corpus_config("mixtral-8x7b-v0.1.json");
    request["parallelism"] = {{"tensor_parallel_size", 3}, {"data_parallel_size", 1}};
    const json result = call(solve_json, {{"request", request}, {"field", "parallelism.expert_parallel_size"}}).at("result");
    CHECK((result.at("value").is_null() || result.at("value") == 1 || result.at("value") == 3));
  }
  SUBCASE("the lowest gpu_memory_utilization that starts, in hundredths") {
    const json result = call(solve_json, {{"request", vllm_request(80)}, {"field", "framework_config.gpu_memory_utilization"}}).at("result");
    const double value = result.at("value");
    CHECK(verdict_at(vllm_request(80), "framework_config.gpu_memory_utilization", value));
    CHECK_FALSE(verdict_at(vllm_request(80), "framework_config.gpu_memory_utilization", result.at("step_past").at("value")));
  }
  SUBCASE("nothing runs: a null answer, not a guess") {
    const json result = call(solve_json, {{"request", vllm_request(4)}, {"field", "workload.max_num_seqs"}}).at("result");
    CHECK(result.at("value").is_null());
    CHECK(result.at("step_past").is_null());
  }
  SUBCASE("the GPU's memory is required") {
    json request = vllm_request(80);
    request["framework_config"].erase("gpu_memory_gib");
    CHECK(call(solve_json, {{"request", request}, {"field", "workload.max_num_seqs"}}).at("error").at("field") ==
          "framework_config.gpu_memory_gib");
  }
  SUBCASE("an upper bound caps the answer") {
    const json result =
        call(solve_json, {{"request", vllm_request(1000)}, {"field", "workload.max_num_seqs"}, {"max", 100}}).at("result");
    CHECK(result.at("value") == 100);
    CHECK(result.at("step_past").is_null());
  }
}
