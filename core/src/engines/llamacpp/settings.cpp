// llama-server's defaults (common/common.h, common/arg.cpp): -c 4096 (November 2024 to 2025
// builds), -np 1, -ngl all (999 from October 2025), -fa auto, -ctk/-ctv f16, -ub 512; and
// Ollama's by version.
#include "engines/llamacpp/settings.hpp"

#include <algorithm>
#include <string_view>

#include "engines/text.hpp"
#include "engines/vllm/settings.hpp"

namespace llmmem::llamacpp {
namespace {

using engines::gib_text;

/// A setting as used: "given" when the request set it, else why this default.
void echo(Resolved& r, const GivenFields& given, const char* path, std::string value, std::string source) {
  r.say(path, std::move(value), given.find(path) ? "given" : std::move(source));
}

std::string quoted(CacheType type) { return "\"" + std::string(kCacheTypes[std::size_t(type)]) + "\""; }

// Ollama's defaults by version (tests/data/llamacpp/SOURCE_NOTES.md, from ollama/ollama's history):
//   num_ctx        2048; 4096 from 0.6.7 (44b466eeb); by total VRAM from 0.15.5 (0334ffa62):
//                  262144 from 47 GiB, 32768 from 23 GiB, else 4096; never past n_ctx_train
//   parallel       auto: 4, then 2 from 0.6.7 (fe5b9bb21), 1 where that does not fit; 1 from 0.9.7 (#11330)
//   flash attn     off; from 0.12.4 (fdb109469) on for the families whose FlashAttention() says so
//   KV cache type  OLLAMA_KV_CACHE_TYPE, quantized only with flash attention
//   the runner     --ctx-size num_ctx x parallel, --parallel, --batch-size 512, the full-size SWA cache
void resolve_ollama(const Request& request, const std::string& version_text, Resolved& r, std::int64_t trained) {
  const GivenFields& given = request.scenario.given;
  const ModelSpec& m = request.model;
  Settings& s = r.buffers;
  const vllm::Version version = vllm::parse_version(version_text);  // major.minor.patch, as vLLM's are read
  const auto since = [&](int minor, int patch) { return version.at_least(minor, patch); };
  const std::string ollama = "Ollama " + version_text;
  for (const char* path : {"framework_config.ctx_size", "framework_config.n_parallel", "framework_config.flash_attn",
                           "framework_config.cache_type_k", "framework_config.cache_type_v", "framework_config.ubatch_size",
                           "framework_config.kv_unified", "framework_config.swa_full"}) {
    if (given.find(path)) r.warnings.push_back(std::string(path) + " is ignored: " + ollama + " starts the runner with its own");
  }
  r.ollama = true;
  const auto& f = request.scenario.framework_config;
  const double vram = f.gpu_memory_gib.value_or(0) * double(std::max<std::int64_t>(1, request.scenario.parallelism.pipeline_parallel_size));
  std::int64_t num_ctx = !since(6, 7) ? 2048 : !since(15, 5) ? 4096 : vram >= 47 ? 262144 : vram >= 23 ? 32768 : 4096;
  std::string ctx_source = !since(6, 7) ? ollama + "'s default num_ctx 2048"
                           : !since(15, 5) ? ollama + "'s default num_ctx 4096"
                                           : ollama + "'s default for " + gib_text(vram) + " GiB of VRAM";
  if (const FieldValue* v = given.find("framework_config.num_ctx")) num_ctx = v->integer;
  if (num_ctx > trained) {
    r.warnings.push_back("requested context size too large for model: " + ollama + " uses the model's " +
                         std::to_string(trained) + " (n_ctx_train) instead of " + std::to_string(num_ctx));
    num_ctx = trained;
  }
  r.num_ctx = num_ctx;
  echo(r, given, "framework_config.num_ctx", std::to_string(num_ctx), ctx_source);
  std::int64_t parallel = since(9, 7) ? 1 : since(6, 7) ? 2 : 4;
  if (const FieldValue* v = given.find("framework_config.ollama_num_parallel")) {
    parallel = v->integer;
  } else {
    r.parallel_auto = parallel > 1;
  }
  s.n_parallel = parallel;
  s.ctx_size = num_ctx * parallel;
  s.kv_unified = false;
  s.n_ubatch = 512;
  s.swa_full = true;
  echo(r, given, "framework_config.ollama_num_parallel", std::to_string(parallel),
       parallel > 1 ? ollama + "'s default (1 where that does not fit)" : ollama + "'s default");
  bool fa = false;
  if (since(12, 4)) {
    for (std::string_view type : {"gemma3_text", "gemma3", "gpt_oss", "qwen3", "qwen3_moe"}) fa = fa || m.model_type == type;
  }
  if (const FieldValue* v = given.find("framework_config.ollama_flash_attention")) fa = v->boolean;
  s.flash_attn = fa;
  echo(r, given, "framework_config.ollama_flash_attention", fa ? "true" : "false",
       since(12, 4) ? ollama + "'s default for " + m.model_type : ollama + "'s default (off)");
  const FieldValue* kv_given = given.find("framework_config.ollama_kv_cache_type");
  CacheType kv = kv_given ? cache_type(kv_given->text) : CacheType::f16;
  if (is_quantized(kv) && !fa) {
    r.warnings.push_back("quantized kv cache requested but flash attention disabled: " + ollama + " keeps it f16");
    kv = CacheType::f16;
  }
  s.type_k = s.type_v = kv;
  echo(r, given, "framework_config.ollama_kv_cache_type", quoted(kv), "OLLAMA_KV_CACHE_TYPE's default f16");
  r.ollama_picks_layers = !given.find("framework_config.n_gpu_layers");
}

}  // namespace

void Resolved::say(std::string_view path, std::string value_json, std::string source) {
  for (Setting& setting : echo) {
    if (setting.path == path) {
      setting.value_json = std::move(value_json);
      setting.source = std::move(source);
      return;
    }
  }
  echo.push_back({std::string(path), std::move(value_json), std::move(source)});
}

Resolved resolve(const Request& request) {
  const GivenFields& given = request.scenario.given;
  const ModelSpec& m = request.model;
  Resolved r;
  Settings& s = r.buffers;
  auto integer = [&](const char* path, std::int64_t fallback) {
    const FieldValue* v = given.find(path);
    return v ? v->integer : fallback;
  };
  auto flag = [&](const char* path) {
    const FieldValue* v = given.find(path);
    return v && v->boolean;
  };
  auto choice = [&](const char* path, std::string_view fallback) {
    const FieldValue* v = given.find(path);
    return v ? std::string_view(v->text) : fallback;
  };
  const std::int64_t trained = m.context.positions > 0 ? m.context.positions : 4096;
  const std::int64_t all = m.num_layers + 1;
  r.n_gpu_layers = std::min(integer("framework_config.n_gpu_layers", all), all);
  r.kv_offload = !flag("framework_config.no_kv_offload");
  if (const FieldValue* ollama = given.find("framework_config.ollama_version")) {
    resolve_ollama(request, ollama->text, r, trained);
    return r;
  }
  for (const char* path : {"framework_config.num_ctx", "framework_config.ollama_num_parallel",
                           "framework_config.ollama_flash_attention", "framework_config.ollama_kv_cache_type"}) {
    if (given.find(path)) r.warnings.push_back(std::string(path) + " is ignored: it is Ollama's, and no ollama_version is given");
  }
  // The build as llama-server prints it ("build: 9849 (799fcc04a)"): its defaults, its cells'
  // padding and its logits reserve (b-numbers from llama.cpp's history, SOURCE_NOTES.md).
  const FieldValue* build_given = given.find("framework_config.llamacpp_build");
  const std::int64_t build = build_given ? build_given->integer : 0;
  const std::string b = "b" + std::to_string(build);
  if (build > 0) {
    s.padding = build >= 6975 ? Padding::always_256 : build >= 6868 ? Padding::none : Padding::by_flash_attention;
    echo(r, given, "framework_config.llamacpp_build", std::to_string(build), "given");
  }
  // -c: 0 (the training context) before b4014 (#10136) and again from b7407 (#16653, with --fit).
  const bool trains = build > 0 && (build < 4014 || build >= 7407);
  const std::int64_t ctx = integer("framework_config.ctx_size", trains ? 0 : 4096);
  s.ctx_size = ctx == 0 ? trained : ctx;
  r.trained_context = trained;
  r.fit_context = build >= 7407 && !given.find("framework_config.ctx_size");
  r.fit_layers = build >= 7407 && !given.find("framework_config.n_gpu_layers");
  echo(r, given, "framework_config.ctx_size", std::to_string(s.ctx_size),
       build == 0 ? "llama-server's default -c 4096 (builds from November 2024 to 2025)"
       : trains   ? b + "'s default -c 0: the model's training context" + (r.fit_context ? std::string(", which --fit may lower") : "")
                  : b + "'s default -c 4096");
  if (!given.find("framework_config.ctx_size") && build == 0) {
    r.warnings.push_back("ctx_size not given: llama-server's -c 4096 of 2025 builds; builds from 2026 default to the "
                         "model's training context (" + std::to_string(trained) + ") and lower it to fit the GPU");
  } else if (s.ctx_size > trained) {
    r.warnings.push_back("n_ctx_per_seq (" + std::to_string(s.ctx_size) + ") > n_ctx_train (" + std::to_string(trained) +
                         ") -- possible training context overflow (llama.cpp's words; it still starts)");
  }
  s.n_parallel = integer("framework_config.n_parallel", 1);
  s.kv_unified = flag("framework_config.kv_unified");
  // Automatic slots: from b6925 (#16736) llama-server turns -np 1 without -kvu into 4 slots
  // sharing one unified cache; from b7433 (#17997) that is -np's default (-1, auto), and a
  // given -np 1 stays one slot.
  const bool auto_slots = build >= 7433 ? !given.find("framework_config.n_parallel")
                                        : build >= 6925 && s.n_parallel == 1 && !s.kv_unified;
  if (auto_slots) {
    s.n_parallel = 4;
    s.kv_unified = true;
  }
  echo(r, given, "framework_config.n_parallel", std::to_string(s.n_parallel),
       auto_slots ? b + "'s automatic slots: 4 sharing a unified cache" : "llama-server's default -np 1");
  if (auto_slots) echo(r, given, "framework_config.kv_unified", "true", b + "'s automatic slots share one cache");
  // From b9460 (#23861) llama-server reserves logits for one row per slot.
  if (build >= 9460) s.n_outputs_max = s.n_parallel;
  echo(r, given, "framework_config.n_gpu_layers", std::to_string(r.n_gpu_layers),
       "all layers and the output head (-ngl 999, the default from October 2025 builds)");
  const std::string_view fa = choice("framework_config.flash_attn", "auto");
  s.flash_attn = fa != "off";
  echo(r, given, "framework_config.flash_attn", "\"" + std::string(fa) + "\"", "llama-server's default -fa auto: on for GPUs that run it");
  s.type_k = cache_type(choice("framework_config.cache_type_k", "f16"));
  s.type_v = cache_type(choice("framework_config.cache_type_v", "f16"));
  echo(r, given, "framework_config.cache_type_k", quoted(s.type_k), "default f16");
  echo(r, given, "framework_config.cache_type_v", quoted(s.type_v), "default f16");
  s.n_ubatch = integer("framework_config.ubatch_size", 512);
  echo(r, given, "framework_config.ubatch_size", std::to_string(s.n_ubatch), "default -ub 512");
  s.swa_full = flag("framework_config.swa_full");
  return r;
}

}  // namespace llmmem::llamacpp
