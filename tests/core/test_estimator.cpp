// Framework policies over a ModelSpec: weights per GPU, KV cache, activations, training states.
#include <cmath>

#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/estimator.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

ModelSpec spec_of(const std::string& name) { return parse_config(corpus_config(name).dump()); }

Scenario with_parallelism(std::int64_t tp, std::int64_t pp = 1, std::int64_t ep = 1) {
  Scenario s;
  s.parallelism.tensor_parallel_size = tp;
  s.parallelism.pipeline_parallel_size = pp;
  s.parallelism.expert_parallel_size = ep;
  return s;
}
}  // namespace

TEST_CASE("KV cache per token follows num_key_value_heads and head_dim") {
  const TransformersMemoryEstimator llama3(spec_of("llama-3.1-8b.json"), {});
  // 2 (K and V) x 8 KV heads x 128 x 2 bytes x 32 layers = 128 KiB per token.
  CHECK(llama3.kv_cache_bytes_per_token(with_parallelism(1)) == 131072);
  CHECK(llama3.kv_cache_bytes_per_token(with_parallelism(2)) == 65536);
  // More TP ranks than KV heads: each rank keeps one head (replicated), not a fraction.
  CHECK(llama3.kv_cache_bytes_per_token(with_parallelism(16)) == 131072 / 8);
  Scenario fp8 = with_parallelism(1);
  fp8.workload.kv_cache_dtype = "fp8_e5m2";
  CHECK(llama3.kv_cache_bytes_per_token(fp8) == 65536);
  // Pipeline stages hold their own layers' cache.
  CHECK(llama3.kv_cache_bytes_per_token(with_parallelism(1, 4)) == 131072 / 4);

  const TransformersMemoryEstimator llama2(spec_of("llama-2-7b-hf.json"), {});
  CHECK(llama2.kv_cache_bytes_per_token(with_parallelism(1)) == 524288);  // MHA: 4x Llama-3's
}

TEST_CASE("transformers inference: a KV cache for batch x sequence, one layer of activations") {
  const TransformersMemoryEstimator llama2(spec_of("llama-2-7b-hf.json"), {});
  Scenario s = with_parallelism(4);
  s.workload.batch_size = 32;
  s.workload.sequence_length = 2048;
  // 131072 bytes per token per GPU x 65536 tokens = exactly 8 GiB.
  CHECK(llama2.estimate_kv_cache(s) == 8.0);
  CHECK(llama2.estimate_gradients(s) == 0);
  CHECK(llama2.estimate_optimizer_states(s) == 0);

  const double sdpa = llama2.estimate_activations(s);
  s.framework_config.attention_implementation = AttentionImplementation::eager;
  const double eager = llama2.estimate_activations(s);
  // Eager attention holds batch x heads/TP x s^2 scores at (fp16 + fp32 softmax) bytes.
  CHECK(eager > sdpa);
  CHECK(eager * kGiB >= 32.0 * 8 * 2048.0 * 2048.0 * 6.0);
}

