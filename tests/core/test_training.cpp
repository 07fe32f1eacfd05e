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
using llmmem::testing::kGiB;

namespace {
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
  auto states = [](TrainingPrecision precision, const char* optimizer) {
    PyTorchTraining t;
    t.params = 1;
    t.largest_module = 1;
    t.precision = precision;
    t.optimizer = optimizer;
    return pytorch_model_states(t);
  };
  auto resident = [&](TrainingPrecision precision, const char* optimizer) {
    const ModelStates s = states(precision, optimizer);
    return s.weights + s.gradients + s.optimizer;
  };
  // transformers docs (model_memory_anatomy.md): AMP keeps fp32 weights and gradients + 8 for AdamW.
  CHECK(resident(TrainingPrecision::mixed, "adamw") == 16);
  CHECK(resident(TrainingPrecision::fp32, "adamw") == 16);
  // Pure bf16 (torchtune): weights, gradients, momentum and variance all bf16.
  CHECK(resident(TrainingPrecision::bf16, "adamw") == 8);
  CHECK(resident(TrainingPrecision::mixed, "adamw_8bit") == 10);
  // Paged states live in unified memory that pages to the host: counted there, not on the GPU.
  CHECK(resident(TrainingPrecision::mixed, "paged_adamw_8bit") == 8);
  CHECK(states(TrainingPrecision::mixed, "paged_adamw_8bit").cpu == 2);
  CHECK(resident(TrainingPrecision::mixed, "sgd_momentum") == 12);
  CHECK(resident(TrainingPrecision::mixed, "sgd") == 8);
  CHECK(resident(TrainingPrecision::mixed, "lion") == 12);
  // foreach AdamW's step takes sqrt(v) of every parameter at once: one state-sized list more.
  CHECK(states(TrainingPrecision::mixed, "adamw").step_temporaries == 4);
  CHECK(states(TrainingPrecision::bf16, "adamw").step_temporaries == 2);
  CHECK(states(TrainingPrecision::mixed, "adamw_fused").step_temporaries == 0);
  CHECK(states(TrainingPrecision::mixed, "adamw_8bit").step_temporaries == 0);
  // autocast's 16-bit copies of the weights exist through forward and backward.
  PyTorchTraining amp;
  amp.params = amp.quantizable_params = 100;
  amp.layer_params = 10;
  CHECK(pytorch_model_states(amp).transient_weights == 200);
  amp.checkpointed = true;  // only the rebuilt layer's copies
  CHECK(pytorch_model_states(amp).transient_weights == 20);
}

TEST_CASE("bitsandbytes NF4 stores 4 bits plus its block constants") {
  // quantize_4bit: one absmax per 64 weights; double quantization stores it in 8 bits with an
  // fp32 constant per 256 blocks: 4.127 bits, QLoRA paper section 3 ("0.127 bits per parameter").
  CHECK(nf4_bytes_per_parameter(true) * 8 == doctest::Approx(4.127).epsilon(0.001));
  CHECK(nf4_bytes_per_parameter(false) * 8 == 4.5);
}

TEST_CASE("training options through the request") {
  const json llama = corpus_config("llama-2-7b-hf.json");
  const double P = 6'738'415'616.0;
  SUBCASE("PyTorch AMP peaks in optimizer.step(): 16 bytes of states and foreach's sqrt(v) per parameter") {
    const json r = estimate_ok({{"config", llama}, {"workload", {{"mode", "training"}}},
                                {"parallelism", {{"data_parallel_size", 4}}}});
    const json& b = r.at("breakdown");
    CHECK(b.at("model_weights").get<double>() == doctest::Approx(4 * P / kGiB));
    CHECK(b.at("gradients").get<double>() == doctest::Approx(4 * P / kGiB));
    CHECK(b.at("optimizer_states").get<double>() == doctest::Approx((8 + 4) * P / kGiB));
    CHECK(b.at("activations").get<double>() == 0);  // freed before the step
    CHECK(r.at("training").at("peak_phase") == "optimizer_step");
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
    FieldValue given;
    given.number = 0.5;
    s.given.set("params.activation_recomputation_factor", given);
    const TransformersMemoryEstimator scaled(parse_config(config.dump()), params);
    CHECK(scaled.estimate_activations(s) * kGiB == doctest::Approx(0.5 * L * sbh * 32 + logits));
  }
}

