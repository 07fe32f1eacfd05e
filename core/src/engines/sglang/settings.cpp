// SGLang's defaults (python/sglang/srt/server_args.py), by era; tests/data/sglang/SOURCE_NOTES.md
// has each rule with its commit:
//   era 1  to 0.4.5       --mem-fraction-static by TP size alone (0.88 ... 0.79)
//   era 2  0.4.5.post3    the table up to 80 GiB cards, a fixed reserve above (13, then 18 GiB)
//   era 3  0.4.7.post1    a reserve per GPU class: round((gpu_mem - reserved) / gpu_mem, 3)
//   era 4  0.5.3          the reserve from chunked_prefill_size, cuda_graph_max_bs and the ranks
// gpu_mem is nvidia-smi's total in MiB (get_device_memory_capacity), the smallest GPU's.
#include "engines/sglang/settings.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "engines/text.hpp"
#include "llmmem/gpus.hpp"

namespace llmmem::sglang {
namespace {

using engines::number_text;

// nvidia-smi's total is torch's plus the driver's reserve: 357 to 768 MiB on the catalogue's
// cards (RTX 4090 24564 against 24207, H100 81559 against 81090, A100 81920 against 81152).
constexpr double kDriverReserveMib = 480;

// The GPUs whose ranks talk over NVLink: SGLang's custom all-reduce (vLLM's, copied) runs on
// them at any TP size, and on two PCIe GPUs; more than two PCIe-only GPUs fall back to NCCL.
bool nvlinked(const std::string& gpu) {
  for (std::string_view name : {"H100 80GB SXM", "H200 141GB", "H20-3e 141GB", "B200 180GB", "A100 80GB", "A100 40GB",
                                "H800 80GB", "A800 80GB", "MI300X 192GB"}) {
    if (gpu == name) return true;
  }
  return false;
}

/// The era-1 table by ranks (tp, or tp x pp from 0.4.6.post2).
double table_fraction(const Version& v, std::int64_t ranks) {
  if (ranks >= 16) return 0.79;
  if (ranks >= 8) return v.at_least(4, 0) ? 0.81 : v.at_least(3, 6) ? 0.82 : 0.83;
  if (ranks >= 4) return 0.85;
  if (ranks >= 2) return 0.87;
  return 0.88;
}

double round3(double x) { return std::round(x * 1000.0) / 1000.0; }

struct Sizes {
  std::int64_t chunked, graph_bs;  // graph_bs 0: the runner's own list decides
};

/// chunked_prefill_size and cuda_graph_max_bs as SGLang fills them when not given.
Sizes default_sizes(const Version& v, double g, std::int64_t tp) {
  const bool known = g > 0;
  if (v.at_least(5, 3)) {
    if (!known) return {4096, 160};
    if (g < 20 * 1024) return {2048, 8};
    if (g < 35 * 1024) return {2048, tp < 4 ? (v.at_least(5, 4, 1) ? 24 : 16) : 80};
    if (g < 60 * 1024) return {4096, tp < 4 ? 32 : 160};
    if (g < 160 * 1024) return {8192, tp < 4 ? 256 : 512};
    return {16384, 512};
  }
  if (v.at_least(4, 7, 1)) {
    if (!known) return {4096, 0};
    if (g < 35 * 1024) return {2048, tp < 4 ? 8 : 80};
    if (g < 160 * 1024) return {8192, 0};
    return {16384, 0};
  }
  if (!v.at_least(3, 6) || !known) return {8192, v.at_least(4, 5, 3) ? 0 : 160};
  if (g < 25000) return {2048, !v.at_least(4, 0) ? 4 : (!v.at_least(4, 2) || tp < 4) ? 8 : 80};
  if (v.at_least(4, 7) && g > 180000) return {16384, 0};
  return {8192, v.at_least(4, 5, 3) ? 0 : 160};
}

/// The decode batch sizes SGLang captures (cuda_graph_runner.py, server_args.py), up to `max_bs`
/// (0: the era's own list, which also depends on the GPU's memory).
std::vector<std::int64_t> capture_sizes(const Version& v, double g, std::int64_t max_bs, std::int64_t dp) {
  std::vector<std::int64_t> sizes;
  if (v.at_least(5, 3)) {
    for (std::int64_t s : {1, 2, 4, 8, 12}) sizes.push_back(s);
    for (std::int64_t s = 16; s <= 256; s += 8) sizes.push_back(s);
    for (std::int64_t s = 272; s < 512; s += 16) sizes.push_back(s);
    for (std::int64_t s = 512; s <= max_bs; s += 32) sizes.push_back(s);
  } else if (v.at_least(4, 6)) {
    for (std::int64_t s : {1, 2, 4, 8}) sizes.push_back(s);
    for (std::int64_t s = 16; s <= 160; s += 8) sizes.push_back(s);
    const bool large = v.at_least(4, 9) ? g > 90 * 1024 : g > 81920 && dp == 1;
    if (large) for (std::int64_t s = 168; s <= 256; s += 8) sizes.push_back(s);
    if (v.at_least(4, 9) && g > 160 * 1024) for (std::int64_t s = 272; s <= 512; s += 16) sizes.push_back(s);
  } else {
    for (std::int64_t s : {1, 2, 4}) sizes.push_back(s);
    for (std::int64_t s = 8; s <= 160; s += 8) sizes.push_back(s);
  }
  if (max_bs > 0) sizes.erase(std::remove_if(sizes.begin(), sizes.end(), [&](std::int64_t s) { return s > max_bs; }), sizes.end());
  return sizes;
}

}  // namespace

Version parse_version(std::string_view text) {
  // "0.4.6.post2", "0.5.3rc2", "0.5.6": the fields after "0." as numbers.
  Version v;
  std::size_t i = text.find('.');
  auto number = [&](int& into) {
    into = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) into = std::min(into * 10 + (text[i++] - '0'), 9999);
  };
  if (i == std::string_view::npos) return v;
  ++i;
  number(v.minor);
  if (i < text.size() && text[i] == '.') {
    ++i;
    number(v.patch);
  }
  if (text.substr(i).rfind(".post", 0) == 0) {
    i += 5;
    number(v.post);
  }
  return v;
}

