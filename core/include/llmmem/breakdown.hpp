#pragma once

#include <array>
#include <string_view>

namespace llmmem {

/// Memory per GPU, in GiB (1024^3 bytes), with the spec's nine components and one more:
/// memory outside PyTorch's allocator that a serving engine measures and budgets for (vLLM's
/// "non-torch memory": NCCL and custom all-reduce buffers, cuBLAS workspaces), 0 elsewhere.
struct MemoryBreakdown {
  double model_weights_gb = 0;
  double activations_gb = 0;
  double gradients_gb = 0;
  double optimizer_states_gb = 0;
  double kv_cache_gb = 0;
  double cuda_graphs_gb = 0;
  double compilation_overhead_gb = 0;
  double fragmentation_overhead_gb = 0;
  double safety_margin_gb = 0;
  double non_torch_memory_gb = 0;

  double total_gb() const {
    return model_weights_gb + activations_gb + gradients_gb + optimizer_states_gb + kv_cache_gb +
           cuda_graphs_gb + compilation_overhead_gb + fragmentation_overhead_gb + safety_margin_gb +
           non_torch_memory_gb;
  }

  /// The spec's `to_dict()`: keys in its order, then non_torch_memory, `total` last.
  std::array<std::pair<std::string_view, double>, 11> to_dict() const {
    return {{{"model_weights", model_weights_gb},
             {"activations", activations_gb},
             {"gradients", gradients_gb},
             {"optimizer_states", optimizer_states_gb},
             {"kv_cache", kv_cache_gb},
             {"cuda_graphs", cuda_graphs_gb},
             {"compilation_overhead", compilation_overhead_gb},
             {"fragmentation_overhead", fragmentation_overhead_gb},
             {"safety_margin", safety_margin_gb},
             {"non_torch_memory", non_torch_memory_gb},
             {"total", total_gb()}}};
  }
};

}  // namespace llmmem
