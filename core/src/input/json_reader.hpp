#pragma once
// Field-by-field reading of a JSON object with messages that name the field's full path.
// nlohmann's own exception texts name no field ("type must be number"), so every check is explicit.

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "llmmem/error.hpp"
#include "output/json_writer.hpp"  // JSON text, written as nlohmann would, without its serializer

namespace llmmem::detail {

using json = nlohmann::json;

/// The value as the user wrote it, as JSON (so a newline shows as \n and a message stays one
/// line), shortened to 60 characters.
inline std::string quote_value(const json& value) {
  std::string text = JsonWriter().json_value(value).take();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

/// A user's string quoted for a message: `"abc"`, escaped and shortened like quote_value.
inline std::string quote_text(const std::string& text) { return quote_value(json(text)); }

/// A key as it may appear in a field path: as written when it is short and printable, else quoted.
inline std::string printable_key(const std::string& key) {
  const bool plain = key.size() <= 60 && std::all_of(key.begin(), key.end(), [](unsigned char c) {
                       return c >= 0x20 && c != 0x7f && c != '"';
                     });
  return plain ? key : quote_text(key);
}

[[noreturn]] inline void fail(const std::string& path, const std::string& what) {
  throw InputError(path, path + ": " + what);
}

/// An integer in [min, max]; 4096.0 counts as an integer, 2.5 and "4096" do not.
inline std::int64_t integer_value(const json& value, const std::string& path, std::int64_t min,
                                  std::int64_t max) {
  const std::string expected =
      min == 1 ? "a positive integer" : (min == 0 ? "a non-negative integer" : "an integer");
  std::int64_t result = 0;
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > std::uint64_t(INT64_MAX)) {
    fail(path, "must be at most " + std::to_string(max) + ", got " + quote_value(value));
  } else if (value.is_number_integer()) {
    result = value.get<std::int64_t>();
  } else if (value.is_number_float() && std::isfinite(value.get<double>()) &&
             std::trunc(value.get<double>()) == value.get<double>() &&
             std::fabs(value.get<double>()) < 9.0e15) {
    result = static_cast<std::int64_t>(value.get<double>());
  } else {
    fail(path, "must be " + expected + ", got " + quote_value(value));
  }
  if (result < min) fail(path, "must be " + expected + ", got " + quote_value(value));
  if (result > max) fail(path, "must be at most " + std::to_string(max) + ", got " + quote_value(value));
  return result;
}

inline const char* json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

/// How a JSON null reads: config.json writes null for "use the default" (`"n_inner": null`);
/// in a request, null is a value of the wrong type (JavaScript's NaN serialises to null).
enum class Nulls { mean_default, are_values };

class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, Nulls nulls = Nulls::are_values)
      : object_(object), path_(std::move(path)), nulls_(nulls) {
    if (!object_.is_object()) {
      fail(path_, std::string("must be a JSON object, got ") + json_type_name(object_));
    }
  }

  std::string path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  /// The value under the first of `keys` present (and, for configs, not null); marks every
  /// alias as read. Sets `found_key` to the key used.
  const json* find(std::initializer_list<std::string_view> keys, std::string* found_key = nullptr) {
    const json* hit = nullptr;
    for (std::string_view key : keys) {
      // Only requests refuse unknown fields; a config.json's reader need not remember its keys
      // (a config is read with some hundred look-ups, and the bookkeeping was a third of it).
      // A request's reader looks each key up once (by the schema), so no duplicate check.
      if (nulls_ == Nulls::are_values) read_.emplace_back(key);
      auto it = object_.find(key);  // nlohmann's maps compare with std::less<>: no string built
      if (hit == nullptr && it != object_.end() && !(it->is_null() && nulls_ == Nulls::mean_default)) {
        hit = &*it;
        if (found_key) *found_key = std::string(key);
      }
    }
    return hit;
  }

  std::optional<std::int64_t> integer(std::initializer_list<std::string_view> keys,
                                      std::int64_t min, std::int64_t max) {
    std::string key;
    const json* value = find(keys, &key);
    if (!value) return std::nullopt;
    return integer_value(*value, path_of(key), min, max);
  }

  std::optional<std::string> string(std::initializer_list<std::string_view> keys) {
    std::string key;
    const json* value = find(keys, &key);
    if (!value) return std::nullopt;
    if (!value->is_string()) fail(path_of(key), "must be a string, got " + quote_value(*value));
    return value->get<std::string>();
  }

  std::optional<bool> boolean(std::initializer_list<std::string_view> keys) {
    std::string key;
    const json* value = find(keys, &key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) fail(path_of(key), "must be true or false, got " + quote_value(*value));
    return value->get<bool>();
  }

  /// Request objects accept only the fields we know: a misspelt field is an error, not a no-op.
  void reject_unknown_fields() const {
    assert(nulls_ == Nulls::are_values && "configs accept unknown fields");
    for (const auto& item : object_.items()) {
      if (std::find(read_.begin(), read_.end(), item.key()) != read_.end()) continue;
      std::string known;
      for (const std::string& key : read_) known += (known.empty() ? "" : ", ") + key;
      fail(path_of(printable_key(item.key())), "unknown field (known fields: " + known + ")");
    }
  }

 private:
  const json& object_;
  std::string path_;
  Nulls nulls_;
  std::vector<std::string> read_;  // a handful of keys: a vector beats a set's allocations
};

}  // namespace llmmem::detail
