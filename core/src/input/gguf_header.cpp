// GGUF headers (ggml/docs/gguf.md), checked as llama.cpp's loader checks them (ggml/src/gguf.cpp,
// gguf_init_from_reader), from a prefix of the file: little-endian, "GGUF", a uint32 version, a
// uint64 tensor count and metadata count, the metadata (key, uint32 type, value), the tensor
// infos (name, uint32 n_dims, n_dims uint64 dimensions, uint32 ggml type, uint64 offset into the
// data section), padding to general.alignment, then the data. Untrusted input: nothing is
// allocated for a count before the bytes that back it are present.
#include "llmmem/gguf_header.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "input/config_sections.hpp"  // kMaxLayers
#include "input/json_reader.hpp"      // fail, quote_text

namespace llmmem {
namespace {

using detail::fail;
using detail::quote_text;

// Bounds on what a header may declare, far above any real file's and below what would let a
// few bytes cost gigabytes. llama.cpp allows 2^30 array elements and 1 GiB strings
// (GGUF_MAX_ARRAY_ELEMENTS, GGUF_MAX_STRING_LENGTH in ggml/src/gguf.cpp); real headers hold at
// most ~3k tensors, tens of keys, a 262k-token vocabulary and chat templates of tens of KB.
constexpr std::int64_t kMaxTensors = std::int64_t(1) << 20;
constexpr std::int64_t kMaxMetadataKeys = std::int64_t(1) << 20;
constexpr std::int64_t kMaxArrayElements = std::int64_t(1) << 28;
constexpr std::int64_t kMaxStringBytes = std::int64_t(1) << 24;  // keys and string values
constexpr int kMaxArrayNesting = 2;                               // an array of arrays, no deeper
constexpr std::int64_t kMaxTensorName = 63;  // GGML_MAX_NAME (64) with its NUL: llama.cpp refuses longer
// llama.cpp takes any power of two; files use 32 (GGUF_DEFAULT_ALIGNMENT), some 64 or 4096. A
// bound keeps the padding a reader is asked to fetch small.
constexpr std::int64_t kMaxAlignment = std::int64_t(1) << 20;
constexpr std::int64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // empty name, one dimension, type, offset
constexpr std::int64_t kMinMetadataBytes = 8 + 1 + 4 + 1;        // a 1-byte key, a 1-byte value

// ggml/include/ggml.h (enum ggml_type) and ggml/src/ggml.c (type_traits: blck_size and
// sizeof(block_*), whose sizes ggml/src/ggml-common.h asserts). Block 0: an id ggml removed.
constexpr GgmlTypeTraits kGgmlTypes[] = {
    {"F32", 1, 4}, {"F16", 1, 2}, {"Q4_0", 32, 18}, {"Q4_1", 32, 20}, {"Q4_2", 0, 0}, {"Q4_3", 0, 0},
    {"Q5_0", 32, 22}, {"Q5_1", 32, 24}, {"Q8_0", 32, 34}, {"Q8_1", 32, 36}, {"Q2_K", 256, 84}, {"Q3_K", 256, 110},
    {"Q4_K", 256, 144}, {"Q5_K", 256, 176}, {"Q6_K", 256, 210}, {"Q8_K", 256, 292}, {"IQ2_XXS", 256, 66},
    {"IQ2_XS", 256, 74}, {"IQ3_XXS", 256, 98}, {"IQ1_S", 256, 50}, {"IQ4_NL", 32, 18}, {"IQ3_S", 256, 110},
    {"IQ2_S", 256, 82}, {"IQ4_XS", 256, 136}, {"I8", 1, 1}, {"I16", 1, 2}, {"I32", 1, 4}, {"I64", 1, 8},
    {"F64", 1, 8}, {"IQ1_M", 256, 56}, {"BF16", 1, 2}, {"Q4_0_4_4", 0, 0}, {"Q4_0_4_8", 0, 0}, {"Q4_0_8_8", 0, 0},
    {"TQ1_0", 256, 54}, {"TQ2_0", 256, 66}, {"IQ4_NL_4_4", 0, 0}, {"IQ4_NL_4_8", 0, 0}, {"IQ4_NL_8_8", 0, 0},
    {"MXFP4", 32, 17}, {"NVFP4", 64, 36}, {"Q1_0", 128, 18}, {"Q2_0", 64, 18}
};
static_assert(sizeof kGgmlTypes / sizeof kGgmlTypes[0] == 43, "GGML_TYPE_COUNT is 43");

// Bytes of one scalar of a metadata type; 0 for STRING, ARRAY and ids past FLOAT64.
int scalar_width(std::uint32_t type) {
  static constexpr int kWidths[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
  return type < 13 ? kWidths[type] : 0;
}

const char* value_type_name(std::uint32_t type) {
  static constexpr const char* kNames[] = {"UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32",
                                           "BOOL", "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64"};
  return type < 13 ? kNames[type] : "?";
}

enum class Have { yes, not_yet, never };

/// The read position in the prefix, and how far a caller must read when the prefix ends.
class Cursor {
 public:
  Cursor(std::string_view bytes, std::int64_t file_bytes) : bytes_(bytes), file_bytes_(file_bytes) {}

  std::int64_t position() const { return at_; }
  std::int64_t needs() const { return needs_; }
  std::int64_t file_bytes() const { return file_bytes_; }
  std::string_view bytes() const { return bytes_; }

  /// The header runs at least `rest` bytes past the read position (what remains of it at its
  /// smallest: every key, element and tensor info still to come at its least size).
  void at_least(std::int64_t rest) { floor_ = std::max(floor_, at_ + rest); }

  /// Whether `count` more bytes are in the prefix; when they are not, `needs` becomes the end of
  /// what is being read, or the least the header can still reach, whichever is more: a reader
  /// that reads that far never reads a byte past the header (nor past the file).
  Have have(std::int64_t count) {
    const std::int64_t size = std::int64_t(bytes_.size()), end = at_ + count;
    if (end <= size) return Have::yes;
    if (file_bytes_ >= 0 && end > file_bytes_) return Have::never;
    needs_ = std::max(end, floor_);
    if (file_bytes_ >= 0) needs_ = std::min(needs_, file_bytes_);
    return Have::not_yet;
  }
  /// A little-endian unsigned integer of `width` bytes (after have(width)).
  std::uint64_t number(int width) {
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes_[std::size_t(at_ + i)]);
    at_ += width;
    return value;
  }
  std::string_view take(std::int64_t count) {
    const std::string_view taken = bytes_.substr(std::size_t(at_), std::size_t(count));
    at_ += count;
    return taken;
  }

 private:
  std::string_view bytes_;
  std::int64_t file_bytes_;
  std::int64_t at_ = 0;
  std::int64_t needs_ = 0;
  std::int64_t floor_ = 24;  // the magic, the version and the two counts
};

std::string metadata_path(std::string_view key) { return "gguf.metadata[" + quote_text(std::string(key)) + "]"; }
std::string tensor_path(std::size_t index) { return "gguf.tensors[" + std::to_string(index) + "]"; }
std::string tensor_path(std::size_t index, std::string_view name) {
  return tensor_path(index) + " " + quote_text(std::string(name));
}

class HeaderParser {
 public:
  HeaderParser(std::string_view bytes, std::int64_t file_bytes) : c_(bytes, file_bytes) {}

