// JSON text in: bounded before parsing, then parsed with messages that say where it broke.
#include "input/json_reader.hpp"
#include "input/request_parser.hpp"
#include "llmmem/limits.hpp"

namespace llmmem {
namespace {

using detail::fail;
using detail::json;

/// One pass over the bytes before any parsing (llmmem/limits.hpp): hostile input is refused in
/// microseconds instead of exhausting memory or the stack.
void check_json_bounds(std::string_view text, const std::string& what) {
  if (text.size() > kMaxJsonBytes) {
    fail(what, "too large: " + std::to_string(text.size()) + " bytes, at most " +
                   std::to_string(kMaxJsonBytes) + " (4 MiB)");
  }
  int depth = 0;
  std::size_t separators = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '\0':  // nlohmann stops at a NUL byte and would ignore whatever follows it
        fail(what, "holds a NUL byte at offset " + std::to_string(i));
      case '"': in_string = true; break;
      case '[': case '{':
        if (++depth > kMaxJsonDepth) fail(what, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        break;
      case ']': case '}': --depth; break;
      case ',': case ':':
        if (++separators > kMaxJsonValues) {
          fail(what, "holds more than " + std::to_string(kMaxJsonValues) + " values");
        }
        break;
      default: break;
    }
  }
}

}  // namespace

json detail::parse_json_text(std::string_view text, const std::string& what) {
  check_json_bounds(text, what);
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // Syntax errors and number overflow (1e400). nlohmann's text says where ("line 1,
    // column 2"); drop its "[json.exception...]" prefix.
    std::string detail = e.what();
    if (auto bracket = detail.find("] "); bracket != std::string::npos) detail.erase(0, bracket + 2);
    fail(what, "not valid JSON (" + detail + ")");
  }
}

}  // namespace llmmem
