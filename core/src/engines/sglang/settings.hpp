#pragma once
// SGLang's settings as its server_args.py resolves them: what the request gave, else SGLang's
// defaults for the version, the GPU's memory and the parallelism (the eras are in
// tests/data/sglang/SOURCE_NOTES.md, with the commits they changed in). pool.cpp sizes what
// they set; engine.cpp decides.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem::sglang {

/// An SGLang release: 0.minor.patch[.postN] (a release candidate counts as its release).
struct Version {
  int minor = 0, patch = 0, post = 0;
  bool at_least(int min_minor, int min_patch, int min_post = 0) const {
    if (minor != min_minor) return minor > min_minor;
    if (patch != min_patch) return patch > min_patch;
    return post >= min_post;
  }
};
Version parse_version(std::string_view text);

/// Releases whose defaults differ, newest first: the page suggests them, a request without
/// sglang_version gets the first.
inline constexpr std::string_view kReleases[] = {"0.5.6", "0.5.4.post1", "0.5.3", "0.5.2", "0.4.9", "0.4.7.post1",
                                                 "0.4.7", "0.4.6.post2", "0.4.5.post3", "0.4.5", "0.4.2", "0.4.0",
                                                 "0.3.6", "0.3.0"};

/// --kv-cache-dtype's choices, in SGLang's spelling.
inline constexpr std::string_view kKvCacheDtypes[] = {"auto", "fp8_e5m2", "fp8_e4m3", "bf16"};

struct Settings {
  Version version;
  std::string version_text;
  double gpu_mem_mib = 0;                 // what SGLang reads from nvidia-smi; 0: no GPU given
  double mem_fraction_static = 0.88;
  std::int64_t chunked_prefill_size = 8192;  // -1: chunked prefill off
  std::int64_t cuda_graph_max_bs = 160;
  bool cuda_graphs = true;
  std::vector<std::int64_t> capture_sizes;   // the decode batch sizes captured
  std::int64_t context_len = 2048;
  std::int64_t page_size = 1;
  std::optional<std::int64_t> max_running_requests, max_total_tokens;
  double kv_bytes = 2;                    // per cached element
  std::string kv_dtype = "auto";
  std::int64_t attention_tp = 1;          // TP of attention: tp / dp with DP attention
  bool dp_attention = false;
  bool custom_all_reduce = true;
  std::vector<Setting> echo;
  std::vector<std::string> warnings;
  // What SGLang refuses before it loads anything: the field and its own words.
  std::optional<std::pair<std::string, std::string>> refusal;
};

/// `model_dtype_bytes`: one element of the model's dtype (what --kv-cache-dtype auto caches in).
Settings resolve(const Request& request, double model_dtype_bytes, bool with_echo);

/// SGLang's --mem-fraction-static default: `gpu_mem_mib` (0: unknown), TP x PP ranks.
double default_mem_fraction_static(const Version& v, double gpu_mem_mib, std::int64_t tp, std::int64_t pp,
                                   bool dp_attention, std::int64_t dp, std::int64_t chunked_prefill_size,
                                   std::int64_t cuda_graph_max_bs);

}  // namespace llmmem::sglang
