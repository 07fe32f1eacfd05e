#pragma once
// llama.cpp's settings as it resolves them: what the request gave, else llama-server's defaults,
// or, run through Ollama, Ollama's by version. engine.cpp places the buffers they size.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engines/llamacpp/buffers.hpp"
#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem::llamacpp {

struct Resolved {
  Settings buffers;
  std::int64_t n_gpu_layers = 0;
  bool kv_offload = true;
  // Run through Ollama: it picks -ngl itself (the layers that fit) unless given, and tries its
  // default parallelism before falling back to one slot where that does not fit.
  bool ollama = false, ollama_picks_layers = false, parallel_auto = false;
  std::int64_t num_ctx = 0;
  // llama-server from b7407 fits what the user left unset to the GPU (--fit, llama_params_fit):
  // first the context, down to 4096, then the layers on the GPU, keeping 1 GiB free.
  bool fit_context = false, fit_layers = false;
  std::int64_t trained_context = 0;
  std::vector<Setting> echo;
  std::vector<std::string> warnings;
  /// Records the value used for `path` and why, replacing what an earlier step said of it.
  void say(std::string_view path, std::string value_json, std::string source);
};

Resolved resolve(const Request& request);

}  // namespace llmmem::llamacpp