  /// False: the prefix ends first (needs() says how far to read). Throws InputError.
  bool parse(GgufRead& out) {
    return fixed_header(out) && metadata(out) && tensor_infos(out) && data_section(out);
  }
  std::int64_t needs() const { return c_.needs(); }

 private:
  /// have(count), with the file's end inside `what` (at `path_of()`) an error.
  template <typename PathOf>
  bool ensure(std::int64_t count, const PathOf& path_of, const char* what) {
    const Have have = c_.have(count);
    if (have == Have::never) {
      fail(path_of(), std::string("the file ends inside ") + what + " (the file has " + std::to_string(c_.file_bytes()) + " bytes)");
    }
    return have == Have::yes;
  }

  /// A count of entries of at least `min_bytes` each: at most `max`, and fitting in the file.
  void check_count(std::uint64_t count, std::int64_t min_bytes, std::int64_t max, const std::string& path, const std::string& what) {
    const std::string declared = "declares " + std::to_string(count) + " " + what;
    if (count > std::uint64_t(max)) fail(path, declared + "; at most " + std::to_string(max) + " are read");
    const std::int64_t left = c_.file_bytes() - c_.position();
    if (c_.file_bytes() >= 0 && std::int64_t(count) * min_bytes > left) {
      fail(path, declared + ", at least " + std::to_string(std::int64_t(count) * min_bytes) + " bytes, but the file has " +
                     std::to_string(left) + " bytes left");
    }
  }

