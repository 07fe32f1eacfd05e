// Broken configs: each error names the field, never crashes.
#include <doctest/doctest.h>

#include "llmmem/api.hpp"
#include "llmmem/error.hpp"
#include "test_support.hpp"

using namespace llmmem;
using llmmem::testing::corpus_config;
using llmmem::testing::json;

namespace {
InputError config_error(const json& config) {
  try {
    parse_config(config.dump());
  } catch (const InputError& e) {
    return e;
  }
  FAIL("config accepted: " << config.dump());
  return InputError("", "");
}
}  // namespace

TEST_CASE("config errors name the field") {
  json llama = corpus_config("llama-2-7b-hf.json");

  SUBCASE("missing hidden_size") {
    llama.erase("hidden_size");
    const InputError e = config_error(llama);
    CHECK(e.field() == "config.hidden_size");
    CHECK(std::string(e.what()) == "config.hidden_size: missing (a required positive integer)");
  }
  SUBCASE("a string where a number belongs") {
    llama["hidden_size"] = "abc";
    const InputError e = config_error(llama);
    CHECK(e.field() == "config.hidden_size");
    CHECK(std::string(e.what()) == R"(config.hidden_size: must be a positive integer, got "abc")");
  }
  SUBCASE("a fraction where an integer belongs") {
    llama["num_hidden_layers"] = 2.5;
    CHECK(std::string(config_error(llama).what()) ==
          "config.num_hidden_layers: must be a positive integer, got 2.5");
  }
  SUBCASE("an integral float is an integer") {
    llama["num_hidden_layers"] = 32.0;
    CHECK(parse_config(llama.dump()).num_layers == 32);
  }
  SUBCASE("zero and negatives") {
    llama["num_attention_heads"] = 0;
    CHECK(config_error(llama).field() == "config.num_attention_heads");
    llama["num_attention_heads"] = -8;
    CHECK(config_error(llama).field() == "config.num_attention_heads");
  }
  SUBCASE("KV heads that do not divide the heads") {
    llama["num_key_value_heads"] = 5;
    CHECK(std::string(config_error(llama).what()) ==
          "config.num_key_value_heads: must divide num_attention_heads (32), got 5");
  }
  SUBCASE("heads that do not divide hidden_size without head_dim") {
    llama["num_attention_heads"] = 30;
    llama["num_key_value_heads"] = 30;
    CHECK(config_error(llama).field() == "config.num_attention_heads");
  }
  SUBCASE("an unknown dtype") {
    llama["torch_dtype"] = "float12";
    CHECK(config_error(llama).field() == "config.torch_dtype");
  }
  SUBCASE("GPT-2 aliases are reported under their own names") {
    json gpt2 = corpus_config("gpt2.json");
    gpt2["n_embd"] = "wide";
    CHECK(config_error(gpt2).field() == "config.n_embd");
  }
  SUBCASE("a config that is not an object") {
    CHECK(config_error(json::array({1, 2})).field() == "config");
  }
  SUBCASE("malformed JSON text") {
    try {
      parse_config("{\"hidden_size\": 4096,");
      FAIL("accepted malformed JSON");
    } catch (const InputError& e) {
      CHECK(e.field() == "config");
      CHECK(std::string(e.what()).find("config: not valid JSON (parse error at line 1") == 0);
    }
  }
  SUBCASE("quantization_config with a bad bits value") {
    llama["quantization_config"] = {{"bits", "four"}};
    CHECK(config_error(llama).field() == "config.quantization_config.bits");
  }
}
