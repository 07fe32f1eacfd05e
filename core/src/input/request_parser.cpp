// Request JSON -> Request, field by field as the schema lists them, every value checked with its path.
#include <algorithm>
#include <cctype>

#include "accounting/weights_as.hpp"
#include "input/config_parser.hpp"
#include "input/json_reader.hpp"
#include "input/request_parser.hpp"
#include "llmmem/gpus.hpp"
#include "llmmem/input.hpp"
#include "llmmem/schema.hpp"

namespace llmmem {
namespace {

using detail::fail;
using detail::json;
using detail::ObjectReader;

std::string one_of_message(std::span<const std::string_view> choices, const std::string& got) {
  std::string names;
  for (std::string_view name : choices) names += (names.empty() ? "\"" : ", \"") + std::string(name) + "\"";
  return "must be one of " + names + ", got " + detail::quote_text(got);
}

std::string chosen(const FieldSpec& field, const json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "must be a string, got " + detail::quote_value(value));
  std::string text = value.get<std::string>();
  if (field.lowercase) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  }
  if (std::find(field.choices.begin(), field.choices.end(), text) == field.choices.end()) {
    fail(path, one_of_message(field.choices, text));
  }
  return text;
}

double finite_number(const json& value, const std::string& path) {
  if (!value.is_number() || !std::isfinite(value.get<double>())) {
    fail(path, "must be a number, got " + detail::quote_value(value));
  }
  return value.get<double>();
}

}  // namespace

FieldValue detail::read_field(const FieldSpec& field, const json& value, const std::string& path) {
  FieldValue out;
  switch (field.kind) {
    case FieldKind::integer:
      out.integer = detail::integer_value(value, path, std::int64_t(field.min), std::int64_t(field.max));
      break;
    case FieldKind::number: {
      out.number = finite_number(value, path);
      const bool low = field.min_open ? out.number <= field.min : out.number < field.min;
      const bool high = field.max_open ? out.number >= field.max : out.number > field.max;
      if (low || high) fail(path, "must be " + std::string(field.bounds_text) + ", got " + detail::quote_value(json(out.number)));
      break;
    }
    case FieldKind::spec_parameter: {
      out.number = finite_number(value, path);
      const std::string_view name = field.path.substr(field.path.rfind('.') + 1);
      for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
        if (b->name == name && !(b->min <= out.number && out.number <= b->max)) {
          throw InputError(path, out_of_range_message(*b, detail::JsonWriter().json_value(value).take()));
        }
      }
      break;
    }
    case FieldKind::boolean:
      if (!value.is_boolean()) fail(path, "must be true or false, got " + detail::quote_value(value));
      out.boolean = value.get<bool>();
      break;
    case FieldKind::choice:
      out.text = chosen(field, value, path);
      break;
    case FieldKind::text:
      if (!value.is_string()) fail(path, "must be a string, got " + detail::quote_value(value));
      out.text = value.get<std::string>();
      break;
    case FieldKind::integer_list:
      if (!value.is_array()) fail(path, "must be an array of positive integers, got " + detail::quote_value(value));
      if (value.size() > field.max_entries) {
        fail(path, "must have at most " + std::to_string(field.max_entries) + " entries, got " + std::to_string(value.size()));
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        out.integers.push_back(detail::integer_value(value[i], path + "[" + std::to_string(i) + "]", 1, std::int64_t(field.max)));
      }
      break;
    case FieldKind::choice_list:
      if (!value.is_array() || value.empty()) {
        fail(path, "must be a non-empty array of projection names, got " + detail::quote_value(value));
      }
      if (value.size() > field.max_entries) {
        fail(path, "must have at most " + std::to_string(field.max_entries) + " entries, got " + std::to_string(value.size()));
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string item = path + "[" + std::to_string(i) + "]";
        if (!value[i].is_string()) fail(item, "must be a projection name, got " + detail::quote_value(value[i]));
        out.texts.push_back(chosen(field, value[i], item));
      }
      break;
  }
  if (field.check) field.check(path, out);
  return out;
}