  bool fixed_header(GgufRead& out) {
    const std::string_view start = c_.bytes().substr(0, 4);
    if (start != std::string_view("GGUF").substr(0, start.size())) {
      std::string shown;
      for (const char ch : start) shown += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
      fail("gguf.magic", "is \"" + shown + "\", not \"GGUF\": not a GGUF file");
    }
    const auto at = [](const char* path) { return [path] { return std::string(path); }; };
    if (!ensure(4, at("gguf.magic"), "the magic")) return false;
    c_.take(4);
    if (!ensure(4, at("gguf.version"), "the version")) return false;
    out.version = std::uint32_t(c_.number(4));
    if (out.version == 1) {
      fail("gguf.version", "is 1, whose 32-bit counts llama.cpp no longer reads: convert the model again with a current llama.cpp");
    }
    if (out.version != 2 && out.version != 3) {
      // A big-endian file's version 3 reads as 0x03000000 (ggml/src/gguf.cpp says so too).
      const bool swapped = (out.version & 0xffff) == 0;
      fail("gguf.version", "is " + std::to_string(out.version) +
                               (swapped ? ": a big-endian file; only little-endian GGUF is read" : "; versions 2 and 3 are read"));
    }
    if (!ensure(8, at("gguf.tensor_count"), "the tensor count")) return false;
    const std::uint64_t tensors = c_.number(8);
    check_count(tensors, kMinTensorInfoBytes, kMaxTensors, "gguf.tensor_count", "tensors");
    if (!ensure(8, at("gguf.metadata_kv_count"), "the metadata count")) return false;
    const std::uint64_t keys = c_.number(8);
    check_count(keys, kMinMetadataBytes, kMaxMetadataKeys, "gguf.metadata_kv_count", "metadata keys");
    if (c_.file_bytes() >= 0 && std::int64_t(tensors * kMinTensorInfoBytes + keys * kMinMetadataBytes) > c_.file_bytes() - c_.position()) {
      fail("gguf.tensor_count", std::to_string(tensors) + " tensors and " + std::to_string(keys) +
                                    " metadata keys need more bytes than the file has");
    }
    tensor_count_ = std::int64_t(tensors);
    key_count_ = std::int64_t(keys);
    c_.at_least(key_count_ * kMinMetadataBytes + tensor_count_ * kMinTensorInfoBytes);
    return true;
  }

  /// A gguf_string (uint64 length, bytes) of at most `max_bytes`.
  template <typename PathOf>
  bool read_string(const PathOf& path_of, std::string_view& text, const char* what, std::int64_t max_bytes = kMaxStringBytes) {
    if (!ensure(8, path_of, what)) return false;
    const std::uint64_t length = c_.number(8);
    if (length > std::uint64_t(max_bytes)) {
      fail(path_of(), std::string(what) + " is " + std::to_string(length) + " bytes long; at most " + std::to_string(max_bytes) + " are read");
    }
    if (!ensure(std::int64_t(length), path_of, what)) return false;
    text = c_.take(std::int64_t(length));
    return true;
  }

  std::uint32_t value_type(std::string_view key) {
    const auto type = std::uint32_t(c_.number(4));
    if (type > 12) fail(metadata_path(key), "has value type " + std::to_string(type) + ", not a GGUF type (0 to 12)");
    return type;
  }

  /// One value of `type` (inside `nesting` arrays), kept in `keep` unless it is null.
  bool read_value(std::uint32_t type, int nesting, std::string_view key, GgufValue* keep) {
    const auto path_of = [key] { return metadata_path(key); };
    if (type == std::uint32_t(GgufType::string)) {
      std::string_view text;
      if (!read_string(path_of, text, "a string value")) return false;
      if (keep) keep->text = std::string(text);
      return true;
    }
    if (type == std::uint32_t(GgufType::array)) return read_array(nesting + 1, key, keep);
    const int width = scalar_width(type);
    if (!ensure(width, path_of, "a value")) return false;
    const std::uint64_t raw = c_.number(width);
    if (keep) decode(type, raw, *keep);
    return true;
  }

  static void decode(std::uint32_t type, std::uint64_t raw, GgufValue& v) {
    const GgufType t = GgufType(type);
    if (t == GgufType::float32) {
      float f = 0;
      const auto bits = std::uint32_t(raw);
      std::memcpy(&f, &bits, sizeof f);
      v.number = f;
    } else if (t == GgufType::float64) {
      std::memcpy(&v.number, &raw, sizeof v.number);
    } else {
      const int bits = t == GgufType::int8 ? 8 : t == GgufType::int16 ? 16 : t == GgufType::int32 ? 32 : 64;
      v.integral = t != GgufType::uint64 || raw <= std::uint64_t(INT64_MAX);
      if (t == GgufType::boolean) raw = raw != 0 ? 1 : 0;  // llama.cpp: any non-zero byte is true
      v.integer = v.integral ? std::int64_t(raw << (64 - bits)) >> (64 - bits) : 0;  // sign-extended
      v.number = v.integral ? double(v.integer) : double(raw);
    }
  }

