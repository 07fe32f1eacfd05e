// "What if I quantize it?" (checkpoint.weights_as): llama-quantize's per-tensor mixes against the
// type counts llama.cpp prints when it loads a file, each tool's layout, and what the request
// says about it.
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include <doctest/doctest.h>

#include "accounting/gguf.hpp"
#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using namespace llmmem::detail;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;

namespace {

std::map<std::string, int> type_counts(const json& config, const char* file_type) {
  std::map<std::string, int> counts;
  for (const GgufTensor& t : gguf_plan(parse_config(config.dump()), *gguf_file_type(file_type))) ++counts[ggml_type_name(t.type)];
  return counts;
}

double bits_per_weight(GgmlType type) { return ggml_tensor_bytes(type, 256, 1) * 8 / 256; }

json request_as(const json& config, const char* weights_as, const char* framework = "vllm") {
  return {{"config", config}, {"framework", framework}, {"checkpoint", {{"weights_as", weights_as}}}};
}

double weight_bytes(const json& request) { return estimate_ok(request).at("model").at("weight_bytes").get<double>(); }

}  // namespace

TEST_CASE("ggml's block sizes: bits per weight of each type") {
  // ggml-common.h: block_q4_K is 2 fp16 scales, 12 bytes of sub-scales and 128 of nibbles per 256.
  CHECK(bits_per_weight(GgmlType::q8_0) == 8.5);
  CHECK(bits_per_weight(GgmlType::q6_k) == 6.5625);
  CHECK(bits_per_weight(GgmlType::q5_k) == 5.5);
  CHECK(bits_per_weight(GgmlType::q4_k) == 4.5);
  CHECK(bits_per_weight(GgmlType::q3_k) == 3.4375);
  CHECK(bits_per_weight(GgmlType::q2_k) == 2.625);
  CHECK(bits_per_weight(GgmlType::iq4_xs) == 4.25);
  CHECK(bits_per_weight(GgmlType::q5_0) == 5.5);
  CHECK(bits_per_weight(GgmlType::q4_0) == 4.5);
}

TEST_CASE("Q4_K_M of a 32-layer Llama: 193 Q4_K and 33 Q6_K tensors, as llama.cpp's loader counts them") {
  // Llama-2-7B and Mistral-7B Q4_K_M loads print "type q4_K: 193 tensors, type q6_K: 33 tensors"
  // (find_string ids 66078728960, 1519557484, 2251659614): attn_v and ffn_down of 16 layers
  // (the first and last eighth, every third between) and the output head in Q6_K.
  for (const char* file : {"llama-2-7b-hf.json", "mistral-7b-v0.1.json"}) {
    CAPTURE(file);
    const auto counts = type_counts(corpus_config(file), "q4_k_m");
    CHECK(counts.at("Q4_K") == 193);
    CHECK(counts.at("Q6_K") == 33);
    CHECK(counts.size() == 2);
  }
  const ModelSpec llama = parse_config(corpus_config("llama-2-7b-hf.json").dump());
  std::string q6_layers;
  for (const GgufTensor& t : gguf_plan(llama, GgufFileType::q4_k_m)) {
    if (t.name.find("attn_v") != std::string::npos && t.type == GgmlType::q6_k) q6_layers += t.name.substr(4, t.name.find('.', 4) - 4) + " ";
  }
  CHECK(q6_layers == "0 1 2 3 6 9 12 15 18 21 24 27 28 29 30 31 ");
}

TEST_CASE("rows that are not whole 256-value blocks fall back to 32-value types; a tied embedding is the output's") {
  json config = corpus_config("qwen2.5-7b.json");  // reshaped as Qwen2.5-0.5B: hidden 896 = 3.5 blocks
  config["hidden_size"] = 896;
  config["num_attention_heads"] = 14;
  config["num_key_value_heads"] = 2;
  config["intermediate_size"] = 4864;
  config["num_hidden_layers"] = 24;
  config["tie_word_embeddings"] = true;
  const ModelSpec model = parse_config(config.dump());
  std::map<std::string, std::string> types;
  for (const GgufTensor& t : gguf_plan(model, GgufFileType::q4_k_m)) types[t.name] = ggml_type_name(t.type);
  CHECK(types.at("blk.5.attn_q.weight") == "Q5_0");    // Q4_K -> Q5_0 (tensor_type_fallback)
  CHECK(types.at("blk.0.attn_v.weight") == "Q8_0");    // Q6_K -> Q8_0
  CHECK(types.at("blk.4.ffn_down.weight") == "Q4_K");  // 4864 inputs: 19 blocks
  CHECK(types.at("blk.5.ffn_down.weight") == "Q6_K");  // (5 - 24/8) % 3 == 2: more bits
  CHECK(types.at("token_embd.weight") == "Q8_0");      // the output rule: 896 % 256 != 0
  CHECK(types.count("output.weight") == 0);
}

TEST_CASE("eight experts (Mixtral) keep attn_k and attn_v in Q8_0, attn_output in Q5_K") {
  const json config = corpus_config("mixtral-8x7b-v0.1.json");
  const ModelSpec model = parse_config(config.dump());
  for (const GgufTensor& t : gguf_plan(model, GgufFileType::q4_k_m)) {
    if (t.name == "blk.7.attn_k.weight" || t.name == "blk.7.attn_v.weight") CHECK(t.type == GgmlType::q8_0);
    if (t.name == "blk.7.attn_output.weight") CHECK(t.type == GgmlType::q5_k);
    if (t.name == "blk.7.ffn_gate_exps.weight") CHECK(t.rows == 8.0 * 14336);
  }
}

