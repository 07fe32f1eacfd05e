// The schema's blocks put together (the shared fields, each engine's, the spec's parameters),
// and what is read from them: a field by path, a value as JSON, whether a field applies, the
// whole schema as JSON for the page, the CLI and the types.
#include "llmmem/schema.hpp"

#include <array>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/registry.hpp"
#include "llmmem/gpus.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem {
namespace {

using V = std::string_view;
constexpr std::array<V, 3> kFrameworks = {"transformers", "vllm", "deepspeed"};
constexpr std::array<V, 2> kModes = {"inference", "training"};

const std::vector<FieldSpec>& all_fields() {
  static const std::vector<FieldSpec> fields = [] {
    std::vector<FieldSpec> out;
    for (std::span<const FieldSpec> block : engines::field_blocks()) out.insert(out.end(), block.begin(), block.end());
    return out;
  }();
  return fields;
}

const char* kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::integer: return "integer";
    case FieldKind::number: case FieldKind::spec_parameter: return "number";
    case FieldKind::boolean: return "boolean";
    case FieldKind::choice: return "choice";
    case FieldKind::text: return "text";
    case FieldKind::integer_list: return "integer_list";
    case FieldKind::choice_list: return "choice_list";
  }
  return "";
}

nlohmann::ordered_json names(std::span<const V> values) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (V value : values) list.push_back(value);
  return list;
}

nlohmann::ordered_json words(V text) {  // "--a --b" -> ["--a", "--b"]
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    list.push_back(text.substr(0, space));
    text = space == V::npos ? V() : text.substr(space + 1);
  }
  return list;
}

}  // namespace

std::span<const FieldSpec> request_fields() { return all_fields(); }

const FieldSpec* find_field(std::string_view path) {
  for (const FieldSpec& field : all_fields()) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

std::string field_value_json(const Scenario& scenario, const FieldSpec& field) {
  const FieldValue* v = scenario.given.find(field.path);
  if (!v) return std::string(field.default_json);
  nlohmann::json value;
  switch (field.kind) {
    case FieldKind::integer: value = v->integer; break;
    case FieldKind::number: case FieldKind::spec_parameter: value = v->number; break;
    case FieldKind::boolean: value = v->boolean; break;
    case FieldKind::choice: case FieldKind::text: value = v->text; break;
    case FieldKind::integer_list: value = v->integers; break;
    case FieldKind::choice_list: value = v->texts; break;
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool field_applies(const FieldSpec& field, const Request& request) {
  if (!field.applies_to(request.framework, request.scenario.mode)) return false;
  if (field.when_path.empty()) return true;
  const std::string current = field_value_json(request.scenario, *find_field(field.when_path));
  for (V value : field.when_values) {
    if (current == "\"" + std::string(value) + "\"") return true;
  }
  return false;
}

std::string schema_json() {
  using ordered = nlohmann::ordered_json;
  ordered fields = ordered::array();
  for (const FieldSpec& f : all_fields()) {
    ordered field = {{"path", f.path}, {"kind", kind_name(f.kind)}};
    if (f.kind == FieldKind::integer || f.kind == FieldKind::number) {
      field["min"] = f.min;
      field["max"] = f.max;
      if (f.min_open) field["min_open"] = true;
      if (f.max_open) field["max_open"] = true;
    }
    if (f.kind == FieldKind::spec_parameter) {
      const V name = f.path.substr(f.path.rfind('.') + 1);
      for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
        if (b->name == name) field.update({{"min", b->min}, {"max", b->max}});
      }
    }
    if (f.max_entries) field["max_entries"] = f.max_entries;
    if (!f.choices.empty()) field["choices"] = names(f.choices);
    field["default"] = f.default_json.empty() ? ordered(nullptr) : ordered::parse(f.default_json);
    if (!f.default_note.empty()) field["default_note"] = f.default_note;
    ordered engines = ordered::array(), modes = ordered::array();
    for (std::size_t i = 0; i < kFrameworks.size(); ++i) {
      if (f.engines & (1u << i)) engines.push_back(kFrameworks[i]);
    }
    for (std::size_t i = 0; i < kModes.size(); ++i) {
      if (f.modes & (1u << i)) modes.push_back(kModes[i]);
    }
    field["engines"] = engines;
    field["modes"] = modes;
    if (!f.when_path.empty()) field["when"] = {{"path", f.when_path}, {"values", names(f.when_values)}};
    field.update({{"section", f.section}, {"label", f.label}, {"flags", words(f.flags)}, {"help", f.help},
                  {"advanced", f.advanced}});
    fields.push_back(std::move(field));
  }
  ordered gpus = ordered::array();
  for (const GpuModel& g : gpu_catalogue()) {
    gpus.push_back({{"name", g.name}, {"aliases", words(g.aliases)}, {"device_name", g.device_name},
                    {"memory_gib", g.memory_gib},
                    {"compute_capability", g.compute_capability > 0 ? ordered(g.compute_capability) : ordered(nullptr)},
                    {"source", g.source}});
  }
  return ordered{{"fields", fields}, {"engines", names(kFrameworks)}, {"gpus", gpus}}.dump();
}

}  // namespace llmmem
