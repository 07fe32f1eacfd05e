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
    {"RTX 3060 Ti 8GB", "RTX3060Ti RTX-3060-Ti", "NVIDIA GeForce RTX 3060 Ti", 7.78, 8.6, "Derived: same GA104 die and 8 GB GDDR6 as the RTX 3070, whose Linux torch total prints 7.78 GiB (https://github.com/akshitac8/OW-DETR/issues/46). No Linux printout for the 3060 Ti itself was found; Windows prints report 8.00 GiB (WDDM)", "consumer"},
    {"RTX 3070 8GB", "RTX3070 RTX-3070", "NVIDIA GeForce RTX 3070", 7.78, 8.6, "https://github.com/akshitac8/OW-DETR/issues/46 'CUDA out of memory. Tried to allocate 1.88 GiB (GPU 0; 7.78 GiB total capacity; ...)' on an RTX3070; also https://github.com/meta-llama/codellama/issues/82 '(3070) GPU 0 has a total capacty of 7.78 GiB'", "consumer"},
    {"RTX 3080 10GB", "RTX3080 RTX-3080 RTX-3080-10GB", "NVIDIA GeForce RTX 3080", 9.78, 8.6, "https://github.com/zai-org/CogVideo/issues/34 (RTX3080, Linux) 'CUDA out of memory. Tried to allocate 54.00 MiB (GPU 0; 9.78 GiB total capacity; ...)'. Windows prints 10.00 GiB (https://github.com/victordibia/peacasso/issues/3)", "consumer"},
    {"RTX 3090 Ti 24GB", "RTX3090Ti RTX-3090-Ti", "NVIDIA GeForce RTX 3090 Ti", 23.55, 8.6, "a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='NVIDIA GeForce RTX 3090 Ti', major=8, minor=6, total_memory=24114MB, ...)\" (24114 MiB / 1024 = 23.55 GiB)", "consumer"},
    {"RTX 4060 8GB", "RTX4060 RTX-4060", "NVIDIA GeForce RTX 4060", 7.75, 8.9, "https://github.com/ESRSchao/EdgeRegNet/issues/2 'GPU 0 has a total capacity of 7.75 GiB of which 279.12 MiB is free' (RTX 4060 8GB, Core Ultra 9 185H, i.e. the laptop part; a desktop 4060 8GB report in https://github.com/longxiang-ai/TSGS/issues/6 prints 7.72 GiB)", "consumer"},
    {"RTX 4060 Ti 16GB", "RTX4060Ti RTX-4060-Ti RTX-4060-Ti-16GB", "NVIDIA GeForce RTX 4060 Ti", 15.55, 8.9, "https://github.com/boson-ai/higgs-audio/issues/48 (4060ti-16G) 'OutOfMemoryError: CUDA out of memory. Tried to allocate 64.00 MiB. GPU 0 has a total capacity of 15.55 GiB of which 43.25 MiB is free.'", "consumer"},
    {"RTX 4070 Ti 12GB", "RTX4070Ti RTX-4070-Ti", "NVIDIA GeForce RTX 4070 Ti", 11.73, 8.9, "https://github.com/OpenLMLab/LOMO/issues/17 (4070ti) 'CUDA out of memory. Tried to allocate 86.00 MiB (GPU 0; 11.73 GiB total capacity; ...)'. The plain RTX 4070 12GB (same AD104, 12 GB GDDR6X) should be the same; its prints found were Windows-only (11.99 GiB / llama.cpp 'RTX 4070 (12282 MiB, ...)')", "consumer"},
    {"RTX 5070 Ti 16GB", "RTX5070Ti RTX-5070-Ti", "NVIDIA GeForce RTX 5070 Ti", 15.51, 12.0, "a public GitHub log (repository not recorded): 'Hardware was one NVIDIA GeForce RTX 5070 Ti (15,880 MiB usable, compute capability 12.0, VMM enabled, driver 610.57.04)' (Linux driver; 15880/1024 = 15.51 GiB). NVML/nvidia-smi total for the card is 16,303 MiB", "consumer"},
    {"RTX 5080 16GB", "RTX5080 RTX-5080", "NVIDIA GeForce RTX 5080", 15.48, 12.0, "https://github.com/vllm-project/vllm/issues/14452 (8x RTX 5080, vLLM) 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.74 GiB. GPU 0 has a total capacity of 15.48 GiB of which 953.94 MiB is free.'", "consumer"},
    {"RTX A4000 16GB", "A4000 RTX-A4000", "NVIDIA RTX A4000", 15.61, 8.6, "https://github.com/DengKaiCQ/VGGT-Long/issues/6 (NVIDIA RTX A4000 16GB) 'torch.OutOfMemoryError: ... GPU 0 has a total capacity of 15.61 GiB of which 82.88 MiB is free.'", "workstation"},
    {"RTX A5000 24GB", "A5000 RTX-A5000", "NVIDIA RTX A5000", 23.57, 8.6, "a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='NVIDIA RTX A5000', major=8, minor=6, total_memory=24138MB, multi_processor_count=64, ...)\" (24138/1024 = 23.57 GiB; another file, id 36903445345, prints total_memory=24114MB = 23.55 GiB)", "workstation"},
    {"RTX A6000 48GB", "A6000 RTX-A6000", "NVIDIA RTX A6000", 47.54, 8.6, "a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='NVIDIA RTX A6000', major=8, minor=6, total_memory=48676MB, multi_processor_count=84)\" (48676/1024 = 47.54 GiB)", "workstation"},
    {"A40 48GB", "A40", "NVIDIA A40", 44.35, 8.6, "a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='NVIDIA A40', major=8, minor=6, total_memory=45416MB, multi_processor_count=84)\" (45416/1024 = 44.35 GiB; ECC on, as on the L40S)", "workstation"},
    {"L40 48GB", "L40", "NVIDIA L40", 44.4, 8.9, "https://github.com/QwenLM/Qwen3-VL/issues/2097 ('OutOfMemoryError in single L40 GPU') 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 40.42 GiB. GPU 0 has a total capacity of 44.40 GiB of which 33.26 GiB is free.'", "workstation"},
    {"H100 NVL 94GB", "H100-NVL H100NVL", "NVIDIA H100 NVL", 93.0, 9.0, "https://github.com/ali-vilab/VACE/issues/56 (comment: 'H100 NVL 94GB VRAM (RunPod)') 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.58 GiB. GPU 0 has a total capacity of 93.00 GiB of which 1.08 GiB is free.'", "datacenter"},
    {"H800 80GB", "H800", "NVIDIA H800", 79.19, 9.0, "Derived: the H800 is the H100 SXM with cut NVLink and the same 80 GB HBM3 (nvidia-smi 81559 MiB), so it takes the catalogue's H100 80GB SXM total (79.19 GiB). No printed H800 total was found; an 'H100' OOM in https://github.com/vllm-project/vllm/issues/27508 prints 79.11 GiB, so expect 79.1-79.2", "datacenter"},
    {"A800 80GB", "A800 A800-80GB A800-SXM4-80GB", "NVIDIA A800-SXM4-80GB", 79.33, 8.0, "https://github.com/hahnyuan/PB-LLM/issues/3 (A800-80G) 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 172.00 MiB. GPU 0 has a total capacty of 79.33 GiB of which 49.81 MiB is free.'", "datacenter"},
    {"L20 48GB", "L20", "NVIDIA L20", 44.53, 8.9, "https://github.com/Tencent-Hunyuan/HunyuanCustom/issues/36 ('L20 8卡运行报错，oom') '[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.40 GiB. GPU 0 has a total capacity of 44.53 GiB of which 1.29 GiB is free.'", "datacenter"},
    {"A30 24GB", "A30", "NVIDIA A30", 23.53, 8.0, "https://github.com/google/RB-Modulation/issues/5 ('only 24G in A30') 'CUDA out of memory. Tried to allocate 16.00 MiB. GPU 0 has a total capacty of 23.53 GiB of which 64.00 KiB is free.'", "datacenter"},
    {"GH200 96GB", "GH200 GH200-96GB GH200-480GB", "NVIDIA GH200 480GB", 95.0, 9.0, "Derived: GH200's nvidia-smi total is 97871 MiB (a public GitHub log (repository not recorded): '|   0  NVIDIA GH200 480GB ... |      1MiB / 97871MiB |'), the same as the 96 GB H20, whose torch total is 97285 MiB (a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='NVIDIA H20', major=9, minor=0, total_memory=97285MB, ...)\") = 95.00 GiB. Caution: https://github.com/vllm-project/vllm/issues/9630 ('OOM error on 96GB H100') prints 'GPU 0 has a total capacity of 94.50 GiB'; if that card was a GH200 the value is 94.50", "datacenter"},
    {"GH200 144GB", "GH200-144GB GH200-144G", "NVIDIA GH200 144G HBM3e", 142.5, 9.0, "a public GitHub log (repository not recorded): a check written against a real host: 'CHECK(strcmp(label, \"NVIDIA GH200 144G HBM3e\") == 0); size_t bytes = 0; OK(total_mem(&bytes, device)); CHECK(bytes == 153008209920ULL);' (cuDeviceTotalMem, the value torch's total_memory reports; 153008209920 B = 142.50 GiB)", "datacenter"},
    {"GB200 186GB", "GB200", "NVIDIA GB200", 184.31, 10.0, "a public GitHub log (repository not recorded): 'Symptom (seen on GB200 decode, EP=8, VLLM_DEEPSEEK_V4_USE_MEGA_MOE=1): torch.OutOfMemoryError: Tried to allocate 1008.00 MiB. GPU 0 has a total capacity of 184.31 GiB of which 381.44 MiB is free.' (three more files print the same 184.31 GiB)", "datacenter"},
    {"B300 288GB", "B300 B300-SXM6", "NVIDIA B300 SXM6 AC", 267.69, 10.3, "a public GitHub log (repository not recorded) (blog 'Benchmarking DeepSeek-V4.1-Flash on 8x B300'): 'Memory per GPU | 275,040 MiB (268.6 GiB), of which vLLM sees 267.69 GiB | nvidia-smi memory.total; vLLM's Free memory on device (264.8/267.69 GiB) log line'. Also id 66068615294: 'device_total_bytes=287428771840' = 267.69 GiB", "datacenter"},
    {"MI325X 256GB", "MI325X", "AMD Instinct MI325X", 255.98, 0, "a public GitHub log (repository not recorded) (vLLM ROCm bug note): 'HIP out of memory. Tried to allocate 13.54 GiB. GPU 0 has a total capacity of 255.98 GiB of which 12.74 GiB is free.' The card is not named in the excerpt; 256 GiB is the MI325X's capacity, and the value matches the MI300X pattern (192 GiB less 0.02 -> 191.98)", "amd"},
    {"MI250X 64GB (per GCD)", "MI250X MI250", "AMD Instinct MI250X", 63.98, 0, "a public GitHub log (repository not recorded): \"_CudaDeviceProperties(name='AMD Instinct MI250X', major=9, minor=0, gcnArchName='gfx90a:sramecc+:xnack-', total_memory=65520MB, multi_processor_count=110)\" (one GCD; 65520/1024 = 63.98 GiB. An MI250X card is two such devices)", "amd"},
    {"MI210 64GB", "MI210", "AMD Instinct MI210", 63.98, 0, "https://github.com/ROCm/legacy-rocm-build/issues/3246 (labelled 'AMD Instinct MI210') rocminfo GPU pool 'Segment: GLOBAL; FLAGS: FINE GRAINED  Size: 67092480(0x3ffc000) KB' = 63.98 GiB, the same pool size as the MI250X GCD whose torch total_memory is 65520 MB (63.98 GiB)", "amd"},
    {"Radeon RX 7900 XTX 24GB", "RX7900XTX RX-7900-XTX 7900XTX", "AMD Radeon RX 7900 XTX", 23.98, 0, "a public GitHub log (repository not recorded) (ComfyUI log): 'Device: cuda:0 AMD Radeon RX 7900 XTX : native' ... 'torch.OutOfMemoryError: HIP out of memory. Tried to allocate 77.52 GiB. GPU 0 has a total capacity of 23.98 GiB of which 4.98 GiB is free.' (also id 55571617335 on a 7900 XTX: 'GPU 0 has a total capacity of 23.98 GiB')", "amd"},
    {"M2 Ultra 192GB", "M2-Ultra M2Ultra", "Apple M2 Ultra", 144.0, 0, "Derived: under macOS 13/14 Metal's recommendedMaxWorkingSetSize was 3/4 of RAM above 36 GB (printed: M2 Max 96GB 73728 MiB, M3 Max 128GB 98304 MiB), so 0.75 x 192 GiB = 147456 MiB = 144 GiB, which llama.cpp prints as '154618.82 MB'. No real M2 Ultra log was found; a test fixture uses 'MTL0: Apple M2 Ultra (147456 MiB, 147000 MiB free)' and https://github.com/raullenchai/Rapid-MLX/pull/183 tabulates 'M2 Ultra 192GB | 144 GB'. On macOS 26 the fraction for big machines is higher (128 GB hosts: 0.84), so a current M2 Ultra may report more", "apple"},
    {"M2 Max 96GB", "M2-Max-96GB", "Apple M2 Max", 72.0, 0, "https://github.com/ggml-org/llama.cpp/issues/3213 (M2 Max 96 GB) 'ggml_metal_init: recommendedMaxWorkingSetSize  = 73728,00 MB' (2023 llama.cpp: MiB labelled MB; 73728 MiB = 72 GiB = 0.75 x 96 GiB)", "apple"},
    {"M3 Max 128GB", "M3-Max M3Max M3-Max-128GB", "Apple M3 Max", 96.0, 0, "a public GitHub log (repository not recorded) (llama.cpp log, early 2024): 'ggml_metal_init: GPU name:   Apple M3 Max' ... 'ggml_metal_init: recommendedMaxWorkingSetSize  = 103079.22 MB' and '(30719.52 / 98304.00)' (98304 MiB = 96 GiB = 0.75 x 128 GiB). On macOS 26 the same class of machine reports 'MTL0: Apple M3 Max (110100 MiB, 110100 MiB free)' = 107.52 GiB", "apple"},
    {"M4 Max 128GB", "M4-Max M4Max M4-Max-128GB", "Apple M4 Max", 107.52, 0, "a public GitHub log (repository not recorded): 'Measured on this project's reference machine (Apple M4 Max, 2026-09-25 ...): MTL0: Apple M4 Max (110100 MiB, 110100 MiB free) against 128 GiB (131072 MiB) of host RAM'; the matching llama.cpp line is 'recommendedMaxWorkingSetSize  = 115448.73 MB'. 110100 MiB = 107.52 GiB = 0.84 of RAM (macOS 26; https://github.com/antirez/ds4/pull/893 reports 'recommendedMaxWorkingSetSize: 107.52 GiB # stock' on a 128 GB M5 Max too)", "apple"},
    {"M4 Max 36GB", "M4-Max-36GB", "Apple M4 Max", 28.08, 0, "a public GitHub log (repository not recorded) ('Context Capacity Analysis - MacBook Pro M4 Max 36 GB'): 'ggml_metal_device_init: recommendedMaxWorkingSetSize  = 30150.67 MB' (bytes/1e6; = 28753 MiB = 28.08 GiB = 0.78 of 36 GiB)", "apple"},
    {"M4 Pro 48GB", "M4-Pro M4Pro M4-Pro-48GB", "Apple M4 Pro", 37.44, 0, "a public GitHub log (repository not recorded) ('Live probe ... on the 48 GB M4 Pro', llama.cpp b10809): 'llama-server --list-devices lists MTL0: Apple M4 Pro (38338 MiB)'; with it llama.cpp prints 'recommendedMaxWorkingSetSize  = 40200.90 MB'. 38338 MiB = 37.44 GiB = 0.78 of 48 GiB", "apple"},
    {"M4 Pro 24GB", "M4-Pro-24GB", "Apple M4 Pro", 17.76, 0, "a public GitHub log (repository not recorded): '`MTL0: Apple M4 Pro (18186 MiB, 18185 MiB free)` on a 24 GiB Mac running macOS 26.' (18186 MiB = 17.76 GiB = 0.74 of 24 GiB)", "apple"},
    {"M4 32GB", "M4 M4-32GB", "Apple M4", 24.96, 0, "a public GitHub log (repository not recorded) (Ollama 0.17.0 on an M4 iMac, system memory total=\"32.0 GiB\"): 'ggml_metal_device_init: recommendedMaxWorkingSetSize  = 26800.60 MB' and 'msg=\"inference compute\" ... library=Metal ... description=\"Apple M4\" ... total=\"25.0 GiB\"' (26800.60e6 B = 25559 MiB = 24.96 GiB = 0.78 of 32 GiB)", "apple"},
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
