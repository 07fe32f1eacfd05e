// SGLang's defaults and pool by its own arithmetic (core/src/engines/sglang/settings.cpp,
// pool.cpp), against the figures its start-up logs print (tests/data/sglang/logs.json).
#include <doctest/doctest.h>

#include "engines/sglang/pool.hpp"
#include "engines/sglang/settings.hpp"
#include "llmmem/api.hpp"
#include "test_support.hpp"

using namespace llmmem;
using namespace llmmem::sglang;
using llmmem::testing::corpus_config;
using llmmem::testing::estimate_ok;
using llmmem::testing::json;

namespace {
double fraction(const char* version, double gpu_mib, std::int64_t tp, std::int64_t chunked, std::int64_t graph_bs,
                bool dp_attention = false, std::int64_t dp = 1) {
  return default_mem_fraction_static(parse_version(version), gpu_mib, tp, 1, dp_attention, dp, chunked, graph_bs);
}
json sglang_request(json framework_config, json parallelism = json::object(), const char* config = "llama-3.1-8b.json") {
  return {{"config", corpus_config(config)}, {"framework", "sglang"}, {"framework_config", framework_config},
          {"parallelism", parallelism}};
}
}  // namespace

TEST_CASE("SGLang versions: posts and release candidates order as releases") {
  CHECK(parse_version("0.4.6.post2").at_least(4, 6, 2));
  CHECK_FALSE(parse_version("0.4.6.post1").at_least(4, 6, 2));
  CHECK(parse_version("0.5.3rc2").at_least(5, 3));
  CHECK(parse_version("0.5.10").at_least(5, 6));
}

TEST_CASE("--mem-fraction-static's defaults by era (SOURCE_NOTES.md's worked table)") {
  // Era 1: by TP size alone.
  CHECK(fraction("0.3.0", 81559, 8, 8192, 160) == doctest::Approx(0.83));
  CHECK(fraction("0.3.6", 81559, 8, 8192, 160) == doctest::Approx(0.82));
  CHECK(fraction("0.4.0", 81559, 8, 8192, 160) == doctest::Approx(0.81));
  CHECK(fraction("0.4.3", 23034, 4, 2048, 80) == doctest::Approx(0.85));  // four L4s: the log's 0.85
  // Era 2: a fixed reserve above 80 GiB, then 18 GiB above 96.
  CHECK(fraction("0.4.6", 143771, 1, 8192, 160) == doctest::Approx((143771.0 - 13 * 1024) / 143771));
  CHECK(fraction("0.4.6.post2", 143771, 8, 8192, 160) ==
        doctest::Approx(std::min(0.81 + 48 * 1024 * 0.19 / 143771, (143771.0 - 18 * 1024) / 143771)));
  // Era 3: a reserve per GPU class, rounded to thousandths.
  CHECK(fraction("0.4.9", 24564, 1, 2048, 8) == doctest::Approx(0.879));   // RTX 4090: the log's 0.879
  CHECK(fraction("0.4.9", 40960, 1, 8192, 0) == doctest::Approx(0.750));   // A100-40G
  CHECK(fraction("0.4.9", 81559, 8, 8192, 0) == doctest::Approx(0.831));   // 8 x H100
  CHECK(fraction("0.4.9", 143771, 8, 8192, 0) == doctest::Approx(0.886));  // 8 x H200
  // Era 4: from chunked_prefill_size, cuda_graph_max_bs and the ranks.
  CHECK(fraction("0.5.5", 46068, 1, 4096, 32) == doctest::Approx(0.851));     // L40S: the log's 0.851
  CHECK(fraction("0.5.6", 24564, 1, 2048, 24) == doctest::Approx(0.847));     // RTX 4090
  CHECK(fraction("0.5.6", 81559, 1, 8192, 256) == doctest::Approx(0.835));    // H100
  CHECK(fraction("0.5.6", 196592, 8, 16384, 512) == doctest::Approx(0.862));  // MI300X
  CHECK(fraction("0.5.6", 97871, 8, 8192, 512, true, 8) == doctest::Approx(0.660));  // H20, DP attention
  CHECK(fraction("0.5.6", 0, 1, 4096, 160) == doctest::Approx(0.88));         // no GPU known
}

