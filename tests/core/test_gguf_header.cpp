// GGUF headers read as llama.cpp's loader checks them (ggml/src/gguf.cpp), from files a small
// writer below lays out as gguf-py does (its twin for node and browsers: tests/support/gguf_writer.mjs).
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "llmmem/error.hpp"
#include "llmmem/gguf_header.hpp"
#include "llmmem/input.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::json;

namespace {

enum : std::uint32_t { UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 };
enum : std::uint32_t { F32 = 0, F16 = 1, Q8_0 = 8, Q4_K = 12, Q6_K = 14, IQ4_XS = 23, BF16 = 30, TQ2_0 = 35, MXFP4 = 39 };

/// Little-endian bytes, appended.
struct Bytes {
  std::string out;
  Bytes& n(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out += char((v >> (8 * i)) & 0xff);
    return *this;
  }
  Bytes& u32(std::uint32_t v) { return n(v, 4); }
  Bytes& u64(std::uint64_t v) { return n(v, 8); }
  Bytes& str(std::string_view s) {
    u64(s.size());
    out += s;
    return *this;
  }
  template <typename Float, typename Bits>
  Bytes& real(Float f) {
    Bits bits;
    std::memcpy(&bits, &f, sizeof bits);
    return n(bits, sizeof bits);
  }
};

/// The test's own ggml block table (ggml/src/ggml-common.h), apart from the reader's.
std::int64_t tensor_bytes(std::uint32_t type, const std::vector<std::int64_t>& shape) {
  std::int64_t elements = 1;
  for (const std::int64_t d : shape) elements *= d;
  switch (type) {
    case F32: return elements * 4;
    case F16: case BF16: return elements * 2;
    case Q8_0: return elements / 32 * 34;
    case Q4_K: return elements / 256 * 144;
    case Q6_K: return elements / 256 * 210;
    case IQ4_XS: return elements / 256 * 136;
    case TQ2_0: return elements / 256 * 66;
    case MXFP4: return elements / 32 * 17;
    default: return 0;
  }
}

/// A GGUF file: metadata entries (each the bytes after the key count), tensors laid out in order,
/// each at an aligned offset, then garbage for their data.
struct GgufWriter {
  std::uint32_t version = 3;
  std::int64_t alignment = 32;
  std::optional<std::uint64_t> tensor_count;
  std::vector<std::string> entries;
  struct Tensor {
    std::string name;
    std::uint32_t type;
    std::vector<std::int64_t> shape;
    std::optional<std::int64_t> offset;
  };
  std::vector<Tensor> tensors;