// The same paper's exact GPT layer, dropout and all: Table 2's rows for no parallelism, tensor
// parallelism and tensor + sequence parallelism, plus the embedding dropout's mask (section 4.3).
TEST_CASE("training activations reproduce Korthikanti et al. 2022 Table 2 with dropout") {
  const double h = 2048, L = 8, heads = 16, V = 32000, b = 2, seq = 1024, t = 4;
  const json config = {{"model_type", "gpt2"}, {"n_embd", h}, {"n_layer", L}, {"n_head", heads},
                       {"vocab_size", V}, {"torch_dtype", "float16"}, {"resid_pdrop", 0.1},
                       {"attn_pdrop", 0.1}, {"embd_pdrop", 0.1}};
  const TransformersMemoryEstimator e(parse_config(config.dump()), {});
  Scenario s;
  s.mode = Mode::training;
  s.workload.batch_size = std::int64_t(b);
  s.workload.sequence_length = std::int64_t(seq);
  s.framework_config.attention_implementation = AttentionImplementation::eager;
  const double sbh = seq * b * h, as_h = heads * seq / h;
  // Less the head's logits and the embedding dropout's mask (split only by SP).
  auto stored = [&](double tp, double sp) {
    return e.estimate_activations(s) * kGiB - b * seq * V / tp * (2 + 8) - sbh / sp;
  };
  CHECK(stored(1, 1) == doctest::Approx(L * sbh * (34 + 5 * as_h)));
  s.parallelism.tensor_parallel_size = std::int64_t(t);
  CHECK(stored(t, 1) == doctest::Approx(L * sbh * (10 + 24 / t + 5 * as_h / t)));
  s.parallelism.sequence_parallel = true;
  CHECK(stored(t, t) == doctest::Approx(L * sbh * (34 / t + 5 * as_h / t)));
}

