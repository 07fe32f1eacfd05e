// transformers' own fields: PyTorch's ways to shard and step a training run.
#include <array>

#include "input/field_block.hpp"

namespace llmmem::fields {
namespace {

constexpr std::array<V, 3> kSharding = {"none", "shard_grad_op", "full_shard"};

constexpr FieldSpec kFields[] = {
    {.path = "framework_config.fsdp", .kind = FieldKind::choice, .choices = kSharding, .default_json = "\"none\"",
     .engines = kTransformers, .modes = kTraining, .section = "Training", .label = "FSDP sharding", .flags = "--fsdp",
     .help = "PyTorch FSDP over the data-parallel ranks",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.fsdp = nth<FsdpSharding>(v, kSharding))},
    {.path = "framework_config.optimizer_in_backward", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTransformers, .modes = kTraining, .section = "Training", .label = "Optimizer in backward",
     .flags = "--optimizer-in-backward", .help = "step each parameter in backward, freeing its gradient (torchtune)",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.optimizer_in_backward = v.boolean)},
};

}  // namespace

std::span<const FieldSpec> transformers_fields() { return kFields; }

}  // namespace llmmem::fields
