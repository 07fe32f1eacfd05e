// Hugging Face transformers: generate() with its KV cache, or PyTorch training (DDP or FSDP).
// It fits when the breakdown does; the ways to fit are a trainer's.
#include "engines/common.hpp"

namespace llmmem::engines {
namespace {

class TransformersEngine final : public Engine {
 public:
  explicit TransformersEngine(const Request& request)
      : estimator_(request.model.is_moe() ? std::unique_ptr<MemoryEstimator>(new MoEMemoryEstimator(request.model, request.params))
                                          : std::unique_ptr<MemoryEstimator>(new TransformersMemoryEstimator(request.model, request.params))) {}

  Result compute(const Request& request, Depth depth) const override {
    static const WayToFit kTraining[] = {
        {"gradient checkpointing", {{"framework_config.gradient_checkpointing", "\"full\""}}},
        {"LoRA (rank 16, q and v)", {{"framework_config.fine_tuning", "\"lora\""}}},
        {"LoRA with gradient checkpointing", {{"framework_config.fine_tuning", "\"lora\""}, {"framework_config.gradient_checkpointing", "\"full\""}}},
        {"QLoRA with gradient checkpointing", {{"framework_config.fine_tuning", "\"qlora\""}, {"framework_config.gradient_checkpointing", "\"full\""}}},
        {"8-bit AdamW", {{"framework_config.optimizer_type", "\"adamw_8bit\""}}},
        {"pure bf16 training", {{"framework_config.training_precision", "\"bf16\""}}},
        {"FSDP full_shard over the data-parallel GPUs", {{"framework_config.fsdp", "\"full_shard\""}}},
    };
    const bool training = request.scenario.mode == Mode::training;
    return fit_result(*this, request, *estimator_, depth, training ? std::span<const WayToFit>(kTraining) : std::span<const WayToFit>());
  }

 private:
  std::unique_ptr<MemoryEstimator> estimator_;
};

}  // namespace

std::unique_ptr<Engine> make_transformers_engine(const Request& request) {
  return std::make_unique<TransformersEngine>(request);
}

}  // namespace llmmem::engines
