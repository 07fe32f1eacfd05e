// DeepSpeed's own fields: ZeRO's stage, offload and zero.Init.
#include <array>

#include "input/field_block.hpp"

namespace llmmem::fields {
namespace {

constexpr std::array<V, 2> kOffload = {"none", "cpu"};

constexpr FieldSpec kFields[] = {
    {.path = "parallelism.zero_stage", .kind = FieldKind::integer, .min = 0, .max = 3, .default_json = "0",
     .engines = kDeepSpeed, .modes = kTraining, .section = "Parallelism", .label = "ZeRO stage", .flags = "--zero --zero-stage",
     .help = "1 shards optimizer states, 2 also gradients, 3 also weights", .assign = LLMMEM_ASSIGN(r.scenario.parallelism.zero_stage = v.integer)},
    {.path = "framework_config.offload_optimizer", .kind = FieldKind::choice, .choices = kOffload, .default_json = "\"none\"",
     .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed", .label = "Offload optimizer", .flags = "--offload-optimizer",
     .help = "ZeRO-Offload: optimizer states in CPU memory",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.offload_optimizer = v.text == "cpu")},
    {.path = "framework_config.offload_param", .kind = FieldKind::choice, .choices = kOffload, .default_json = "\"none\"",
     .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed", .label = "Offload parameters", .flags = "--offload-param",
     .help = "ZeRO-3 parameters in CPU memory", .assign = LLMMEM_ASSIGN(r.scenario.framework_config.offload_param = v.text == "cpu")},
    {.path = "framework_config.zero_init", .kind = FieldKind::boolean, .default_json = "true", .engines = kDeepSpeed,
     .modes = kTraining, .section = "DeepSpeed", .label = "zero.Init (ZeRO-3)", .flags = "--zero-init",
     .help = "ZeRO-3 builds the model partitioned", .assign = LLMMEM_ASSIGN(r.scenario.framework_config.zero_init = v.boolean)},
    {.path = "framework_config.gpus_per_node", .kind = FieldKind::integer, .min = 1, .max = 1024,
     .default_note = "min(8, all GPUs)", .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed",
     .label = "GPUs per node", .flags = "--gpus-per-node", .help = "for CPU memory per node",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gpus_per_node = v.integer)},
};

}  // namespace

std::span<const FieldSpec> deepspeed_fields() { return kFields; }

}  // namespace llmmem::fields
