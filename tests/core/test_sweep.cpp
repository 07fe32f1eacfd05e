// Sweeps (chart points) and the solver, checked against single estimates.
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;

namespace {
json call(std::string (*boundary)(std::string_view) noexcept, const json& query) {
  return json::parse(boundary(query.dump()));
}

json vllm_request(double gpu_gib) {
  return {{"config", corpus_config("llama-3.1-8b.json")},
          {"framework", "vllm"},
          {"workload", {{"max_num_seqs", 32}, {"max_model_len", 8192}}},
          {"framework_config", {{"gpu_memory_gib", gpu_gib}}}};
}
}  // namespace

TEST_CASE("a sweep gives, per value, the same breakdown as a single estimate") {
  const json request = vllm_request(80);
  const json values = {1024, 4096, 32768, 131072};
  const json response = call(sweep_json, {{"request", request}, {"field", "workload.max_model_len"}, {"values", values}});
  REQUIRE(response.at("ok") == true);
  const json& result = response.at("result");
  CHECK(result.at("values") == values);
  for (std::size_t i = 0; i < values.size(); ++i) {
    json single = request;
    single["workload"]["max_model_len"] = values[i];
    const json expected = estimate_ok(single).at("breakdown");
    for (const auto& item : expected.items()) {
      const std::string key = item.key();
      CAPTURE(key);
      CHECK(result.at("breakdown").at(key).at(i) == item.value());
    }
  }
}

TEST_CASE("sweep errors name the field or the value") {
  const json request = vllm_request(80);
  auto error = [&](const json& query) { return call(sweep_json, query).at("error"); };
  CHECK(error({{"request", request}, {"field", "workload.colour"}, {"values", {1}}}).at("field") == "field");
  CHECK(error({{"request", request}, {"field", "workload.max_num_seqs"}, {"values", {1, "two"}}}).at("field") ==
        "values[1]");
  const json invalid = error({{"request", request}, {"field", "parallelism.tensor_parallel_size"}, {"values", {1, 3}}});
  CHECK(invalid.at("field") == "values[1]");
  CHECK(invalid.at("message") ==
        "values[1]: parallelism.tensor_parallel_size: must divide num_attention_heads (32), got 3");
  CHECK(error({{"field", "workload.max_num_seqs"}, {"values", {1}}}).at("field") == "request");
  CHECK(error({{"request", request}, {"field", "workload.max_num_seqs"}, {"values", {1}}, {"extra", 1}}).at("field") ==
        "extra");
}

TEST_CASE("the solver's answer fits and one step past it does not") {
  SUBCASE("largest concurrency for vLLM on an 80 GiB card") {
    const json result = call(solve_json, {{"request", vllm_request(80)}, {"field", "workload.max_num_seqs"}}).at("result");
    const std::int64_t value = result.at("value");
    CHECK(value > 1);
    const double usable = result.at("usable_gib");
    CHECK(usable == doctest::Approx(72));  // 80 x gpu_memory_utilization 0.9
    json at = vllm_request(80);
    at["workload"]["max_num_seqs"] = value;
    CHECK(estimate_ok(at).at("breakdown").at("total").get<double>() <= usable);
    at["workload"]["max_num_seqs"] = value + 1;
    CHECK(estimate_ok(at).at("breakdown").at("total").get<double>() > usable);
    CHECK(result.at("step_past").at("value") == value + 1);
  }
  SUBCASE("smallest tensor-parallel size for Mixtral on 24 GiB cards skips sizes that are no scenario") {
    json request = vllm_request(24);
    request["config"] = corpus_config("mixtral-8x7b-v0.1.json");
    const json result = call(solve_json, {{"request", request}, {"field", "parallelism.tensor_parallel_size"}}).at("result");
    const std::int64_t tp = result.at("value");
    CHECK(32 % tp == 0);
    request["parallelism"]["tensor_parallel_size"] = tp;
    CHECK(estimate_ok(request).at("fit").at("fits") == true);
    const std::int64_t smaller = result.at("step_past").at("value");
    CHECK(smaller < tp);
    request["parallelism"]["tensor_parallel_size"] = smaller;
    CHECK(estimate_ok(request).at("fit").at("fits") == false);
  }
  SUBCASE("nothing fits: a null answer, not a guess") {
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
