// Properties over random valid configs and scenarios: nothing negative or non-finite, totals
// monotone in the workload and the depth, and more GPUs never add memory per GPU.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;
using llmmem::testing::Random;

namespace {

json random_config(Random& r) {
  const char* families[] = {"llama", "mistral", "qwen2", "gpt2", "mixtral", "granite", "somethingnew"};
  const std::string family = r.pick(families);
  const std::int64_t heads = r.pick({4, 8, 16, 32, 64});
  const std::int64_t head_dim = r.pick({32, 64, 128});
  std::int64_t kv = heads;
  while (r.coin() && kv > 1) kv /= 2;  // a divisor of heads: MHA, GQA or MQA
  const std::int64_t hidden = heads * head_dim;
  json config = {{"model_type", family},
                 {"architectures", {family + "ForCausalLM"}},
                 {"hidden_size", hidden},
                 {"num_hidden_layers", r.between(1, 96)},
                 {"num_attention_heads", heads},
                 {"num_key_value_heads", kv},
                 {"intermediate_size", r.between(1, 4 * hidden)},
                 {"vocab_size", r.between(1000, 262144)},
                 {"tie_word_embeddings", r.coin()},
                 {"torch_dtype", r.pick({"float16", "bfloat16", "float32"})}};
  if (family == "gpt2") {
    config.erase("num_key_value_heads");
    config["n_positions"] = r.pick({1024, 2048});
  }
  if (family == "mixtral" || r.between(0, 5) == 0) {
    const std::int64_t experts = r.pick({4, 8, 16, 64});
    config["num_local_experts"] = experts;
    config["num_experts_per_tok"] = r.between(1, std::min<std::int64_t>(experts, 8));
  }
  if (r.between(0, 7) == 0) config["quantization_config"] = {{"quant_method", "gptq"}, {"bits", r.pick({4, 8})}};
  return config;
}

json random_request(Random& r) {
  const json config = random_config(r);
  const char* frameworks[] = {"transformers", "vllm", "deepspeed", "llama.cpp", "sglang"};
  const std::string framework = r.pick(frameworks);
  json request = {{"config", config},
                  {"framework", framework},
                  {"workload",
                   {{"batch_size", r.between(1, 64)},
                    {"sequence_length", r.between(1, 32768)},
                    {"max_num_seqs", r.between(1, 512)},
                    {"max_model_len", r.between(1, 131072)},
                    {"kv_cache_dtype", r.pick({"auto", "fp8", "bfloat16"})}}},
                  {"parallelism", {{"data_parallel_size", r.pick({1, 2, 8})}}},
                  {"framework_config", {{"attention_implementation", r.pick({"sdpa", "eager"})}}}};
  if (framework == "vllm") request["framework_config"]["cudagraph_capture_sizes"] = {1, 2, 4, 8};
  if (framework == "deepspeed") request["parallelism"]["zero_stage"] = r.between(0, 3);
  if (framework == "transformers" && r.coin()) request["workload"]["mode"] = "training";
  return request;
}

const char* kShardedComponents[] = {"model_weights", "activations", "gradients", "optimizer_states",
                                    "kv_cache", "cuda_graphs"};

json breakdown(const json& request) { return estimate_ok(request).at("breakdown"); }

void check_sane(const json& b) {
  double sum = 0;
  for (const auto& item : b.items()) {
    const double value = item.value().get<double>();
    CHECK(std::isfinite(value));
    CHECK(value >= 0);
    if (item.key() != "total") sum += value;
  }
  CHECK(b.at("total").get<double>() == doctest::Approx(sum).epsilon(1e-9));
}

/// `larger` must need at least as much as `smaller` for every component (or the total only).
void check_not_less(const json& smaller, const json& larger, bool total_only, const char* except = "") {
  if (total_only) {
    CHECK(larger.at("total").get<double>() >= smaller.at("total").get<double>() * (1 - 1e-12));
    return;
  }
  for (const char* key : kShardedComponents) {
    if (std::string(key) == except) continue;
    CAPTURE(key);
    CHECK(larger.at(key).get<double>() >= smaller.at(key).get<double>() * (1 - 1e-12));
  }
}

}  // namespace

