#pragma once
// What a checkpoint's safetensors headers say of its tensors: the truth about its weights for
// any architecture, read from the headers alone (never the tensor data).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmmem {

/// The tensors of one dtype.
struct DtypeTotal {
  std::string dtype;  // as safetensors names it: "BF16", "F8_E4M3", "U8", ...
  std::int64_t tensors = 0;
  std::int64_t elements = 0;
  std::int64_t bytes = 0;
};

/// What a tensor is, by its name: what a config's formula does not count is named apart.
struct TensorGroup {
  std::string group;  // "weights", "quantization scales", "rotary buffers", "layers past num_hidden_layers"
  std::int64_t tensors = 0;
  std::int64_t elements = 0;
  std::int64_t bytes = 0;
};

/// One or more headers (a sharded checkpoint's), summed.
struct CheckpointTensors {
  std::int64_t files = 0;
  std::int64_t tensors = 0;
  std::int64_t elements = 0;  // what the hub's `safetensors.total` counts as parameters
  std::int64_t bytes = 0;     // the tensors' bytes: the index's metadata.total_size
  std::vector<DtypeTotal> dtypes;  // in the order first seen
  std::vector<TensorGroup> groups;  // "weights" first
  std::int64_t num_layers = 0;      // given: tensors of layers past it are named apart (MTP layers)
};

/// The group of a tensor named `name` (a decoder of `num_layers` layers; 0: unknown).
std::string_view tensor_group(std::string_view name, std::int64_t num_layers);

/// Reads one header's JSON (what follows the 8-byte length) and adds it to `into`, checking it
/// as safetensors does: a known dtype, non-negative shapes, data_offsets that match each shape
/// and tile the data without a gap or an overlap. `file_bytes` >= 0: the whole file's size,
/// which must be 8 + the header + the data it describes. `what` names the header in errors.
/// Throws InputError.
void add_safetensors_header(std::string_view header_json, std::int64_t file_bytes, const std::string& what,
                            CheckpointTensors& into);

/// The boundary: `{"headers": ["<header JSON>", ...], "file_bytes": [n, ...], "num_hidden_layers": n}`
/// (file_bytes optional, -1 for unknown; num_hidden_layers optional) in; the envelope of a
/// CheckpointTensors out. Never throws.
std::string safetensors_json(std::string_view query) noexcept;

/// Bytes of one element of a safetensors dtype, in bits (F4: 4); 0 for a name it does not define.
int safetensors_dtype_bits(std::string_view dtype);

}  // namespace llmmem