namespace {

/// Reads each key of one section object ("workload", ...) as the schema's field of that path; a
/// key the schema does not know is refused with the section's fields listed.
void read_section(const json& object, std::string_view section, Request& request) {
  if (!object.is_object()) fail(std::string(section), std::string("must be a JSON object, got ") + detail::json_type_name(object));
  std::string path(section);
  path += '.';
  for (const auto& [key, value] : object.items()) {
    path.resize(section.size() + 1);
    path += key;
    const FieldSpec* field = find_field(path);
    if (!field) {
      std::string known;
      for (const FieldSpec& f : request_fields()) {
        if (f.path.size() > section.size() && f.path.substr(0, section.size()) == section && f.path[section.size()] == '.') {
          known += (known.empty() ? "" : ", ") + std::string(f.path.substr(section.size() + 1));
        }
      }
      fail(std::string(section) + "." + detail::printable_key(key), "unknown field (known fields: " + known + ")");
    }
    assign_field(request, *field, detail::read_field(*field, value, path));
  }
}

/// A catalogue GPU fills what the request did not say itself.
void resolve_gpu(Request& request) {
  FrameworkConfig& f = request.scenario.framework_config;
  if (f.gpu.empty()) return;
  const GpuModel* gpu = find_gpu(f.gpu);
  f.gpu = std::string(gpu->name);
  if (!f.gpu_memory_gib) f.gpu_memory_gib = gpu->memory_gib;
  if (!f.gpu_compute_capability && gpu->compute_capability > 0) f.gpu_compute_capability = gpu->compute_capability;
}

}  // namespace

const FieldValue* GivenFields::find(std::string_view path) const {
  // A handful of entries, looked up by every probe of the solver: the length first, then the
  // tail (paths of one section share their head).
  for (const auto& [key, value] : values_) {
    if (key.size() == path.size() && key.back() == path.back() && key == path) return &value;
  }
  return nullptr;
}

void GivenFields::set(std::string_view path, FieldValue value) {
  for (auto& [key, existing] : values_) {
    if (key == path) {
      existing = std::move(value);
      return;
    }
  }
  values_.emplace_back(path, std::move(value));
}

void assign_field(Request& request, const FieldSpec& field, FieldValue value) {
  if (field.assign) field.assign(request, value);
  request.scenario.given.set(field.path, std::move(value));
}

const char* to_string(Framework framework) { return kFrameworkNames[std::size_t(framework)].data(); }

const char* to_string(Mode mode) { return kModeNames[std::size_t(mode)].data(); }

ModelSpec parse_config(std::string_view config_json) {
  return detail::model_from_config(detail::parse_json_text(config_json, "config"), "config");
}

Request parse_request(std::string_view request_json) {
  return detail::request_from_json(detail::parse_json_text(request_json, "request"));
}

Request detail::request_from_json(const json& root) {
  if (!root.is_object()) fail("request", std::string("must be a JSON object, got ") + detail::json_type_name(root));
  ObjectReader r(root, "");
  Request request;
  // params first: a config's reading does not depend on them, but an early bad parameter is
  // the message a user of the spec expects.
  if (const json* params = r.find({"params"})) read_section(*params, "params", request);
  const json* config = r.find({"config"});
  if (!config) fail("config", "missing (the model's Hugging Face config.json object)");
  request.model = detail::model_from_config(*config, "config");
  if (const json* framework = r.find({"framework"})) {
    assign_field(request, *find_field("framework"), detail::read_field(*find_field("framework"), *framework, "framework"));
  }
  Scenario& scenario = request.scenario;
  scenario.mode = request.framework == Framework::deepspeed ? Mode::training : Mode::inference;
  for (std::string_view section : {"workload", "parallelism", "framework_config", "checkpoint"}) {
    if (const json* object = r.find({section})) read_section(*object, section, request);
  }
  r.reject_unknown_fields();
  // The what-if replaces the checkpoint's storage before anything weighs it.
  detail::apply_weights_as(request.model, request.model.weights_as, request.framework);
  if ((request.framework == Framework::vllm || request.framework == Framework::llamacpp || request.framework == Framework::sglang) &&
      scenario.mode == Mode::training) {
    fail("workload.mode", std::string(to_string(request.framework)) +
                              " serves models: \"training\" needs framework \"transformers\" or \"deepspeed\"");
  }
  if (request.framework == Framework::deepspeed && scenario.mode == Mode::inference) {
    fail("workload.mode", "the deepspeed estimator models ZeRO training: use \"training\", or framework "
                          "\"transformers\" or \"vllm\" for inference");
  }
  resolve_gpu(request);
  request.params.validate();
  validate_request(request);
  return request;
}