TEST_CASE("properties over 300 random valid scenarios") {
  Random r{20261129};
  for (int sample = 0; sample < 300; ++sample) {
    const json request = random_request(r);
    CAPTURE(sample);
    const std::string text = request.dump();
    CAPTURE(text);
    const json base = breakdown(request);
    check_sane(base);
    const bool vllm = request.at("framework") == "vllm";
    // PyTorch training's breakdown is that of its peak moment (start of backward or the
    // optimizer step), so its components move between phases; only the total is monotone.
    const bool phased = request.at("framework") == "transformers" && request.at("workload").value("mode", "") == "training";

    // More work or a deeper model never needs less memory.
    const char* const vllm_fields[] = {"max_num_seqs", "max_model_len"};
    const char* const other_fields[] = {"batch_size", "sequence_length"};
    for (const char* field : vllm ? vllm_fields : other_fields) {
      json more = request;
      more["workload"][field] = request["workload"][field].get<std::int64_t>() * 2;
      check_not_less(base, breakdown(more), true);
    }
    json deeper = request;
    deeper["config"]["num_hidden_layers"] = request["config"]["num_hidden_layers"].get<std::int64_t>() + 1;
    check_not_less(base, breakdown(deeper), true);

    // More GPUs never add memory per GPU to any sharded component.
    const std::int64_t heads = request["config"]["num_attention_heads"];
    for (std::int64_t tp = 2; tp <= heads && tp <= 16; tp *= 2) {
      json split = request;
      split["parallelism"]["tensor_parallel_size"] = tp;
      json half = request;
      half["parallelism"]["tensor_parallel_size"] = tp / 2;
      check_not_less(breakdown(split), breakdown(half), phased);
    }
    const std::int64_t layers = request["config"]["num_hidden_layers"];
    for (std::int64_t pp : {2, 3, 4}) {
      if (pp > layers) break;
      json staged = request;
      staged["parallelism"]["pipeline_parallel_size"] = pp;
      // Training activations are not split by PP: under 1F1B the first stage holds its layers
      // for pp micro-batches in flight (Korthikanti et al. 2022), the whole model's worth.
      if (phased) {  // the step phase holds no activations
        CHECK(estimate_ok(staged).at("training").at("optimizer_step_gib").get<double>() <=
              estimate_ok(request).at("training").at("optimizer_step_gib").get<double>() * (1 + 1e-12));
      } else {
        check_not_less(breakdown(staged), base, false, "activations");
      }
    }
    if (request["config"].contains("num_local_experts") && !vllm) {
      const std::int64_t experts = request["config"]["num_local_experts"];
      json previous = request;
      for (std::int64_t ep = 2; ep <= experts; ep *= 2) {
        json spread = request;
        spread["parallelism"]["expert_parallel_size"] = ep;
        check_not_less(breakdown(spread), breakdown(previous), phased);
        previous = spread;
      }
    }
    if (request.at("framework") == "deepspeed") {
      // ZeRO partitions more at each stage, so the model states (weights + gradients +
      // optimizer) never grow; stage 3 also gathers the largest module whole (4L against the
      // 2P of 16-bit weights stage 2 keeps), so it saves only where that module holds at most
      // half the parameters, as in every real model.
      auto states = [&](int stage) {
        json staged = request;
        staged["parallelism"]["zero_stage"] = stage;
        const json b = breakdown(staged);
        return b.at("model_weights").get<double>() + b.at("gradients").get<double>() +
               b.at("optimizer_states").get<double>();
      };
      const json& c = request["config"];
      const double widest = std::max({c.at("vocab_size").get<double>(), c.at("intermediate_size").get<double>(),
                                      c.at("hidden_size").get<double>()});
      const double largest_module = widest * c.at("hidden_size").get<double>();
      const double parameters = estimate_ok(request).at("model").at("total_parameters").get<double>();
      for (int stage = 1; stage <= 3; ++stage) {
        if (stage == 3 && 2 * largest_module > parameters) continue;
        CAPTURE(stage);
        CHECK(states(stage) <= states(stage - 1) * (1 + 1e-12));
      }
    }
  }
}

TEST_CASE("extreme but valid values compute without overflow") {
  // 10^13 parameters: 2,048 layers of width 65,536 with a 2M vocabulary; 10^7-token contexts;
  // 1,024 GPUs.
  const json config = {{"model_type", "llama"},       {"hidden_size", 65536},
                       {"num_hidden_layers", 2048},   {"num_attention_heads", 512},
                       {"num_key_value_heads", 64},   {"intermediate_size", 262144},
                       {"vocab_size", 2'000'000},      {"torch_dtype", "bfloat16"}};
  const json result = estimate_ok({{"config", config},
                                   {"framework", "vllm"},
                                   {"workload", {{"max_num_seqs", 1024}, {"max_model_len", 10'000'000}}},
                                   {"parallelism", {{"tensor_parallel_size", 512}, {"pipeline_parallel_size", 2}}}});
  const std::int64_t total = result.at("model").at("total_parameters");
  CHECK(total > 10'000'000'000'000LL);
  // Exact: 2048 layers x (attention + gated MLP + norms) + embeddings + final norm.
  const std::int64_t attention = 65536LL * (512 * 128 + 2 * 64 * 128) + 512LL * 128 * 65536;
  const std::int64_t layer = attention + 3LL * 65536 * 262144 + 2 * 65536;
  CHECK(total == 2048 * layer + 2 * 2'000'000LL * 65536 + 65536);
  check_sane(result.at("breakdown"));
}
