// Exact parameter counts for real configs (tests/data/configs, sources in SOURCES.md).
// Expected totals are the checkpoints' own counts (sum of the safetensors tensor sizes).
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/error.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::json;
using llmmem::testing::estimate_ok;

namespace {
ModelSpec spec_of(const std::string& name) { return parse_config(corpus_config(name).dump()); }
}  // namespace

TEST_CASE("parameter counts match the published counts of every model in the corpus exactly") {
  // tests/data/configs/models.json: each config with its published count and the source of
  // both. Hub totals count what a checkpoint stores: the documented adjustments say what
  // num_parameters() leaves out (rotary buffers, a tied lm_head stored twice).
  const json manifest = llmmem::testing::corpus_manifest();
  int counted = 0;
  for (const json& model : manifest) {
    const std::string file = model.at("file");
    CAPTURE(file);
    const ModelSpec spec = spec_of(file);
    const ParameterCounts counts = spec.parameter_counts();
    CHECK(counts.total() > 0);
    if (model.at("total_parameters").is_null()) continue;
    std::int64_t stored = counts.total();
    if (model.contains("adjustment")) {
      const std::string kind = model.at("adjustment").at("kind");
      if (kind == "rotary_buffers") stored += spec.num_layers * spec.attention.head_dim / 2;
      else if (kind == "tied_lm_head_stored") stored += spec.vocab_size * spec.hidden_size;
      else FAIL("unknown adjustment " << kind);
    }
    CHECK(stored == model.at("total_parameters").get<std::int64_t>());
    if (model.contains("active_parameters")) {
      CHECK(counts.active_per_token() == model.at("active_parameters").get<std::int64_t>());
    }
    // Every family in the corpus is counted exactly, so none falls back to the generic formula.
    for (const std::string& warning : spec.warnings) CHECK(warning.find("generic decoder formula") == std::string::npos);
    ++counted;
  }
  CHECK(counted >= 40);
}

TEST_CASE("grouped-query attention has narrower K and V projections") {
  const ModelSpec llama3 = spec_of("llama-3.1-8b.json");
  CHECK(llama3.attention.num_heads == 32);
  CHECK(llama3.attention.num_kv_heads == 8);
  CHECK(llama3.attention.head_dim == 128);
  // q and o are 4096x4096; k and v 4096x1024. The spec's 4*h^2 would say 67,108,864.
  CHECK(llama3.parameter_counts().attention_per_layer == 41'943'040);
  CHECK(llama3.kv_elements_per_token_per_layer() == 2 * 8 * 128);
}

TEST_CASE("gated MLPs count gate, up and down; GPT-2's plain MLP counts two matrices and biases") {
  const ModelSpec llama2 = spec_of("llama-2-7b-hf.json");
  CHECK(llama2.mlp.gated);
  CHECK(llama2.parameter_counts().dense_mlp_per_layer == 3 * 4096 * 11008);

  const ModelSpec gpt2 = spec_of("gpt2.json");
  CHECK_FALSE(gpt2.mlp.gated);
  CHECK(gpt2.parameter_counts().dense_mlp_per_layer == 2 * 768 * 3072 + 3072 + 768);
  CHECK(gpt2.hidden_size == 768);  // from n_embd
  CHECK(gpt2.num_layers == 12);    // from n_layer
  CHECK(gpt2.attention.num_heads == 12);
  CHECK(gpt2.attention.num_kv_heads == 12);  // no num_key_value_heads: multi-head attention
  CHECK(gpt2.tie_word_embeddings);           // PretrainedConfig's default
  CHECK(gpt2.learned_positions == 1024);
}

TEST_CASE("tied embeddings are counted once") {
  json config = corpus_config("llama-3.1-8b.json");
  const std::int64_t untied = parse_config(config.dump()).parameter_counts().total();
  config["tie_word_embeddings"] = true;
  CHECK(untied - parse_config(config.dump()).parameter_counts().total() == 128256 * 4096);
}