  bool read_array(int nesting, std::string_view key, GgufValue* keep) {
    const auto path_of = [key] { return metadata_path(key); };
    if (!ensure(12, path_of, "an array's type and count")) return false;
    const std::uint32_t element = value_type(key);
    const std::uint64_t count = c_.number(8);
    if (element == std::uint32_t(GgufType::array) && nesting + 1 > kMaxArrayNesting) {
      fail(path_of(), "holds arrays nested more than " + std::to_string(kMaxArrayNesting) + " deep");
    }
    const int width = scalar_width(element);
    const std::int64_t min_bytes = width > 0 ? width : element == std::uint32_t(GgufType::string) ? 8 : 12;
    check_count(count, min_bytes, kMaxArrayElements, path_of(), std::string(value_type_name(element)) + " elements");
    if (keep) {
      keep->element_type = GgufType(element);
      keep->count = std::int64_t(count);
    }
    if (width > 0) {
      if (!ensure(std::int64_t(count) * width, path_of, "an array's values")) return false;
      const bool kept = keep && std::int64_t(count) <= kGgufKeptArrayValues;
      if (kept) keep->values.reserve(std::size_t(count));  // at most 4096, and present
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t raw = c_.number(width);
        if (!kept) continue;
        GgufValue v;
        decode(element, raw, v);
        keep->values.push_back(v.number);
      }
      if (kept) keep->values_kept = true;
      return true;
    }
    // What follows this array at its least: the keys after this one and the tensor infos.
    const std::int64_t after = (key_count_ - key_index_ - 1) * kMinMetadataBytes + tensor_count_ * kMinTensorInfoBytes;
    for (std::uint64_t i = 0; i < count; ++i) {
      c_.at_least(std::int64_t(count - i) * min_bytes + after);
      if (!read_value(element, nesting, key, nullptr)) return false;
    }
    return true;
  }

  bool metadata(GgufRead& out) {
    std::unordered_set<std::string_view> seen;
    for (std::int64_t i = 0; i < key_count_; ++i) {
      key_index_ = i;
      c_.at_least((key_count_ - i) * kMinMetadataBytes + tensor_count_ * kMinTensorInfoBytes);
      const auto index_path = [i] { return "gguf.metadata[" + std::to_string(i) + "]"; };
      std::string_view key;
      if (!read_string(index_path, key, "its key")) return false;
      if (key.empty()) fail(index_path(), "has an empty key");
      if (!seen.insert(key).second) fail(metadata_path(key), "appears twice");
      if (!ensure(4, [key] { return metadata_path(key); }, "its type")) return false;
      const std::uint32_t type = value_type(key);
      GgufMetadata entry{std::string(key), {}};
      entry.value.type = GgufType(type);
      if (!read_value(type, 0, key, &entry.value)) return false;
      if (key == "general.alignment") {
        // llama.cpp: a UINT32, a power of two.
        if (entry.value.type != GgufType::uint32) fail(metadata_path(key), std::string("must be a UINT32, got a ") + value_type_name(type));
        const std::int64_t a = entry.value.integer;
        if (a == 0 || (a & (a - 1)) != 0) fail(metadata_path(key), "must be a power of two, got " + std::to_string(a));
        if (a > kMaxAlignment) fail(metadata_path(key), "is " + std::to_string(a) + "; at most " + std::to_string(kMaxAlignment) + " is read");
        out.alignment = a;
      }
      out.metadata.push_back(std::move(entry));
    }
    return true;
  }

