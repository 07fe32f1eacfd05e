#pragma once
// The GPU catalogue: the memory each card reports to the framework (torch.cuda.mem_get_info's
// total, which is what vLLM sizes its budget from), its CUDA compute capability and its name as
// the driver spells it (vLLM picks defaults by name: "a100").

#include <optional>
#include <span>
#include <string_view>

namespace llmmem {

struct GpuModel {
  std::string_view name;         // the catalogue's name, e.g. "H100 80GB SXM"
  std::string_view aliases;      // other names a request may use, space-separated ("H100 H100-SXM")
  std::string_view device_name;  // torch.cuda.get_device_name(), e.g. "NVIDIA H100 80GB HBM3"
  double memory_gib;             // total memory as the framework sees it, GiB
  double compute_capability;     // CUDA compute capability; 0 for AMD and Apple
  std::string_view source;       // where the memory figure comes from
  std::string_view kind;         // datacenter, workstation, consumer, amd, apple (the page groups by it)
};

std::span<const GpuModel> gpu_catalogue();

/// The card of that name or alias, case-insensitively; nullptr when unknown.
const GpuModel* find_gpu(std::string_view name);

}  // namespace llmmem