TEST_CASE("LoRA: adapters train, the base is frozen") {
  const json llama = corpus_config("llama-2-7b-hf.json");
  const double P = 6'738'415'616.0;
  auto lora = [&](json framework_config) {
    framework_config["fine_tuning"] = framework_config.value("fine_tuning", "lora");
    return estimate_ok({{"config", llama}, {"workload", {{"mode", "training"}, {"sequence_length", 512}}},
                        {"framework_config", framework_config}});
  };
  SUBCASE("PEFT's own count: r=8 on q_proj and v_proj of Llama-2-7b is 4,194,304 trainable parameters") {
    // PEFT README / print_trainable_parameters: "trainable params: 4,194,304 || all params: 6,742,609,920".
    const json r = lora({{"lora_rank", 8}});
    CHECK(r.at("training").at("trainable_parameters_per_gpu") == 4'194'304);
    CHECK(r.at("model").at("total_parameters").get<double>() + 4'194'304 == 6'742'609'920);
  }
  SUBCASE("gradients and AdamW states for the adapters only; the base in 16 bits") {
    const json r = lora({{"lora_rank", 8}, {"training_precision", "bf16"}});
    const double A = 4'194'304;
    const json& b = r.at("breakdown");
    CHECK(r.at("training").at("peak_phase") == "forward_backward");
    CHECK(b.at("model_weights").get<double>() == doctest::Approx((2 * P + 2 * A) / kGiB));
    CHECK(b.at("optimizer_states").get<double>() == doctest::Approx(4 * A / kGiB));
    CHECK(r.at("training").at("optimizer_step_gib").get<double>() ==
          doctest::Approx((2 * P + 2 * A + 2 * A + 4 * A + 2 * A) / kGiB));
  }
  SUBCASE("QLoRA keeps the decoder's linear layers in NF4 and the rest in 16 bits ...") {
    const json r = lora({{"fine_tuning", "qlora"}, {"lora_rank", 8}, {"training_precision", "bf16"}});
    const double linear = 32.0 * (4 * 4096.0 * 4096 + 3 * 4096.0 * 11008);
    const double A = 4'194'304;
    CHECK(r.at("breakdown").at("model_weights").get<double>() ==
          doctest::Approx((nf4_bytes_per_parameter(true) * linear + 2 * (P - linear) + 2 * A) / kGiB));
  }
  SUBCASE("... or in fp32 under AMP, where PEFT's prepare_model_for_kbit_training upcasts them") {
    const json r = lora({{"fine_tuning", "qlora"}, {"lora_rank", 8}});
    const double linear = 32.0 * (4 * 4096.0 * 4096 + 3 * 4096.0 * 11008);
    const double A = 4'194'304;
    CHECK(r.at("breakdown").at("model_weights").get<double>() ==
          doctest::Approx((nf4_bytes_per_parameter(true) * linear + 4 * (P - linear) + 4 * A) / kGiB));
  }
  SUBCASE("all-linear adapts all seven projections") {
    const json r = lora({{"lora_rank", 16}, {"lora_target_modules", {"all-linear"}}});
    const double per_layer = 16.0 * (4 * (4096 + 4096) + 3 * (4096 + 11008));
    CHECK(r.at("training").at("trainable_parameters_per_gpu") == std::llround(32 * per_layer));
  }
  SUBCASE("a frozen projection keeps no copy of its input, so LoRA stores less than full fine-tuning") {
    const json full = estimate_ok({{"config", llama}, {"workload", {{"mode", "training"}, {"sequence_length", 512}}}});
    CHECK(lora(json::object()).at("training").at("activations_gib").get<double>() <
          full.at("training").at("activations_gib").get<double>());
  }
}

TEST_CASE("PyTorch training phases: the step's peak, FSDP, optimizer in backward") {
  const json mistral = corpus_config("mistral-7b-v0.1.json");
  const double P = 7'241'732'096.0;
  json request = {{"config", mistral},
                  {"workload", {{"mode", "training"}, {"batch_size", 4}, {"sequence_length", 4096}}},
                  {"framework_config", {{"training_precision", "bf16"}, {"gradient_checkpointing", "full"},
                                        {"attention_implementation", "flash_attention_2"}}}};
  // fms-acceleration's Mistral-7B runs: pure bf16 AdamW peaks at 5x the bf16 weights (weights,
  // gradients, m, v and foreach's sqrt(v)), the same at batch 4 and 8 ...
  const json one = estimate_ok(request).at("training");
  CHECK(one.at("peak_phase") == "optimizer_step");
  CHECK(one.at("optimizer_step_gib").get<double>() == doctest::Approx(10 * P / kGiB));
  request["workload"]["batch_size"] = 8;
  CHECK(estimate_ok(request).at("training").at("optimizer_step_gib") == one.at("optimizer_step_gib"));
  // ... and FSDP FULL_SHARD over 2 GPUs halves it exactly.
  request["parallelism"] = {{"data_parallel_size", 2}};
  request["framework_config"]["fsdp"] = "full_shard";
  CHECK(estimate_ok(request).at("training").at("optimizer_step_gib").get<double>() == doctest::Approx(5 * P / kGiB));
  // torchtune's optimizer_in_backward: one module's gradient at a time, no separate step peak.
  request["parallelism"] = {{"data_parallel_size", 1}};
  request["framework_config"]["fsdp"] = "none";
  request["framework_config"]["optimizer_in_backward"] = true;
  const json in_backward = estimate_ok(request);
  CHECK(in_backward.at("training").at("peak_phase") == "forward_backward");
  const double lm_head = 32000.0 * 4096;  // the largest module
  CHECK(in_backward.at("breakdown").at("gradients").get<double>() == doctest::Approx(2 * lm_head / kGiB));
}

TEST_CASE("training fields are validated with their paths") {
  const std::string config = corpus_config("llama-2-7b-hf.json").dump();
  auto field = [&](const std::string& rest) { return estimate_error(R"({"config":)" + config + "," + rest + "}").at("field"); };
  CHECK(field(R"("framework_config":{"fine_tuning":"dora"})") == "framework_config.fine_tuning");
  CHECK(field(R"("framework_config":{"lora_target_modules":["q_proj","wq"]})") == "framework_config.lora_target_modules[1]");
  CHECK(field(R"("framework_config":{"lora_target_modules":[]})") == "framework_config.lora_target_modules");
  CHECK(field(R"("framework_config":{"lora_rank":0})") == "framework_config.lora_rank");
  CHECK(field(R"("framework":"deepspeed","framework_config":{"fsdp":"full_shard"})") == "framework_config.fsdp");
  CHECK(field(R"("framework_config":{"offload_activations":true})") == "framework_config.offload_activations");
  CHECK(field(R"("parallelism":{"sequence_parallel":true})") == "parallelism.sequence_parallel");
  CHECK(field(R"("framework_config":{"loss_implementation":"fused"})") == "framework_config.loss_implementation");
}
