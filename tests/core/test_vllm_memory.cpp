// vLLM's memory, part by part: weights as loaded, the KV layout in blocks, CUDA graphs, the
// demand, and the start-up arithmetic that sizes the KV cache.
#include <cmath>

#include <doctest/doctest.h>

#include "engines/vllm/memory.hpp"
#include "llmmem/input.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;
using llmmem::testing::vllm_request;
using llmmem::testing::kGiB;

namespace {

Request parsed(const json& request) { return parse_request(request.dump()); }
}  // namespace

TEST_CASE("vLLM: the demand is max_num_seqs x max_model_len in whole blocks") {
  const json request = vllm_request("llama-2-7b-hf.json", {{"max_num_seqs", 256}, {"max_model_len", 4096}}, json::object(),
                                    {{"tensor_parallel_size", 4}});
  CHECK(estimate_ok(request).at("kv_cache_demand_gib").get<double>() == 128.0);  // 256 x 4096 x 131072 bytes
  json longer = request;
  longer["workload"]["max_model_len"] = 4097;  // 257 blocks of 16 tokens
  longer["framework_config"]["allow_long_max_model_len"] = true;
  CHECK(estimate_ok(longer).at("kv_cache_demand_gib").get<double>() == doctest::Approx(256.0 * 4112 * 131072 / kGiB));
  // The spec's estimate_kv_cache under vLLM is that demand.
  const Request r = parsed(request);
  CHECK(vLLMMemoryEstimator(r.model, r.params).estimate_kv_cache(r.scenario) == 128.0);
}

TEST_CASE("vLLM's CUDA graphs: each version's default capture list, none when eager, the spec's formula on request") {
  auto sizes = [](json workload, json framework_config) {
    const Request r = parsed(vllm_request("llama-2-7b-hf.json", std::move(workload), std::move(framework_config)));
    return vllm::resolve(r.model, r.scenario).cudagraph_capture_sizes;
  };
  const json w = {{"max_num_seqs", 256}, {"max_num_batched_tokens", 8192}};
  // 0.11.1 on: min(2 x 256, 512) = 512 -> [1, 2, 4], 8..248 by 8 (31 sizes), 256..512 by 16 (17).
  const auto newest = sizes(w, json::object());
  REQUIRE(newest.size() == 51);
  CHECK(newest[3] == 8);
  CHECK(newest[33] == 248);
  CHECK(newest[34] == 256);
  CHECK(newest.back() == 512);
  // 0.10.0-0.11.0: steps of 8 up to 2 x max_num_seqs; before, always up to 512.
  CHECK(sizes(w, {{"vllm_version", "0.10.1"}}).size() == 3 + 64);
  CHECK(sizes({{"max_num_seqs", 16}, {"max_num_batched_tokens", 8192}}, {{"vllm_version", "0.10.1"}}).back() == 32);
  CHECK(sizes({{"max_num_seqs", 16}, {"max_num_batched_tokens", 8192}}, {{"vllm_version", "0.9.2"}}).size() == 67);
  // ...within max_num_batched_tokens from 0.8.
  CHECK(sizes({{"max_num_seqs", 256}, {"max_num_batched_tokens", 100}}, {{"vllm_version", "0.9.2"}}).back() == 96);
  // V0: up to max_num_seqs padded to 8 (from 0.6 not capped at 256).
  CHECK(sizes({{"max_num_seqs", 16}}, {{"vllm_version", "0.6.6"}}).back() == 16);
  CHECK(sizes({{"max_num_seqs", 1000}}, {{"vllm_version", "0.7.3"}}).back() == 1000);
  CHECK(sizes({{"max_num_seqs", 1000}}, {{"vllm_version", "0.5.4"}}).back() == 256);
  CHECK(sizes(w, {{"enforce_eager", true}}).empty());

  const json listed = vllm_request("llama-2-7b-hf.json", w, {{"cudagraph_capture_sizes", {1, 2, 4, 8, 16}}});
  CHECK(estimate_ok(listed).at("breakdown").at("cuda_graphs").get<double>() == doctest::Approx(5.0 * 32 * 0.375 / 1024));
  // The spec's formula when a request sets its parameters: weights x ratio x (1 + size x scaling).
  json spec = listed;
  spec["framework_config"]["graph_memory_overhead_ratio"] = 0.15;
  spec["framework_config"]["graph_batch_scaling_factor"] = 0.03;
  const json result = estimate_ok(spec);
  const double weights = result.at("breakdown").at("model_weights").get<double>();
  CHECK(result.at("breakdown").at("cuda_graphs").get<double>() == doctest::Approx(weights * 0.15 * (5 + 31 * 0.03)));
  // The spec's own parameters ask for it too, even at their default values: set is set.
  json by_params = listed;
  by_params["params"] = {{"graph_memory_overhead_ratio", 0.1}};
  const json defaults = estimate_ok(by_params);
  CHECK(defaults.at("breakdown").at("cuda_graphs").get<double>() ==
        doctest::Approx(defaults.at("breakdown").at("model_weights").get<double>() * 0.1 * (5 + 31 * 0.02)));
}

