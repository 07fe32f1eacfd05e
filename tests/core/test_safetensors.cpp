// safetensors headers read as safetensors itself checks them (safetensors/src/tensor.rs).
#include <doctest/doctest.h>

#include "llmmem/checkpoint.hpp"
#include "llmmem/error.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::json;

namespace {
CheckpointTensors read(const json& header, std::int64_t file_bytes = -1) {
  CheckpointTensors total;
  add_safetensors_header(header.dump(), file_bytes, "header", total);
  return total;
}
json tensor(const char* dtype, json shape, std::int64_t begin, std::int64_t end) {
  return {{"dtype", dtype}, {"shape", std::move(shape)}, {"data_offsets", {begin, end}}};
}
}  // namespace

TEST_CASE("a header's tensors are counted by dtype, and the data they index is the file's rest") {
  const json header = {{"__metadata__", {{"format", "pt"}}},
                       {"embed.weight", tensor("BF16", {10, 4}, 0, 80)},
                       {"norm.weight", tensor("F32", {4}, 80, 96)},
                       {"experts.blocks", tensor("U8", {2, 3}, 96, 102)},
                       {"experts.fp4", tensor("F4", {4}, 102, 104)}};
  const CheckpointTensors t = read(header, 8 + std::int64_t(header.dump().size()) + 104);
  CHECK(t.files == 1);
  CHECK(t.tensors == 4);
  CHECK(t.elements == 40 + 4 + 6 + 4);
  CHECK(t.bytes == 104);
  REQUIRE(t.dtypes.size() == 4);
  CHECK(t.dtypes[0].dtype == "BF16");
  CHECK(t.dtypes[0].bytes == 80);
  // A scalar has shape [] and one element.
  CHECK(read({{"scale", tensor("F32", json::array(), 0, 4)}}).elements == 1);
}

