// Training model states: DeepSpeed's own estimators reproduced, PyTorch's bytes per parameter.
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/estimator.hpp"
#include "llmmem/training.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_error;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

ZeroSetup zero(double params, double largest, std::int64_t gpus_per_node, int stage, bool offload_optimizer,
               bool offload_param = false, bool zero_init = true) {
  ZeroSetup z;
  z.params = params;
  z.largest_layer = largest;
  z.data_parallel = gpus_per_node;
  z.gpus_per_node = gpus_per_node;
  z.stage = stage;
  z.offload_optimizer = offload_optimizer;
  z.offload_param = offload_param;
  z.zero_init = zero_init;
  return z;
}

double gpu_bytes(const ModelStates& s) { return s.weights + s.gradients + s.optimizer; }
}  // namespace

// DeepSpeed's printed figures (docs/code-docs/source/memory.rst and issue #4527), as collected
// in shared/reference/training-ground-truth.md section 1. Its "GB" is GiB, its "MB" MiB. The
// docs' ZeRO-2 15.93 GB predates DeepSpeed PR #5099; the current code gives 11.28.
TEST_CASE("DeepSpeed's estimate_zero2/zero3_model_states_mem_needs figures, within 1%") {
  const double t5_3b = 2851e6, t5_3b_layer = 32e6;
  SUBCASE("t5-3b, ZeRO-2, 1 node x 8 GPUs") {
    const ModelStates offload = deepspeed_model_states(zero(t5_3b, t5_3b_layer, 8, 2, true));
    CHECK(gpu_bytes(offload) / kGiB == doctest::Approx(5.31).epsilon(0.01));
    CHECK(offload.cpu / kGiB == doctest::Approx(127.45).epsilon(0.01));
    const ModelStates none = deepspeed_model_states(zero(t5_3b, t5_3b_layer, 8, 2, false));
    CHECK(gpu_bytes(none) / kGiB == doctest::Approx(11.28).epsilon(0.01));
    CHECK(none.cpu / kGiB == doctest::Approx(127.45).epsilon(0.01));
  }
  SUBCASE("t5-3b, ZeRO-3, every offload and zero_init combination it prints") {
    struct Row {
      bool offload_param, offload_optimizer, zero_init;
      double cpu_gib, gpu_gib;
    };
    for (const Row& row : {Row{true, true, true, 71.69, 0.12}, Row{true, true, false, 127.45, 0.12},
                           Row{false, true, true, 63.72, 0.78}, Row{false, true, false, 127.45, 0.78},
                           Row{false, false, true, 1.43, 6.09}, Row{false, false, false, 127.45, 6.09}}) {
      CAPTURE(row.offload_param);
      CAPTURE(row.offload_optimizer);
      CAPTURE(row.zero_init);
      const ModelStates s = deepspeed_model_states(
          zero(t5_3b, t5_3b_layer, 8, 3, row.offload_optimizer, row.offload_param, row.zero_init));
      CHECK(gpu_bytes(s) / kGiB == doctest::Approx(row.gpu_gib).epsilon(0.01));
      CHECK(s.cpu / kGiB == doctest::Approx(row.cpu_gib).epsilon(0.01));
    }
  }
  SUBCASE("t5-large, ZeRO-3, 4 GPUs (MiB)") {
    const double params = 737.67e6, layer = 32.90e6;
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, false))) / kMiB == doctest::Approx(3291).epsilon(0.01));
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, true, true))) / kMiB == doctest::Approx(125).epsilon(0.01));
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, true))) / kMiB == doctest::Approx(477).epsilon(0.01));
  }
  SUBCASE("a 6,805M model, ZeRO-3, 4 GPUs (DeepSpeed issue #4527)") {
    const double params = 6805e6, layer = 131e6;
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, true, true))) / kGiB == doctest::Approx(0.49).epsilon(0.01));
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, true))) / kGiB == doctest::Approx(3.66).epsilon(0.01));
    CHECK(gpu_bytes(deepspeed_model_states(zero(params, layer, 4, 3, false))) / kGiB == doctest::Approx(29.01).epsilon(0.01));
  }
}

TEST_CASE("ZeRO-1 partitions the optimizer states (Rajbhandari et al. 2020, P_os)") {
  // 7.5B parameters over 64 GPUs: the paper's 16 bytes shrink to 4 + 12/64 at stage 1. DeepSpeed
  // also keeps an fp32 gradient partition (4/64 here), which the paper's figure leaves out.
  const ModelStates s = deepspeed_model_states(zero(7.5e9, 0, 64, 1, false));
  CHECK(s.weights == 2 * 7.5e9);
  CHECK(s.optimizer == doctest::Approx(12 * 7.5e9 / 64));
  CHECK(gpu_bytes(s) / 1e9 == doctest::Approx(31.4 + 4 * 7.5 / 64).epsilon(0.005));
}

TEST_CASE("PyTorch training: bytes per parameter by precision and optimizer") {
  auto per_param = [](TrainingPrecision precision, const char* optimizer) {
    return gpu_bytes(pytorch_model_states(1, precision, optimizer));
  };
  // transformers docs (model_memory_anatomy.md): AMP keeps fp32 weights and gradients + 8 for AdamW.
  CHECK(per_param(TrainingPrecision::mixed, "adamw") == 16);
  CHECK(per_param(TrainingPrecision::fp32, "adamw") == 16);
  // Pure bf16 (torchtune): weights, gradients, momentum and variance all bf16.
  CHECK(per_param(TrainingPrecision::bf16, "adamw") == 8);
  CHECK(per_param(TrainingPrecision::mixed, "adamw_8bit") == 10);
  CHECK(per_param(TrainingPrecision::mixed, "sgd_momentum") == 12);
  CHECK(per_param(TrainingPrecision::mixed, "sgd") == 8);
  CHECK(per_param(TrainingPrecision::mixed, "lion") == 12);
}

