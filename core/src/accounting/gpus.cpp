// The GPU catalogue. Memory is what the framework sees (torch's total, GiB), taken from the
// vLLM start-up logs in tests/data/vllm where one prints it (their ids in `source`), else from
// a printed torch total (an out-of-memory message's "total capacity", get_device_properties),
// else the card's memory less the driver's reserve as the same generation's logs show it
// (`source` says "derived"). nvidia-smi's MiB total is not used: torch sees 0.35-0.9 GiB less.
// Apple silicon: what Metal lets one process use (recommendedMaxWorkingSetSize, as llama.cpp
// prints it), which depends on the macOS version: each source says which.
#include "llmmem/gpus.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace llmmem {
namespace {

constexpr std::array<GpuModel, 59> kCatalogue = {{
    {"H100 80GB SXM", "H100 H100-SXM", "NVIDIA H100 80GB HBM3", 79.19, 9.0, "tests/data/vllm: llmd-*-h100 ('Free memory on device: 78.57/79.18 GiB'), 79.19 in two more", "datacenter"},
    {"H100 80GB PCIe", "H100-PCIe", "NVIDIA H100 PCIe", 79.19, 9.0, "as the SXM card: the same 80 GB of HBM", "datacenter"},
    {"H200 141GB", "H200", "NVIDIA H200", 139.81, 9.0, "tests/data/vllm: blog-deepseek-r1-8xh200-tp8-v073 (139.81 GiB)", "datacenter"},
    {"H20-3e 141GB", "H20-3e H20", "NVIDIA H20-3e", 139.72, 9.0, "tests/data/vllm: vllm13074-deepseek-r1-16xh20-tp8-pp2 (139.72 GiB)", "datacenter"},
    {"B200 180GB", "B200", "NVIDIA B200", 178.36, 10.0, "tests/data/vllm: a 178.36 GiB B200-class log", "datacenter"},
    {"A100 80GB", "A100 A100-80GB A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB", 79.25, 8.0, "tests/data/vllm: dennislee-qwen2-7b-a100-80-* (79.25 GiB)", "datacenter"},
    {"A100 40GB", "A100-40GB A100-SXM4-40GB", "NVIDIA A100-SXM4-40GB", 39.39, 8.0, "tests/data/vllm: sagemaker-deepseek-coder-v2-lite-8xa100-40-tp8 (39.39 GiB)", "datacenter"},
    {"L40S 48GB", "L40S", "NVIDIA L40S", 44.39, 8.9, "tests/data/vllm: l40s-class-qwen25-math-15b-v072-gmu085 (44.39 GiB)", "datacenter"},
    {"L4 24GB", "L4", "NVIDIA L4", 22.06, 8.9, "tests/data/vllm: l4-qwen25-math-15b-v072 (22.06 GiB)", "datacenter"},
    {"A10G 24GB", "A10G", "NVIDIA A10G", 22.07, 8.6, "as the A10 (tests/data/vllm: oci-aqua-llama31-8b-a10-maxlen-error, 22.07 GiB)", "datacenter"},
    {"A10 24GB", "A10", "NVIDIA A10", 22.07, 8.6, "tests/data/vllm: oci-aqua-llama31-8b-a10-maxlen-error (22.07 GiB)", "datacenter"},
    {"T4 16GB", "T4", "Tesla T4", 14.56, 7.5, "tests/data/vllm: colab-t4-qwen25-05b-v066 (14.56 GiB)", "datacenter"},
    {"V100 32GB", "V100 V100-32GB", "Tesla V100-SXM2-32GB", 31.74, 7.0, "tests/data/vllm: zhihu-qwen25-7b-v100-v085 (31.74 GiB)", "datacenter"},
    {"V100 16GB", "V100-16GB", "Tesla V100-SXM2-16GB", 15.77, 7.0, "the 16 GB card less the V100-32GB's reserve", "datacenter"},
    {"RTX 3060 12GB", "RTX3060 RTX-3060", "NVIDIA GeForce RTX 3060", 11.63, 8.6, "tests/data/vllm: retriva-qwen3-06b-rtx3060-v019 (11.63 GiB)", "consumer"},
    {"RTX 3090 24GB", "RTX3090 RTX-3090", "NVIDIA GeForce RTX 3090", 23.58, 8.6, "tests/data/vllm: vllm10517-llama31-8b-3090-20k (23.58 GiB)", "consumer"},
    {"RTX 4080 16GB", "RTX4080 RTX-4080", "NVIDIA GeForce RTX 4080", 15.56, 8.9, "tests/data/vllm: an RTX 4080 log (15.56 GiB)", "consumer"},
    {"RTX 4090 24GB", "RTX4090 RTX-4090", "NVIDIA GeForce RTX 4090", 23.64, 8.9, "tests/data/vllm: RTX 4090 logs (23.55-23.65 GiB outside WSL2)", "consumer"},
    {"RTX 5090 32GB", "RTX5090 RTX-5090", "NVIDIA GeForce RTX 5090", 31.36, 12.0, "tests/data/vllm: a 32 GB card printed as 31.36 GiB", "consumer"},
    {"RTX 6000 Ada 48GB", "RTX-6000-Ada", "NVIDIA RTX 6000 Ada Generation", 47.5, 8.9, "tests/data/vllm: kp-llama31-8b-*-rtx6000ada (47.5 GB printed)", "workstation"},
    {"RTX PRO 6000 Blackwell 96GB", "RTX-PRO-6000", "NVIDIA RTX PRO 6000 Blackwell Server Edition", 95.01, 12.0, "tests/data/vllm: blog-qwen3-32b-tp2-rtxpro6000-emulated-a40 (95.01 GiB)", "workstation"},
    {"DGX Spark GB10 128GB", "GB10 DGX-Spark", "NVIDIA GB10", 121.69, 12.1, "tests/data/vllm: the GB10 logs (121.69 GiB of unified memory)", "workstation"},
    {"MI300X 192GB", "MI300X", "AMD Instinct MI300X", 191.98, 0, "tests/data/vllm: paperhawk-qwen25-14b-mi300x-v0171 (191.98 GiB)", "amd"},
    {"Radeon PRO W7900 48GB", "W7900", "AMD Radeon PRO W7900", 44.98, 0, "tests/data/vllm: w7900-llama31-8b-rocm-v064dev (44.98 GiB)", "amd"},
    {"RTX 3060 Ti 8GB", "RTX3060Ti RTX-3060-Ti", "NVIDIA GeForce RTX 3060 Ti", 7.78, 8.6, "derived from github.com/akshitac8/OW-DETR/issues/46 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 3070 8GB", "RTX3070 RTX-3070", "NVIDIA GeForce RTX 3070", 7.78, 8.6, "printed: github.com/akshitac8/OW-DETR/issues/46 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 3080 10GB", "RTX3080 RTX-3080 RTX-3080-10GB", "NVIDIA GeForce RTX 3080", 9.78, 8.6, "printed: github.com/zai-org/CogVideo/issues/34 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 3090 Ti 24GB", "RTX3090Ti RTX-3090-Ti", "NVIDIA GeForce RTX 3090 Ti", 23.55, 8.6, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 4060 8GB", "RTX4060 RTX-4060", "NVIDIA GeForce RTX 4060", 7.75, 8.9, "printed: github.com/ESRSchao/EdgeRegNet/issues/2 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 4060 Ti 16GB", "RTX4060Ti RTX-4060-Ti RTX-4060-Ti-16GB", "NVIDIA GeForce RTX 4060 Ti", 15.55, 8.9, "printed: github.com/boson-ai/higgs-audio/issues/48 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 4070 Ti 12GB", "RTX4070Ti RTX-4070-Ti", "NVIDIA GeForce RTX 4070 Ti", 11.73, 8.9, "printed: github.com/OpenLMLab/LOMO/issues/17 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 5070 Ti 16GB", "RTX5070Ti RTX-5070-Ti", "NVIDIA GeForce RTX 5070 Ti", 15.51, 12.0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX 5080 16GB", "RTX5080 RTX-5080", "NVIDIA GeForce RTX 5080", 15.48, 12.0, "printed: github.com/vllm-project/vllm/issues/14452 (quoted in tests/data/gpus/SOURCES.md)", "consumer"},
    {"RTX A4000 16GB", "A4000 RTX-A4000", "NVIDIA RTX A4000", 15.61, 8.6, "printed: github.com/DengKaiCQ/VGGT-Long/issues/6 (quoted in tests/data/gpus/SOURCES.md)", "workstation"},
    {"RTX A5000 24GB", "A5000 RTX-A5000", "NVIDIA RTX A5000", 23.57, 8.6, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "workstation"},
    {"RTX A6000 48GB", "A6000 RTX-A6000", "NVIDIA RTX A6000", 47.54, 8.6, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "workstation"},
    {"A40 48GB", "A40", "NVIDIA A40", 44.35, 8.6, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "workstation"},
    {"L40 48GB", "L40", "NVIDIA L40", 44.4, 8.9, "printed: github.com/QwenLM/Qwen3-VL/issues/2097 (quoted in tests/data/gpus/SOURCES.md)", "workstation"},
    {"H100 NVL 94GB", "H100-NVL H100NVL", "NVIDIA H100 NVL", 93.0, 9.0, "printed: github.com/ali-vilab/VACE/issues/56 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"H800 80GB", "H800", "NVIDIA H800", 79.19, 9.0, "derived from github.com/vllm-project/vllm/issues/27508 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"A800 80GB", "A800 A800-80GB A800-SXM4-80GB", "NVIDIA A800-SXM4-80GB", 79.33, 8.0, "printed: github.com/hahnyuan/PB-LLM/issues/3 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"L20 48GB", "L20", "NVIDIA L20", 44.53, 8.9, "printed: github.com/Tencent-Hunyuan/HunyuanCustom/issues/36 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"A30 24GB", "A30", "NVIDIA A30", 23.53, 8.0, "printed: github.com/google/RB-Modulation/issues/5 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"GH200 96GB", "GH200 GH200-96GB GH200-480GB", "NVIDIA GH200 480GB", 95.0, 9.0, "derived from github.com/vllm-project/vllm/issues/9630 (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"GH200 144GB", "GH200-144GB GH200-144G", "NVIDIA GH200 144G HBM3e", 142.5, 9.0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"GB200 186GB", "GB200", "NVIDIA GB200", 184.31, 10.0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"B300 288GB", "B300 B300-SXM6", "NVIDIA B300 SXM6 AC", 267.69, 10.3, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "datacenter"},
    {"MI325X 256GB", "MI325X", "AMD Instinct MI325X", 255.98, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "amd"},
    {"MI250X 64GB (per GCD)", "MI250X MI250", "AMD Instinct MI250X", 63.98, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "amd"},
    {"MI210 64GB", "MI210", "AMD Instinct MI210", 63.98, 0, "printed: github.com/ROCm/legacy-rocm-build/issues/3246 (quoted in tests/data/gpus/SOURCES.md)", "amd"},
    {"Radeon RX 7900 XTX 24GB", "RX7900XTX RX-7900-XTX 7900XTX", "AMD Radeon RX 7900 XTX", 23.98, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "amd"},
    {"M2 Ultra 192GB", "M2-Ultra M2Ultra", "Apple M2 Ultra", 144.0, 0, "derived from github.com/raullenchai/Rapid-MLX/pull/183 (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M2 Max 96GB", "M2-Max-96GB", "Apple M2 Max", 72.0, 0, "printed: github.com/ggml-org/llama.cpp/issues/3213 (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M3 Max 128GB", "M3-Max M3Max M3-Max-128GB", "Apple M3 Max", 96.0, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M4 Max 128GB", "M4-Max M4Max M4-Max-128GB", "Apple M4 Max", 107.52, 0, "printed: github.com/antirez/ds4/pull/893 (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M4 Max 36GB", "M4-Max-36GB", "Apple M4 Max", 28.08, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M4 Pro 48GB", "M4-Pro M4Pro M4-Pro-48GB", "Apple M4 Pro", 37.44, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M4 Pro 24GB", "M4-Pro-24GB", "Apple M4 Pro", 17.76, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "apple"},
    {"M4 32GB", "M4 M4-32GB", "Apple M4", 24.96, 0, "printed: a public log (quoted in tests/data/gpus/SOURCES.md)", "apple"},
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
