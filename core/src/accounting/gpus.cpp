// The GPU catalogue. Memory is what the framework sees (torch's total, GiB), taken from the
// vLLM start-up logs in tests/data/vllm where one prints it (their ids in `source`), else the
// card's memory less the driver's reserve as the same generation's logs show it.
#include "llmmem/gpus.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace llmmem {
namespace {

constexpr std::array<GpuModel, 24> kCatalogue = {{
    {"H100 80GB SXM", "H100 H100-SXM", "NVIDIA H100 80GB HBM3", 79.19, 9.0, "tests/data/vllm: llmd-*-h100 ('Free memory on device: 78.57/79.18 GiB'), 79.19 in two more"},
    {"H100 80GB PCIe", "H100-PCIe", "NVIDIA H100 PCIe", 79.19, 9.0, "as the SXM card: the same 80 GB of HBM"},
    {"H200 141GB", "H200", "NVIDIA H200", 139.81, 9.0, "tests/data/vllm: blog-deepseek-r1-8xh200-tp8-v073 (139.81 GiB)"},
    {"H20-3e 141GB", "H20-3e H20", "NVIDIA H20-3e", 139.72, 9.0, "tests/data/vllm: vllm13074-deepseek-r1-16xh20-tp8-pp2 (139.72 GiB)"},
    {"B200 180GB", "B200", "NVIDIA B200", 178.36, 10.0, "tests/data/vllm: a 178.36 GiB B200-class log"},
    {"A100 80GB", "A100 A100-80GB A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB", 79.25, 8.0, "tests/data/vllm: dennislee-qwen2-7b-a100-80-* (79.25 GiB)"},
    {"A100 40GB", "A100-40GB A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB", 39.39, 8.0, "tests/data/vllm: sagemaker-deepseek-coder-v2-lite-8xa100-40-tp8 (39.39 GiB)"},
    {"L40S 48GB", "L40S", "NVIDIA L40S", 44.39, 8.9, "tests/data/vllm: l40s-class-qwen25-math-15b-v072-gmu085 (44.39 GiB)"},
    {"L4 24GB", "L4", "NVIDIA L4", 22.06, 8.9, "tests/data/vllm: l4-qwen25-math-15b-v072 (22.06 GiB)"},
    {"A10G 24GB", "A10G", "NVIDIA A10G", 22.07, 8.6, "as the A10 (tests/data/vllm: oci-aqua-llama31-8b-a10-maxlen-error, 22.07 GiB)"},
    {"A10 24GB", "A10", "NVIDIA A10", 22.07, 8.6, "tests/data/vllm: oci-aqua-llama31-8b-a10-maxlen-error (22.07 GiB)"},
    {"T4 16GB", "T4", "Tesla T4", 14.56, 7.5, "tests/data/vllm: colab-t4-qwen25-05b-v066 (14.56 GiB)"},
    {"V100 32GB", "V100 V100-32GB", "Tesla V100-SXM2-32GB", 31.74, 7.0, "tests/data/vllm: zhihu-qwen25-7b-v100-v085 (31.74 GiB)"},
    {"V100 16GB", "V100-16GB", "Tesla V100-SXM2-16GB", 15.77, 7.0, "the 16 GB card less the V100-32GB's reserve"},
    {"RTX 3060 12GB", "RTX3060 RTX-3060", "NVIDIA GeForce RTX 3060", 11.63, 8.6, "tests/data/vllm: retriva-qwen3-06b-rtx3060-v019 (11.63 GiB)"},
    {"RTX 3090 24GB", "RTX3090 RTX-3090", "NVIDIA GeForce RTX 3090", 23.58, 8.6, "tests/data/vllm: vllm10517-llama31-8b-3090-20k (23.58 GiB)"},
    {"RTX 4080 16GB", "RTX4080 RTX-4080", "NVIDIA GeForce RTX 4080", 15.56, 8.9, "tests/data/vllm: an RTX 4080 log (15.56 GiB)"},
    {"RTX 4090 24GB", "RTX4090 RTX-4090", "NVIDIA GeForce RTX 4090", 23.64, 8.9, "tests/data/vllm: RTX 4090 logs (23.55-23.65 GiB outside WSL2)"},
    {"RTX 5090 32GB", "RTX5090 RTX-5090", "NVIDIA GeForce RTX 5090", 31.36, 12.0, "tests/data/vllm: a 32 GB card printed as 31.36 GiB"},
    {"RTX 6000 Ada 48GB", "RTX-6000-Ada", "NVIDIA RTX 6000 Ada Generation", 47.5, 8.9, "tests/data/vllm: kp-llama31-8b-*-rtx6000ada (47.5 GB printed)"},
    {"RTX PRO 6000 Blackwell 96GB", "RTX-PRO-6000", "NVIDIA RTX PRO 6000 Blackwell Server Edition", 95.01, 12.0, "tests/data/vllm: blog-qwen3-32b-tp2-rtxpro6000-emulated-a40 (95.01 GiB)"},
    {"DGX Spark GB10 128GB", "GB10 DGX-Spark", "NVIDIA GB10", 121.69, 12.1, "tests/data/vllm: the GB10 logs (121.69 GiB of unified memory)"},
    {"MI300X 192GB", "MI300X", "AMD Instinct MI300X", 191.98, 0, "tests/data/vllm: paperhawk-qwen25-14b-mi300x-v0171 (191.98 GiB)"},
    {"Radeon PRO W7900 48GB", "W7900", "AMD Radeon PRO W7900", 44.98, 0, "tests/data/vllm: w7900-llama31-8b-rocm-v064dev (44.98 GiB)"},
}};

/// Names compared as people type them: case, spaces and dashes aside ("rtx-4090" is "RTX 4090").
/// Walks both names in place: the solver's probes look the GPU up thousands of times.
class FoldedName {
 public:
  explicit FoldedName(std::string_view text) : text_(text) { skip(); }
  bool done() const { return at_ == text_.size(); }
  char next() {
    const char c = char(std::tolower(static_cast<unsigned char>(text_[at_++])));
    skip();
    return c;
  }

 private:
  void skip() {
    while (at_ < text_.size() && !std::isalnum(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  std::string_view text_;
  std::size_t at_ = 0;
};

/// Whether `name` folded begins with (or, `whole`, equals) `wanted` folded.
bool folded_match(std::string_view name, std::string_view wanted, bool whole) {
  FoldedName a(name), b(wanted);
  while (!b.done()) {
    if (a.done() || a.next() != b.next()) return false;
  }
  return !whole || a.done();
}

bool named(const GpuModel& gpu, std::string_view wanted) {
  if (folded_match(gpu.name, wanted, true)) return true;
  std::string_view aliases = gpu.aliases;
  while (!aliases.empty()) {
    const std::size_t space = aliases.find(' ');
    if (folded_match(aliases.substr(0, space), wanted, true)) return true;
    aliases = space == std::string_view::npos ? std::string_view() : aliases.substr(space + 1);
  }
  return false;
}

}  // namespace

std::span<const GpuModel> gpu_catalogue() { return kCatalogue; }

const GpuModel* find_gpu(std::string_view name) {
  if (FoldedName(name).done()) return nullptr;
  for (const GpuModel& gpu : kCatalogue) {
    if (named(gpu, name)) return &gpu;
  }
  // "RTX 4090" for "RTX 4090 24GB": the one card whose name it begins, memory aside.
  const GpuModel* match = nullptr;
  for (const GpuModel& gpu : kCatalogue) {
    if (folded_match(gpu.name, name, false)) {
      if (match) return nullptr;
      match = &gpu;
    }
  }
  return match;
}

}  // namespace llmmem