double default_mem_fraction_static(const Version& v, double g, std::int64_t tp, std::int64_t pp, bool dp_attention,
                                   std::int64_t dp, std::int64_t chunked, std::int64_t graph_bs) {
  const double ranks = double(tp * pp);
  if (v.at_least(5, 3)) {  // _handle_gpu_memory_settings
    if (g <= 0) return 0.88;
    double reserved = 512 + double(std::max<std::int64_t>(chunked, 2048)) * 1.5 + double(graph_bs) * 2 + ranks / 8 * 1024;
    if (dp_attention) reserved += double(graph_bs * dp) * (graph_bs > 300 ? 4.5 : 3.0);
    if (g > 60 * 1024) reserved = std::max(reserved, 10.0 * 1024);
    return round3((g - reserved) / g);
  }
  if (v.at_least(4, 7, 1)) {  // reserved_mem per GPU class (PR #7054)
    if (g <= 0) return 0.88;
    double reserved = g < 35 * 1024 ? (2.8 + ranks / 10) * 1024
                      : g < 90 * 1024 ? (9.5 + ranks / 2) * 1024
                      : g < 160 * 1024 ? (12 + ranks / 2) * 1024
                                       : 32.0 * 1024;
    if (dp_attention) reserved += 4 * 1024;
    return round3((g - reserved) / g);
  }
  const bool by_all_ranks = v.at_least(4, 6, 2);
  double fraction = table_fraction(v, by_all_ranks ? tp * pp : tp);
  if (v.at_least(4, 5, 3) && g > 0) {
    if (!by_all_ranks) {
      if (g > 81920) fraction = (g - 13 * 1024) / g;
    } else if (v.at_least(4, 7) && g > 180000) {
      fraction = 0.79;
    } else if (g > 96 * 1024) {
      fraction = std::min(fraction + 48 * 1024 * (1 - fraction) / g, (g - 18 * 1024) / g);
    }
  }
  return fraction;
}