  GgufWriter& kv(std::string_view key, std::uint32_t type, const Bytes& value) {
    entries.push_back(Bytes().str(key).u32(type).out + value.out);
    return *this;
  }
  GgufWriter& u32(std::string_view key, std::uint32_t v) { return kv(key, UINT32, Bytes().u32(v)); }
  GgufWriter& f32(std::string_view key, float v) { return kv(key, FLOAT32, Bytes().real<float, std::uint32_t>(v)); }
  GgufWriter& text(std::string_view key, std::string_view v) { return kv(key, STRING, Bytes().str(v)); }
  GgufWriter& u32s(std::string_view key, const std::vector<std::uint32_t>& values) {
    Bytes b;
    b.u32(UINT32).u64(values.size());
    for (const std::uint32_t v : values) b.u32(v);
    return kv(key, ARRAY, b);
  }
  GgufWriter& tensor(std::string name, std::uint32_t type, std::vector<std::int64_t> shape, std::optional<std::int64_t> offset = {}) {
    tensors.push_back({std::move(name), type, std::move(shape), offset});
    return *this;
  }
  std::string bytes() const {
    const auto align = [&](std::int64_t n) { return (n + alignment - 1) / alignment * alignment; };
    Bytes b;
    b.out = "GGUF";
    b.u32(version).u64(tensor_count.value_or(tensors.size())).u64(entries.size());
    for (const std::string& e : entries) b.out += e;
    std::int64_t next = 0, end = 0;
    for (const Tensor& t : tensors) {
      const std::int64_t offset = t.offset.value_or(align(next));
      next = offset + tensor_bytes(t.type, t.shape);
      end = std::max(end, next);
      b.str(t.name).u32(std::uint32_t(t.shape.size()));
      for (const std::int64_t d : t.shape) b.u64(std::uint64_t(d));
      b.u32(t.type).u64(std::uint64_t(offset));
    }
    if (!tensors.empty()) b.out.resize(std::size_t(align(std::int64_t(b.out.size()))), '\0');
    std::uint32_t x = 2463534242u;  // xorshift32: weights that are garbage, never read
    for (std::int64_t i = 0; i < align(end); ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      b.out += char(x & 0xff);
    }
    return b.out;
  }
};

GgufRead read(const std::string& file, bool size_known = true) {
  return read_gguf_header(file, size_known ? std::int64_t(file.size()) : -1);
}

/// "<field> | <message>" of the InputError reading `file` raises, or "accepted".
std::string refused(const std::string& file, std::int64_t file_bytes) {
  try {
    read_gguf_header(file, file_bytes);
  } catch (const InputError& e) {
    return e.field() + " | " + e.what();
  }
  return "accepted";
}
std::string refused(const GgufWriter& w) { return refused(w.bytes(), std::int64_t(w.bytes().size())); }

GgufWriter llama_like(bool tied) {
  GgufWriter w;
  w.text("general.architecture", "llama").text("general.name", "Tiny").u32("general.file_type", 1).u32("llama.block_count", 2)
      .u32("llama.context_length", 4096).u32("llama.embedding_length", 64).u32("llama.feed_forward_length", 128)
      .u32("llama.attention.head_count", 4).u32("llama.attention.head_count_kv", 2).f32("llama.rope.freq_base", 500000)
      .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.tensor("token_embd.weight", F16, {64, 100});
  for (const char* layer : {"blk.0.", "blk.1."}) {
    const std::string p = layer;
    w.tensor(p + "attn_norm.weight", F32, {64}).tensor(p + "attn_q.weight", F16, {64, 64}).tensor(p + "attn_k.weight", F16, {64, 32})
        .tensor(p + "attn_v.weight", F16, {64, 32}).tensor(p + "attn_output.weight", F16, {64, 64}).tensor(p + "ffn_norm.weight", F32, {64})
        .tensor(p + "ffn_gate.weight", F16, {64, 128}).tensor(p + "ffn_up.weight", F16, {64, 128}).tensor(p + "ffn_down.weight", F16, {128, 64});
  }
  w.tensor("output_norm.weight", F32, {64});
  if (!tied) w.tensor("output.weight", F16, {64, 100});
  return w;
}

}  // namespace

TEST_CASE("GGUF: metadata of every value type reads back") {
  GgufWriter w;
  w.kv("u8", UINT8, Bytes().n(200, 1)).kv("i8", INT8, Bytes().n(0xfe, 1)).kv("u16", UINT16, Bytes().n(65535, 2))
      .kv("i16", INT16, Bytes().n(0x8000, 2)).u32("u32", 4000000000u).kv("i32", INT32, Bytes().u32(0xffffffffu))
      .f32("f32", 0.5f).kv("bool", BOOL, Bytes().n(1, 1)).text("s", "caf\xc3\xa9 \xff (bad UTF-8 is kept)")
      .kv("u64", UINT64, Bytes().u64(~0ull)).kv("i64", INT64, Bytes().u64(std::uint64_t(-5))).kv("f64", FLOAT64, Bytes().real<double, std::uint64_t>(-2.25))
      .u32s("heads", {32, 32, 0, 16})
      .kv("tokens", ARRAY, Bytes().u32(STRING).u64(3).str("a").str("").str("c"))
      .kv("nested", ARRAY, Bytes().u32(ARRAY).u64(2).u32(INT16).u64(1).n(7, 2).u32(STRING).u64(1).str("x"))
      .kv("big", ARRAY, [] {
        Bytes b;
        b.u32(UINT8).u64(5000);
        b.out.append(5000, '\x01');
        return b;
      }());
  const GgufRead r = read(w.bytes());
  REQUIRE(r.complete);
  CHECK(r.version == 3);
  CHECK(r.metadata.size() == 16);
  CHECK(r.find("u8")->integer == 200);
  CHECK(r.find("i8")->integer == -2);
  CHECK(r.find("u16")->integer == 65535);
  CHECK(r.find("i16")->integer == -32768);
  CHECK(r.find("u32")->integer == 4000000000);
  CHECK(r.find("i32")->integer == -1);
  CHECK(r.find("f32")->number == 0.5);
  CHECK_FALSE(r.find("f32")->integral);
  CHECK(r.find("bool")->integer == 1);
  CHECK(r.find("s")->text == "caf\xc3\xa9 \xff (bad UTF-8 is kept)");
  CHECK_FALSE(r.find("u64")->integral);  // 2^64 - 1 fits no int64
  CHECK(r.find("u64")->number == doctest::Approx(1.8446744073709552e19));
  CHECK(r.find("i64")->integer == -5);
  CHECK(r.find("f64")->number == -2.25);
  const GgufValue& heads = *r.find("heads");
  CHECK(heads.count == 4);
  CHECK(heads.values == std::vector<double>{32, 32, 0, 16});
  CHECK(r.find("tokens")->count == 3);
  CHECK(r.find("tokens")->element_type == GgufType::string);
  CHECK(r.find("nested")->element_type == GgufType::array);
  CHECK_FALSE(r.find("big")->values_kept);  // over 4096 numbers: only counted
  CHECK(r.find("big")->count == 5000);
  CHECK(r.tensors.empty());
  CHECK(r.header_bytes == std::int64_t(w.bytes().size()));  // no tensors: no data section
  CHECK(r.find("missing") == nullptr);
}

