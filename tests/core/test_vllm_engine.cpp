// vLLM's policy: settings from its version and the GPU, its refusals in its words, and one
// result that agrees with itself (breakdown, verdict, capacity, solver).
#include <cmath>

#include <doctest/doctest.h>

#include "engines/vllm/settings.hpp"
#include "llmmem/input.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;
using llmmem::testing::vllm_request;

namespace {

vllm::Settings settings_of(const json& request) {
  const Request r = parse_request(request.dump());
  return vllm::resolve(r.model, r.scenario);
}

std::string reason_of(const json& request) {
  const json verdict = estimate_ok(request).at("verdict");
  CHECK(verdict.at("status") == "refuses");
  return verdict.value("reason", "");
}

}  // namespace

TEST_CASE("vLLM's version sets its engine, model runner, graph profiling and utilization") {
  struct Case {
    const char* version;
    const char* config;
    bool v1, runner_v2, profiles_graphs;
    double utilization;
  };
  for (const Case& c : {Case{"0.6.4", "llama-3.1-8b.json", false, false, false, 0.9},
                        Case{"0.8.0", "llama-3.1-8b.json", true, false, false, 0.9},
                        Case{"0.20.1", "llama-3.1-8b.json", true, false, false, 0.9},
                        Case{"0.21.0", "llama-3.1-8b.json", true, false, true, 0.92},
                        Case{"0.22.0", "qwen3-8b.json", true, true, false, 0.92},   // Qwen3 dense first (#39337)
                        Case{"0.22.0", "llama-3.1-8b.json", true, false, true, 0.92},
                        Case{"0.23.0", "llama-3.1-8b.json", true, true, false, 0.92},  // + Llama, Mistral
                        Case{"0.25.0", "qwen2.5-7b.json", true, true, false, 0.92},    // all dense
                        Case{"0.28.0", "mixtral-8x7b-v0.1.json", true, false, true, 0.92},  // MoE not yet
                        Case{"0.30.0", "mixtral-8x7b-v0.1.json", true, true, false, 0.92}}) {
    CAPTURE(c.version);
    CAPTURE(c.config);
    const vllm::Settings s = settings_of(vllm_request(c.config, json::object(), {{"vllm_version", c.version}}));
    CHECK(s.v1 == c.v1);
    CHECK(s.runner_v2 == c.runner_v2);
    CHECK(s.profile_cudagraph_memory == c.profiles_graphs);
    CHECK(s.gpu_memory_utilization == c.utilization);
  }
  // 0.8 and 0.9 fall back to V0 on GPUs below compute capability 8.0.
  CHECK_FALSE(settings_of(vllm_request("llama-3.1-8b.json", json::object(), {{"vllm_version", "0.8.5"}, {"gpu", "T4"}})).v1);
  CHECK(settings_of(vllm_request("llama-3.1-8b.json", json::object(), {{"vllm_version", "0.8.5"}, {"gpu", "L4"}})).v1);
  // Overrides stay possible; V0 does not exist from 0.11.
  CHECK_FALSE(settings_of(vllm_request("llama-3.1-8b.json", json::object(), {{"vllm_version", "0.23.0"}, {"vllm_model_runner", "v1"}})).runner_v2);
  const json v0 = json::parse(estimate_json(vllm_request("llama-3.1-8b.json", json::object(), {{"vllm_version", "0.11.0"}, {"vllm_engine", "v0"}}).dump()));
  CHECK(v0.at("error").at("field") == "framework_config.vllm_engine");
}