TEST_CASE("MoE: all experts are stored, two of eight are active per token") {
  const ModelSpec mixtral = spec_of("mixtral-8x7b-v0.1.json");
  REQUIRE(mixtral.is_moe());
  const ParameterCounts counts = mixtral.parameter_counts();
  CHECK(counts.num_experts == 8);
  CHECK(counts.experts_per_token == 2);
  CHECK(counts.router_per_layer == 4096 * 8);
  // Mistral AI's figure: 12.9B active parameters per token.
  CHECK(counts.active_per_token() == 12'879'925'248);
}

TEST_CASE("head_dim from the config wins over hidden_size / num_attention_heads") {
  json config = corpus_config("llama-2-7b-hf.json");
  config["head_dim"] = 256;
  const ModelSpec spec = parse_config(config.dump());
  CHECK(spec.attention.head_dim == 256);
  CHECK(spec.parameter_counts().attention_per_layer == 4 * 4096 * (32 * 256));
}

TEST_CASE("an unknown family is counted generically, with a warning") {
  json config = corpus_config("llama-2-7b-hf.json");
  config["model_type"] = "mystery";
  const ModelSpec spec = parse_config(config.dump());
  REQUIRE(spec.warnings.size() == 1);
  CHECK(spec.warnings[0].find("generic decoder formula") != std::string::npos);
}

TEST_CASE("dtype and quantization come from the config") {
  CHECK(spec_of("llama-3.1-8b.json").storage_dtype == "bfloat16");
  CHECK(spec_of("gpt2.json").storage_dtype.empty());  // GPT-2's config names no dtype

  json config = corpus_config("llama-2-7b-hf.json");
  config["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 128}};
  const ModelSpec gptq = parse_config(config.dump());
  CHECK(gptq.quantization_bits == 4);
  CHECK(gptq.quantization_method == "gptq");

  config["quantization_config"] = {{"quant_method", "fp8"}};
  CHECK(parse_config(config.dump()).quantization_bits == 8);

  config.erase("torch_dtype");
  config["dtype"] = "float32";  // transformers >= 4.56 writes "dtype"
  config.erase("quantization_config");
  CHECK(parse_config(config.dump()).storage_dtype == "float32");
}

TEST_CASE("multimodal configs: the language model from text_config, the vision tower from vision_config") {
  json text = corpus_config("llama-3.1-8b.json");
  const json vlm = {{"architectures", {"LlavaForConditionalGeneration"}},
                    {"model_type", "llava"},
                    {"text_config", text},
                    {"vision_config", {{"model_type", "clip_vision_model"}, {"hidden_size", 1024}, {"image_size", 336},
                                       {"patch_size", 14}, {"intermediate_size", 4096}, {"num_hidden_layers", 24}}}};
  const ModelSpec spec = parse_config(vlm.dump());
  CHECK(spec.architecture == "LlavaForConditionalGeneration");
  const ParameterCounts counts = spec.parameter_counts();
  CHECK(counts.language_model() == 8'030'261'248);
  // CLIP ViT-L/14-336 (303,507,456 as transformers' CLIPVisionModel counts it) and LLaVA's
  // two-layer projector into 4096 dimensions (1024x4096 + 4096x4096 with biases).
  CHECK(counts.vision == 303'507'456 + 20'979'712);
  CHECK(counts.total() == counts.language_model() + counts.vision);
  // A tower the calculator does not know is named, never silently dropped.
  json unknown = vlm;
  unknown["vision_config"] = {{"model_type", "pixtral"}, {"hidden_size", 1024}};
  const ModelSpec partial = parse_config(unknown.dump());
  CHECK(partial.parameter_counts().vision == 0);
  CHECK(partial.warnings.at(0).find("vision tower (pixtral) is not counted") != std::string::npos);
}

TEST_CASE("a nested text_config is a diff against its class: Gemma3TextConfig's defaults fill what it leaves out") {
  // transformers/models/gemma3/configuration_gemma3.py: Gemma3Config builds
  // Gemma3TextConfig(**text_config), whose __init__ defaults are vocab_size 262,208, 8 heads,
  // 4 KV heads, head_dim 256, max_position_embeddings 131,072, sliding_window 4096.
  const json full = corpus_config("gemma-3-4b-it.json");
  json sparse = full;
  json& text = sparse["text_config"];
  for (const char* key : {"model_type", "vocab_size", "num_attention_heads", "num_key_value_heads", "head_dim",
                          "max_position_embeddings"}) {
    text.erase(key);
  }
  const auto model = [](const json& config) { return estimate_ok({{"config", config}}).at("model"); };
  const json a = model(full), b = model(sparse);
  for (const char* key : {"total_parameters", "vocab_size", "num_attention_heads", "num_key_value_heads", "head_dim",
                          "max_position_embeddings"}) {
    CAPTURE(key);
    CHECK(a.at(key) == b.at(key));
  }
  CHECK(b.at("vocab_size") == 262208);
  // vLLM reads the config object, defaults applied: the same KV cache and length.
  const auto vllm = [](const json& config) {
    return estimate_ok({{"config", config}, {"framework", "vllm"}, {"framework_config", {{"gpu", "H100"}}}});
  };
  const json va = vllm(full), vb = vllm(sparse);
  CHECK(va.at("kv_cache_capacity").at("tokens") == vb.at("kv_cache_capacity").at("tokens"));
  CHECK(va.at("kv_cache_capacity").at("max_model_len") == vb.at("kv_cache_capacity").at("max_model_len"));
  std::string said;
  const json sparse_result = estimate_ok({{"config", sparse}});
  for (const json& warning : sparse_result.at("warnings")) said += warning.get<std::string>() + "\n";
  CHECK(said.find("50257") == std::string::npos);
  CHECK(said.find("config.text_config leaves out num_attention_heads, num_key_value_heads, head_dim, vocab_size: "
                  "the gemma3_text class's defaults") != std::string::npos);
  // LlavaConfig(text_config={}) is LlamaConfig(): Llama-2-7B's 6,738,415,616 parameters, said so.
  const json llava = estimate_ok({{"config", {{"model_type", "llava"}, {"text_config", json::object()}}}});
  CHECK(llava.at("model").at("total_parameters") == 6738415616LL);
  // The class default fills a missing key only: a sliding_window set to null is None (no window).
  json no_window = sparse;
  no_window["text_config"].erase("sliding_window");
  json null_window = sparse;
  null_window["text_config"]["sliding_window"] = nullptr;
  const double per_token_default = estimate_ok({{"config", no_window}, {"workload", {{"sequence_length", 32768}}}}).at("breakdown").at("kv_cache");
  const double per_token_none = estimate_ok({{"config", null_window}, {"workload", {{"sequence_length", 32768}}}}).at("breakdown").at("kv_cache");
  CHECK(per_token_default < per_token_none);  // 4096-token windows on five of six layers hold less
}

TEST_CASE("EXAONE-4: per-head q/k norms, and three sliding layers to one full") {
  const ModelSpec exaone = spec_of("exaone-4.0-32b.json");
  CHECK(exaone.attention.qk_norm == QkNorm::per_head);
  // The 16,384 the generic formula missed: 64 layers x (q_norm + k_norm) of head_dim 128.
  json generic = corpus_config("exaone-4.0-32b.json");
  generic["model_type"] = "some_new_family";
  CHECK(exaone.parameter_counts().total() - parse_config(generic.dump()).parameter_counts().total() == 64 * 2 * 128);
  CHECK(exaone.sliding_window.window == 4096);
  CHECK(exaone.sliding_window.count(0, 64) == 48);
  CHECK_FALSE(exaone.tie_word_embeddings);
  CHECK(spec_of("exaone-4.0-1.2b.json").tie_word_embeddings);  // set in its config
}

TEST_CASE("Qwen3-VL: the text model is Qwen3's (or Qwen3-MoE's), the vision tower with its deepstack mergers") {
  const ModelSpec dense = spec_of("qwen3-vl-8b-instruct.json");
  CHECK(dense.model_type == "qwen3");
  CHECK(dense.attention.qk_norm == QkNorm::per_head);
  // modeling_qwen3_vl.py: patch embedding 1152x3x2x16x16 + bias, 2304 positions, 27 blocks, the
  // merger and three deepstack mergers into 4096: 576,388,336 (8,767,123,696 - the text model).
  CHECK(dense.vision.parameters == 576'388'336);
  CHECK(dense.parameter_counts().language_model() == 8'190'735'360);
  const ModelSpec moe = spec_of("qwen3-vl-30b-a3b-instruct.json");
  CHECK(moe.model_type == "qwen3_moe");
  CHECK(moe.moe.num_experts == 128);
  CHECK(moe.moe.experts_per_token == 8);
  CHECK(moe.moe.dense_layers == 0);
  // Fewer deepstack mergers, fewer parameters: each is a LayerNorm and a two-layer MLP of the merged width.
  json fewer = corpus_config("qwen3-vl-8b-instruct.json");
  fewer["vision_config"]["deepstack_visual_indexes"] = json::array({8});
  const std::int64_t merged = 1152 * 4;
  CHECK(dense.vision.parameters - parse_config(fewer.dump()).vision.parameters ==
        2 * (2 * merged + merged * merged + merged + merged * 4096 + 4096));
  for (const std::string& warning : dense.warnings) CHECK(warning.find("not counted") == std::string::npos);
}

TEST_CASE("Nemotron-H: blocks of one mixer each, Mamba-2 mixers, and a cache only the attention blocks fill per token") {
  const ModelSpec nano = spec_of("nemotron-3-nano-30b-a3b.json");
  REQUIRE(nano.blocks.hybrid());
  const ParameterCounts c = nano.parameter_counts();
  CHECK(c.mamba_layers == 23);
  CHECK(c.attention_layers == 6);
  CHECK(c.moe_layers() == 23);
  CHECK(c.dense_layers == 0);
  // NemotronHMamba2Mixer: in_proj to gate (4096), x, B, C (conv_dim 4096 + 2 x 8 x 128) and dt
  // (64 heads); conv1d with bias; A_log, D, dt_bias; the gated norm; out_proj. `expand` unused.
  const std::int64_t inner = 64 * 64, conv = inner + 2 * 8 * 128;
  CHECK(c.mamba_per_layer == 2688 * (inner + conv + 64) + conv * 4 + conv + 3 * 64 + inner + inner * 2688);
  CHECK(c.one_expert == 2 * 2688 * 1856);                  // up and down: squared ReLU, no gate
  CHECK(c.shared_experts_per_layer == 2 * 2688 * 3712);    // moe_shared_expert_intermediate_size
  CHECK(c.router_per_layer == 128 * 2688 + 128);           // and the stored e_score_correction_bias
  CHECK(c.norms_per_layer == 2688);                        // one norm per block

  // transformers: K and V in the 6 attention blocks per token, a fixed state in the 23 Mamba blocks.
  json request = {{"config", corpus_config("nemotron-3-nano-30b-a3b.json")},
                  {"workload", {{"batch_size", 2}, {"sequence_length", 1000}}}};
  const double kv = 2 * (6.0 * 2 * 2 * 128 * 2 * 1000 + 23.0 * (conv * 4 + 64 * 64 * 128) * 2) / (1024.0 * 1024 * 1024);
  CHECK(estimate_ok(request).at("breakdown").at("kv_cache").get<double>() == doctest::Approx(kv).epsilon(1e-12));
  CHECK(estimate_ok(request).at("kv_cache_bytes_per_token").get<double>() == 6 * 2 * 2 * 128 * 2);

  // A pattern that does not describe the layers is refused, naming the key.
  json bad = corpus_config("nemotron-3-nano-30b-a3b.json");
  bad["hybrid_override_pattern"] = "MEM";
  CHECK_THROWS_WITH_AS(parse_config(bad.dump()), doctest::Contains("config.hybrid_override_pattern: must have one character per layer"), llmmem::InputError);
  bad["hybrid_override_pattern"] = std::string(51, 'M') + "x";
  CHECK_THROWS_WITH_AS(parse_config(bad.dump()), doctest::Contains("layer 51 is \"x\""), llmmem::InputError);

  // vLLM's Mamba state pages are not modelled, and the result says so.
  bool said = false;
  const json served = estimate_ok(llmmem::testing::vllm_request("nemotron-3-nano-30b-a3b.json"));
  for (const json& warning : served.at("warnings")) {
    said = said || warning.get<std::string>().find("vLLM's Mamba state cache") != std::string::npos;
  }
  CHECK(said);
}

TEST_CASE("a hybrid's pipeline stages hold different blocks: the busiest is weighed") {
  const json one = estimate_ok({{"config", corpus_config("nemotron-3-nano-4b.json")}});
  const json two = estimate_ok({{"config", corpus_config("nemotron-3-nano-4b.json")}, {"parallelism", {{"pipeline_parallel_size", 2}}}});
  const double total = one.at("breakdown").at("model_weights").get<double>();
  const double busiest = two.at("breakdown").at("model_weights").get<double>();
  CHECK(busiest < total);
  CHECK(busiest > total / 2);
  CHECK(total == doctest::Approx(3973556832.0 * 2 / (1024.0 * 1024 * 1024)).epsilon(1e-12));
}

TEST_CASE("Qwen2-VL: Qwen2's decoder with q/k/v biases, and its LayerNorm vision tower and patch merger") {
  // modeling_qwen2_vl.py; the hub's safetensors totals (models.json's count source): 2B
  // 2,208,985,600, 7B 8,291,375,616, 72B 73,405,560,320. The 7B and 72B differ from the 2B
  // in the language model's dimensions and the merger's width (their module prints).
  const ModelSpec two_b = spec_of("qwen2-vl-2b-instruct.json");
  CHECK(two_b.model_type == "qwen2_vl");
  CHECK(two_b.attention.qkv_bias);
  CHECK_FALSE(two_b.attention.output_bias);
  // 32 blocks of width 1280 (MLP 5120), a 1280x3x2x14x14 patch embedding, a 5120->5120->1536 merger.
  CHECK(two_b.vision.parameters == 665'271'296);
  json seven_b = corpus_config("qwen2-vl-2b-instruct.json");
  for (auto [key, value] : {std::pair{"hidden_size", 3584}, {"intermediate_size", 18944}, {"num_attention_heads", 28},
                            {"num_key_value_heads", 4}, {"vocab_size", 152064}}) {
    seven_b[key] = value;
  }
  seven_b["tie_word_embeddings"] = false;
  seven_b["vision_config"]["hidden_size"] = 3584;
  CHECK(parse_config(seven_b.dump()).parameter_counts().total() == 8'291'375'616);
  json seventy_two_b = seven_b;
  for (auto [key, value] : {std::pair{"hidden_size", 8192}, {"intermediate_size", 29568}, {"num_attention_heads", 64},
                            {"num_key_value_heads", 8}, {"num_hidden_layers", 80}}) {
    seventy_two_b[key] = value;
  }
  seventy_two_b["vision_config"]["hidden_size"] = 8192;
  CHECK(parse_config(seventy_two_b.dump()).parameter_counts().total() == 73'405'560'320);
}

TEST_CASE("the Qwen-VL text classes fill what a nested text_config leaves out, as transformers does") {
  // configuration_qwen2_vl.py (Qwen2VLTextConfig), configuration_qwen2_5_vl.py,
  // configuration_qwen3_vl.py (Qwen3VLTextConfig: 4096 wide, 32 layers and heads, 32 KV heads,
  // head_dim 128, 22,016 MLP, 151,936 tokens, 128,000 positions).
  const json full = corpus_config("qwen3-vl-8b-instruct.json");
  json sparse = full;
  sparse["text_config"] = {{"model_type", "qwen3_vl_text"}};
  const ModelSpec spec = parse_config(sparse.dump());
  CHECK(spec.model_type == "qwen3");
  CHECK(spec.hidden_size == 4096);
  CHECK(spec.num_layers == 32);
  CHECK(spec.attention.num_kv_heads == 32);
  CHECK(spec.attention.head_dim == 128);
  CHECK(spec.mlp.intermediate_size == 22016);
  CHECK(spec.vocab_size == 151936);
  CHECK(spec.context.positions == 128000);
  std::string said;
  for (const std::string& warning : spec.warnings) said += warning + "\n";
  CHECK(said.find("the qwen3_vl_text class's defaults") != std::string::npos);
  CHECK(said.find("generic decoder formula") == std::string::npos);
  // A text_config without its model_type is the outer class's text class.
  json unnamed = full;
  unnamed["text_config"].erase("model_type");
  unnamed["text_config"].erase("vocab_size");
  CHECK(parse_config(unnamed.dump()).parameter_counts().total() == parse_config(full.dump()).parameter_counts().total());
  // Qwen2.5-VL saved by transformers >= 4.53 nests its text model: counted as Qwen2.5-VL, biases included.
  json qwen25 = corpus_config("qwen2.5-vl-3b-instruct.json");
  json text = json::object();
  for (const char* key : {"hidden_size", "intermediate_size", "num_attention_heads", "num_hidden_layers",
                          "num_key_value_heads", "vocab_size", "max_position_embeddings"}) {
    text[key] = qwen25.at(key);
    qwen25.erase(key);
  }
  text["model_type"] = "qwen2_5_vl_text";
  qwen25["text_config"] = text;
  CHECK(parse_config(qwen25.dump()).parameter_counts().total() == 3'754'622'976);
}
