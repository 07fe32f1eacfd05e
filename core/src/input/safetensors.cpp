// safetensors headers (github.com/huggingface/safetensors, safetensors/src/tensor.rs): after an
// 8-byte little-endian length, a JSON object of tensors, each {"dtype", "shape",
// "data_offsets": [begin, end]} relative to the data that follows, plus an optional
// "__metadata__" of strings. Untrusted input: every number is checked before it is used.
#include "llmmem/checkpoint.hpp"

#include <algorithm>
#include <utility>

#include "accounting/count.hpp"
#include "input/json_reader.hpp"
#include "input/request_parser.hpp"
#include "output/envelope.hpp"
#include "output/json_writer.hpp"

namespace llmmem {
namespace {

using detail::fail;
using detail::json;

struct Span {
  std::int64_t begin, end;
  std::string name;
};

/// A non-negative integer that fits in 63 bits, or an InputError naming `path`.
std::int64_t whole_number(const json& value, const std::string& path, const char* what) {
  if (value.is_number_unsigned() && value.get<std::uint64_t>() <= std::uint64_t(INT64_MAX)) {
    return std::int64_t(value.get<std::uint64_t>());
  }
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::int64_t>();
  fail(path, std::string(what) + " must be a non-negative integer, got " + detail::quote_value(value));
}

}  // namespace

std::string_view tensor_group(std::string_view name, std::int64_t num_layers) {
  const auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  // FP8 block scales (DeepSeek's weight_scale_inv), compressed-tensors' and GPTQ/AWQ's scales,
  // zeros and g_idx, bitsandbytes' quantization state: stored beside the weights they scale.
  if (ends("weight_scale_inv") || ends("weight_scale") || ends("input_scale") || ends(".scales") || ends(".qzeros") ||
      ends(".g_idx") || name.find(".absmax") != std::string_view::npos || name.find("quant_map") != std::string_view::npos ||
      name.find("quant_state") != std::string_view::npos) {
    return "quantization scales";
  }
  if (ends("rotary_emb.inv_freq")) return "rotary buffers";  // a buffer older checkpoints saved (Llama-2)
  // "<...>layers.<i>.": a layer past num_hidden_layers is an extra one (DeepSeek's MTP layer 61).
  if (num_layers > 0) {
    if (const std::size_t at = name.find("layers."); at != std::string_view::npos) {
      std::int64_t index = 0;
      std::size_t i = at + 7;
      const std::size_t first_digit = i;
      while (i < name.size() && name[i] >= '0' && name[i] <= '9' && index < (std::int64_t(1) << 40)) index = index * 10 + (name[i++] - '0');
      if (i > first_digit && i < name.size() && name[i] == '.' && index >= num_layers) return "layers past num_hidden_layers";
    }
  }
  return "weights";
}

int safetensors_dtype_bits(std::string_view dtype) {
  // safetensors' Dtype enum and bitsize() (tensor.rs), F4 and F6 included.
  static constexpr std::pair<std::string_view, int> kBits[] = {
      {"BOOL", 8}, {"U8", 8}, {"I8", 8}, {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16}, {"U16", 16},
      {"F16", 16}, {"BF16", 16}, {"I32", 32}, {"U32", 32}, {"F32", 32}, {"F64", 64}, {"I64", 64}, {"U64", 64},
      {"C64", 64}, {"F4", 4}, {"F6_E2M3", 6}, {"F6_E3M2", 6}};
  for (const auto& [name, bits] : kBits) {
    if (name == dtype) return bits;
  }
  return 0;
}

void add_safetensors_header(std::string_view header_json, std::int64_t file_bytes, const std::string& what,
                            CheckpointTensors& into) {
  const json header = detail::parse_json_text(header_json, what);
  if (!header.is_object()) fail(what, std::string("must be a JSON object, got ") + detail::json_type_name(header));
  std::vector<Span> spans;
  spans.reserve(header.size());
  for (const auto& [name, tensor] : header.items()) {
    const std::string path = what + "." + detail::printable_key(name);
    if (name == "__metadata__") {
      // An Option<HashMap<String, String>> in safetensors: MLX writes null.
      if (!tensor.is_object() && !tensor.is_null()) fail(path, "must be an object of strings, or null");
      continue;
    }
    if (!tensor.is_object()) fail(path, std::string("must be a tensor object, got ") + detail::json_type_name(tensor));
    const auto dtype_it = tensor.find("dtype");
    if (dtype_it == tensor.end() || !dtype_it->is_string()) fail(path + ".dtype", "missing (a safetensors dtype such as \"BF16\")");
    const std::string dtype = dtype_it->get<std::string>();
    const int bits = safetensors_dtype_bits(dtype);
    if (bits == 0) fail(path + ".dtype", "unknown dtype " + detail::quote_text(dtype));
    const auto shape_it = tensor.find("shape");
    if (shape_it == tensor.end() || !shape_it->is_array()) fail(path + ".shape", "missing (an array of dimensions)");
    Count elements = 1;
    for (const json& dimension : *shape_it) elements = elements * whole_number(dimension, path + ".shape", "each dimension");
    const auto offsets = tensor.find("data_offsets");
    if (offsets == tensor.end() || !offsets->is_array() || offsets->size() != 2) {
      fail(path + ".data_offsets", "missing (an array [begin, end])");
    }
    const std::int64_t begin = whole_number((*offsets)[0], path + ".data_offsets", "begin");
    const std::int64_t end = whole_number((*offsets)[1], path + ".data_offsets", "end");
    const Count bit_count = elements * bits;
    if (bit_count.value() % 8 != 0) fail(path + ".shape", std::to_string(elements.value()) + " elements of " + dtype + " do not fill whole bytes");
    const std::int64_t bytes = bit_count.value() / 8;
    if (end < begin || end - begin != bytes) {
      fail(path + ".data_offsets", "[" + std::to_string(begin) + ", " + std::to_string(end) + "] must span the " +
                                       std::to_string(bytes) + " bytes its shape and dtype take");
    }
    spans.push_back({begin, end, path});
    auto total = std::find_if(into.dtypes.begin(), into.dtypes.end(), [&](const DtypeTotal& t) { return t.dtype == dtype; });
    if (total == into.dtypes.end()) total = into.dtypes.insert(into.dtypes.end(), DtypeTotal{dtype});
    total->tensors += 1;
    total->elements = (Count(total->elements) + elements).value();
    total->bytes = (Count(total->bytes) + bytes).value();
    const std::string_view group = tensor_group(name, into.num_layers);
    if (into.groups.empty()) into.groups.push_back({"weights"});
    auto kind = std::find_if(into.groups.begin(), into.groups.end(), [&](const TensorGroup& g) { return g.group == group; });
    if (kind == into.groups.end()) kind = into.groups.insert(into.groups.end(), TensorGroup{std::string(group)});
    kind->tensors += 1;
    kind->elements = (Count(kind->elements) + elements).value();
    kind->bytes = (Count(kind->bytes) + bytes).value();
    into.tensors += 1;
    into.elements = (Count(into.elements) + elements).value();
  }
  // The data is indexed whole: in offset order, each tensor starts where the one before ended.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  std::int64_t reached = 0;
  for (const Span& span : spans) {
    if (span.begin != reached) {
      fail(span.name + ".data_offsets", span.begin < reached ? "overlaps the tensor before it (which ends at byte " + std::to_string(reached) + ")"
                                                             : "leaves a gap: the tensors before it end at byte " + std::to_string(reached));
    }
    reached = span.end;
  }
  if (file_bytes >= 0) {
    const std::int64_t expected = 8 + std::int64_t(header_json.size()) + reached;
    if (expected != file_bytes) {
      fail(what, "describes " + std::to_string(reached) + " bytes of tensors after its " + std::to_string(header_json.size()) +
                     "-byte header (" + std::to_string(expected) + " in all); the file has " + std::to_string(file_bytes));
    }
  }
  into.files += 1;
  into.bytes = (Count(into.bytes) + reached).value();
}

std::string safetensors_json(std::string_view query) noexcept {
  return detail::guarded([&] {
    const json root = detail::parse_json_text(query, "request");
    detail::ObjectReader reader(root, "");
    const json* headers = reader.find({"headers"});
    const json* sizes = reader.find({"file_bytes"});
    const auto layers = reader.integer({"num_hidden_layers"}, 0, 100000);
    reader.reject_unknown_fields();
    if (!headers || !headers->is_array() || headers->empty()) fail("headers", "must be a non-empty array of header JSON texts");
    if (sizes && (!sizes->is_array() || sizes->size() != headers->size())) {
      fail("file_bytes", "must list one size per header (-1 where it is not known)");
    }
    CheckpointTensors total;
    total.num_layers = layers.value_or(0);
    for (std::size_t i = 0; i < headers->size(); ++i) {
      const std::string what = "headers[" + std::to_string(i) + "]";
      if (!(*headers)[i].is_string()) fail(what, "must be the header's JSON text");
      std::int64_t file_bytes = -1;
      if (sizes) {
        const json& size = (*sizes)[i];
        if (!(size.is_number_integer() && size.get<std::int64_t>() == -1)) {
          file_bytes = whole_number(size, "file_bytes[" + std::to_string(i) + "]", "a file size");
        }
      }
      add_safetensors_header((*headers)[i].get_ref<const std::string&>(), file_bytes, what, total);
    }
    detail::JsonWriter w;
    w.begin_object().field("files", total.files).field("tensors", total.tensors).field("parameters", total.elements)
        .field("bytes", total.bytes).key("dtypes").begin_array();
    for (const DtypeTotal& t : total.dtypes) {
      w.begin_object().field("dtype", t.dtype).field("tensors", t.tensors).field("parameters", t.elements).field("bytes", t.bytes).end_object();
    }
    w.end_array().key("groups").begin_array();
    for (const TensorGroup& g : total.groups) {
      w.begin_object().field("group", g.group).field("tensors", g.tensors).field("parameters", g.elements).field("bytes", g.bytes).end_object();
    }
    return w.end_array().end_object().take();
  });
}

}  // namespace llmmem