TEST_CASE("vLLM V1's hybrid KV layout: groups of layers share blocks; sliding requests hold a window") {
  // vllm/v1/core/kv_cache_utils.py: gpt-oss-20b's 12 full and 12 sliding layers make two groups
  // of 12; a block id costs one page in each of 12 tensors.
  const json w = {{"block_size", 16}, {"max_model_len", 131072}, {"max_num_batched_tokens", 8192}, {"max_num_seqs", 4}};
  const Request r = parsed(vllm_request("gpt-oss-20b.json", w, {{"gpu_memory_gib", 79.18}, {"non_torch_memory_gib", 0.2}}));
  const vLLMMemoryEstimator gpt_oss(r.model, r.params);
  const vllm::Settings settings = vllm::resolve(r.model, r.scenario);
  const auto layout = gpt_oss.kv_layout(r.scenario, settings);
  const double page = 16.0 * 2 * 8 * 64 * 2;
  CHECK(layout.page_bytes == page);
  CHECK(layout.group_size == 12);
  CHECK(layout.full_groups == 1);
  CHECK(layout.sliding_groups == 1);
  // 8192 blocks for the full group; min(128 - 1 + 8192, 131072) tokens -> 520 blocks, plus one.
  CHECK(layout.blocks_per_request(131072) == 8192 + 521);
  CHECK(gpt_oss.estimate_kv_cache(r.scenario) == doctest::Approx(4.0 * 8713 * page * 12 / kGiB));

  const json c = estimate_ok(vllm_request("gpt-oss-20b.json", w, {{"gpu_memory_gib", 79.18}, {"non_torch_memory_gib", 0.2}}))
                     .at("kv_cache_capacity");
  const auto blocks = std::int64_t(std::floor(c.at("available_gib").get<double>() * kGiB / (page * 12)));
  CHECK(c.at("num_gpu_blocks") == blocks);
  CHECK(c.at("tokens") == blocks / 2 * 16);  // "GPU KV cache size": blocks per group x block_size
  CHECK(c.at("max_concurrency").get<double>() == doctest::Approx(double(blocks) / 8713));

  // V0 knows no sliding layers: one group of all 24.
  const Request v0 = parsed(vllm_request("gpt-oss-20b.json", w, {{"vllm_version", "0.7.3"}}));
  const auto one_group = gpt_oss.kv_layout(v0.scenario, vllm::resolve(v0.model, v0.scenario));
  CHECK(one_group.group_size == 24);
  CHECK(one_group.blocks_per_request(131072) == 8192);

  // Gemma-3 (29 sliding, 5 full on one GPU): groups of 5, six of them sliding (one padded).
  const Request g = parsed(vllm_request("gemma-3-4b-it.json", w));
  const auto gemma = vLLMMemoryEstimator(g.model, g.params).kv_layout(g.scenario, vllm::resolve(g.model, g.scenario));
  CHECK(gemma.group_size == 5);
  CHECK(gemma.full_groups == 1);
  CHECK(gemma.sliding_groups == 6);
}

