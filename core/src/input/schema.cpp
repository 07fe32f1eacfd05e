// The schema's blocks put together (the shared fields, each engine's, the spec's parameters),
// and what is read from them: a field by path, a value as JSON, whether a field applies, the
// whole schema as JSON for the page, the CLI and the types.
#include "llmmem/schema.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/registry.hpp"
#include "input/request_parser.hpp"
#include "output/json_writer.hpp"
#include "llmmem/gpus.hpp"
#include "llmmem/limits.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem {
namespace {

using V = std::string_view;

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

}  // namespace

std::span<const FieldSpec> request_fields() { return all_fields(); }

const FieldSpec* find_field(std::string_view path) {
  // By path, in a sorted index: parsing and every probe of the solver look fields up.
  static const std::vector<const FieldSpec*> index = [] {
    std::vector<const FieldSpec*> sorted;
    for (const FieldSpec& field : all_fields()) sorted.push_back(&field);
    std::sort(sorted.begin(), sorted.end(), [](const FieldSpec* a, const FieldSpec* b) { return a->path < b->path; });
    return sorted;
  }();
  const auto it = std::lower_bound(index.begin(), index.end(), path,
                                   [](const FieldSpec* field, std::string_view wanted) { return field->path < wanted; });
  return it != index.end() && (*it)->path == path ? *it : nullptr;
}

std::string field_value_json(const Scenario& scenario, const FieldSpec& field) {
  const FieldValue* v = scenario.given.find(field.path);
  if (!v) return std::string(field.default_json);
  detail::JsonWriter w;
  switch (field.kind) {
    case FieldKind::integer: w.value(v->integer); break;
    case FieldKind::number: case FieldKind::spec_parameter: w.value(v->number); break;
    case FieldKind::boolean: w.value(v->boolean); break;
    case FieldKind::choice: case FieldKind::text: w.value(v->text); break;
    case FieldKind::integer_list:
      w.begin_array();
      for (std::int64_t n : v->integers) w.value(n);
      w.end_array();
      break;
    case FieldKind::choice_list:
      w.begin_array();
      for (const std::string& text : v->texts) w.value(text);
      w.end_array();
      break;
  }
  return w.take();
}

bool field_applies(const FieldSpec& field, const Request& request) {
  if (!field.applies_to(request.framework, request.scenario.mode)) return false;
  if (field.when_path.empty()) return true;
  const std::string current = field_value_json(request.scenario, *find_field(field.when_path));
  // `current` is JSON text: a choice reads as the quoted name.
  const bool quoted = current.size() >= 2 && current.front() == '"' && current.back() == '"';
  const std::string_view name = quoted ? std::string_view(current).substr(1, current.size() - 2) : std::string_view();
  for (V value : field.when_values) {
    if (quoted && name == value) return true;
  }
  return false;
}

std::string schema_json() {
  detail::JsonWriter w;
  auto names = [&](std::span<const V> values) {
    w.begin_array();
    for (V value : values) w.value(value);
    w.end_array();
  };
  auto words = [&](V text) {  // "--a --b" -> ["--a", "--b"]
    w.begin_array();
    while (!text.empty()) {
      const std::size_t space = text.find(' ');
      w.value(text.substr(0, space));
      text = space == V::npos ? V() : text.substr(space + 1);
    }
    w.end_array();
  };
  w.begin_object().key("fields").begin_array();
  for (const FieldSpec& f : all_fields()) {
    w.begin_object().field("path", f.path).field("kind", kind_name(f.kind));
    double min = f.min, max = f.max;
    if (f.kind == FieldKind::spec_parameter) {
      const V name = f.path.substr(f.path.rfind('.') + 1);
      for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
        if (b->name == name) min = b->min, max = b->max;
      }
    }
    if (f.kind == FieldKind::integer || f.kind == FieldKind::number || f.kind == FieldKind::spec_parameter) {
      w.field("min", min).field("max", max);
      if (f.min_open) w.field("min_open", true);
      if (f.max_open) w.field("max_open", true);
    }
    if (f.max_entries) w.field("max_entries", std::int64_t(f.max_entries));
    if (!f.choices.empty()) {
      w.key("choices");
      names(f.choices);
    }
    if (!f.choice_labels.empty()) {
      w.key("choice_labels");
      names(f.choice_labels);
    }
    w.key("default");
    if (f.default_json.empty()) w.null();
    else w.raw(f.default_json);
    if (!f.default_note.empty()) w.field("default_note", f.default_note);
    if (!f.suggestions.empty()) {
      w.key("suggestions");
      names(f.suggestions);
    }
    w.key("engines").begin_array();
    for (std::size_t i = 0; i < std::size(kFrameworkNames); ++i) {
      if (f.engines & (1u << i)) w.value(kFrameworkNames[i]);
    }
    w.end_array().key("modes").begin_array();
    for (std::size_t i = 0; i < std::size(kModeNames); ++i) {
      if (f.modes & (1u << i)) w.value(kModeNames[i]);
    }
    w.end_array();
    if (!f.when_path.empty()) {
      w.key("when").begin_object().field("path", f.when_path).key("values");
      names(f.when_values);
      w.end_object();
    }
    w.field("section", f.section).field("label", f.label).key("flags");
    words(f.flags);
    w.field("help", f.help).field("advanced", f.advanced).end_object();
  }
  w.end_array().key("engines");
  names(kFrameworkNames);
  w.key("gpus").begin_array();
  for (const GpuModel& g : gpu_catalogue()) {
    w.begin_object().field("name", g.name).key("aliases");
    words(g.aliases);
    w.field("device_name", g.device_name).field("memory_gib", g.memory_gib).key("compute_capability");
    if (g.compute_capability > 0) w.value(g.compute_capability);
    else w.null();
    w.field("source", g.source).field("kind", g.kind).end_object();
  }
  w.end_array().key("limits").begin_object()
      .field("request_bytes", std::int64_t(kMaxJsonBytes)).field("nesting_depth", kMaxJsonDepth)
      .field("json_values", std::int64_t(kMaxJsonValues)).end_object();
  return w.end_object().take();
}

}  // namespace llmmem