TEST_CASE("GGUF: each tensor's bytes and parameters are ggml's blocks, summed by type") {
  GgufWriter w;
  w.text("general.architecture", "test").u32("general.alignment", 64);
  w.alignment = 64;
  w.tensor("q4k", Q4_K, {512, 3}).tensor("q6k", Q6_K, {256, 2}).tensor("q80", Q8_0, {64, 5}).tensor("mxfp4", MXFP4, {64, 2, 3})
      .tensor("f16", F16, {10, 3}).tensor("bf16", BF16, {7}).tensor("f32", F32, {5, 2}).tensor("iq4xs", IQ4_XS, {256})
      .tensor("tq20", TQ2_0, {256, 4}).tensor("q4k.b", Q4_K, {256});
  const std::string file = w.bytes();
  const GgufRead r = read(file);
  REQUIRE(r.complete);
  CHECK(r.alignment == 64);
  CHECK(r.header_bytes % 64 == 0);
  const std::vector<std::int64_t> bytes = {2 * 144 * 3, 210 * 2, 2 * 34 * 5, 2 * 17 * 6, 60, 14, 40, 136, 66 * 4, 144};
  const std::vector<std::int64_t> parameters = {1536, 512, 320, 384, 30, 7, 10, 256, 1024, 256};
  REQUIRE(r.tensors.size() == bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    CHECK(r.tensors[i].bytes == bytes[i]);
    CHECK(r.tensors[i].elements == parameters[i]);
  }
  CHECK(r.tensors[0].type_name == "Q4_K");
  CHECK(r.tensors[3].shape == std::vector<std::int64_t>{64, 2, 3});
  CHECK(r.tensors[8].type_name == "TQ2_0");
  CHECK(r.summary.tensors == 10);
  CHECK(r.summary.bytes == 864 + 420 + 340 + 204 + 60 + 14 + 40 + 136 + 264 + 144);
  CHECK(r.summary.parameters == 1536 + 512 + 320 + 384 + 30 + 7 + 10 + 256 + 1024 + 256);
  REQUIRE(r.summary.types.size() == 9);
  CHECK(r.summary.types[0].type == "Q4_K");  // first seen, with the later Q4_K tensor added
  CHECK(r.summary.types[0].tensors == 2);
  CHECK(r.summary.types[0].bytes == 864 + 144);
  CHECK(r.summary.types[8].type == "TQ2_0");
  CHECK(ggml_type_traits(4)->block == 0);  // Q4_2: removed
  CHECK(ggml_type_traits(43) == nullptr);
  CHECK(std::string(llama_file_type_name(15)) == "Q4_K_M");
  CHECK(llama_file_type_name(5) == nullptr);
}