  bool tensor_infos(GgufRead& out) {
    std::unordered_set<std::string_view> seen;
    for (std::int64_t i = 0; i < tensor_count_; ++i) {
      c_.at_least((tensor_count_ - i) * kMinTensorInfoBytes);
      const std::size_t index = std::size_t(i);
      const auto index_path = [index] { return tensor_path(index); };
      std::string_view name;
      if (!read_string(index_path, name, "its name", kMaxTensorName)) return false;
      const auto path_of = [index, name] { return tensor_path(index, name); };
      if (!seen.insert(name).second) fail(path_of(), "is a second tensor of that name");
      GgufTensor t;
      t.name = std::string(name);
      if (!ensure(4, path_of, "its dimension count")) return false;
      const std::uint64_t dims = c_.number(4);
      if (dims < 1 || dims > 4) fail(path_of(), "has " + std::to_string(dims) + " dimensions; ggml tensors have 1 to 4");
      if (!ensure(std::int64_t(dims) * 8, path_of, "its shape")) return false;
      t.elements = 1;
      for (std::uint64_t d = 0; d < dims; ++d) {
        const auto ne = std::int64_t(c_.number(8));
        if (ne <= 0) fail(path_of(), "has dimension " + std::to_string(d) + " of " + std::to_string(ne) + "; each must be positive");
        if (__builtin_mul_overflow(t.elements, ne, &t.elements)) fail(path_of(), "has more elements than fit in 64 bits");
        t.shape.push_back(ne);
      }
      if (!ensure(4, path_of, "its type")) return false;
      t.type = std::uint32_t(c_.number(4));
      const GgmlTypeTraits* traits = ggml_type_traits(t.type);
      if (traits == nullptr) fail(path_of(), "has ggml type " + std::to_string(t.type) + ", which ggml does not define");
      if (traits->block == 0) fail(path_of(), "has ggml type " + std::to_string(t.type) + " (" + traits->name + "), which ggml removed");
      t.type_name = traits->name;
      if (t.shape[0] % traits->block != 0) {
        fail(path_of(), "has rows of " + std::to_string(t.shape[0]) + " values, not a multiple of " + traits->name +
                            "'s block of " + std::to_string(traits->block));
      }
      if (__builtin_mul_overflow(t.elements / traits->block, traits->block_bytes, &t.bytes)) fail(path_of(), "has more bytes than fit in 64 bits");
      if (!ensure(8, path_of, "its offset")) return false;
      const std::uint64_t offset = c_.number(8);
      if (offset > std::uint64_t(INT64_MAX) - std::uint64_t(t.bytes)) fail(path_of(), "has an offset past 2^63");
      t.offset = std::int64_t(offset);
      if (t.offset % out.alignment != 0) {
        fail(path_of(), "has offset " + std::to_string(t.offset) + ", not a multiple of the alignment (" + std::to_string(out.alignment) + ")");
      }
      out.tensors.push_back(std::move(t));
    }
    return true;
  }

  bool data_section(GgufRead& out) {
    // The tensors' data must not overlap (llama.cpp's loader wants them in order, each padded).
    std::vector<std::size_t> order(out.tensors.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return out.tensors[a].offset < out.tensors[b].offset; });
    for (std::size_t k = 1; k < order.size(); ++k) {
      const GgufTensor& before = out.tensors[order[k - 1]];
      const GgufTensor& t = out.tensors[order[k]];
      if (t.offset < before.offset + before.bytes) {
        fail(tensor_path(order[k], t.name), "overlaps " + tensor_path(order[k - 1], before.name) + " (its data ends at byte " +
                                                std::to_string(before.offset + before.bytes) + " of the data section)");
      }
    }
    const std::int64_t end = c_.position();
    out.header_bytes = out.tensors.empty() ? end : (end + out.alignment - 1) / out.alignment * out.alignment;
    if (c_.file_bytes() >= 0) {
      const std::int64_t room = c_.file_bytes() - out.header_bytes;
      for (std::size_t i = 0; i < out.tensors.size(); ++i) {
        const GgufTensor& t = out.tensors[i];
        if (room < 0 || t.offset > room - t.bytes) {
          fail(tensor_path(i, t.name), "has data to byte " + std::to_string(out.header_bytes + t.offset + t.bytes) +
                                           ", past the file's end (" + std::to_string(c_.file_bytes()) + " bytes)");
        }
      }
    }
    return ensure(out.header_bytes - end, [] { return std::string("gguf.padding"); }, "the padding before the tensor data");
  }

  Cursor c_;
  std::int64_t tensor_count_ = 0, key_count_ = 0, key_index_ = 0;
};

}  // namespace

const GgmlTypeTraits* ggml_type_traits(std::uint32_t id) {
  return id < sizeof kGgmlTypes / sizeof kGgmlTypes[0] ? &kGgmlTypes[id] : nullptr;
}

const GgufValue* GgufRead::find(std::string_view key) const {
  for (const GgufMetadata& m : metadata) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

GgufRead read_gguf_header(std::string_view bytes, std::int64_t file_bytes) {
  if (file_bytes < -1) fail("file_bytes", "must be the file's size, or -1 when it is not known");
  if (file_bytes >= 0 && std::int64_t(bytes.size()) > file_bytes) {
    fail("file_bytes", "is " + std::to_string(file_bytes) + ", less than the " + std::to_string(bytes.size()) + " bytes given");
  }
  GgufRead read;
  HeaderParser parser(bytes, file_bytes);
  if (!parser.parse(read)) {
    GgufRead more;
    more.needs = parser.needs();
    return more;
  }
  read.complete = true;
  read.summary = gguf_summary(read.tensors);
  return read;
}

}  // namespace llmmem