TEST_CASE("weights per GPU under tensor, pipeline and expert parallelism") {
  const TransformersMemoryEstimator llama2(spec_of("llama-2-7b-hf.json"), {});
  const double total = 6'738'415'616.0;
  CHECK(llama2.parameters_per_gpu(with_parallelism(1).parallelism) == total);
  // TP 4: linear layers and vocabulary split four ways, norms replicated.
  CHECK(llama2.parameters_per_gpu(with_parallelism(4).parallelism) == 1'684'803'584.0);
  CHECK(llama2.estimate_model_weights(with_parallelism(4).parallelism) == 1'684'803'584.0 * 2 / kGiB);
  // PP 2: 16 layers plus the larger end (embedding or final norm + lm_head).
  const double layer = 202'383'360.0;
  CHECK(llama2.parameters_per_gpu(with_parallelism(1, 2).parallelism) == 16 * layer + 4096 + 131'072'000);

  const TransformersMemoryEstimator gpt2(spec_of("gpt2.json"), {});
  // Tied embeddings: one copy on one GPU, but the last pipeline stage needs its own lm_head.
  const double gpt2_pp2 = gpt2.parameters_per_gpu(with_parallelism(1, 2).parallelism);
  CHECK(gpt2_pp2 == 6 * 7'087'872.0 + 50257.0 * 768 + 1024.0 * 768);

  const MoEMemoryEstimator mixtral(spec_of("mixtral-8x7b-v0.1.json"), {});
  const double one_expert = 176'160'768.0;
  const double tp2 = mixtral.parameters_per_gpu(with_parallelism(2).parallelism);
  // Megatron-style: EP 2 places four whole experts per rank, each split again by TP 2.
  const double tp2_ep2 = mixtral.parameters_per_gpu(with_parallelism(2, 1, 2).parallelism);
  CHECK(tp2_ep2 == doctest::Approx(tp2 - 32 * (4 - 2) * one_expert));
  const double ep8_tp1 = mixtral.parameters_per_gpu(with_parallelism(1, 1, 8).parallelism);
  CHECK(ep8_tp1 == doctest::Approx(46'702'792'704.0 - 32 * one_expert * 7));

  // vLLM: expert parallelism spans the TP ranks and keeps experts whole, so TP 2 with EP 2
  // holds four whole experts per GPU, what TP 2 alone holds as eight halves.
  const vLLMMemoryEstimator vllm_mixtral(spec_of("mixtral-8x7b-v0.1.json"), {});
  CHECK(vllm_mixtral.parameters_per_gpu(with_parallelism(2, 1, 2).parallelism) == doctest::Approx(tp2));
}

TEST_CASE("more GPUs never add weights per GPU") {
  for (const char* name : {"llama-2-7b-hf.json", "mixtral-8x7b-v0.1.json", "gpt2.json", "qwen2.5-7b.json"}) {
    CAPTURE(name);
    const TransformersMemoryEstimator e(spec_of(name), {});
    const double single = e.parameters_per_gpu(with_parallelism(1).parallelism);
    for (std::int64_t tp : {1, 2, 4}) {
      for (std::int64_t pp : {1, 2, 3, 4}) {
        CAPTURE(tp);
        CAPTURE(pp);
        CHECK(e.parameters_per_gpu(with_parallelism(tp, pp).parallelism) <= single);
      }
    }
  }
}

TEST_CASE("vLLM: demand for max_num_seqs x max_model_len in whole blocks") {
  const vLLMMemoryEstimator llama2(spec_of("llama-2-7b-hf.json"), {});
  Scenario s = with_parallelism(4);
  s.workload.max_num_seqs = 256;
  s.workload.max_model_len = 4096;
  CHECK(llama2.estimate_kv_cache(s) == 128.0);  // 256 x 4096 x 131072 bytes
  s.workload.max_model_len = 4097;              // 257 blocks of 16 tokens
  CHECK(llama2.estimate_kv_cache(s) == doctest::Approx(256.0 * 4112 * 131072 / kGiB));
}

TEST_CASE("vLLM's CUDA graphs: its default capture list, none when eager, the spec's formula on request") {
  const vLLMMemoryEstimator llama2(spec_of("llama-2-7b-hf.json"), {});
  Scenario s;
  s.workload.max_num_seqs = 256;
  s.workload.max_num_batched_tokens = 8192;
  // V1: min(2 x 256, 512) = 512 -> [1, 2, 4], 8..248 by 8 (31 sizes), 256..512 by 16 (17 sizes).
  const auto sizes = llama2.cudagraph_capture_sizes(s);
  REQUIRE(sizes.size() == 51);
  CHECK(sizes[3] == 8);
  CHECK(sizes[33] == 248);
  CHECK(sizes[34] == 256);
  CHECK(sizes.back() == 512);
  // 0.375 MiB per captured size and layer.
  CHECK(llama2.estimate_cuda_graphs(s) == doctest::Approx(51.0 * 32 * 0.375 / 1024));
  s.workload.max_num_seqs = 16;  // the list stops at 32
  CHECK(llama2.cudagraph_capture_sizes(s).size() == 7);
  s.framework_config.vllm_engine = VllmEngine::v0;  // V0: up to max_num_seqs padded to 8, at most 256
  CHECK(llama2.cudagraph_capture_sizes(s).back() == 16);
  s.framework_config.enforce_eager = true;
  CHECK(llama2.estimate_cuda_graphs(s) == 0);

  s.framework_config.enforce_eager = false;
  s.framework_config.cudagraph_capture_sizes = {1, 2, 4, 8, 16};
  CHECK(llama2.estimate_cuda_graphs(s) == doctest::Approx(5.0 * 32 * 0.375 / 1024));
  // The spec's formula when a request sets its parameters: weights x ratio x (1 + size x scaling).
  const double weights = llama2.estimate_model_weights(s.parallelism);
  s.framework_config.graph_memory_overhead_ratio = 0.15;
  s.framework_config.graph_batch_scaling_factor = 0.03;
  CHECK(llama2.estimate_cuda_graphs(s) == doctest::Approx(weights * 0.15 * (5 + 31 * 0.03)));
}

TEST_CASE("sliding-window layers: which layers slide, and the KV they keep") {
  // gpt-oss-20b: layer_types alternate, window 128; 24 layers, 8 KV heads of 64.
  const ModelSpec gpt_oss = spec_of("gpt-oss-20b.json");
  CHECK(gpt_oss.sliding_window.window == 128);
  CHECK(gpt_oss.sliding_window.count(0, 24) == 12);
  CHECK(gpt_oss.sliding_window.layers[0]);
  CHECK_FALSE(gpt_oss.sliding_window.layers[1]);
  // Gemma-3: five local layers, then one global (34 layers: 29 slide), window 1024.
  const ModelSpec gemma3 = spec_of("gemma-3-4b-it.json");
  CHECK(gemma3.sliding_window.window == 1024);
  CHECK(gemma3.sliding_window.count(0, gemma3.num_layers) == gemma3.num_layers - gemma3.num_layers / 6);
  CHECK(spec_of("gemma-2-2b-it.json").sliding_window.count(0, 26) == 13);  // even layers
  CHECK(spec_of("mistral-7b-v0.1.json").sliding_window.count(0, 32) == 32);  // a model-wide window
  CHECK(spec_of("qwen2.5-7b.json").sliding_window.window == 0);  // use_sliding_window: false
  CHECK(spec_of("llama-2-7b-hf.json").sliding_window.window == 0);

  // transformers keeps the window in a sliding layer, every token in a full one.
  const TransformersMemoryEstimator e(gpt_oss, {});
  Scenario s;
  s.workload.batch_size = 2;
  s.workload.sequence_length = 4096;
  const double per_token_layer = 2.0 * 8 * 64 * 2;  // K and V, 8 heads of 64, bf16
  CHECK(e.estimate_kv_cache(s) == doctest::Approx(2.0 * (12 * 4096 + 12 * 128) * per_token_layer / kGiB));
}

TEST_CASE("vLLM V1's hybrid KV layout: groups of layers share blocks; sliding requests hold a window") {
  // vllm/v1/core/kv_cache_utils.py: gpt-oss-20b's 12 full and 12 sliding layers make two groups
  // of 12; a block id costs one page in each of 12 tensors.
  const vLLMMemoryEstimator gpt_oss(spec_of("gpt-oss-20b.json"), {});
  Scenario s;
  s.workload.block_size = 16;
  s.workload.max_model_len = 131072;
  s.workload.max_num_batched_tokens = 8192;
  s.workload.max_num_seqs = 4;
  const auto layout = gpt_oss.kv_layout(s);
  const double page = 16.0 * 2 * 8 * 64 * 2;
  CHECK(layout.page_bytes == page);
  CHECK(layout.group_size == 12);
  CHECK(layout.full_groups == 1);
  CHECK(layout.sliding_groups == 1);
  // 8192 blocks for the full group; min(128 - 1 + 8192, 131072) tokens -> 520 blocks, plus one.
  CHECK(layout.blocks_per_request(131072) == 8192 + 521);
  CHECK(gpt_oss.estimate_kv_cache(s) == doctest::Approx(4.0 * 8713 * page * 12 / kGiB));

  s.framework_config.gpu_memory_gib = 79.18;
  s.framework_config.non_torch_memory_gib = 0.2;
  const KvCacheCapacity c = gpt_oss.kv_cache_capacity(s);
  const auto blocks = std::int64_t(std::floor(c.available_gib * kGiB / (page * 12)));
  CHECK(c.num_gpu_blocks == blocks);
  CHECK(c.tokens == blocks / 2 * 16);  // "GPU KV cache size": blocks per group x block_size
  CHECK(c.max_concurrency == doctest::Approx(double(blocks) / 8713));

  // V0 knows no sliding layers: one group of all 24.
  s.framework_config.vllm_engine = VllmEngine::v0;
  CHECK(gpt_oss.kv_layout(s).group_size == 24);
  CHECK(gpt_oss.kv_layout(s).blocks_per_request(131072) == 8192);

  // Gemma-3 (29 sliding, 5 full on one GPU): groups of 5, six of them sliding (one padded).
  const vLLMMemoryEstimator gemma3(spec_of("gemma-3-4b-it.json"), {});
  s.framework_config.vllm_engine = VllmEngine::v1;
  const auto gemma = gemma3.kv_layout(s);
  CHECK(gemma.group_size == 5);
  CHECK(gemma.full_groups == 1);
  CHECK(gemma.sliding_groups == 6);
}

TEST_CASE("DeepSpeed ZeRO: stage 1 shards optimizer states, 2 gradients, 3 parameters") {
  const DeepSpeedMemoryEstimator e(spec_of("llama-2-7b-hf.json"), {});
  Scenario s;
  s.mode = Mode::training;
  s.parallelism.data_parallel_size = 8;
  // Mixed-precision AdamW, as DeepSpeed's estimators count: 16-bit weights (2), 16-bit and fp32
  // gradients (2 + 4), fp32 master weights and Adam states (4 + 8). ZeRO-3 also gathers the
  // largest module (the 32000 x 4096 embedding) with its gradients.
  const double P = 6'738'415'616.0, L = 32000.0 * 4096, N = 8;
  struct Expect {
    int stage;
    double weights, gradients, optimizer;
  };
  for (const Expect& x : {Expect{0, 2 * P, 6 * P, 12 * P}, Expect{1, 2 * P, 2 * P + 4 * P / N, 12 * P / N},
                          Expect{2, 2 * P, 6 * P / N, 12 * P / N},
                          Expect{3, 2 * L + 2 * P / N, 2 * L + 4 * P / N, 12 * P / N}}) {
    CAPTURE(x.stage);
    s.parallelism.zero_stage = x.stage;
    const MemoryBreakdown b = e.estimate_total_memory(s);
    CHECK(b.model_weights_gb == doctest::Approx(x.weights / kGiB));
    CHECK(b.gradients_gb == doctest::Approx(x.gradients / kGiB));
    CHECK(b.optimizer_states_gb == doctest::Approx(x.optimizer / kGiB));
    CHECK(b.kv_cache_gb == 0);
  }
  s.parallelism.zero_stage = 2;
  s.framework_config.optimizer_type = "sgd";  // no states: the fp32 master weights remain
  CHECK(e.estimate_optimizer_states(s) == doctest::Approx(4 * P / N / kGiB));
}

TEST_CASE("fragmentation and safety margin follow the spec") {
  MemoryEstimationParameters params;
  const TransformersMemoryEstimator e(spec_of("llama-2-7b-hf.json"), params);
  Scenario s;
  const MemoryBreakdown b = e.estimate_total_memory(s);
  const double base = b.model_weights_gb + b.activations_gb + b.kv_cache_gb;
  CHECK(b.fragmentation_overhead_gb == doctest::Approx(base * 0.05));
  CHECK(b.safety_margin_gb == doctest::Approx(std::max(0.5, base * 0.02)));
  CHECK(b.total_gb() == doctest::Approx(base * 1.05 + b.safety_margin_gb));
}


TEST_CASE("vLLM's start-up KV cache arithmetic: budget, blocks, tokens, concurrency, refusal") {
  json request = {{"config", corpus_config("llama-3.1-8b.json")},
                  {"framework", "vllm"},
                  {"workload", {{"max_model_len", 32768}, {"max_num_seqs", 256}, {"max_num_batched_tokens", 8192}}},
                  {"framework_config", {{"gpu_memory_gib", 79.19}, {"non_torch_memory_gib", 0.2},
                                        {"vllm_model_runner", "v1"}}}};
  const json c = estimate_ok(request).at("kv_cache_capacity");
  const double budget = 79.19 * 0.9;
  CHECK(c.at("budget_gib").get<double>() == doctest::Approx(budget));
  // 8,030,261,248 bf16 parameters; 128,256 is already a multiple of 64, so no padding.
  CHECK(c.at("weights_gib").get<double>() == doctest::Approx(8'030'261'248.0 * 2 / (1 << 30)));
  // vLLM >= 0.21 takes the CUDA graphs' memory off the budget before the KV cache.
  CHECK(c.at("cuda_graph_in_budget") == true);
  const double available = budget - c.at("weights_gib").get<double>() - 0.2 -
                           c.at("activation_peak_gib").get<double>() - c.at("cuda_graph_gib").get<double>();
  CHECK(c.at("available_gib").get<double>() == doctest::Approx(available));
  // 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 128 KiB per token; 16 tokens a block.
  CHECK(c.at("bytes_per_block").get<double>() == 16 * 131072.0);
  const std::int64_t blocks = std::int64_t(std::floor(available * (1 << 30) / (16 * 131072.0)));
  CHECK(c.at("num_gpu_blocks") == blocks);
  CHECK(c.at("tokens") == blocks * 16);
  CHECK(c.at("max_concurrency").get<double>() == doctest::Approx(double(blocks) / (32768 / 16)));
  CHECK(c.at("starts") == true);
  CHECK_FALSE(c.contains("refusal"));

  request["framework_config"]["gpu_memory_utilization"] = 0.2;  // 15.8 GiB: the weights alone take 15
  const json none = estimate_ok(request).at("kv_cache_capacity");
  CHECK(none.at("starts") == false);
  CHECK(none.at("num_gpu_blocks") == 0);
  CHECK(none.at("refusal").get<std::string>().rfind("No available memory for the cache blocks", 0) == 0);

  request["framework_config"]["gpu_memory_utilization"] = 0.3;  // some blocks, fewer than one request needs
  request["workload"]["max_model_len"] = 131072;
  const json short_of_one = estimate_ok(request).at("kv_cache_capacity");
  CHECK(short_of_one.at("starts") == false);
  CHECK(short_of_one.at("refusal").get<std::string>().find("max seq len (131072)") != std::string::npos);
  CHECK(short_of_one.at("refusal").get<std::string>().find("estimated maximum model length is") != std::string::npos);
  // V0 words it its own way, from the tokens its blocks hold.
  request["framework_config"]["vllm_engine"] = "v0";
  const json v0 = estimate_ok(request).at("kv_cache_capacity");
  CHECK(v0.at("refusal").get<std::string>().find("maximum number of tokens that can be stored in KV cache (" +
                                                 std::to_string(v0.at("tokens").get<std::int64_t>()) + ")") !=
        std::string::npos);

  // A request that says it runs eager, or an older V1, keeps the graphs off the budget.
  request["framework_config"]["vllm_engine"] = "v1";
  request["workload"]["max_model_len"] = 32768;
  request["framework_config"]["gpu_memory_utilization"] = 0.9;
  request["framework_config"]["profile_cudagraph_memory"] = false;
  const json older = estimate_ok(request).at("kv_cache_capacity");
  CHECK(older.at("cuda_graph_in_budget") == false);
  CHECK(older.at("available_gib").get<double>() ==
        doctest::Approx(available + c.at("cuda_graph_gib").get<double>()));
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

  // Model runner v2 (the default) never takes graphs off the budget, and profiles a sampler
  // without top-k/top-p: 6 bytes a logit, against the first runner's 38.5.
  request["framework_config"]["enforce_eager"] = false;
  request["framework_config"]["profile_cudagraph_memory"] = true;
  request["framework_config"]["vllm_model_runner"] = "v2";
  request["workload"]["max_num_batched_tokens"] = 256;  // the sampler's 256 rows set the peak
  const json v2 = estimate_ok(request).at("kv_cache_capacity");
  CHECK(v2.at("cuda_graph_in_budget") == false);
  const double hidden = 256.0 * 4096 * 2;
  CHECK(v2.at("activation_peak_gib").get<double>() == doctest::Approx((256.0 * 128256 * 6 + hidden) / (1 << 30)));
  request["framework_config"]["vllm_model_runner"] = "v1";
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("activation_peak_gib").get<double>() ==
        doctest::Approx((256.0 * 128256 * 38.5 + hidden) / (1 << 30)));
  request["framework_config"]["vllm_sampler"] = "flashinfer";  // no sort: 14 bytes a logit
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("activation_peak_gib").get<double>() ==
        doctest::Approx((256.0 * 128256 * 14 + hidden) / (1 << 30)));

  // Runner v2 holds its penalties state from start-up and counts it with the non-torch memory:
  // an int32 count per request and vocabulary entry, and the prompt's tokens as bits.
  request["framework_config"].erase("non_torch_memory_gib");
  request["framework_config"]["vllm_model_runner"] = "v2";
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() ==
        doctest::Approx(0.15 + 256.0 * (128256 + 4008) * 4 / (1 << 30)));
  request["framework_config"]["vllm_model_runner"] = "v1";
  CHECK(estimate_ok(request).at("kv_cache_capacity").at("non_torch_gib").get<double>() == doctest::Approx(0.15));
}

TEST_CASE("vLLM pads the vocabulary to a multiple of 64 before splitting it") {
  json config = corpus_config("llama-2-7b-hf.json");
  config["vocab_size"] = 32001;  // 32064 rows once padded: 63 more, in the embedding and lm_head
  const json transformers = estimate_ok({{"config", config}});
  const json vllm = estimate_ok({{"config", config}, {"framework", "vllm"}});
  const double extra = 63.0 * 4096 * 2 * 2 / (1 << 30);
  CHECK(vllm.at("breakdown").at("model_weights").get<double>() -
            transformers.at("breakdown").at("model_weights").get<double>() == doctest::Approx(extra));
}

TEST_CASE("vLLM re-lays gpt-oss's MXFP4 experts out for the kernel the GPU runs") {
  // 24 MoE layers of 32 experts, hidden 2880, expert intermediate 2880: a fused gate_up
  // (2I x H) and a down (H x I) projection, 4-bit values and an e8m0 scale per 32, biases.
  const json config = corpus_config("gpt-oss-20b.json");
  auto weights = [&](const json& framework_config, int tp = 1) {
    const json response = estimate_ok({{"config", config}, {"framework", "vllm"},
                                       {"parallelism", {{"tensor_parallel_size", tp}}},
                                       {"framework_config", framework_config}});
    return response.at("breakdown").at("model_weights").get<double>();
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
  const json llama = corpus_config("llama-3.1-8b.json");
  const json plain = estimate_ok({{"config", llama}, {"framework", "vllm"}});
  const json on_h100 = estimate_ok({{"config", llama}, {"framework", "vllm"},
                                    {"framework_config", {{"gpu_compute_capability", 9.0}}}});
  CHECK(on_h100.at("breakdown").at("model_weights") == plain.at("breakdown").at("model_weights"));
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