TEST_CASE("GGUF: tensor bytes split into input, output, each block and the rest") {
  GgufWriter w;
  w.tensor("token_embd.weight", F32, {4, 10}).tensor("token_embd_norm.weight", F32, {4}).tensor("blk.0.attn_q.weight", F32, {4, 4})
      .tensor("blk.0.ffn_up.weight", F32, {4, 8}).tensor("blk.2.attn_q.weight", F32, {4, 4}).tensor("output_norm.weight", F32, {4})
      .tensor("output.weight", F32, {4, 10}).tensor("rope_freqs.weight", F32, {2}).tensor("v.blk.0.attn_q.weight", F32, {4, 4})
      .tensor("mm.0.weight", F32, {4, 4}).tensor("blk.x.weight", F32, {4});
  const GgufParts parts = read(w.bytes()).summary.parts;
  CHECK(parts.input == 160 + 16);
  CHECK(parts.output == 16 + 160);
  CHECK(parts.layers == std::vector<std::int64_t>{64 + 128, 0, 64});
  CHECK(parts.other == 8 + 64 + 64 + 16);
}

TEST_CASE("GGUF: every prefix shorter than the header asks for more, never past the header, and following the asks completes") {
  GgufWriter w = llama_like(false);
  w.kv("tokenizer.ggml.tokens", ARRAY, Bytes().u32(STRING).u64(3).str("<s>").str("hello").str("world")).u32s("layers", {1, 2, 3});
  const std::string file = w.bytes();
  const GgufRead whole = read(file, false);
  REQUIRE(whole.complete);
  for (std::int64_t n = 0; n < whole.header_bytes; ++n) {
    const GgufRead part = read_gguf_header(std::string_view(file).substr(0, std::size_t(n)), -1);
    CHECK_FALSE(part.complete);
    CHECK(part.needs > n);
    CHECK(part.needs <= whole.header_bytes);  // the tensor data is never asked for
    const GgufRead known = read_gguf_header(std::string_view(file).substr(0, std::size_t(n)), std::int64_t(file.size()));
    CHECK_FALSE(known.complete);
    CHECK(known.needs > n);
    CHECK(known.needs <= std::int64_t(file.size()));
  }
  CHECK(read_gguf_header(std::string_view(file).substr(0, std::size_t(whole.header_bytes)), -1).complete);
  std::int64_t have = 0, reads = 0;
  for (GgufRead r; !(r = read_gguf_header(std::string_view(file).substr(0, std::size_t(have)), -1)).complete; ++reads) have = r.needs;
  CHECK(reads < 16);  // each ask reaches the least the rest of the header can take
  const json incomplete = json::parse(gguf_json(std::string_view(file).substr(0, 10), -1));
  CHECK(incomplete.at("result") == json({{"complete", false}, {"needs", 24}}));  // the fixed fields first
}

