#pragma once
// What a GGUF file's header says (llama.cpp's format, ggml/docs/gguf.md): its metadata, its
// tensors' names, ggml types, shapes and offsets, and what they add up to, read from a prefix of
// the file alone (never the tensor data). The bytes are untrusted: every read is bounds-checked,
// and anything the format or llama.cpp's loader (ggml/src/gguf.cpp) refuses is an InputError.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmmem {

/// GGUF's metadata value types (ggml/include/gguf.h, enum gguf_type).
enum class GgufType : std::uint32_t {
  uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, boolean = 7,
  string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12,
};

/// One metadata value as kept. Arrays keep their element type and count only, except arrays of
/// at most kGgufKeptArrayValues numbers (or bools), whose values are kept: per-layer head and
/// feed-forward counts are such arrays (OpenELM, Nemotron-H, a sliding-window pattern).
struct GgufValue {
  GgufType type = GgufType::uint8;
  bool integral = false;        // an integer type or BOOL whose value fits `integer`
  std::int64_t integer = 0;     // integer types and BOOL (0 or 1)
  double number = 0;            // every numeric type and BOOL, as a double
  std::string text;             // STRING
  GgufType element_type = GgufType::uint8;  // ARRAY: the type of its elements
  std::int64_t count = 0;                   // ARRAY: how many
  std::vector<double> values;               // ARRAY of numbers, when kept (count <= 4096)
  bool values_kept = false;
};
constexpr std::int64_t kGgufKeptArrayValues = 4096;

struct GgufMetadata {
  std::string key;
  GgufValue value;
};

/// One tensor info.
struct GgufTensor {
  std::string name;                 // llama.cpp's: "blk.0.attn_q.weight"
  std::uint32_t type = 0;           // ggml_type id
  std::string type_name;            // "Q4_K"
  std::vector<std::int64_t> shape;  // ne[0..n_dims): ne[0] is the row length
  std::int64_t offset = 0;          // from the data section's start
  std::int64_t elements = 0;
  std::int64_t bytes = 0;           // ne[0] / block * block bytes * the other dimensions
};

/// The tensors of one ggml type.
struct GgufTypeTotal {
  std::string type;  // "Q4_K"
  std::int64_t tensors = 0, parameters = 0, bytes = 0;
};

/// Tensor bytes by where llama.cpp puts them: the input embedding, the output head and final
/// norm, each decoder block, and the rest (rope_freqs, a vision tower's v.* and mm.*).
struct GgufParts {
  std::int64_t input = 0;   // token_embd.*, token_embd_norm.*, pos_embd.*, token_types.*
  std::int64_t output = 0;  // output.*, output_norm.*
  std::int64_t other = 0;
  std::vector<std::int64_t> layers;  // blk.<i>.*: index i, length 1 + the largest i
};

struct GgufSummary {
  std::int64_t tensors = 0, parameters = 0, bytes = 0;
  std::vector<GgufTypeTotal> types;  // in the order first seen
  GgufParts parts;
};

/// A header read from a prefix of the file. complete == false: the prefix ends before the header
/// does (tensor infos and the padding after them) and nothing in it is malformed; read `needs`
/// bytes (more than given) and call again.
struct GgufRead {
  bool complete = false;
  std::int64_t needs = 0;
  std::uint32_t version = 0;
  std::int64_t alignment = 32;    // general.alignment, else GGUF's default
  std::int64_t header_bytes = 0;  // where the tensor data starts, after the padding
  std::vector<GgufMetadata> metadata;  // in file order
  std::vector<GgufTensor> tensors;     // in file order
  GgufSummary summary;

  /// The metadata value under `key`, or nullptr.
  const GgufValue* find(std::string_view key) const;
};

/// Reads the header from `bytes`, a prefix of the file (possibly all of it). `file_bytes`: the
/// whole file's size, or -1 when unknown; when known, a header or tensor data that runs past it
/// is malformed rather than a prefix too short. Throws InputError naming a path such as
/// `gguf.metadata["general.alignment"]` or `gguf.tensors[12] "blk.0.attn_q.weight"`.
GgufRead read_gguf_header(std::string_view bytes, std::int64_t file_bytes);

/// The tensors summed: by ggml type (in the order first seen) and by part (read_gguf_header's
/// summary). Throws InputError when a sum passes 2^63.
GgufSummary gguf_summary(const std::vector<GgufTensor>& tensors);

/// A ggml type's storage (ggml/src/ggml.c, type_traits): `block` values in `block_bytes` bytes.
struct GgmlTypeTraits {
  const char* name;  // "Q4_K"
  std::int64_t block = 0;        // 0: an id ggml no longer defines (removed)
  std::int64_t block_bytes = 0;
};
/// The traits of ggml type `id`, or nullptr for an id past the table; a removed id has block 0.
const GgmlTypeTraits* ggml_type_traits(std::uint32_t id);

/// llama.cpp's name for a general.file_type (include/llama.h, LLAMA_FTYPE_MOSTLY_*: 15 is
/// "Q4_K_M"), or nullptr when it names none.
const char* llama_file_type_name(std::int64_t file_type);

/// A Hugging Face config.json made from the header's metadata, in the keys this repo's
/// parse_config reads: `json` is the object's text, or empty with `missing` saying why.
struct GgufConfig {
  std::string json;
  std::string missing;
};
GgufConfig gguf_config(const GgufRead& header);

/// The boundary: the file's prefix and its size (-1: unknown) in; the envelope out, its result
/// {"complete":false,"needs":N} or the header's summary and synthesized config. Never throws.
std::string gguf_json(std::string_view bytes, std::int64_t file_bytes) noexcept;

}  // namespace llmmem
