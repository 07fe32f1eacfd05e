#pragma once
// vLLM's settings as it resolves them: what the request gave, else what its version does by
// default on this GPU. Each default cites the vLLM source it follows (docs/formulas.md, "vLLM's
// version").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem::vllm {

/// A release as `pip show vllm` prints it, read as major.minor.patch ("0.6.4.post1" is 0.6.4).
struct Version {
  int major = 0, minor = 0, patch = 0;
  /// Whether this release is `minor.patch` (of 0.x) or later.
  bool at_least(int min_minor, int min_patch = 0) const {
    return major > 0 || minor > min_minor || (minor == min_minor && patch >= min_patch);
  }
  std::string text() const;
};

/// Releases whose defaults differ (docs/formulas.md, "vLLM's version"), newest first: the page
/// suggests them, and a request without vllm_version gets the first.
inline constexpr std::string_view kReleases[] = {
    "0.31.0", "0.30.0", "0.27.1", "0.25.0", "0.23.0", "0.22.0", "0.21.0", "0.19.1", "0.17.1", "0.15.1",
    "0.12.0", "0.11.0", "0.10.2", "0.10.1", "0.9.2",  "0.8.5",  "0.7.3",  "0.6.6",  "0.6.4",  "0.5.4"};

/// The newest release modelled (kReleases' first).
Version newest_version();
Version parse_version(const std::string& text);

struct Settings {
  Version version;
  bool version_given = false;
  bool v1 = true;                  // the V1 engine (else V0)
  bool runner_v2 = false;          // V1's model runner v2 (vllm/v1/worker/gpu/)
  bool flashinfer_sampler = false;
  bool profile_cudagraph_memory = false;  // CUDA graphs' memory taken off the KV budget
  bool enforce_eager = false;
  bool disable_custom_all_reduce = false;
  bool allow_long_max_model_len = false;
  bool offline = false;            // the LLM class rather than `vllm serve`
  bool chunked_prefill = true;     // V1 always; V0 above 32K tokens
  std::int64_t max_num_seqs = 256;
  std::int64_t max_model_len = 0;
  std::int64_t max_num_batched_tokens = 2048;
  std::int64_t block_size = 16;
  double gpu_memory_utilization = 0.9;
  std::optional<double> non_torch_memory_gib;
  std::vector<std::int64_t> cudagraph_capture_sizes;  // what vLLM captures (empty: eager)
  std::optional<double> graph_ratio, graph_scaling;    // the spec's graph formula, when asked for
  // The model's maximum length as vLLM derives it from config.json, and the key it came from.
  double derived_max_model_len = 0;
  std::string derived_key;
  /// Each setting, its value and where it came from, for the result.
  std::vector<Setting> echo;
};

/// vLLM's settings for this request: the given fields, else the version's defaults for this GPU.
/// `with_echo`: also say where each came from (the result's `settings`; the solver's probes skip it).
Settings resolve(const ModelSpec& model, const Scenario& scenario, bool with_echo = true);

}  // namespace llmmem::vllm