TEST_CASE("GGUF: a malformed header is refused, naming where") {
  const auto one = [](std::uint32_t type, std::vector<std::int64_t> shape, std::optional<std::int64_t> offset = {}) {
    GgufWriter w;
    return w.tensor("a", F32, {8}).tensor("w", type, std::move(shape), offset);
  };
  std::string file = one(F32, {8}).bytes();
  file[3] = 'X';
  CHECK(refused(file, -1) == "gguf.magic | gguf.magic: is \"GGUX\", not \"GGUF\": not a GGUF file");
  GgufWriter v1 = one(F32, {8});
  v1.version = 1;
  CHECK(refused(v1).find("gguf.version | gguf.version: is 1, whose 32-bit counts") == 0);
  GgufWriter many = one(F32, {8});
  many.tensor_count = 1000;
  CHECK(refused(many) == "gguf.tensor_count | gguf.tensor_count: declares 1000 tensors, at least 32000 bytes, but the file has 144 bytes left");
  CHECK(refused(one(F32, {2, 1, 1, 1, 4})) == "gguf.tensors[1] \"w\" | gguf.tensors[1] \"w\": has 5 dimensions; ggml tensors have 1 to 4");
  CHECK(refused(one(4, {32})) == "gguf.tensors[1] \"w\" | gguf.tensors[1] \"w\": has ggml type 4 (Q4_2), which ggml removed");
  CHECK(refused(one(F32, {4, 0})).find("has dimension 1 of 0; each must be positive") != std::string::npos);
  CHECK(refused(one(Q4_K, {100})).find("has rows of 100 values, not a multiple of Q4_K's block of 256") != std::string::npos);
  CHECK(refused(one(F32, {8}, 16)) == "gguf.tensors[1] \"w\" | gguf.tensors[1] \"w\": has offset 16, not a multiple of the alignment (32)");
  CHECK(refused(one(F32, {8}, 0)).find("gguf.tensors[1] \"w\": overlaps gguf.tensors[0] \"a\" (its data ends at byte 32") != std::string::npos);
  const std::string cut = one(F32, {64}).bytes();
  CHECK(refused(cut.substr(0, cut.size() - 64), std::int64_t(cut.size()) - 64).find("past the file's end") != std::string::npos);
  CHECK(refused(cut.substr(0, cut.size() - 64), -1) == "accepted");  // an unknown size: the data may follow
  GgufWriter three = one(F32, {8});
  three.u32("general.alignment", 3);
  CHECK(refused(three).find("gguf.metadata[\"general.alignment\"] | gguf.metadata[\"general.alignment\"]: must be a power of two, got 3") == 0);
  GgufWriter twice;
  twice.tensor("w", F32, {8}).tensor("w", F32, {8});
  CHECK(refused(twice).find("gguf.tensors[1] \"w\" | ") == 0);
  GgufWriter huge;
  huge.kv("general.name", STRING, Bytes().u64(std::uint64_t(1) << 40));
  CHECK(refused(huge).find("a string value is 1099511627776 bytes long; at most 16777216 are read") != std::string::npos);
  GgufWriter deep;
  deep.kv("x", ARRAY, Bytes().u32(ARRAY).u64(1).u32(ARRAY).u64(0));
  CHECK(refused(deep).find("nested more than 2 deep") != std::string::npos);
  GgufWriter bad_type;
  bad_type.kv("x", 13, Bytes().u32(0));
  CHECK(refused(bad_type).find("has value type 13, not a GGUF type") != std::string::npos);
  // With the file's size known, a prefix that ends inside the header is the file ending there.
  GgufWriter named;
  const std::string short_file = named.text("general.name", std::string(100, 'n')).bytes().substr(0, 80);
  CHECK(refused(short_file, 80) ==
        "gguf.metadata[\"general.name\"] | gguf.metadata[\"general.name\"]: the file ends inside a string value (the file has 80 bytes)");
  CHECK_FALSE(read_gguf_header(short_file, -1).complete);
  const json envelope = json::parse(gguf_json(short_file, 80));
  CHECK(envelope.at("ok") == false);
  CHECK(envelope.at("error").at("field") == "gguf.metadata[\"general.name\"]");
}

TEST_CASE("GGUF: tests/data/gguf/malformed.json, written by tests/support/gguf_writer.mjs, is refused as it says") {
  std::ifstream in(std::string(LLMMEM_TEST_DATA_DIR) + "/gguf/malformed.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const json cases = json::parse(text.str());
  CHECK(cases.size() >= 8);
  for (const json& c : cases) {
    const std::string hex = c.at("hex").get<std::string>();
    std::string file;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) file += char(std::stoi(hex.substr(i, 2), nullptr, 16));
    CAPTURE(c.at("id").get<std::string>());
    const std::string outcome = refused(file, std::int64_t(file.size()));
    CHECK(outcome.find(c.at("path").get<std::string>() + " | ") == 0);
    CHECK(outcome.find(c.at("expect").get<std::string>()) != std::string::npos);
  }
}

TEST_CASE("GGUF: a llama header's synthesized config.json parses to its shape") {
  const std::string file = llama_like(false).bytes();
  const json result = json::parse(gguf_json(file, std::int64_t(file.size()))).at("result");
  CHECK(result.at("complete") == true);
  CHECK(result.at("architecture") == "llama");
  CHECK(result.at("name") == "Tiny");
  CHECK(result.at("file_type_name") == "F16");
  CHECK(result.at("tensors") == 21);
  CHECK(result.at("parts").at("layers").size() == 2);
  CHECK(result.at("parts").at("input") == 64 * 100 * 2);
  const json& config = result.at("config");
  CHECK(config.at("model_type") == "llama");
  CHECK(config.at("torch_dtype") == "float16");
  const ModelSpec spec = parse_config(config.dump());
  CHECK(spec.num_layers == 2);
  CHECK(spec.hidden_size == 64);
  CHECK(spec.attention.num_heads == 4);
  CHECK(spec.attention.num_kv_heads == 2);
  CHECK(spec.attention.head_dim == 16);
  CHECK(spec.mlp.intermediate_size == 128);
  CHECK(spec.vocab_size == 100);
  CHECK_FALSE(spec.tie_word_embeddings);
  CHECK(spec.parameter_counts().total() == result.at("parameters").get<std::int64_t>());  // the formula counts every tensor
  CHECK(parse_config(gguf_config(read(llama_like(true).bytes())).json).tie_word_embeddings);
  // A shape the metadata contradicts, an architecture not mapped: everything but the config.
  GgufWriter wrong = llama_like(false);
  wrong.u32("llama.attention.key_length", 32);
  CHECK(gguf_config(read(wrong.bytes())).missing == "blk.0.attn_q.weight has 64 rows, but the head count and head size make 128");
  GgufWriter other;
  other.text("general.architecture", "rwkv7").tensor("w", F32, {4});
  const json unmapped = json::parse(gguf_json(other.bytes(), -1)).at("result");
  CHECK(unmapped.at("config_missing") == "general.architecture \"rwkv7\" is not one whose config.json this reader can write");
  CHECK(unmapped.at("bytes") == 16);
}