TEST_CASE("vLLM's batch defaults follow the version, the GPU and the entrypoint") {
  auto defaults = [](const char* version, json gpu, const char* entrypoint = "serve") {
    json f = std::move(gpu);
    f["vllm_version"] = version;
    f["vllm_entrypoint"] = entrypoint;
    const vllm::Settings s = settings_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}}, f));
    return std::pair{s.max_num_seqs, s.max_num_batched_tokens};
  };
  // >= 70 GiB and not an A100: 1024 sequences and 8192 tokens under `vllm serve`, 16384 under LLM.
  CHECK(defaults("0.11.0", {{"gpu", "H100"}}) == std::pair<std::int64_t, std::int64_t>{1024, 8192});
  CHECK(defaults("0.11.0", {{"gpu", "H100"}}, "llm") == std::pair<std::int64_t, std::int64_t>{1024, 16384});
  CHECK(defaults("0.11.0", {{"gpu", "A100 80GB"}}) == std::pair<std::int64_t, std::int64_t>{256, 2048});
  CHECK(defaults("0.11.0", {{"gpu", "L40S"}}, "llm") == std::pair<std::int64_t, std::int64_t>{256, 8192});
  CHECK(defaults("0.8.5", {{"gpu", "A100 80GB"}}) == std::pair<std::int64_t, std::int64_t>{1024, 8192});  // by memory then
  CHECK(defaults("0.8.2", {{"gpu", "L4"}}) == std::pair<std::int64_t, std::int64_t>{1024, 2048});        // 1024 everywhere
  // V0: 256, and max(max_model_len, 2048) tokens, or a chunk above 32K (512 before 0.6.5).
  CHECK(defaults("0.6.6", {{"gpu", "H100"}}) == std::pair<std::int64_t, std::int64_t>{256, 32768});
  const vllm::Settings chunked = settings_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 65536}}, {{"vllm_version", "0.6.4"}}));
  CHECK(chunked.max_num_batched_tokens == 512);
  // The model's own maximum when max_model_len is not given (Llama-3.1: 131072).
  CHECK(settings_of(vllm_request("llama-3.1-8b.json")).max_model_len == 131072);
  // FlashMLA's 64-token pages for DeepSeek on a Hopper GPU.
  CHECK(settings_of(vllm_request("deepseek-v2-lite-chat.json", json::object(), {{"gpu", "H100"}})).block_size == 64);
  CHECK(settings_of(vllm_request("deepseek-v2-lite-chat.json", json::object(), {{"gpu", "A100 80GB"}})).block_size == 16);
}

TEST_CASE("vLLM's refusals, in its words") {
  // Qwen2.5-7B on 14 GPUs: the heads divide (28), but the vocabulary does not.
  CHECK(reason_of(vllm_request("qwen2.5-7b.json", json::object(), {{"gpu", "RTX 4090"}}, {{"tensor_parallel_size", 14}})) ==
        "152064 is not divisible by 14");
  CHECK(reason_of(vllm_request("llama-3.1-8b.json", json::object(), json::object(), {{"tensor_parallel_size", 3}})) ==
        "Total number of attention heads (32) must be divisible by tensor parallel size (3).");
  // Eight KV heads over 16 GPUs replicate; over 32 heads / 32 GPUs too. Llama-2-70B's 8 KV heads
  // and 64 heads: TP 16 replicates each KV head twice.
  CHECK(estimate_ok(vllm_request("llama-3.3-70b-instruct.json", json::object(), json::object(), {{"tensor_parallel_size", 16}}))
            .at("verdict").at("status") == "no_gpu");
  const std::string too_long = reason_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 1000000}}));
  CHECK(too_long.rfind("User-specified max_model_len (1000000) is greater than the derived max_model_len "
                       "(max_position_embeddings=131072", 0) == 0);
  CHECK(too_long.find("VLLM_ALLOW_LONG_MAX_MODEL_LEN=1") != std::string::npos);
  // ...which vLLM's environment variable allows, with a warning.
  const json allowed = estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 1000000}}, {{"allow_long_max_model_len", true}}));
  CHECK(allowed.at("verdict").at("status") == "no_gpu");
  CHECK(allowed.at("warnings").dump().find("VLLM_ALLOW_LONG_MAX_MODEL_LEN=1") != std::string::npos);
  CHECK(reason_of(vllm_request("llama-3.1-8b.json", {{"max_num_seqs", 512}, {"max_num_batched_tokens", 256}})) ==
        "max_num_batched_tokens (256) must be greater than or equal to max_num_seqs (512).");
  CHECK(reason_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 8192}, {"max_num_batched_tokens", 4096}},
                               {{"vllm_version", "0.6.6"}}))
            .rfind("max_num_batched_tokens (4096) is smaller than max_model_len (8192).", 0) == 0);
  // A GPTQ checkpoint whose down_proj input no longer holds whole groups of 128 on 8 GPUs.
  json gptq = vllm_request("qwen3-30b-a3b-gptq-int4.json");
  gptq["config"]["num_experts"] = 0;
  gptq["config"]["intermediate_size"] = 29568;  // Qwen2-72B's: 3696 per GPU at TP 8
  gptq["parallelism"] = {{"tensor_parallel_size", 8}};
  CHECK(reason_of(gptq) == "The input size is not aligned with the quantized weight shape. This can be caused by too "
                           "large tensor parallel size.");
  // Free memory at start-up cannot hold a budget of all the GPU.
  CHECK(reason_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 4096}}, {{"gpu", "H100"}, {"gpu_memory_utilization", 1.0}}))
            .rfind("Free memory on device cuda:0 (78.69/79.19 GiB) on startup is less than desired GPU memory utilization (1, 79.19 GiB).", 0) == 0);
}