TEST_CASE("a header that lies is refused, naming the tensor and what is wrong") {
  const auto refused = [](const json& header, std::int64_t file_bytes = -1) {
    try {
      read(header, file_bytes);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused({{"w", tensor("BF16", {10, 4}, 0, 79)}}) == "header.w.data_offsets: [0, 79] must span the 80 bytes its shape and dtype take");
  CHECK(refused({{"w", tensor("Q4", {4}, 0, 2)}}) == "header.w.dtype: unknown dtype \"Q4\"");
  CHECK(refused({{"w", tensor("F32", {-4}, 0, 16)}}) == "header.w.shape: each dimension must be a non-negative integer, got -4");
  CHECK(refused({{"a", tensor("U8", {4}, 0, 4)}, {"b", tensor("U8", {4}, 6, 10)}}) ==
        "header.b.data_offsets: leaves a gap: the tensors before it end at byte 4");
  CHECK(refused({{"a", tensor("U8", {4}, 0, 4)}, {"b", tensor("U8", {4}, 2, 6)}}) ==
        "header.b.data_offsets: overlaps the tensor before it (which ends at byte 4)");
  // Shapes whose product overflows 64 bits, offsets past 2^63.
  CHECK(refused({{"w", tensor("F32", {std::int64_t(1) << 40, std::int64_t(1) << 40}, 0, 4)}}).find("more parameters than can be counted") !=
        std::string::npos);
  CHECK(refused({{"w", {{"dtype", "U8"}, {"shape", {1}}, {"data_offsets", {0, 18446744073709551615ull}}}}}) ==
        "header.w.data_offsets: end must be a non-negative integer, got 18446744073709551615");
  CHECK(refused({{"w", tensor("F4", {3}, 0, 2)}}) == "header.w.shape: 3 elements of F4 do not fill whole bytes");
  // The file's size must be the header and the data it indexes.
  const json one = {{"w", tensor("U8", {4}, 0, 4)}};
  CHECK(refused(one, 100).find("the file has 100") != std::string::npos);
  CHECK(refused(json::array()) == "header: must be a JSON object, got an array");
}

TEST_CASE("the boundary sums a sharded checkpoint's headers and answers errors in its envelope") {
  const json a = {{"w1", tensor("BF16", {2, 2}, 0, 8)}};
  const json b = {{"w2", tensor("BF16", {3}, 0, 6)}};
  const json ok = json::parse(safetensors_json(json({{"headers", {a.dump(), b.dump()}}}).dump()));
  REQUIRE(ok.at("ok") == true);
  CHECK(ok.at("result").at("parameters") == 7);
  CHECK(ok.at("result").at("bytes") == 14);
  CHECK(ok.at("result").at("files") == 2);
  const json bad = json::parse(safetensors_json(json({{"headers", {a.dump(), "{not json"}}}).dump()));
  CHECK(bad.at("ok") == false);
  CHECK(bad.at("error").at("field") == "headers[1]");
  const json sizes = json::parse(safetensors_json(json({{"headers", {a.dump()}}, {"file_bytes", {1, 2}}}).dump()));
  CHECK(sizes.at("error").at("field") == "file_bytes");
}

TEST_CASE("a request's checkpoint facts make the weights the headers' bytes, and a count that differs is named") {
  json request = {{"config", llmmem::testing::corpus_config("llama-3.1-8b.json")}};
  const json formula = llmmem::testing::estimate_ok(request);
  CHECK(formula.at("model").at("weights_from") == "config.json");
  // Llama-3.1-8B's safetensors: 8,030,261,248 bf16 parameters; say its headers hold 2 MiB more.
  const std::int64_t bytes = 8'030'261'248LL * 2 + (2 << 20);
  request["checkpoint"] = {{"tensor_bytes", bytes}, {"parameters", 8'030'261'248LL + (1 << 20)}};
  const json headers = llmmem::testing::estimate_ok(request);
  CHECK(headers.at("model").at("weights_from") == "safetensors headers");
  CHECK(headers.at("model").at("weight_bytes") == bytes);
  CHECK(headers.at("breakdown").at("model_weights").get<double>() == doctest::Approx(double(bytes) / (1 << 30)).epsilon(1e-12));
  bool named = false;
  for (const json& warning : headers.at("warnings")) {
    named = named || warning.get<std::string>().find("hold 8031309824 parameters, config.json's formula counts 8030261248 (1048576 more") != std::string::npos;
  }
  CHECK(named);
  // Across GPUs the headers' bytes split as the config's parts do.
  request["parallelism"] = {{"tensor_parallel_size", 2}};
  json split_formula = request;
  split_formula.erase("checkpoint");
  const double ratio = double(bytes) / (8'030'261'248.0 * 2);
  CHECK(llmmem::testing::estimate_ok(request).at("breakdown").at("model_weights").get<double>() ==
        doctest::Approx(llmmem::testing::estimate_ok(split_formula).at("breakdown").at("model_weights").get<double>() * ratio).epsilon(1e-12));
}

TEST_CASE("tensors a config's formula does not count are grouped by their names") {
  CHECK(tensor_group("model.layers.3.self_attn.q_a_proj.weight_scale_inv", 61) == "quantization scales");  // DeepSeek FP8
  CHECK(tensor_group("model.layers.0.mlp.down_proj.qzeros", 32) == "quantization scales");                 // GPTQ
  CHECK(tensor_group("model.layers.0.self_attn.rotary_emb.inv_freq", 32) == "rotary buffers");             // Llama-2
  CHECK(tensor_group("model.layers.61.mlp.experts.0.down_proj.weight", 61) == "layers past num_hidden_layers");
  CHECK(tensor_group("model.layers.60.mlp.experts.0.down_proj.weight", 61) == "weights");
  CHECK(tensor_group("model.layers.61.mlp.experts.0.down_proj.weight", 0) == "weights");  // layers unknown
  CHECK(tensor_group("model.layers.61", 61) == "weights");
  CHECK(tensor_group("lm_head.weight", 61) == "weights");
  const json header = {{"model.layers.0.w.weight", tensor("BF16", {4}, 0, 8)},
                       {"model.layers.0.w.weight_scale_inv", tensor("F32", {1}, 8, 12)},
                       {"model.layers.2.w.weight", tensor("BF16", {2}, 12, 16)}};
  CheckpointTensors t;
  t.num_layers = 2;
  add_safetensors_header(header.dump(), -1, "header", t);
  REQUIRE(t.groups.size() == 3);
  CHECK(t.groups[0].group == "weights");
  CHECK(t.groups[0].elements == 4);
  CHECK(t.groups[1].group == "quantization scales");
  CHECK(t.groups[2].group == "layers past num_hidden_layers");
  CHECK(t.groups[2].bytes == 4);
}
