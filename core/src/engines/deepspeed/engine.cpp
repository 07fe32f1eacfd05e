// DeepSpeed ZeRO training: model states as DeepSpeed's own estimators count them, sharded over
// the data-parallel ranks and offloaded to CPU memory. It fits when the breakdown does; the
// ways to fit are ZeRO's.
#include <algorithm>

#include "accounting/units.hpp"
#include "engines/common.hpp"

namespace llmmem {

ModelStates DeepSpeedMemoryEstimator::model_states(const Scenario& s) const {
  const Parallelism& p = s.parallelism;
  const FrameworkConfig& f = s.framework_config;
  const std::int64_t world = p.tensor_parallel_size * p.pipeline_parallel_size * p.data_parallel_size;
  ZeroSetup z;
  z.params = parameters_per_gpu(p);
  z.largest_layer = largest_module_parameters(p);
  z.data_parallel = p.data_parallel_size;
  z.gpus_per_node = f.gpus_per_node.value_or(std::min<std::int64_t>(8, world));
  z.nodes = ceil_div(world, z.gpus_per_node);
  z.stage = int(p.zero_stage);
  z.offload_optimizer = f.offload_optimizer;
  z.offload_param = f.offload_param;
  z.zero_init = f.zero_init;
  z.precision = f.training_precision;
  // DeepSpeed's optimizers keep their states in fp32 next to the fp32 master weights.
  z.optimizer_state_bytes = optimizer_state_bytes(f.optimizer_type, TrainingPrecision::mixed);
  if (f.fine_tuning == FineTuning::full) return deepspeed_model_states(z);

  // LoRA under ZeRO: DeepSpeed's states cover the adapters; the frozen base is partitioned
  // (and offloaded) like any parameter at stage 3, gathered a module at a time, and replicated
  // below stage 3.
  z.params = adapter_parameters_per_gpu(s);
  z.largest_layer = std::min(z.largest_layer, z.params);
  ModelStates states = deepspeed_model_states(z);
  const double base = frozen_base_bytes(s);
  const double base_per_rank = base / double(p.data_parallel_size);
  if (p.zero_stage < 3) {
    states.weights += base;
  } else {
    states.weights += 2.0 * largest_module_parameters(p) + (f.offload_param ? 0.0 : base_per_rank);
    if (f.offload_param) states.cpu += base_per_rank * double(std::min(z.gpus_per_node, world));
  }
  return states;
}

double DeepSpeedMemoryEstimator::estimate_kv_cache(const Scenario&) const { return 0; }

namespace engines {
namespace {

class DeepSpeedEngine final : public Engine {
 public:
  explicit DeepSpeedEngine(const Request& request) : estimator_(request.model, request.params) {}

  Result compute(const Request& request, Depth depth) const override {
    static const WayToFit kWays[] = {
        {"ZeRO stage 2", {{"parallelism.zero_stage", "2"}}},
        {"ZeRO stage 3", {{"parallelism.zero_stage", "3"}}},
        {"ZeRO-2 with the optimizer offloaded to CPU", {{"parallelism.zero_stage", "2"}, {"framework_config.offload_optimizer", "\"cpu\""}}},
        {"ZeRO-3 with optimizer and parameters offloaded to CPU",
         {{"parallelism.zero_stage", "3"}, {"framework_config.offload_optimizer", "\"cpu\""}, {"framework_config.offload_param", "\"cpu\""}}},
        {"gradient checkpointing", {{"framework_config.gradient_checkpointing", "\"full\""}}},
        {"LoRA with gradient checkpointing", {{"framework_config.fine_tuning", "\"lora\""}, {"framework_config.gradient_checkpointing", "\"full\""}}},
    };
    return fit_result(*this, request, estimator_, depth, kWays);
  }

 private:
  DeepSpeedMemoryEstimator estimator_;
};

}  // namespace

std::unique_ptr<Engine> make_deepspeed_engine(const Request& request) { return std::make_unique<DeepSpeedEngine>(request); }

}  // namespace engines
}  // namespace llmmem
