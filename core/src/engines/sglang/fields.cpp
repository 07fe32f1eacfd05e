// SGLang's own fields, named as its server arguments (python/sglang/srt/server_args.py); their
// defaults follow sglang_version, the GPU and the parallelism (settings.cpp resolves them).
// --disable-custom-all-reduce, which SGLang shares with vLLM, is vLLM's field (engines/vllm/fields.cpp).
#include <cctype>
#include <string>

#include "engines/sglang/settings.hpp"
#include "input/field_block.hpp"
#include "input/json_reader.hpp"

namespace llmmem::fields {
namespace {

void check_sglang_version(const std::string& path, const FieldValue& v) {
  // "0.4.6.post2", "0.5.3rc2", "0.5.6": as `pip show sglang` prints it; this calculator models 0.3 to 0.5.
  const std::string& t = v.text;
  bool ok = t.size() <= 40 && (t.rfind("0.3.", 0) == 0 || t.rfind("0.4.", 0) == 0 || t.rfind("0.5.", 0) == 0) &&
            t.size() > 4 && std::isdigit(static_cast<unsigned char>(t[4]));
  for (char c : t) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.');
  if (!ok) detail::fail(path, "must be an SGLang release from 0.3.0 to 0.5.x such as \"0.5.6\" or \"0.4.6.post2\", got " + detail::quote_text(t));
}

constexpr FieldSpec kFields[] = {
    {.path = "framework_config.sglang_version", .kind = FieldKind::text, .default_note = "the newest SGLang this calculator models",
     .suggestions = sglang::kReleases, .engines = kSglang, .section = "SGLang", .label = "SGLang version",
     .flags = "--sglang-version", .help = "as `pip show sglang` prints it: the memory defaults follow from it",
     .check = check_sglang_version},
    {.path = "framework_config.mem_fraction_static", .kind = FieldKind::number, .min = 0, .max = 1, .min_open = true,
     .bounds_text = "in (0, 1]", .default_note = "SGLang's default for the version, the GPU's memory and the ranks",
     .engines = kSglang, .section = "SGLang", .label = "Static memory fraction", .flags = "--mem-fraction-static",
     .help = "the share of the free memory that holds the weights and the KV pool"},
    {.path = "framework_config.context_length", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "the model's, derived from config.json as SGLang derives it", .engines = kSglang, .section = "SGLang",
     .label = "Context length", .flags = "--context-length", .help = "the longest request (prompt + output)"},
    {.path = "framework_config.max_running_requests", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "the request table's rows: pool tokens / context x 512, within 2048 to 4096", .engines = kSglang,
     .section = "SGLang", .label = "Max running requests", .flags = "--max-running-requests",
     .help = "requests decoded at once; sets the request table's rows"},
    {.path = "framework_config.max_total_tokens", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "as many as the memory holds", .engines = kSglang, .section = "SGLang", .label = "Max total tokens",
     .flags = "--max-total-tokens", .help = "a cap on the KV pool's tokens", .advanced = true},
    {.path = "framework_config.chunked_prefill_size", .kind = FieldKind::integer, .min = -1, .max = kMaxTokens,
     .default_note = "SGLang's default for the GPU's memory (2048 to 16384)", .engines = kSglang, .section = "SGLang",
     .label = "Chunked prefill size", .flags = "--chunked-prefill-size",
     .help = "prompt tokens per prefill step (-1: off); from 0.5.3 it sizes the default memory fraction", .advanced = true},
    {.path = "framework_config.cuda_graph_max_bs", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "SGLang's default for the GPU's memory and TP size", .engines = kSglang, .section = "SGLang",
     .label = "CUDA graph max batch", .flags = "--cuda-graph-max-bs", .help = "the largest decode batch captured", .advanced = true},
    {.path = "framework_config.disable_cuda_graph", .kind = FieldKind::boolean, .default_json = "false", .engines = kSglang,
     .section = "SGLang", .label = "Disable CUDA graphs", .flags = "--disable-cuda-graph", .help = "capture no CUDA graphs",
     .advanced = true},
    {.path = "framework_config.page_size", .kind = FieldKind::integer, .min = 1, .max = double(1 << 20), .default_json = "1",
     .engines = kSglang, .section = "SGLang", .label = "Page size", .flags = "--page-size",
     .help = "tokens per KV page: the pool is whole pages", .advanced = true},
    {.path = "framework_config.enable_dp_attention", .kind = FieldKind::boolean, .default_json = "false", .engines = kSglang,
     .section = "SGLang", .label = "DP attention", .flags = "--enable-dp-attention",
     .help = "attention data-parallel over --dp-size replicas: each keeps tp / dp of the KV heads", .advanced = true},
};

}  // namespace

std::span<const FieldSpec> sglang_fields() { return kFields; }

}  // namespace llmmem::fields
