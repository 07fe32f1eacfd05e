// The request contract of DESIGN.md through the boundary function estimate_json.
#include <map>
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/gpus.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::json;
using llmmem::testing::estimate_error;
using llmmem::testing::estimate_ok;

namespace {
json spec_example_request() {
  // memory-estimation-spec.md "Usage Examples": Llama-2-7b, batch 32 x 2048, TP 4, DP 2.
  return {{"config", corpus_config("llama-2-7b-hf.json")},
          {"framework", "transformers"},
          {"workload",
           {{"batch_size", 32}, {"sequence_length", 2048}, {"max_num_seqs", 256}, {"max_model_len", 4096}}},
          {"parallelism",
           {{"tensor_parallel_size", 4}, {"pipeline_parallel_size", 1}, {"data_parallel_size", 2}}}};
}
}  // namespace

TEST_CASE("a response has the spec's breakdown keys, the model and warnings") {
  const json result = estimate_ok(spec_example_request());
  const char* keys[] = {"model_weights", "activations", "gradients", "optimizer_states", "kv_cache",
                        "cuda_graphs", "compilation_overhead", "fragmentation_overhead",
                        "safety_margin", "non_torch_memory", "total"};
  const json& breakdown = result.at("breakdown");
  CHECK(breakdown.size() == 11);
  double sum = 0;
  for (const char* key : keys) {
    CAPTURE(key);
    REQUIRE(breakdown.contains(key));
    CHECK(breakdown.at(key).get<double>() >= 0);
    if (std::string(key) != "total") sum += breakdown.at(key).get<double>();
  }
  CHECK(breakdown.at("total").get<double>() == doctest::Approx(sum).epsilon(1e-12));
  CHECK(result.at("model").at("architecture") == "LlamaForCausalLM");
  CHECK(result.at("model").at("total_parameters").get<std::int64_t>() == 6'738'415'616);
  CHECK(result.at("estimator") == "TransformersMemoryEstimator");
  CHECK(result.at("warnings").is_array());
}

TEST_CASE("the factory picks the spec's estimator kind") {
  json request = spec_example_request();
  CHECK(estimate_ok(request).at("estimator") == "TransformersMemoryEstimator");
  request["framework"] = "vllm";
  CHECK(estimate_ok(request).at("estimator") == "vLLMMemoryEstimator");
  request["framework"] = "deepspeed";
  CHECK(estimate_ok(request).at("estimator") == "DeepSpeedMemoryEstimator");
  request["framework"] = "transformers";
  request["config"] = corpus_config("mixtral-8x7b-v0.1.json");
  CHECK(estimate_ok(request).at("estimator") == "MoEMemoryEstimator");
  request["framework"] = "vllm";  // vLLM serving an MoE keeps the MoE accounting
  const json vllm_moe = estimate_ok(request);
  CHECK(vllm_moe.at("estimator") == "vLLMMemoryEstimator");
  CHECK(vllm_moe.at("model").at("active_parameters_per_token").get<std::int64_t>() == 12'879'925'248);
}

TEST_CASE("request errors name the field") {
  const std::string llama = corpus_config("llama-2-7b-hf.json").dump();
  auto error_for = [&](const std::string& rest) {
    return estimate_error(R"({"config":)" + llama + rest + "}");
  };

  SUBCASE("malformed JSON") {
    const json e = estimate_error(R"({"config": {"hidden_size": 4096,})");
    CHECK(e.at("field") == "request");
    CHECK(e.at("message").get<std::string>().find("request: not valid JSON (parse error at line 1, column") == 0);
  }
  SUBCASE("not an object") { CHECK(estimate_error("[1]").at("field") == "request"); }
  SUBCASE("no config") { CHECK(estimate_error("{}").at("field") == "config"); }
  SUBCASE("negative tensor_parallel_size") {
    const json e = error_for(R"(,"parallelism":{"tensor_parallel_size":-2})");
    CHECK(e.at("field") == "parallelism.tensor_parallel_size");
    CHECK(e.at("message") == "parallelism.tensor_parallel_size: must be a positive integer, got -2");
  }
  SUBCASE("a string where a number belongs") {
    const json e = error_for(R"(,"workload":{"batch_size":"abc"})");
    CHECK(e.at("message") == R"(workload.batch_size: must be a positive integer, got "abc")");
  }
  SUBCASE("unknown fields, at every level") {
    CHECK(error_for(R"(,"parallelism":{"tensor_paralel_size":2})").at("field") ==
          "parallelism.tensor_paralel_size");
    CHECK(error_for(R"(,"workload":{"batch":2})").at("field") == "workload.batch");
    CHECK(error_for(R"(,"frameworkconfig":{})").at("field") == "frameworkconfig");
    CHECK(error_for(R"(,"params":{"fragmentation":1.1})").at("field") == "params.fragmentation");
    CHECK(error_for(R"(,"framework_config":{"gpu":1})").at("field") == "framework_config.gpu");
  }
  SUBCASE("the spec's parameter message, verbatim") {
    const json e = error_for(R"(,"params":{"activation_recomputation_factor":1.5})");
    CHECK(e.at("field") == "params.activation_recomputation_factor");
    CHECK(e.at("message") == "activation_recomputation_factor=1.5 not in valid range [0.0, 1.0]");
    CHECK(error_for(R"(,"params":{"gradient_memory_multiplier":11})").at("message") ==
          "gradient_memory_multiplier=11 not in valid range [0.0, 10.0]");
    CHECK(error_for(R"(,"framework_config":{"graph_batch_scaling_factor":0.5})").at("message") ==
          "graph_batch_scaling_factor=0.5 not in valid range [0.0, 0.1]");
  }
  SUBCASE("choices list what is accepted") {
    CHECK(error_for(R"(,"framework":"tgi")").at("message") ==
          R"(framework: must be one of "transformers", "vllm", "deepspeed", "llama.cpp", "sglang", got "tgi")");
    CHECK(error_for(R"(,"workload":{"kv_cache_dtype":"int3"})").at("field") == "workload.kv_cache_dtype");
    CHECK(error_for(R"(,"framework_config":{"optimizer_type":"rmsprop"})").at("field") ==
          "framework_config.optimizer_type");
  }
  SUBCASE("scenarios the model cannot run") {
    CHECK(error_for(R"(,"parallelism":{"tensor_parallel_size":3})").at("message") ==
          "parallelism.tensor_parallel_size: must divide num_attention_heads (32), got 3");
    CHECK(error_for(R"(,"parallelism":{"pipeline_parallel_size":64})").at("field") ==
          "parallelism.pipeline_parallel_size");
    CHECK(error_for(R"(,"parallelism":{"zero_stage":2})").at("field") == "parallelism.zero_stage");
    CHECK(error_for(R"(,"framework":"vllm","parallelism":{"tensor_parallel_size":4,"expert_parallel_size":2})")
              .at("message") ==
          "parallelism.expert_parallel_size: vLLM's expert parallelism spans every tensor x data parallel "
          "rank: must be 1 or 4, got 2");
    CHECK(error_for(R"(,"parallelism":{"zero_stage":4},"framework":"deepspeed")").at("field") ==
          "parallelism.zero_stage");
    CHECK(error_for(R"(,"framework":"vllm","workload":{"mode":"training"})").at("field") == "workload.mode");
    CHECK(error_for(R"(,"framework_config":{"cudagraph_capture_sizes":[1,0]})").at("field") ==
          "framework_config.cudagraph_capture_sizes[1]");
  }
  SUBCASE("null is a wrong value in a request (JavaScript's NaN becomes null)") {
    CHECK(error_for(R"(,"workload":{"batch_size":null})").at("message") ==
          "workload.batch_size: must be a positive integer, got null");
    CHECK(error_for(R"(,"params":null)").at("field") == "params");
  }
  SUBCASE("huge numbers are refused, not wrapped") {
    CHECK(error_for(R"(,"workload":{"batch_size":18446744073709551615})").at("field") == "workload.batch_size");
    CHECK(error_for(R"(,"workload":{"batch_size":1e300})").at("field") == "workload.batch_size");
  }
}

TEST_CASE("hostile sizes are refused before parsing, with a message") {
  SUBCASE("more than 4 MiB") {
    const std::string huge = R"({"config":{"x":")" + std::string(5 << 20, 'a') + R"("}})";
    const json e = estimate_error(huge);
    CHECK(e.at("field") == "request");
    CHECK(e.at("message") == "request: too large: 5242899 bytes, at most 4194304 (4 MiB)");
  }
  SUBCASE("nesting a thousand levels deep") {
    const std::string deep = std::string(1000, '[') + std::string(1000, ']');
    CHECK(estimate_error(deep).at("message") == "request: nested deeper than 64 levels");
    // Brackets inside strings are text, not nesting.
    const std::string quoted = R"({"config":{"name":")" + std::string(1000, '[') + R"("}})";
    CHECK(estimate_error(quoted).at("field") == "config.hidden_size");
  }
  SUBCASE("a million-element array") {
    std::string many = R"({"config":{"x":[)";
    for (int i = 0; i < 1'000'000; ++i) many += "0,";
    many += "0]}}";
    CHECK(estimate_error(many).at("message") == "request: holds more than 250000 values");
  }
}

TEST_CASE("regressions from the malformed-input corpus (issue 9)") {
  const std::string llama = corpus_config("llama-2-7b-hf.json").dump();
  SUBCASE("a number beyond double range names the request, not an internal error") {
    const json e = estimate_error(R"({"config":{"hidden_size":1e400}})");
    CHECK(e.at("field") == "request");
    CHECK(e.at("message").get<std::string>().find("request: not valid JSON (number overflow parsing '1e400')") == 0);
  }
  SUBCASE("nothing after a NUL byte is ignored") {
    const json e = estimate_error(R"({"config":)" + llama + std::string("}\0garbage", 9));
    CHECK(e.at("message") == "request: holds a NUL byte at offset " + std::to_string(llama.size() + 11));
  }
  SUBCASE("counts past 64 bits are refused, never wrapped") {
    const json e = estimate_error(
        R"({"config":{"hidden_size":16777216,"num_hidden_layers":100000,"num_attention_heads":1}})");
    CHECK(e.at("field") == "config");
    CHECK(e.at("message") == "config: describes more parameters than can be counted (over 9.2e18)");
  }
  SUBCASE("echoed values are escaped and short: an error stays one line") {
    const json framework = estimate_error(R"({"config":)" + llama + R"(,"framework":"vllm\nllm-mem: ok"})");
    CHECK(framework.at("message") ==
          R"(framework: must be one of "transformers", "vllm", "deepspeed", "llama.cpp", "sglang", got "vllm\nllm-mem: ok")");
    const json key = estimate_error(R"({"config":)" + llama + R"(,"workload":{"bad\nkey":1}})");
    CHECK(key.at("field") == R"(workload."bad\nkey")");
    const std::string long_name(100000, 'x');
    const json long_value = estimate_error(R"({"config":)" + llama + R"(,"framework":")" + long_name + R"("})");
    CHECK(long_value.at("message").get<std::string>().size() < 200);
    json dtype_config = corpus_config("llama-2-7b-hf.json");
    dtype_config["torch_dtype"] = "bf16\r\nx";
    const std::string dtype_message = estimate_error(json{{"config", dtype_config}}.dump()).at("message");
    CHECK(dtype_message.find('\n') == std::string::npos);
  }
  SUBCASE("an integral float is an integer in arrays too") {
    json request = {{"config", corpus_config("llama-2-7b-hf.json")}, {"framework", "vllm"},
                    {"framework_config", {{"cudagraph_capture_sizes", {8.0}}}}};
    CHECK(estimate_ok(request).at("breakdown").at("cuda_graphs").get<double>() > 0);
  }
}

TEST_CASE("a bad request does not disturb the next good one") {
  const std::string good = spec_example_request().dump();
  const std::string first = estimate_json(good);
  CHECK(json::parse(estimate_json("{not json")).at("ok") == false);
  CHECK(json::parse(estimate_json(std::string("\xff\xfe", 2))).at("ok") == false);
  CHECK(estimate_json(good) == first);
}

TEST_CASE("GPU names are found as people type them: case, spaces and dashes aside, or a name's unique start") {
  REQUIRE(find_gpu("H100") != nullptr);
  CHECK(std::string_view(find_gpu("h-100")->name) == find_gpu("H100")->name);
  CHECK(std::string_view(find_gpu("rtx-4090")->name) == "RTX 4090 24GB");
  CHECK(std::string_view(find_gpu("  RTX 4090 24 gb ")->name) == "RTX 4090 24GB");
  CHECK(std::string_view(find_gpu("A100-SXM4-40GB")->name) == "A100 40GB");  // an alias
  CHECK(std::string_view(find_gpu("RTX 6000 Ada")->name) == "RTX 6000 Ada 48GB");  // the one name it begins
  CHECK(find_gpu("RTX") == nullptr);    // begins several names: not a guess
  CHECK(find_gpu("H10") == nullptr);  // begins both H100s
  CHECK(std::string_view(find_gpu("H100 80GB P")->name) == "H100 80GB PCIe");
  CHECK(std::string_view(find_gpu("h20")->name) == "H20-3e 141GB");  // an alias, before any name's start
  CHECK(find_gpu("") == nullptr);
  CHECK(find_gpu(" - ") == nullptr);
  CHECK(find_gpu("TPU v5e") == nullptr);
}

TEST_CASE("the GPU catalogue: 40 cards or more, every kind, each name and alias its own card, each with a source") {
  const auto cards = gpu_catalogue();
  CHECK(cards.size() >= 40);
  std::map<std::string, int> kinds;
  for (const GpuModel& gpu : cards) {
    CAPTURE(gpu.name);
    ++kinds[std::string(gpu.kind)];
    CHECK(gpu.memory_gib > 4);
    CHECK(gpu.memory_gib < 300);
    CHECK(gpu.source.size() > 20);
    REQUIRE(find_gpu(gpu.name) != nullptr);
    CHECK(find_gpu(gpu.name)->name == gpu.name);
    std::string_view aliases = gpu.aliases;
    while (!aliases.empty()) {
      const std::size_t space = aliases.find(' ');
      const std::string_view alias = aliases.substr(0, space);
      CAPTURE(alias);
      REQUIRE(find_gpu(alias) != nullptr);
      CHECK(find_gpu(alias)->name == gpu.name);
      aliases = space == std::string_view::npos ? std::string_view() : aliases.substr(space + 1);
    }
  }
  CHECK(kinds.size() == 5);
  CHECK(kinds["amd"] >= 3);
  CHECK(kinds["apple"] >= 3);
  CHECK(kinds["consumer"] >= 10);
}
