// The one place that knows every engine: a line each, with its policy and its block of fields.
// Adding an engine is its folder (engine.cpp, fields.cpp) and a line here.
#include "engines/registry.hpp"
#include "llmmem/engine.hpp"

namespace llmmem {
namespace fields {
std::span<const FieldSpec> shared_fields();
std::span<const FieldSpec> parameter_fields();
std::span<const FieldSpec> transformers_fields();
std::span<const FieldSpec> deepspeed_fields();
std::span<const FieldSpec> vllm_fields();
std::span<const FieldSpec> llamacpp_fields();
std::span<const FieldSpec> sglang_fields();
}  // namespace fields

namespace engines {
std::unique_ptr<Engine> make_transformers_engine(const Request& request);
std::unique_ptr<Engine> make_deepspeed_engine(const Request& request);
std::unique_ptr<Engine> make_vllm_engine(const Request& request);
std::unique_ptr<Engine> make_llamacpp_engine(const Request& request);
std::unique_ptr<Engine> make_sglang_engine(const Request& request);

namespace {

struct Registered {
  Framework framework;
  std::unique_ptr<Engine> (*make)(const Request&);
  std::span<const FieldSpec> (*fields)();
};

constexpr Registered kEngines[] = {
    {Framework::transformers, make_transformers_engine, fields::transformers_fields},
    {Framework::deepspeed, make_deepspeed_engine, fields::deepspeed_fields},
    {Framework::vllm, make_vllm_engine, fields::vllm_fields},
    {Framework::llamacpp, make_llamacpp_engine, fields::llamacpp_fields},
    {Framework::sglang, make_sglang_engine, fields::sglang_fields},
};

}  // namespace

std::vector<std::span<const FieldSpec>> field_blocks() {
  std::vector<std::span<const FieldSpec>> blocks = {fields::shared_fields()};
  for (const Registered& engine : kEngines) blocks.push_back(engine.fields());
  blocks.push_back(fields::parameter_fields());
  return blocks;
}

}  // namespace engines

std::unique_ptr<Engine> create_engine(const Request& request) {
  for (const engines::Registered& engine : engines::kEngines) {
    if (engine.framework == request.framework) return engine.make(request);
  }
  return nullptr;
}

}  // namespace llmmem
