// The one place that knows every engine: a line each.
#include "llmmem/engine.hpp"

namespace llmmem {
namespace engines {
std::unique_ptr<Engine> make_transformers_engine(const Request& request);
std::unique_ptr<Engine> make_vllm_engine(const Request& request);
std::unique_ptr<Engine> make_deepspeed_engine(const Request& request);
}  // namespace engines

std::unique_ptr<Engine> create_engine(const Request& request) {
  switch (request.framework) {
    case Framework::transformers: return engines::make_transformers_engine(request);
    case Framework::vllm: return engines::make_vllm_engine(request);
    case Framework::deepspeed: return engines::make_deepspeed_engine(request);
  }
  return nullptr;
}

}  // namespace llmmem