TEST_CASE("vLLM's start-up KV cache arithmetic: budget, parts, blocks, tokens, concurrency") {
  // vLLM 0.21 with its first model runner: gmu 0.92 and the graphs off the budget.
  json request = vllm_request("llama-3.1-8b.json", {{"max_model_len", 32768}, {"max_num_seqs", 256}, {"max_num_batched_tokens", 8192}},
                              {{"gpu_memory_gib", 79.19}, {"non_torch_memory_gib", 0.2}, {"vllm_version", "0.21.0"}});
  const json result = estimate_ok(request);
  const json c = result.at("kv_cache_capacity");
  const double budget = 79.19 * 0.92;
  CHECK(c.at("budget_gib").get<double>() == doctest::Approx(budget));
  // 8,030,261,248 bf16 parameters; 128,256 is already a multiple of 64, so no padding.
  CHECK(c.at("weights_gib").get<double>() == doctest::Approx(8'030'261'248.0 * 2 / kGiB));
  CHECK(c.at("cuda_graph_in_budget") == true);
  const double available = budget - c.at("weights_gib").get<double>() - 0.2 - c.at("activation_peak_gib").get<double>() -
                           c.at("cuda_graph_gib").get<double>();
  CHECK(c.at("available_gib").get<double>() == doctest::Approx(available));
  // 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 128 KiB per token; 16 tokens a block.
  CHECK(c.at("bytes_per_block").get<double>() == 16 * 131072.0);
  const std::int64_t blocks = std::int64_t(std::floor(available * kGiB / (16 * 131072.0)));
  CHECK(c.at("num_gpu_blocks") == blocks);
  CHECK(c.at("tokens") == blocks * 16);
  CHECK(c.at("max_concurrency").get<double>() == doctest::Approx(double(blocks) / (32768 / 16)));
  CHECK(result.at("verdict").at("status") == "starts");
  // The breakdown is what vLLM holds: its pool of whole blocks and the budget's remainder.
  const json b = result.at("breakdown");
  CHECK(b.at("kv_cache").get<double>() == doctest::Approx(double(blocks) * 16 * 131072 / kGiB));
  CHECK(b.at("total").get<double>() == doctest::Approx(budget));
  CHECK(b.at("safety_margin") == 0.0);

  // Before 0.21 the graphs come on top of the budget: more KV, and the total is budget + graphs.
  request["framework_config"]["vllm_version"] = "0.20.0";
  const json older = estimate_ok(request);
  CHECK(older.at("kv_cache_capacity").at("cuda_graph_in_budget") == false);
  CHECK(older.at("kv_cache_capacity").at("budget_gib").get<double>() == doctest::Approx(79.19 * 0.9));
  CHECK(older.at("breakdown").at("total").get<double>() ==
        doctest::Approx(79.19 * 0.9 + older.at("breakdown").at("cuda_graphs").get<double>()));
  request["framework_config"]["enforce_eager"] = true;
  CHECK(estimate_ok(request).at("breakdown").at("cuda_graphs") == 0.0);

  // Non-torch memory per further rank: custom all-reduce's buffers, or NCCL's alone.
  request["framework_config"].erase("non_torch_memory_gib");
  request["parallelism"] = {{"tensor_parallel_size", 4}};
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() == doctest::Approx(0.15 + 3 * 0.25));
  request["framework_config"]["disable_custom_all_reduce"] = true;
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() == doctest::Approx(0.15 + 3 * 0.02));
  request["framework_config"]["non_torch_memory_gib"] = 0.2;
  request.erase("parallelism");

  // Model runner v2 (Llama's default from 0.23) never takes graphs off the budget, and profiles
  // a sampler without top-k/top-p: 6 bytes a logit, against the first runner's 38.5.
  request["framework_config"]["enforce_eager"] = false;
  request["framework_config"]["vllm_version"] = "0.23.0";
  request["workload"]["max_num_batched_tokens"] = 256;  // the sampler's 256 rows set the peak
  const json v2 = estimate_ok(request).at("kv_cache_capacity");
  CHECK(v2.at("cuda_graph_in_budget") == false);
  const double hidden = 256.0 * 4096 * 2;
  CHECK(v2.at("activation_peak_gib").get<double>() == doctest::Approx((256.0 * 128256 * 6 + hidden) / kGiB));
  request["framework_config"]["vllm_version"] = "0.22.0";  // Qwen3 only: Llama runs the first runner
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("activation_peak_gib").get<double>() ==
        doctest::Approx((256.0 * 128256 * 38.5 + hidden) / kGiB));
  request["framework_config"]["vllm_sampler"] = "flashinfer";  // no sort: 14 bytes a logit
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("activation_peak_gib").get<double>() ==
        doctest::Approx((256.0 * 128256 * 14 + hidden) / kGiB));

  // Runner v2 holds its penalties state from start-up and counts it with the non-torch memory:
  // an int32 count per request and vocabulary entry, and the prompt's tokens as bits.
  request["framework_config"].erase("non_torch_memory_gib");
  request["framework_config"]["vllm_version"] = "0.23.0";
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() ==
        doctest::Approx(0.15 + 256.0 * (128256 + 4008) * 4 / kGiB));
  request["framework_config"]["vllm_model_runner"] = "v1";
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() == doctest::Approx(0.15));
}

