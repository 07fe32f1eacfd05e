#pragma once
// JSON written straight into a string, keys in the order written: the response, the schema and
// the error envelope, and parsed values quoted back in messages. Building a nlohmann::ordered_json
// first cost most of an estimate's time (its maps and allocations) and a fifth of the module's
// size; numbers are formatted by nlohmann's own to_chars, so the text is what its dump() printed,
// and nothing in the core calls dump() (its serializer would add ~45 KB to the module).

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmmem::detail {

class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view name) {
    separate();
    string_text(name);
    out_ += ':';
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view text) {
    separate();
    string_text(text);
    return *this;
  }
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
  }
  JsonWriter& value(std::int64_t number) {
    separate();
    out_ += std::to_string(number);
    return *this;
  }
  JsonWriter& value(int number) { return value(std::int64_t(number)); }
  JsonWriter& value(double number) {
    separate();
    if (!std::isfinite(number)) {
      out_ += "null";  // as nlohmann dumps NaN and infinities
    } else {
      char buffer[64];
      char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, number);
      out_.append(buffer, end);
    }
    return *this;
  }
  JsonWriter& null() {
    separate();
    out_ += "null";
    return *this;
  }
  /// The value, or null when there is none.
  template <typename T>
  JsonWriter& value(const std::optional<T>& maybe) {
    return maybe ? value(*maybe) : null();
  }
  /// A parsed JSON value written back as nlohmann's dump() would (keys in its order), without
  /// linking its serializer: about 45 KB of the module's code went to dump() alone. Depth is
  /// bounded by the parser's limits (64).
  JsonWriter& json_value(const nlohmann::json& v) {
    switch (v.type()) {
      case nlohmann::json::value_t::object:
        begin_object();
        for (const auto& item : v.items()) key(item.key()).json_value(item.value());
        return end_object();
      case nlohmann::json::value_t::array:
        begin_array();
        for (const nlohmann::json& item : v) json_value(item);
        return end_array();
      case nlohmann::json::value_t::string: return value(v.get_ref<const std::string&>());
      case nlohmann::json::value_t::boolean: return value(v.get<bool>());
      case nlohmann::json::value_t::number_integer: return value(v.get<std::int64_t>());
      case nlohmann::json::value_t::number_unsigned:
        separate();
        out_ += std::to_string(v.get<std::uint64_t>());
        return *this;
      case nlohmann::json::value_t::number_float: return value(v.get<double>());
      default: return null();  // null, and the binary and discarded kinds a parse never makes
    }
  }

  /// Text that is already JSON (a setting's value as the engine wrote it).
  JsonWriter& raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
  }

  /// `"name": value` in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    return key(name).value(v);
  }

  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char bracket) {
    separate();
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char bracket) {
    out_ += bracket;
    first_.pop_back();
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  /// The length of the valid UTF-8 sequence at `i`, or 0 (nlohmann's replace handler's rule:
  /// a message may cut a user's text in the middle of a character).
  static std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t n = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
      if ((byte(i + k) & 0xc0) != 0x80) return 0;
    }
    const unsigned char second = byte(i + 1);
    if ((lead == 0xe0 && second < 0xa0) || (lead == 0xed && second > 0x9f) || (lead == 0xf0 && second < 0x90) ||
        (lead == 0xf4 && second > 0x8f)) {
      return 0;  // overlong, a surrogate, or beyond U+10FFFF
    }
    return n;
  }

  /// A string as nlohmann dumps it: quotes, backslashes and control characters escaped, UTF-8
  /// as is, a broken sequence as U+FFFD.
  void string_text(std::string_view text) {
    out_ += '"';
    std::size_t run = 0;  // the start of the plain characters not yet copied, copied in one go
    for (std::size_t i = 0; i < text.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) continue;
      out_.append(text.substr(run, i - run));
      run = i + 1;
      if (c >= 0x80) {
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
          out_ += "\xEF\xBF\xBD";  // U+FFFD, as nlohmann's replace handler writes it
        } else {
          out_.append(text.substr(i, n));
          i += n - 1;
          run = i + 1;
        }
        continue;
      }
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += kHex[(c >> 4) & 0xf];
          out_ += kHex[c & 0xf];
        }
      }
    }
    out_.append(text.substr(run));
    out_ += '"';
  }

  std::string out_;
  std::vector<bool> first_;  // per open object or array: whether its next item is its first
  bool after_key_ = false;
};

}  // namespace llmmem::detail