TEST_CASE("GGUF: a qwen3moe header's and a nemotron_h header's configs give their experts and blocks") {
  GgufWriter w;
  w.text("general.architecture", "qwen3moe").u32("qwen3moe.block_count", 2).u32("qwen3moe.embedding_length", 64)
      .u32("qwen3moe.feed_forward_length", 96).u32("qwen3moe.attention.head_count", 4).u32("qwen3moe.attention.head_count_kv", 2)
      .u32("qwen3moe.attention.key_length", 32).u32("qwen3moe.attention.value_length", 32).u32("qwen3moe.expert_count", 8)
      .u32("qwen3moe.expert_used_count", 2).u32("qwen3moe.expert_feed_forward_length", 32).u32("qwen3moe.context_length", 40960)
      .kv("tokenizer.ggml.tokens", ARRAY, Bytes().u32(STRING).u64(2).str("a").str("b"));
  w.tensor("token_embd.weight", Q8_0, {64, 2});
  for (const char* layer : {"blk.0.", "blk.1."}) {
    const std::string p = layer;
    w.tensor(p + "attn_q.weight", Q8_0, {64, 128}).tensor(p + "attn_k.weight", Q8_0, {64, 64}).tensor(p + "ffn_gate_inp.weight", F32, {64, 8})
        .tensor(p + "ffn_gate_exps.weight", Q8_0, {64, 32, 8}).tensor(p + "ffn_up_exps.weight", Q8_0, {64, 32, 8})
        .tensor(p + "ffn_down_exps.weight", Q8_0, {32, 64, 8});
  }
  w.tensor("output.weight", Q8_0, {64, 2});
  const GgufConfig config = gguf_config(read(w.bytes()));
  REQUIRE(config.missing.empty());
  const ModelSpec spec = parse_config(config.json);
  CHECK(spec.model_type == "qwen3_moe");
  CHECK(spec.num_layers == 2);
  CHECK(spec.attention.num_heads == 4);
  CHECK(spec.attention.head_dim == 32);
  CHECK(spec.moe.num_experts == 8);
  CHECK(spec.moe.experts_per_token == 2);
  CHECK(spec.moe.expert_intermediate_size == 32);
  CHECK(spec.vocab_size == 2);
  CHECK(spec.context.positions == 40960);

  GgufWriter h;
  h.text("general.architecture", "nemotron_h").u32("nemotron_h.block_count", 4).u32("nemotron_h.embedding_length", 64)
      .u32("nemotron_h.attention.head_count", 4).u32s("nemotron_h.attention.head_count_kv", {0, 2, 0, 0})
      .u32s("nemotron_h.feed_forward_length", {0, 0, 128, 0}).u32("nemotron_h.attention.key_length", 16)
      .u32("nemotron_h.ssm.time_step_rank", 8).u32("nemotron_h.ssm.inner_size", 128).u32("nemotron_h.ssm.state_size", 16)
      .u32("nemotron_h.ssm.group_count", 2).u32("nemotron_h.ssm.conv_kernel", 4).u32("nemotron_h.vocab_size", 10);
  const json hybrid = json::parse(gguf_config(read(h.bytes())).json);
  CHECK(hybrid.at("hybrid_override_pattern") == "M*-M");
  CHECK(hybrid.at("num_key_value_heads") == 2);
  CHECK(hybrid.at("intermediate_size") == 128);
  const ModelSpec nemotron = parse_config(hybrid.dump());
  CHECK(nemotron.blocks.kinds == "M*-M");
  CHECK(nemotron.mamba.num_heads == 8);
  CHECK(nemotron.mamba.head_dim == 16);
}