TEST_CASE("the pool: mfs x free less the weights, in whole cells and pages; the request table") {
  Settings s;
  s.version = parse_version("0.5.5");
  s.mem_fraction_static = 0.851;
  s.context_len = 131072;
  // sgl13023 (L40S): 44.00 GiB free, 15.09 GiB loaded, 131,072-byte cells: the log's 183,133
  // tokens to the token (its 15.09 is itself rounded).
  const Pool p = size_pool({44.00, 15.09, 131072}, s);
  CHECK(p.max_total_num_tokens == doctest::Approx(183133).epsilon(0.0005));
  CHECK(p.kv_bytes == double(p.max_total_num_tokens + 1) * 131072);
  CHECK(p.max_num_reqs == 2048);  // clamp(183133 / 131072 x 512, 2048, 4096); no extra row from 0.4.7
  CHECK(p.req_to_token_bytes == 2048.0 * (131072 + 4) * 4);
  CHECK(p.max_req_len == 131071);
  s.version = parse_version("0.4.6.post2");  // one more row before 0.4.7
  CHECK(size_pool({44.00, 15.09, 131072}, s).max_num_reqs == 2049);
  s.page_size = 64;
  CHECK(size_pool({44.00, 15.09, 131072}, s).max_total_num_tokens % 64 == 0);
  s.max_total_tokens = 20480;
  CHECK(size_pool({44.00, 15.09, 131072}, s).max_total_num_tokens == 20480);
  s.max_total_tokens.reset();
  CHECK(size_pool({16.0, 15.09, 131072}, s).max_total_num_tokens == 0);  // the weights take the share
}

TEST_CASE("the engine: its cells, its words, its refusals") {
  const json started = estimate_ok(sglang_request({{"gpu", "L40S"}, {"sglang_version", "0.5.5"}}));
  CHECK(started.at("verdict").at("status") == "starts");
  CHECK(started.at("estimator") == "SGLangMemoryEstimator");
  const json& pool = started.at("sglang_pool");
  CHECK(pool.at("mem_fraction_static") == doctest::Approx(0.851));
  CHECK(pool.at("cell_bytes") == 131072);  // 8 KV heads x 128 x 2 x 32 layers x 2 bytes
  CHECK(pool.at("context_len") == 131072);
  // DeepSeek's MLA: one latent of 512 + 64 per layer and token, on every rank.
  const json mla = estimate_ok(sglang_request({{"gpu", "H200"}}, {{"tensor_parallel_size", 8}}, "deepseek-r1.json"));
  CHECK(mla.at("sglang_pool").at("cell_bytes") == 70272);
  CHECK(mla.at("sglang_pool").at("context_len") == 163840);  // yarn with an original length: not scaled
  // GQA past its KV heads: one replica per rank.
  const json replicated = estimate_ok(sglang_request({{"gpu", "H100"}}, {{"tensor_parallel_size", 16}}, "llama-3.1-70b-instruct.json"));
  CHECK(replicated.at("sglang_pool").at("cell_bytes") == 1 * 128 * 2 * 80 * 2);
  // Refusals, in SGLang's words.
  json fp8_request = sglang_request({{"gpu", "L40S"}, {"sglang_version", "0.4.0"}});
  fp8_request["workload"] = {{"kv_cache_dtype", "fp8_e4m3"}};
  const json fp8 = estimate_ok(fp8_request);
  CHECK(fp8.at("verdict").at("status") == "refuses");
  CHECK(fp8.at("verdict").at("reason") == "argument --kv-cache-dtype: invalid choice: 'fp8_e4m3' (choose from 'auto', 'fp8_e5m2')");
  const json longer = estimate_ok(sglang_request({{"gpu", "L40S"}, {"context_length", 200000}}));
  CHECK(longer.at("verdict").at("field") == "framework_config.context_length");
  const json small = estimate_ok(sglang_request({{"gpu", "RTX 4060"}}));
  CHECK(small.at("verdict").at("status") == "refuses");
  CHECK(small.at("verdict").at("reason") == "Not enough memory. Please try to increase --mem-fraction-static.");
  const json graphs = estimate_ok(sglang_request({{"gpu", "L40S"}, {"mem_fraction_static", 0.99}}));
  CHECK(graphs.at("verdict").at("reason").get<std::string>().rfind("Capture cuda graph failed", 0) == 0);
}

TEST_CASE("the solver: the largest fraction that starts is where the graphs stop fitting") {
  const json r = estimate_ok(sglang_request({{"gpu", "L40S"}}));
  const json& answer = r.at("solver").at(0);
  CHECK(answer.at("field") == "framework_config.mem_fraction_static");
  const double best = answer.at("value").get<double>();
  CHECK(estimate_ok(sglang_request({{"gpu", "L40S"}, {"mem_fraction_static", best}})).at("verdict").at("status") == "starts");
  CHECK(estimate_ok(sglang_request({{"gpu", "L40S"}, {"mem_fraction_static", answer.at("past").get<double>()}})).at("verdict").at("status") ==
        "refuses");
}