TEST_CASE("vLLM's KV cache refusals, worded as each version words them") {
  // Llama-3.1-8B at its full 131072 tokens on a 24 GB card: weights fit, one request does not.
  auto reason = [](const char* version) {
    return reason_of(vllm_request("llama-3.1-8b.json", json::object(), {{"gpu", "RTX 4090"}, {"vllm_version", version}}));
  };
  CHECK(reason("0.8.0").find("GB KV cache is needed") != std::string::npos);
  CHECK(reason("0.10.1").find("the estimated maximum model length is") != std::string::npos);
  CHECK(reason("0.15.1").find("See https://docs.vllm.ai/en/latest/configuration/conserving_memory/") != std::string::npos);
  CHECK(reason("0.15.1").find("the models's max seq len (131072)") != std::string::npos);
  CHECK(reason("0.31.0").find("the model's max seq len (131072)") != std::string::npos);
  CHECK(reason("0.7.3").rfind("The model's max seq len (131072) is larger than the maximum number of tokens that can be "
                              "stored in KV cache (", 0) == 0);
  CHECK(reason_of(vllm_request("llama-3.1-8b.json", {{"max_model_len", 4096}}, {{"gpu", "T4"}})).rfind(
            "No available memory for the cache blocks.", 0) == 0);
}

TEST_CASE("one vLLM result: with a GPU the parts make its budget, the verdict is its start check, the solver flips it") {
  const json request = vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}}, {{"gpu", "H100"}});
  const json r = estimate_ok(request);
  const json b = r.at("breakdown"), c = r.at("kv_cache_capacity"), v = r.at("verdict");
  CHECK(v.at("status") == "starts");
  CHECK(v.at("ok") == true);
  // Runner v2 (the newest default) captures its graphs outside the budget.
  CHECK(b.at("total").get<double>() == doctest::Approx(c.at("budget_gib").get<double>() + b.at("cuda_graphs").get<double>()));
  CHECK(b.at("fragmentation_overhead").get<double>() < c.at("bytes_per_block").get<double>() / (1 << 30));
  CHECK(v.at("limit_gib").get<double>() == doctest::Approx(b.at("total").get<double>()));
  CHECK(v.at("summary").get<std::string>().find("of your 1,024 sequences at 32,768 tokens at once") != std::string::npos);
  // Each answer: the verdict holds at its value and flips one step past it.
  for (const json& answer : r.at("solver")) {
    CAPTURE(answer.dump());
    if (answer.at("value").is_null()) continue;
    const std::string field = answer.at("field");
    const auto dot = field.find('.');
    json at = request, past = request;
    at[field.substr(0, dot)][field.substr(dot + 1)] = answer.at("value");
    CHECK(estimate_ok(at).at("verdict").at("ok") == true);
    if (!answer.at("past").is_null()) {
      past[field.substr(0, dot)][field.substr(dot + 1)] = answer.at("past");
      CHECK(estimate_ok(past).at("verdict").at("ok") == false);
    }
  }
  // Without a GPU: the smallest GPU that starts, and the one that holds every sequence.
  const json none = estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}}));
  const double to_start = none.at("requirements").at("to_start_gib").get<double>();
  CHECK(none.at("verdict").at("status") == "no_gpu");
  CHECK(estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}}, {{"gpu_memory_gib", to_start + 0.01}}))
            .at("verdict").at("ok") == true);
  CHECK(estimate_ok(vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}}, {{"gpu_memory_gib", to_start - 0.01}}))
            .at("verdict").at("ok") == false);
  // vLLM ignores transformers' workload, and says so.
  const json ignored = estimate_ok(vllm_request("llama-3.1-8b.json", {{"batch_size", 32}, {"sequence_length", 2048}}));
  CHECK(ignored.at("warnings").dump().find("workload.batch_size is ignored: vllm does not read it") != std::string::npos);
  CHECK(ignored.at("warnings").dump().find("workload.sequence_length is ignored") != std::string::npos);
}