Settings resolve(const Request& request, double model_dtype_bytes, bool with_echo) {
  const Scenario& sc = request.scenario;
  const GivenFields& given = sc.given;
  const ModelSpec& m = request.model;
  const Parallelism& par = sc.parallelism;
  Settings s;
  auto echo = [&](const char* path, std::string value, std::string source) {
    if (with_echo) s.echo.push_back({path, std::move(value), given.find(path) ? "given" : std::move(source)});
  };
  const FieldValue* version = given.find("framework_config.sglang_version");
  s.version_text = version ? version->text : std::string(kReleases[0]);
  s.version = parse_version(s.version_text);
  const Version& v = s.version;
  const std::string sglang = "SGLang " + s.version_text;
  echo("framework_config.sglang_version", "\"" + s.version_text + "\"", "the newest SGLang modelled");

  const auto& f = sc.framework_config;
  s.gpu_mem_mib = f.gpu_memory_gib ? *f.gpu_memory_gib * 1024 + kDriverReserveMib : 0;
  const std::int64_t tp = par.tensor_parallel_size, pp = par.pipeline_parallel_size, dp = par.data_parallel_size;
  const FieldValue* dp_attention = given.find("framework_config.enable_dp_attention");
  s.dp_attention = dp_attention && dp_attention->boolean;
  s.attention_tp = s.dp_attention ? std::max<std::int64_t>(1, tp / dp) : tp;
  if (s.dp_attention && (dp < 2 || tp % dp != 0)) {
    s.refusal = {"framework_config.enable_dp_attention",
                 "--enable-dp-attention needs --dp-size above 1 that divides --tp-size (" + std::to_string(tp) + ")"};
  }

  const Sizes sizes = default_sizes(v, s.gpu_mem_mib, tp);
  const std::string for_gpu = s.gpu_mem_mib > 0 ? sglang + "'s default for a " + number_text(std::round(s.gpu_mem_mib)) + " MiB GPU"
                                                : sglang + "'s default without a GPU";
  s.chunked_prefill_size = sizes.chunked;
  if (const FieldValue* c = given.find("framework_config.chunked_prefill_size")) s.chunked_prefill_size = c->integer;
  const FieldValue* disable_graphs = given.find("framework_config.disable_cuda_graph");
  s.cuda_graphs = !(disable_graphs && disable_graphs->boolean);
  const FieldValue* graph_bs = given.find("framework_config.cuda_graph_max_bs");
  std::int64_t max_bs = graph_bs ? graph_bs->integer : sizes.graph_bs;
  s.capture_sizes = capture_sizes(v, s.gpu_mem_mib, max_bs, dp);
  s.cuda_graph_max_bs = max_bs > 0 ? max_bs : s.capture_sizes.back();

  if (const FieldValue* fraction = given.find("framework_config.mem_fraction_static")) {
    s.mem_fraction_static = fraction->number;
  } else {
    s.mem_fraction_static = default_mem_fraction_static(v, s.gpu_mem_mib, tp, pp, s.dp_attention, dp,
                                                        s.chunked_prefill_size, s.cuda_graph_max_bs);
  }
  echo("framework_config.mem_fraction_static", number_text(s.mem_fraction_static), for_gpu);
  // With DP attention each replica takes its share of a prefill chunk (_handle_data_parallelism).
  if (s.dp_attention && dp > 1 && s.chunked_prefill_size > 0) s.chunked_prefill_size /= dp;
  echo("framework_config.chunked_prefill_size", std::to_string(s.chunked_prefill_size), for_gpu);
  echo("framework_config.cuda_graph_max_bs", std::to_string(s.cuda_graph_max_bs),
       graph_bs ? std::string("given") : max_bs > 0 ? for_gpu : sglang + "'s capture list for the GPU");

  // The context: --context-length, else the config's (hf_transformers_utils.get_context_length:
  // the first of its keys, times rope_scaling's factor unless llama3 or with an original length).
  const ContextLimit& c = m.context;
  double factor = c.rope_factor;
  if (c.original_positions > 0 || c.rope_type == "llama3") factor = 1;
  const std::int64_t derived = c.positions > 0 ? std::int64_t(double(c.positions) * factor) : 2048;
  s.context_len = derived;
  if (const FieldValue* length = given.find("framework_config.context_length")) {
    s.context_len = length->integer;
    if (s.context_len > derived && !s.refusal) {
      // model_config.py, ModelConfig.__init__
      s.refusal = {"framework_config.context_length",
                   "User-specified context_length (" + std::to_string(s.context_len) +
                       ") is greater than the derived context_length (" + std::to_string(derived) +
                       "). This may lead to incorrect model outputs or CUDA errors. To allow overriding this maximum, "
                       "set the env var SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1"};
    }
  }
  echo("framework_config.context_length", std::to_string(s.context_len), "the model's, derived from config.json as SGLang derives it");

  // --kv-cache-dtype: argparse refuses what the version does not list.
  s.kv_dtype = sc.workload.kv_cache_dtype;
  const bool listed = s.kv_dtype == "auto" || s.kv_dtype == "fp8_e5m2" || (s.kv_dtype == "fp8_e4m3" && v.at_least(4, 1, 6)) ||
                      ((s.kv_dtype == "bf16" || s.kv_dtype == "bfloat16") && v.at_least(5, 0));
  if (!listed && !s.refusal) {
    std::string choices = "'auto', 'fp8_e5m2'";
    if (v.at_least(4, 1, 6)) choices += ", 'fp8_e4m3'";
    if (v.at_least(5, 0)) choices += ", 'bf16', 'bfloat16'";
    s.refusal = {"workload.kv_cache_dtype", "argument --kv-cache-dtype: invalid choice: '" + s.kv_dtype + "' (choose from " + choices + ")"};
  }
  s.kv_bytes = s.kv_dtype.rfind("fp8", 0) == 0 ? 1.0 : s.kv_dtype == "auto" ? model_dtype_bytes : 2.0;
  echo("workload.kv_cache_dtype", "\"" + s.kv_dtype + "\"", "auto: the model's dtype");

  if (const FieldValue* page = given.find("framework_config.page_size")) s.page_size = page->integer;
  if (const FieldValue* n = given.find("framework_config.max_running_requests")) s.max_running_requests = n->integer;
  if (const FieldValue* n = given.find("framework_config.max_total_tokens")) s.max_total_tokens = n->integer;
  const FieldValue* no_custom = given.find("framework_config.disable_custom_all_reduce");
  s.custom_all_reduce = !(no_custom && no_custom->boolean) && (tp <= 2 || f.gpu.empty() || nvlinked(f.gpu));

  if (m.blocks.hybrid()) {
    s.warnings.push_back("SGLang's Mamba state pool (--mamba-full-memory-ratio) is not modelled: the KV pool is sized as if "
                         "every token's state were in the full-attention layers' cache");
  }
  if (m.sliding_window.window > 0) {
    s.warnings.push_back("sliding-window layers get one full-size pool with every layer (SGLang turns its hybrid SWA pool "
                         "off for Gemma 2/3, gpt-oss and OLMo 2; other families may use it)");
  }
  return s;
}

}  // namespace llmmem::sglang