TEST_CASE("training options through the request") {
  const json llama = corpus_config("llama-2-7b-hf.json");
  const double P = 6'738'415'616.0;
  SUBCASE("PyTorch AMP: 16 bytes per parameter on every data-parallel replica") {
    const json r = estimate_ok({{"config", llama}, {"workload", {{"mode", "training"}}},
                                {"parallelism", {{"data_parallel_size", 4}}}});
    const json& b = r.at("breakdown");
    CHECK(b.at("model_weights").get<double>() == doctest::Approx(4 * P / kGiB));
    CHECK(b.at("gradients").get<double>() == doctest::Approx(4 * P / kGiB));
    CHECK(b.at("optimizer_states").get<double>() == doctest::Approx(8 * P / kGiB));
    CHECK_FALSE(r.contains("cpu_memory_gib"));
  }
  SUBCASE("DeepSpeed ZeRO-3 with offload reports CPU memory per node") {
    const json r = estimate_ok({{"config", llama}, {"framework", "deepspeed"},
                                {"parallelism", {{"data_parallel_size", 8}, {"zero_stage", 3}}},
                                {"framework_config", {{"offload_optimizer", "cpu"}, {"offload_param", "cpu"}}}});
    CHECK(r.at("breakdown").at("optimizer_states").get<double>() == 0);
    CHECK(r.at("cpu_memory_gib").get<double>() == doctest::Approx(P * 18 * 1.5 / kGiB));
  }
  SUBCASE("combinations DeepSpeed does not offer are errors naming the field") {
    const std::string config = llama.dump();
    CHECK(estimate_error(R"({"config":)" + config +
                         R"(,"framework_config":{"offload_optimizer":"cpu"}})").at("field") ==
          "framework_config.offload_optimizer");
    CHECK(estimate_error(R"({"config":)" + config +
                         R"(,"framework":"deepspeed","framework_config":{"offload_optimizer":"cpu"}})")
              .at("message") == "framework_config.offload_optimizer: ZeRO-Offload needs zero_stage 1, 2 or 3, got 0");
    CHECK(estimate_error(R"({"config":)" + config +
                         R"(,"framework":"deepspeed","parallelism":{"zero_stage":3},"framework_config":{"offload_param":"cpu"}})")
              .at("field") == "framework_config.offload_param");
    CHECK(estimate_error(R"({"config":)" + config + R"(,"framework_config":{"training_precision":"fp8"}})")
              .at("field") == "framework_config.training_precision");
  }
}

// Korthikanti et al. 2022, Table 2: a GPT layer keeps sbh(34 + 5as/h) bytes with 16-bit
// activations; 2sbh of the 34 and 3as^2b of the 5as^2b are dropout masks and outputs, absent
// from models trained without dropout, as today's LLMs are.
TEST_CASE("training activations follow Korthikanti et al. 2022 without dropout") {
  const double h = 1024, L = 24, heads = 16, V = 50304, b = 4, seq = 2048;
  const json config = {{"model_type", "gpt2"}, {"n_embd", h}, {"n_layer", L}, {"n_head", heads},
                       {"vocab_size", V}, {"torch_dtype", "float16"}};
  const TransformersMemoryEstimator e(parse_config(config.dump()), {});
  Scenario s;
  s.mode = Mode::training;
  s.workload.batch_size = std::int64_t(b);
  s.workload.sequence_length = std::int64_t(seq);
  const double sbh = seq * b * h;
  const double logits = b * seq * V * (2 + 8);  // fp16 logits, fp32 copy, fp32 log-softmax
  auto activations = [&] { return e.estimate_activations(s) * kGiB; };

  s.framework_config.attention_implementation = AttentionImplementation::eager;
  CHECK(activations() == doctest::Approx(L * (sbh * (34 - 2) + (5 - 3) * heads * seq * seq * b) + logits));
  s.framework_config.attention_implementation = AttentionImplementation::flash_attention_2;
  CHECK(activations() == doctest::Approx(L * sbh * 32 + logits));
  SUBCASE("tensor parallel: sbh(10 + 24/t), less the 2 of dropout") {
    s.parallelism.tensor_parallel_size = 4;
    CHECK(activations() == doctest::Approx(L * sbh * (8 + 24.0 / 4) + logits / 4));
  }
  SUBCASE("selective recomputation drops eager attention's s^2 term") {
    s.framework_config.attention_implementation = AttentionImplementation::eager;
    s.framework_config.gradient_checkpointing = GradientCheckpointing::selective;
    CHECK(activations() == doctest::Approx(L * sbh * 32 + logits));
  }
  SUBCASE("full recomputation keeps each layer's input, 2sbh, and rebuilds one layer") {
    s.framework_config.gradient_checkpointing = GradientCheckpointing::full;
    CHECK(activations() == doctest::Approx(L * sbh * 2 + sbh * 32 + logits));
  }
  SUBCASE("the spec's activation_recomputation_factor scales the stored layers when given") {
    MemoryEstimationParameters params;
    params.activation_recomputation_factor = 0.5;
    params.activation_recomputation_factor_given = true;
    const TransformersMemoryEstimator scaled(parse_config(config.dump()), params);
    CHECK(scaled.estimate_activations(s) * kGiB == doctest::Approx(0.5 * L * sbh * 32 + logits));
  }
}
