// SGLang's pool, as model_runner.py sizes it; tests/data/sglang/SOURCE_NOTES.md (b) and (c) have
// the rules with the releases they changed in, and the logs the constants come from.
#include "engines/sglang/pool.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"

namespace llmmem::sglang {

Pool size_pool(const PoolInput& in, const Settings& s) {
  const Version& v = s.version;
  Pool p;
  // profile_max_num_token: rest = available after the weights - free before them x (1 - mfs),
  // in GiB; tokens = int(rest x 2^30 // cell_size).
  const double available = in.free_gib - in.weights_gib;
  const double rest = available - in.free_gib * (1 - s.mem_fraction_static);
  std::int64_t tokens = rest > 0 ? std::int64_t(std::floor(rest * kBytesPerGiB / in.cell_bytes)) : 0;
  if (s.max_total_tokens) tokens = std::min(tokens, *s.max_total_tokens);
  // Whole pages from 0.4.4 (init_memory_pool: max_total_num_tokens // page_size * page_size).
  if (v.at_least(4, 4)) tokens = tokens / s.page_size * s.page_size;
  p.max_total_num_tokens = tokens;
  if (tokens <= 0) return p;
  // MHATokenToKVPool / MLATokenToKVPool: size + page_size rows per layer (size + 1 before 0.4.4).
  p.kv_bytes = double(tokens + (v.at_least(4, 4) ? s.page_size : 1)) * in.cell_bytes;
  // ReqToTokenPool: --max-running-requests, else clamp(tokens / context_len x 512, 2048, 4096)
  // (5120 at most in 0.3.0), one more row until 0.4.7; int32 of context_len + 4 per row.
  const std::int64_t cap = v.at_least(3, 1) ? 4096 : 5120;
  std::int64_t reqs = s.max_running_requests
                          ? *s.max_running_requests
                          : std::min<std::int64_t>(std::max<std::int64_t>(std::int64_t(double(tokens) / double(s.context_len) * 512), 2048), cap);
  p.max_num_reqs = reqs + (v.at_least(4, 7) ? 0 : 1);
  p.req_to_token_bytes = double(p.max_num_reqs) * double(s.context_len + 4) * 4;
  // tp_worker.py: the scheduler's limits.
  p.max_running_requests = std::min(s.max_running_requests ? *s.max_running_requests : tokens / 2, p.max_num_reqs);
  p.max_req_len = std::min(s.context_len - 1, tokens - 1);
  return p;
}

double free_before_weights_gib(double gpu_gib, std::int64_t ranks, bool custom_all_reduce) {
  // "Load weight begin. avail mem" against the GPU's torch total: 0.38-0.39 GiB on one H100 or
  // L40S, 0.43 on four L4s (NCCL 0.13 of it), 0.65 on an MI300X. Each further rank adds its
  // custom all-reduce buffers (vLLM's code: 0.25 GiB a rank, as the vLLM engine counts them;
  // TP 8 on H200s logs 1.96 GiB at "Init torch distributed") or NCCL's own (0.04 a rank).
  return gpu_gib - 0.4 - double(ranks - 1) * (custom_all_reduce ? 0.25 : 0.04);
}

double cuda_graphs_gib(const Settings& s, std::int64_t layers) {
  if (!s.cuda_graphs) return 0;
  // "Capture cuda graph end ... mem usage": 0.11 GiB for Llama-3.1-8B at 4 sizes, 0.93 for
  // QwQ-32B at 13 sizes (TP 4), 1.41 for Qwen3-4B at 23: 0.88, 1.15 and 1.74 MiB per size and
  // layer; their median.
  constexpr double kMibPerSizeAndLayer = 1.15;
  return double(s.capture_sizes.size()) * double(layers) * kMibPerSizeAndLayer / 1024;
}

double attention_workspace_gib(const Settings& s, double compute_capability) {
  // Between "Memory pool end" and "Capture cuda graph begin": 0.51-0.64 GiB with FlashInfer
  // (five logs), 0.05-0.07 with FlashAttention 3 (three Hopper logs of 0.5.x).
  const bool fa3 = compute_capability >= 9.0 && compute_capability < 10.0 && s.version.at_least(4, 7);
  return fa3 ? 0.06 : 0.55;
}

}  // namespace llmmem::sglang