TEST_CASE("vLLM pads the vocabulary to a multiple of 64 before splitting it") {
  json config = corpus_config("llama-2-7b-hf.json");
  config["vocab_size"] = 32001;  // 32064 rows once padded: 63 more, in the embedding and lm_head
  const json transformers = estimate_ok({{"config", config}});
  const json vllm = estimate_ok({{"config", config}, {"framework", "vllm"}});
  const double extra = 63.0 * 4096 * 2 * 2 / kGiB;
  CHECK(vllm.at("breakdown").at("model_weights").get<double>() -
            transformers.at("breakdown").at("model_weights").get<double>() == doctest::Approx(extra));
}

TEST_CASE("vLLM's expert parallelism keeps experts whole") {
  // TP 2 with EP 2 holds four whole experts per GPU, what TP 2 alone holds as eight halves.
  const Request tp2 = parsed(vllm_request("mixtral-8x7b-v0.1.json", json::object(), json::object(), {{"tensor_parallel_size", 2}}));
  const Request ep2 = parsed(vllm_request("mixtral-8x7b-v0.1.json", json::object(), json::object(),
                                          {{"tensor_parallel_size", 2}, {"expert_parallel_size", 2}}));
  const vLLMMemoryEstimator mixtral(tp2.model, tp2.params);
  CHECK(mixtral.parameters_per_gpu(ep2.scenario.parallelism) == doctest::Approx(mixtral.parameters_per_gpu(tp2.scenario.parallelism)));
}

