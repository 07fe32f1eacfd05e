#pragma once
// The request's fields, once: path, kind, bounds, default, the engines and modes each applies
// to, and how the page labels it and the CLI spells it. The core validates requests by it; the
// page builds its form, the CLI its flags and wasm/index.d.ts its types from its JSON
// (schema_json); tests check that they agree.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "llmmem/request.hpp"

namespace llmmem {

enum class FieldKind {
  integer,         // JSON integer within [min, max]
  number,          // finite JSON number within the bounds (min_open: (min, max])
  boolean,
  choice,          // one of `choices`
  text,            // a string, checked by `check`
  integer_list,    // an array of positive integers, at most `max_entries`
  choice_list,     // a non-empty array of `choices`, at most `max_entries`
  spec_parameter,  // a MemoryEstimationParameters bound: the spec's own message when outside it
};

/// Which engines a field applies to, as bits (1 << Framework).
using EngineMask = unsigned;
constexpr EngineMask engine_bit(Framework framework) { return 1u << unsigned(framework); }
constexpr EngineMask kAllEngines = 0b11111;
constexpr EngineMask kTrainingEngines = engine_bit(Framework::transformers) | engine_bit(Framework::deepspeed);

/// Which modes a field applies to, as bits (1 << Mode).
using ModeMask = unsigned;
constexpr ModeMask mode_bit(Mode mode) { return 1u << unsigned(mode); }
constexpr ModeMask kAllModes = 0b11;

struct FieldSpec {
  std::string_view path;  // "workload.max_num_seqs"; "framework" at the top level
  FieldKind kind;
  double min = 0, max = 0;      // integer and number bounds
  bool min_open = false;        // number: (min, max]
  bool max_open = false;        // number: [min, max)
  std::string_view bounds_text; // "a number of GiB in (0, 1000000]": the message's "must be ..."
  std::size_t max_entries = 0;  // lists
  std::span<const std::string_view> choices;
  std::span<const std::string_view> choice_labels;  // the page's words for each choice, when not its value
  bool lowercase = false;       // a choice read case-insensitively ("AdamW")
  std::string_view default_json;  // the default as JSON, or "" when the engine decides it
  std::string_view default_note;  // how the engine decides it, or what the default means
  std::span<const std::string_view> suggestions;  // text: values people type, the engine's default first
  EngineMask engines = kAllEngines;
  ModeMask modes = kAllModes;
  // Applies only when another field holds one of these values (LoRA's rank under LoRA/QLoRA).
  std::string_view when_path;
  std::span<const std::string_view> when_values;
  // Presentation: the page's group and label, the CLI's flags (the first is canonical), a line of help.
  std::string_view section, label, flags, help;
  bool advanced = false;
  // Writes a checked value into a shared, typed field; nullptr: an engine's own field, which
  // the engine reads from scenario.given and resolves.
  void (*assign)(Request&, const FieldValue&) = nullptr;
  // Extra checks for text fields (a version's form, a catalogue name); throws InputError.
  void (*check)(const std::string& path, const FieldValue&) = nullptr;

  bool applies_to(Framework framework, Mode mode) const {
    return (engines & engine_bit(framework)) != 0 && (modes & mode_bit(mode)) != 0;
  }
};

/// Every field, in the order the page and the CLI's help list them.
std::span<const FieldSpec> request_fields();
const FieldSpec* find_field(std::string_view path);

/// Sets a field of a request (its typed member, if any) and records it as given: what the
/// parser does for each field, and what sweeps and the solver do to vary one.
void assign_field(Request& request, const FieldSpec& field, FieldValue value);

/// A field's value as JSON text: as given, else its default ("" when the engine decides it).
std::string field_value_json(const Scenario& scenario, const FieldSpec& field);

/// Whether a given field is read in this request: its engine and mode, and its `when`.
bool field_applies(const FieldSpec& field, const Request& request);

/// The schema as JSON: {fields: [...], engines: [...], gpus: [...]} for the page, CLI and types.
std::string schema_json();

}  // namespace llmmem