TEST_CASE("weights_as: the same parameters stored another way, and what the engine does with the file") {
  const json llama = corpus_config("llama-3.1-8b.json");
  const double bf16 = weight_bytes(request_as(llama, "stored"));
  CHECK(weight_bytes(request_as(llama, "bf16")) == bf16);
  CHECK(weight_bytes(request_as(llama, "fp16")) == bf16);
  // Case as llama.cpp writes it is accepted.
  CHECK(weight_bytes(request_as(llama, "Q4_K_M")) == weight_bytes(request_as(llama, "q4_k_m")));
  // Smaller with fewer bits, in the order of their bits per weight.
  double last = bf16;
  for (const char* format : {"q8_0", "fp8", "q6_k", "gptq-g32", "awq", "nf4-dq", "q4_k_m", "q3_k_m", "q2_k"}) {
    CAPTURE(format);
    const double bytes = weight_bytes(request_as(llama, format));
    if (std::string(format) != "fp8") CHECK(bytes < last);
    last = bytes;
  }
  // transformers dequantizes a GGUF file to fp32 as it loads it, and says so.
  const json transformers = estimate_ok(request_as(llama, "q4_k_m", "transformers"));
  CHECK(transformers.at("model").at("weight_bytes").get<double>() == 2 * bf16);
  CHECK(transformers.at("warnings").dump().find("dequantizes a GGUF file to fp32") != std::string::npos);
  CHECK(transformers.at("model").at("weights_as") == "q4_k_m");
}

TEST_CASE("weights_as replaces a checkpoint's own quantization and its headers' bytes, and says so") {
  json gptq = corpus_config("llama-2-7b-hf.json");
  gptq["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 128}};
  const json as_awq = estimate_ok(request_as(gptq, "awq"));
  CHECK(as_awq.at("model").at("quantization_method") == "awq");
  CHECK(as_awq.at("warnings").dump().find("own quantization (gptq) is replaced") != std::string::npos);
  json with_headers = request_as(corpus_config("llama-2-7b-hf.json"), "q8_0");
  with_headers["checkpoint"]["tensor_bytes"] = 13'476'839'424;
  const json answer = estimate_ok(with_headers);
  CHECK(answer.at("model").at("weights_from") == "config.json");
  CHECK(answer.at("warnings").dump().find("checkpoint.tensor_bytes is the stored checkpoint's size") != std::string::npos);
  const json error = llmmem::testing::estimate_error(request_as(corpus_config("llama-2-7b-hf.json"), "q4_k_xl").dump());
  CHECK(error.at("field") == "checkpoint.weights_as");
  CHECK(error.at("message").get<std::string>().find("\"q4_k_m\"") != std::string::npos);
}

TEST_CASE("llama-quantize's mixes give the type counts and tensor bytes llama.cpp printed loading real files") {
  // tests/data/quantized/published_sizes.json, kind "log": "type q4_K: 193 tensors" lines and
  // "file size = 4.07 GiB", the tensors' bytes, from load logs of files made with today's mixes.
  const std::string path = std::string(LLMMEM_TEST_DATA_DIR) + "/quantized/published_sizes.json";
  std::ifstream file(path);
  REQUIRE(file);
  const json records = json::parse(file);
  int checked = 0;
  for (const json& record : records) {
    if (record.at("kind") != "log" || record.contains("left_out")) continue;
    const std::string config_path = std::string(LLMMEM_TEST_DATA_DIR) + "/" + record.at("config").get<std::string>();
    std::ifstream config_file(config_path);
    REQUIRE(config_file);
    const ModelSpec model = parse_config(json::parse(config_file).dump());
    const GgufFileType type = *gguf_file_type(record.at("format").get<std::string>());
    CAPTURE(record.at("log"));
    double bytes = 0;
    std::map<std::string, int> counts;
    for (const GgufTensor& t : gguf_plan(model, type)) {
      bytes += ggml_tensor_bytes(t.type, t.ncols, t.rows);
      std::string name = ggml_type_name(t.type);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      ++counts[name];
    }
    if (!record.contains("types_differ")) {
      std::map<std::string, int> logged;
      for (const auto& [name, count] : record.at("types").items()) {
        std::string lower = name;
        for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
        logged[lower] = count.get<int>();
      }
      CHECK(counts == logged);
    }
    // The tensors' bytes beside the estimate's (norms, biases and routers in F32 are not in the plan).
    const json answer = estimate_ok(request_as(json::parse(std::ifstream(config_path)), record.at("format").get<std::string>().c_str()));
    const double unit = record.at("unit") == "MiB" ? 1024.0 * 1024.0 : 1024.0 * 1024.0 * 1024.0;
    CHECK(answer.at("model").at("weight_bytes").get<double>() > bytes);
    CHECK(std::fabs(answer.at("model").at("weight_bytes").get<double>() / unit / record.at("size").get<double>() - 1) <= 0.005);
    ++checked;
  }
  CHECK(checked >= 15);
}