TEST_CASE("vLLM re-lays gpt-oss's MXFP4 experts out for the kernel the GPU runs") {
  // 24 MoE layers of 32 experts, hidden 2880, expert intermediate 2880: a fused gate_up
  // (2I x H) and a down (H x I) projection, 4-bit values and an e8m0 scale per 32, biases.
  auto weights = [&](const json& framework_config, int tp = 1) {
    return estimate_ok(vllm_request("gpt-oss-20b.json", json::object(), framework_config, {{"tensor_parallel_size", tp}}))
        .at("breakdown").at("model_weights").get<double>();
  };
  auto layout = [](double i, double h, double bias_bytes) {  // one layer, 32 experts
    return 32 * (3 * i * h * (0.5 + 1.0 / 32) + (2 * i + h) * bias_bytes);
  };
  const double stored = weights(json::object());
  // Marlin on an A100: intermediate to a multiple of 128, hidden to 256 (13.72 GiB logged
  // under vLLM 0.19, tests/data/vllm).
  const double a100 = weights({{"gpu_compute_capability", 8.0}});
  CHECK(a100 - stored == doctest::Approx(24 * (layout(2944, 3072, 2) - layout(2880, 2880, 2)) / kGiB));
  CHECK(a100 == doctest::Approx(13.67).epsilon(0.001));
  CHECK(weights({{"gpu", "A100 80GB"}}) == a100);  // the catalogue card gives the capability
  CHECK(weights({{"gpu_compute_capability", 12.0}}) == a100);  // RTX 5090: Marlin too
  // Triton on an H100: the values keep their shape, the biases turn fp32 and the scales gain a
  // swizzled copy of 256-row tiles (13.47 GiB logged by llm-d).
  const double swizzled = 32 * (5888.0 * 2880 / 32 + 3072.0 * 2880 / 32);
  const double h100 = weights({{"gpu_compute_capability", 9.0}});
  CHECK(h100 - stored == doctest::Approx(24 * (layout(2880, 2880, 4) + swizzled - layout(2880, 2880, 2)) / kGiB));
  CHECK(h100 == doctest::Approx(13.41).epsilon(0.001));
  // FlashInfer on a B200: both dimensions to a multiple of 256, fp32 biases.
  CHECK(weights({{"gpu_compute_capability", 10.0}}) - stored ==
        doctest::Approx(24 * (layout(3072, 3072, 4) - layout(2880, 2880, 2)) / kGiB));
  // Under TP each GPU pads its own slice: 1440 of the intermediate becomes 1536 for Marlin.
  CHECK(weights({{"gpu_compute_capability", 8.0}}, 2) - weights(json::object(), 2) ==
        doctest::Approx(24 * (layout(1536, 3072, 2) - layout(1440, 2880, 2)) / kGiB));
  // A dense bf16 model loads as stored whatever the GPU.
  CHECK(estimate_ok(vllm_request("llama-3.1-8b.json")).at("breakdown").at("model_weights") ==
        estimate_ok(vllm_request("llama-3.1-8b.json", json::object(), {{"gpu_compute_capability", 9.0}}))
            .at("breakdown").at("model_weights"));
}

TEST_CASE("vLLM splits pipeline stages as get_pp_indices does, dense layers first") {
  // DeepSeek-V2-Lite: 27 layers, the first dense. vLLM's two stages hold 14 and 13 layers: the
  // first is 1 dense + 13 MoE with the embedding, the second 13 MoE with the lm_head. Not knowing
  // the split, transformers counts 14 MoE layers on the busiest stage: one MoE MLP in place of
  // the dense one. (The vocabulary, 102400, needs no padding.)
  const json config = corpus_config("deepseek-v2-lite-chat.json");
  auto weights = [&](const char* framework, int pp) {
    const json response = estimate_ok({{"config", config}, {"framework", framework},
                                       {"parallelism", {{"pipeline_parallel_size", pp}}}});
    return response.at("breakdown").at("model_weights").get<double>();
  };
  CHECK(weights("vllm", 1) == doctest::Approx(weights("transformers", 1)));
  const double moe_mlp = (64.0 + 2) * 3 * 2048 * 1408 + 64 * 2048, dense_mlp = 3.0 * 2048 * 10944;
  CHECK(weights("transformers", 2) - weights("vllm", 2) == doctest::Approx((moe_mlp - dense_mlp) * 2 / kGiB));
  // Three stages of 9: the last (9 MoE layers and the lm_head) is the busiest either way.
  CHECK(weights("vllm", 3) == doctest::Approx(weights("transformers", 3)));
}