void validate_request(const Request& request) {
  const Parallelism& p = request.scenario.parallelism;
  const CheckpointFacts& file = request.model.checkpoint;
  if (!file.layer_bytes.empty() && std::int64_t(file.layer_bytes.size()) != request.model.num_layers) {
    fail("checkpoint.layer_bytes", "lists " + std::to_string(file.layer_bytes.size()) + " layers; the config has " +
                                       std::to_string(request.model.num_layers));
  }
  if (p.zero_stage > 0 && request.framework != Framework::deepspeed) {
    fail("parallelism.zero_stage", "ZeRO needs framework \"deepspeed\", got zero_stage " +
                                       std::to_string(p.zero_stage) + " with \"" +
                                       to_string(request.framework) + "\"");
  }
  const FrameworkConfig& f = request.scenario.framework_config;
  if ((f.offload_optimizer || f.offload_param) && request.framework != Framework::deepspeed) {
    fail(f.offload_optimizer ? "framework_config.offload_optimizer" : "framework_config.offload_param",
         "CPU offload needs framework \"deepspeed\"");
  }
  if (f.offload_optimizer && p.zero_stage == 0) {
    fail("framework_config.offload_optimizer", "ZeRO-Offload needs zero_stage 1, 2 or 3, got 0");
  }
  if (f.offload_param && (p.zero_stage != 3 || !f.offload_optimizer)) {
    fail("framework_config.offload_param",
         "parameter offload needs zero_stage 3 with offload_optimizer \"cpu\" (DeepSpeed offers no other combination)");
  }
  if (f.fsdp != FsdpSharding::none && request.framework != Framework::transformers) {
    fail("framework_config.fsdp", std::string("FSDP is PyTorch's: it needs framework \"transformers\" (DeepSpeed shards with zero_stage), got \"") +
                                      to_string(request.framework) + "\"");
  }
  if (f.optimizer_in_backward && request.framework == Framework::deepspeed) {
    fail("framework_config.optimizer_in_backward", "optimizer_in_backward is a PyTorch (torchtune) technique: it needs framework \"transformers\"");
  }
  if (f.offload_activations && f.gradient_checkpointing == GradientCheckpointing::none) {
    fail("framework_config.offload_activations",
         "activation offloading moves the checkpointed layer inputs: it needs gradient_checkpointing \"full\" or \"selective\"");
  }
  if (p.sequence_parallel && p.tensor_parallel_size == 1) {
    fail("parallelism.sequence_parallel", "sequence parallelism splits over the tensor-parallel ranks: it needs tensor_parallel_size > 1");
  }
  const ModelSpec& m = request.model;
  // vLLM checks the heads itself, and refuses in its own words (the vLLM engine's verdict).
  if (request.framework != Framework::vllm && m.attention.num_heads % p.tensor_parallel_size != 0) {
    fail("parallelism.tensor_parallel_size",
         "must divide num_attention_heads (" + std::to_string(m.attention.num_heads) + "), got " +
             std::to_string(p.tensor_parallel_size));
  }
  if (p.pipeline_parallel_size > m.num_layers) {
    fail("parallelism.pipeline_parallel_size",
         "must be at most num_hidden_layers (" + std::to_string(m.num_layers) + "), got " +
             std::to_string(p.pipeline_parallel_size));
  }
  const std::int64_t tp_times_dp = p.tensor_parallel_size * p.data_parallel_size;
  if (request.framework == Framework::vllm && p.expert_parallel_size > 1 &&
      p.expert_parallel_size != tp_times_dp) {
    fail("parallelism.expert_parallel_size",
         "vLLM's expert parallelism spans every tensor x data parallel rank: must be 1 or " +
             std::to_string(tp_times_dp) + ", got " + std::to_string(p.expert_parallel_size));
  }
  if (p.expert_parallel_size > 1 && m.is_moe() && p.expert_parallel_size > m.moe.num_experts) {
    fail("parallelism.expert_parallel_size",
         "must be at most the number of experts (" + std::to_string(m.moe.num_experts) + "), got " +
             std::to_string(p.expert_parallel_size));
  }
}

}  // namespace llmmem
