// Framework policies over a ModelSpec: weights per GPU, KV cache, activations, training states.
#include <cmath>

#include <doctest/doctest.h>

#include "llmmem/input.hpp"
#include "llmmem/estimator.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;
using llmmem::testing::kGiB;

namespace {

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


