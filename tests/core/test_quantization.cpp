// Quantized checkpoints weighed as they are stored: packed values, their scales and zero
// points, and the modules each format leaves in 16 bits.
#include <cmath>

#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/estimator.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::corpus_manifest;
using llmmem::testing::json;

namespace {

double weight_bytes(const json& config) {
  const TransformersMemoryEstimator e(parse_config(config.dump()), {});
  return e.weight_bytes_per_gpu(Parallelism{});
}

// Llama-2-7b's decoder matrices (in, out): q, k, v, o and gate, up, down, 32 layers; the rest
// (embeddings, lm_head, norms) stays in float16.
constexpr double kLayers = 32, kHidden = 4096, kInner = 11008;
constexpr double kLinear = kLayers * (4 * kHidden * kHidden + 3 * kHidden * kInner);
constexpr double kOther = 6'738'415'616.0 - kLinear;

template <typename PerMatrix>
double llama2_linear_bytes(PerMatrix bytes) {
  return kLayers * (4 * bytes(kHidden, kHidden) + 2 * bytes(kHidden, kInner) + bytes(kInner, kHidden));
}

json llama2_with(const json& quantization) {
  json config = corpus_config("llama-2-7b-hf.json");
  config["quantization_config"] = quantization;
  return config;
}

}  // namespace

TEST_CASE("quantized checkpoints in the corpus weigh what their files weigh") {
  // models.json gives checkpoint_bytes where the checkpoint's size is published (the
  // safetensors index's total_size); gpt-oss-20b: MXFP4 experts, bf16 attention and embeddings.
  int checked = 0;
  for (const json& model : corpus_manifest()) {
    if (!model.contains("checkpoint_bytes")) continue;
    const std::string file = model.at("file");
    CAPTURE(file);
    const double published = model.at("checkpoint_bytes").get<double>();
    CHECK(std::fabs(weight_bytes(corpus_config(file)) / published - 1) <= 0.01);
    ++checked;
  }
  CHECK(checked >= 1);
  CHECK(weight_bytes(corpus_config("gpt-oss-20b.json")) == 13'761'264'768.0);  // exactly
}

TEST_CASE("GPTQ: packed values, qzeros, fp16 scales per group of 128 inputs and g_idx") {
  const double bytes = weight_bytes(llama2_with({{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 128}, {"desc_act", false}}));
  const double expected = llama2_linear_bytes([](double in, double out) {
    return in * out / 2 + (in / 128) * out * (0.5 + 2) + in * 4;
  });
  CHECK(bytes == doctest::Approx(expected + 2 * kOther).epsilon(1e-12));
}

TEST_CASE("AWQ: like GPTQ without g_idx") {
  const double bytes = weight_bytes(llama2_with({{"quant_method", "awq"}, {"bits", 4}, {"group_size", 128}}));
  const double expected = llama2_linear_bytes([](double in, double out) { return in * out / 2 + (in / 128) * out * 2.5; });
  CHECK(bytes == doctest::Approx(expected + 2 * kOther).epsilon(1e-12));
}

TEST_CASE("bitsandbytes: NF4 with or without double quantization, and LLM.int8") {
  const double nf4 = weight_bytes(llama2_with({{"quant_method", "bitsandbytes"}, {"load_in_4bit", true},
                                               {"bnb_4bit_quant_type", "nf4"}, {"bnb_4bit_use_double_quant", true}}));
  // 4 bits, an 8-bit absmax per 64 and an fp32 constant per 256 blocks: ~4.127 bits per weight.
  CHECK((nf4 - 2 * kOther) * 8 / kLinear == doctest::Approx(4.127).epsilon(0.001));
  const double plain = weight_bytes(llama2_with({{"load_in_4bit", true}}));
  CHECK((plain - 2 * kOther) * 8 / kLinear == doctest::Approx(4.5).epsilon(0.001));  // fp32 absmax per 64
  const double int8 = weight_bytes(llama2_with({{"load_in_8bit", true}}));
  CHECK(int8 - 2 * kOther == doctest::Approx(kLinear + llama2_linear_bytes([](double, double out) { return out * 4; })));
}

TEST_CASE("FP8: block-wise scales as DeepSeek stores them, per-channel as fbgemm does") {
  const double block = weight_bytes(llama2_with({{"quant_method", "fp8"}, {"weight_block_size", {128, 128}}}));
  const double expected = llama2_linear_bytes([](double in, double out) {
    return in * out + std::ceil(out / 128) * std::ceil(in / 128) * 4;
  });
  CHECK(block == doctest::Approx(expected + 2 * kOther).epsilon(1e-12));
  const double channel = weight_bytes(llama2_with({{"quant_method", "fbgemm_fp8"}}));
  CHECK(channel == doctest::Approx(kLinear + llama2_linear_bytes([](double, double out) { return out * 4; }) + 2 * kOther));
}

TEST_CASE("modules a checkpoint leaves unconverted stay in 16 bits") {
  json config = corpus_config("gpt-oss-20b.json");
  const double mxfp4 = weight_bytes(config);
  config["quantization_config"]["modules_to_not_convert"] = json::array({"lm_head"});  // attention too now
  const double attention_too = weight_bytes(config);
  // gpt-oss-20b's attention: 24 layers of q (2880 x 4096), k, v (2880 x 512) and o (4096 x 2880).
  const double attention = 24.0 * (2880.0 * 4096 * 2 + 2880.0 * 512 * 2);
  CHECK(mxfp4 - attention_too == doctest::Approx(attention * (2 - (0.5 + 1.0 / 32))));
}

TEST_CASE("a format the calculator does not model falls back to the spec's bits/8 x overhead, and says so") {
  const json config = llama2_with({{"quant_method", "hqq"}, {"bits", 4}});
  const ModelSpec spec = parse_config(config.dump());
  CHECK(weight_bytes(config) == doctest::Approx(kLinear * 0.5 * 1.1 + 2 * kOther));
  bool warned = false;
  for (const std::string& warning : spec.warnings) warned |= warning.find("hqq") != std::string::npos;
  CHECK(warned);
  const TransformersMemoryEstimator e(spec, {});
  CHECK(e.compute_dtype_bytes() == 2);  // dequantized to float16, the config's torch_dtype
}
