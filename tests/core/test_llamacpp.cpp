// llama.cpp's buffers by its own arithmetic (core/src/engines/llamacpp/buffers.cpp), against the
// figures its start-up logs print (tests/data/llamacpp/logs.json).
#include <doctest/doctest.h>

#include <cmath>

#include "engines/llamacpp/buffers.hpp"
#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using namespace llmmem::llamacpp;
using llmmem::testing::corpus_config;
using llmmem::testing::json;

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
// As llama.cpp prints a buffer: MiB to two decimals.
double printed(double bytes) { return std::round(bytes / kMiB * 100) / 100; }
ModelSpec mistral_like() {
  // Mistral-7B: 32 layers of 4096, 32 heads, 8 KV heads of 128, 32,000 tokens (log L04's model).
  json config = corpus_config("mistral-7b-v0.1.json");
  config.erase("sliding_window");
  return parse_config(config.dump());
}
}  // namespace

TEST_CASE("ggml's row sizes of the cache types") {
  CHECK(cache_row_bytes(CacheType::f16, 1024) == 2048);
  CHECK(cache_row_bytes(CacheType::f32, 1024) == 4096);
  CHECK(cache_row_bytes(CacheType::q8_0, 1024) == 1088);  // 34 bytes per 32 values
  CHECK(cache_row_bytes(CacheType::q4_0, 1024) == 576);   // 18 per 32
  CHECK(cache_row_bytes(CacheType::q5_1, 1024) == 768);   // 24 per 32
}

TEST_CASE("cells: padded to 256 with flash attention and 32 without; slots split them unless unified") {
  const ModelSpec m = mistral_like();
  Settings s;
  s.ctx_size = 4000;
  CHECK(kv_cells(m, s).full == 4096);
  s.flash_attn = false;
  CHECK(kv_cells(m, s).full == 4000);
  s.ctx_size = 4001;
  CHECK(kv_cells(m, s).full == 4032);
  s.flash_attn = true;
  s.ctx_size = 8192;
  s.n_parallel = 3;
  const KvCells split = kv_cells(m, s);
  CHECK(split.streams == 3);
  CHECK(split.full == 2816);  // ceil(8192 / 3) = 2731, padded to 256
  s.kv_unified = true;
  CHECK(kv_cells(m, s).streams == 1);
  CHECK(kv_cells(m, s).full == 8192);
}

TEST_CASE("Mistral-7B at 32,768 and 2,048 cells without flash attention: log L04's buffers") {
  const ModelSpec m = mistral_like();
  Settings s;
  s.flash_attn = false;
  s.ctx_size = 32768;
  const KvCells cells = kv_cells(m, s);
  double kv = 0;
  for (std::int64_t il = 0; il < m.num_layers; ++il) kv += layer_kv_bytes(m, il, cells, s);
  CHECK(kv / kMiB == 4096.0);
  const ComputeBuffers big = compute_buffers(m, s, cells, true);
  CHECK(printed(big.gpu) == 2144.0);  // KQ: 4 x 512 x (1 + 4 x 4096 + 32768 x 33)
  CHECK(printed(big.host) == 72.0);   // 4 x 512 x (4096 + 32768)
  s.ctx_size = 2048;
  const ComputeBuffers small = compute_buffers(m, s, kv_cells(m, s), true);
  CHECK(printed(small.gpu) == 164.0);
  CHECK(printed(small.host) == 12.0);
  // With the head on the CPU its logits leave the GPU's buffer for the host's.
  const ComputeBuffers cpu_head = compute_buffers(m, s, kv_cells(m, s), false);
  CHECK(cpu_head.host - small.host == doctest::Approx(4.0 * 512 * (4096 + 32000)));
}

TEST_CASE("the logits bound the compute buffer of a large vocabulary: Qwen2.5-3B's 300.75 MiB (log L07)") {
  // The formula's terms are the width, the heads and the vocabulary: Qwen2.5-3B's 2048, 16 and
  // 151,936 on another Qwen config.
  Settings s;
  s.flash_attn = false;
  s.ctx_size = 4096;
  json qwen = corpus_config("qwen3-8b.json");
  qwen["hidden_size"] = 2048;
  qwen["num_attention_heads"] = 16;
  qwen["num_key_value_heads"] = 2;
  qwen["num_hidden_layers"] = 36;
  const ModelSpec q = parse_config(qwen.dump());
  CHECK(q.vocab_size == 151936);
  CHECK(printed(compute_buffers(q, s, kv_cells(q, s), true).gpu) == 300.75);  // 4 x 512 x (2048 + 151,936)
}

TEST_CASE("sliding-window layers keep the window and a micro-batch; llama.cpp runs Mistral's window in full") {
  const ModelSpec gemma = parse_config(corpus_config("gemma-3-4b-it.json").dump());
  Settings s;
  s.ctx_size = 32768;
  const KvCells cells = kv_cells(gemma, s);
  CHECK(cells.swa == 1536);  // 1024 + 512, padded to 256
  s.n_parallel = 2;
  s.kv_unified = true;
  CHECK(kv_cells(gemma, s).swa == 2560);  // a window per sequence sharing the stream
  const ModelSpec mistral = parse_config(corpus_config("mistral-7b-v0.1.json").dump());
  Settings plain;
  plain.ctx_size = 32768;
  CHECK(kv_cells(mistral, plain).swa == kv_cells(mistral, plain).full);
}

TEST_CASE("builds: the cells' padding and the logits' reserve follow llama.cpp's history") {
  const ModelSpec m = mistral_like();
  Settings s;
  s.ctx_size = 4001;
  s.flash_attn = false;
  CHECK(kv_cells(m, s).full == 4032);  // to b6867: to 32 without flash attention
  s.padding = Padding::none;           // b6868 (#16812): not padded
  CHECK(kv_cells(m, s).full == 4001);
  s.padding = Padding::always_256;     // b6975 (#17046): to 256 always
  CHECK(kv_cells(m, s).full == 4096);
  // From b9460 the reserve holds logits for n_outputs_max rows, and for Qwen3-8B (log L10,
  // build 9849) the MLP's intermediates become the peak: 384.00 MiB at a 2048-token micro-batch.
  const ModelSpec qwen3 = parse_config(corpus_config("qwen3-8b.json").dump());
  s.flash_attn = true;
  s.ctx_size = 8192;
  s.n_ubatch = 2048;
  const KvCells cells = kv_cells(qwen3, s);
  const double whole_batch = compute_buffers(qwen3, s, cells, true).gpu;
  s.n_outputs_max = 1;
  const double one_row = compute_buffers(qwen3, s, cells, true).gpu;
  CHECK(whole_batch == 4.0 * 2048 * (4096 + 151936));
  CHECK(printed(one_row) == 384.00);
}
