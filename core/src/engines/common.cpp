#include "engines/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "accounting/units.hpp"
#include "engines/explain.hpp"
#include "engines/text.hpp"
#include "input/request_parser.hpp"
#include "llmmem/error.hpp"
#include "llmmem/input.hpp"

namespace llmmem::engines {

const MemoryBreakdown& require_computable(const MemoryBreakdown& breakdown) {
  for (const auto& [key, gib] : breakdown.to_dict()) {
    if (!std::isfinite(gib) || gib < 0) {
      throw InputError("request", "request: the " + std::string(key) +
                                      " estimate is beyond what can be computed for these inputs");
    }
  }
  return breakdown;
}

Probe::Probe(const Engine& engine, Request& work, std::string_view path)
    : engine_(engine), request_(work), field_(find_field(path)) {}

std::optional<Verdict> Probe::at(double value) {
  for (const auto& [probed, verdict] : seen_) {
    if (probed == value) return verdict;
  }
  FieldValue v;
  v.integer = std::int64_t(std::llround(value));
  v.number = value;
  assign_field(request_, *field_, std::move(v));
  std::optional<Verdict> verdict;
  try {
    validate_request(request_);
    verdict = engine_.evaluate(request_, Engine::Depth::verdict).verdict;
  } catch (const InputError&) {
    // not a valid request at this value: no verdict
  }
  seen_.emplace_back(value, verdict);
  return verdict;
}

std::optional<std::int64_t> largest_ok(const std::function<bool(std::int64_t)>& ok, std::int64_t low, std::int64_t high) {
  if (low > high || !ok(low)) return std::nullopt;
  std::int64_t good = low, bad = high + 1;
  for (std::int64_t probe = std::max(low + 1, 2 * low); probe <= high; probe *= 2) {
    if (!ok(probe)) {
      bad = probe;
      break;
    }
    good = probe;
  }
  while (bad - good > 1) {
    const std::int64_t mid = good + (bad - good) / 2;
    (ok(mid) ? good : bad) = mid;
  }
  return good;
}

std::optional<std::int64_t> smallest_ok(const std::function<bool(std::int64_t)>& ok, std::int64_t low, std::int64_t high) {
  if (low > high) return std::nullopt;
  if (ok(low)) return low;
  std::int64_t bad = low, good = -1;
  for (std::int64_t probe = std::max(low + 1, 2 * low); probe <= high; probe *= 2) {
    if (ok(probe)) {
      good = probe;
      break;
    }
    bad = probe;
  }
  if (good < 0) {
    if (bad >= high || !ok(high)) return std::nullopt;
    good = high;
  }
  while (good - bad > 1) {
    const std::int64_t mid = bad + (good - bad) / 2;
    (ok(mid) ? good : bad) = mid;
  }
  return good;
}

SolverAnswer answer(std::string field, std::string question, std::optional<std::int64_t> value,
                    std::optional<std::int64_t> past, const std::function<double(std::int64_t)>& needed_at,
                    std::string note_when_none) {
  SolverAnswer a;
  a.field = std::move(field);
  a.question = std::move(question);
  if (value) {
    a.value = double(*value);
    a.needed_gib = needed_at(*value);
    if (past) a.past = double(*past);
  } else {
    a.note = std::move(note_when_none);
  }
  return a;
}

void describe_model(const Request& request, const MemoryEstimator& estimator, Result& r) {
  r.counts = estimator.parameter_counts();
  r.parameters_per_gpu = estimator.parameters_per_gpu(request.scenario.parallelism);
  r.bytes_per_parameter = estimator.bytes_per_parameter();
  r.weight_bytes = estimator.weight_bytes_per_gpu(Parallelism{});
  r.storage_dtype = request.model.storage_dtype.empty() ? request.params.default_storage_dtype : request.model.storage_dtype;
  r.kv_cache_bytes_per_token = estimator.kv_cache_bytes_per_token(request.scenario);
}

std::vector<std::int64_t> tensor_parallel_sizes(const ModelSpec& model) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t tp = 1; tp <= model.attention.num_heads; ++tp) {
    if (model.attention.num_heads % tp == 0) sizes.push_back(tp);
  }
  return sizes;
}

FirstOk first_ok(Probe& probe, std::span<const std::int64_t> sizes) {
  FirstOk found;
  for (std::int64_t size : sizes) {
    const auto verdict = probe.at(double(size));
    if (!verdict) continue;  // not a size the request can take
    if (verdict->ok()) {
      found.value = size;
      break;
    }
    found.past = size;
  }
  if (!found.value) found.past.reset();
  return found;
}

SolverAnswer fewest_tensor_parallel(Probe& probe, const ModelSpec& model, std::string question, std::string note_when_none) {
  const FirstOk fewest = first_ok(probe, tensor_parallel_sizes(model));
  return answer("parallelism.tensor_parallel_size", std::move(question), fewest.value, fewest.past,
                [&](std::int64_t v) { return probe.at(double(v))->needed_gib; }, std::move(note_when_none));
}

std::string gpus_text(const Request& request) {
  const Parallelism& p = request.scenario.parallelism;
  const FrameworkConfig& f = request.scenario.framework_config;
  const std::int64_t gpus = p.tensor_parallel_size * p.pipeline_parallel_size * p.data_parallel_size;
  const std::string gpu = !f.gpu.empty() ? f.gpu : "a GPU of " + gib_text(f.gpu_memory_gib.value_or(0)) + " GiB";
  return std::to_string(gpus) + " x " + gpu;
}

std::vector<std::string> shared_warnings(const Request& request) {
  const ModelSpec& m = request.model;
  const Scenario& s = request.scenario;
  std::vector<std::string> warnings = m.warnings;
  if (m.storage_dtype.empty() && !m.is_quantized()) {
    warnings.push_back("config has no torch_dtype: weights counted as params.default_storage_dtype (" +
                       request.params.default_storage_dtype + ")");
  }
  if (m.attention.num_kv_heads % s.parallelism.tensor_parallel_size != 0 &&
      s.parallelism.tensor_parallel_size < m.attention.num_kv_heads) {
    warnings.push_back("num_key_value_heads (" + std::to_string(m.attention.num_kv_heads) +
                       ") is not divisible by tensor_parallel_size: KV heads counted rounded up per GPU");
  }
  if (const std::int64_t held = m.checkpoint.parameters, counted = held > 0 ? m.parameter_counts().total() : 0;
      held > 0 && held != counted) {
    warnings.push_back("checkpoint.parameters: the checkpoint's headers hold " + std::to_string(held) + " parameters, config.json's formula counts " +
                       std::to_string(counted) + " (" + (held > counted ? std::to_string(held - counted) + " more in the checkpoint: buffers, scales, an MTP layer or a tied lm_head stored twice"
                                                                        : std::to_string(counted - held) + " fewer in the checkpoint") +
                       ")" + (m.checkpoint.tensor_bytes > 0 ? "; the weights are the headers' bytes" : ""));
  }
  if (m.blocks.hybrid() && request.framework == Framework::vllm) {
    warnings.push_back("hybrid Mamba layers: vLLM's Mamba state cache (and the KV block size it aligns to it) is not "
                       "modelled; its KV cache here counts the attention layers only");
  }
  if (m.blocks.hybrid() && s.mode == Mode::training) {
    warnings.push_back("hybrid Mamba layers: training activations are estimated as if every layer were attention and MLP");
  }
  if (s.parallelism.expert_parallel_size > 1 && !m.is_moe()) {
    warnings.push_back("parallelism.expert_parallel_size has no effect on a dense model");
  }
  if (s.mode == Mode::training && s.framework_config.fine_tuning == FineTuning::qlora && m.is_quantized()) {
    warnings.push_back("fine_tuning \"qlora\" quantizes the base to NF4 itself: the config's own "
                       "quantization_config is not used for training");
  }
  // Every input this engine does not read, by name: a setting that silently does nothing is
  // the answer to another question.
  const char* engine = to_string(request.framework);
  for (const auto& [path, value] : s.given.all()) {
    const FieldSpec* field = find_field(path);
    if (!field || field->path == "framework" || field_applies(*field, request)) continue;
    if (!field->applies_to(request.framework, Mode::inference) && !field->applies_to(request.framework, Mode::training)) {
      warnings.push_back(std::string(path) + " is ignored: " + engine + " does not read it");
    } else if (!field->applies_to(request.framework, s.mode)) {
      warnings.push_back(std::string(path) + " is ignored: " + engine + " does not read it in " + to_string(s.mode));
    } else {
      std::string values;
      for (std::string_view v : field->when_values) values += (values.empty() ? "" : " or ") + std::string(v);
      warnings.push_back(std::string(path) + " is ignored: it applies with " + std::string(field->when_path) + " " + values);
    }
  }
  return warnings;
}

namespace {

/// The request with each (path, JSON value) change applied; nullopt when that is not a valid
/// request, or when the request already gave every one of them (no way to fit: the scenario
/// itself). `effective` receives the changes the request did not already give.
std::optional<Request> with_changes(const Request& base, const std::vector<std::pair<std::string, std::string>>& changes,
                                    std::vector<std::pair<std::string, std::string>>& effective) {
  Request request = base;
  effective.clear();
  try {
    for (const auto& change : changes) {
      const auto& [path, value] = change;
      const FieldSpec* field = find_field(path);
      const FieldValue wanted = detail::read_field(*field, detail::parse_json_text(value, path), path);
      const FieldValue* given = base.scenario.given.find(path);
      if (!given || *given != wanted) effective.push_back(change);
      assign_field(request, *field, wanted);
    }
    if (effective.empty()) return std::nullopt;
    validate_request(request);
  } catch (const InputError&) {
    return std::nullopt;
  }
  return request;
}

/// Valid, but unlike any real deployment: said, not refused. transformers runs a length past the
/// position limit (rotary models degrade past it, learned positions fail with an index error);
/// vLLM refuses it in its own words, so this is the training and generate() engines' only.
void add_workload_warnings(const Request& request, const MemoryBreakdown& breakdown, std::vector<std::string>& warnings) {
  const ModelSpec& m = request.model;
  const Scenario& s = request.scenario;
  if (m.context.positions > 0 && s.workload.sequence_length > m.context.positions) {
    warnings.push_back("workload.sequence_length (" + count_text(s.workload.sequence_length) + ") is beyond the model's " +
                       m.context.key + " (" + count_text(m.context.positions) +
                       "): rotary models lose quality past it, learned positions fail with an index error");
  }
  const Parallelism& p = s.parallelism;
  const double kv_bytes = breakdown.kv_cache_gb * kBytesPerGiB * double(p.tensor_parallel_size * p.pipeline_parallel_size * p.data_parallel_size);
  if (kv_bytes > 1e14) {
    warnings.push_back("the KV cache alone is " + gib_text(kv_bytes / 1e12) + " TB over all GPUs, beyond any real "
                       "deployment (100 TB): check workload.batch_size and workload.sequence_length");
  }
}

}  // namespace

Verdict fit_verdict(const Request& request, double needed, bool words, const std::string& with, std::string_view short_by) {
  Verdict v;
  v.needed_gib = needed;
  const std::optional<double> gpu = request.scenario.framework_config.gpu_memory_gib;
  if (!gpu) {
    if (words) v.summary = "Needs " + gib_text(needed) + " GiB per GPU" + with + "; choose a GPU for a verdict.";
    return v;
  }
  v.gpu_memory_gib = *gpu;
  v.limit_gib = *gpu;
  v.status = needed <= *gpu ? Verdict::Status::fits : Verdict::Status::does_not_fit;
  if (!words) return v;
  v.summary = needed <= *gpu
                  ? "Fits on " + gpus_text(request) + with + ": " + gib_text(*gpu - needed) + " GiB to spare per GPU of " + gib_text(*gpu) + " GiB."
                  : "Does not fit on " + gpus_text(request) + with + ": needs " + gib_text(needed - *gpu) + " GiB more per GPU than its " +
                        gib_text(*gpu) + " GiB" + std::string(short_by) + ".";
  return v;
}

Result fit_result(const Engine& engine, const Request& request, const MemoryEstimator& estimator, Engine::Depth depth,
                  std::span<const WayToFit> ways) {
  const Scenario& s = request.scenario;
  Result r;
  r.estimator = estimator.kind();
  r.framework = request.framework;
  r.mode = s.mode;
  r.breakdown = require_computable(estimator.estimate_total_memory(s));
  r.verdict = fit_verdict(request, r.breakdown.total_gb(), depth == Engine::Depth::full);
  if (depth != Engine::Depth::full) return r;  // a probe or a chart's point: no model facts or warnings

  describe_model(request, estimator, r);
  std::optional<MemoryEstimator::TrainingPhases> phases_of_training;
  if (s.mode == Mode::training) {
    const auto& phases = phases_of_training.emplace(estimator.training_phases(s));
    TrainingSummary t;
    t.step_is_peak = phases.step_is_peak();
    t.forward_backward_gib = phases.forward_backward / kBytesPerGiB;
    t.optimizer_step_gib = phases.optimizer_step / kBytesPerGiB;
    t.activations_gib = phases.activations / kBytesPerGiB;
    t.trainable_parameters_per_gpu = s.framework_config.fine_tuning == FineTuning::full
                                         ? estimator.parameters_per_gpu(s.parallelism)
                                         : estimator.adapter_parameters_per_gpu(s);
    r.training = t;
    // Host memory per node for the model states kept there: DeepSpeed's "per CPU" figure, or
    // a paged optimizer's states.
    if (request.framework == Framework::deepspeed || phases.states.cpu > 0) r.cpu_memory_gib = phases.states.cpu / kBytesPerGiB;
    r.breakdown_basis = t.step_is_peak ? "the training step's peak per GPU, in optimizer.step()"
                                       : "the training step's peak per GPU, at the start of backward";
  } else {
    r.breakdown_basis = "what transformers holds per GPU while generating, with the spec's fragmentation and safety margin";
  }
  r.explanations = explain_fit(request, r, phases_of_training ? &*phases_of_training : nullptr);
  r.warnings = shared_warnings(request);
  add_workload_warnings(request, r.breakdown, r.warnings);
  if (!s.framework_config.gpu_memory_gib) return r;

  // The solver: how far the workload grows on this GPU, and how few GPUs do.
  Request work = request;
  auto grow = [&](std::string_view path, std::string question) {
    work.scenario = request.scenario;
    Probe probe(engine, work, path);
    const auto ok = [&](std::int64_t value) { return probe.ok(double(value)); };
    const std::int64_t limit = std::int64_t(1) << 30;
    const auto value = largest_ok(ok, 1, limit);
    r.solver.push_back(answer(std::string(path), std::move(question), value,
                              value && *value < limit ? std::optional<std::int64_t>(*value + 1) : std::nullopt,
                              [&](std::int64_t v) { return probe.at(double(v))->needed_gib; },
                              "none fits: even 1 needs more than the GPU"));
  };
  grow("workload.batch_size", "Largest batch");
  grow("workload.sequence_length", "Longest sequence");
  work.scenario = request.scenario;
  Probe tp_probe(engine, work, "parallelism.tensor_parallel_size");
  r.solver.push_back(fewest_tensor_parallel(tp_probe, request.model, "Fewest tensor-parallel GPUs",
                                            "no tensor-parallel size up to the heads makes it fit"));
  // Each way once: "LoRA with checkpointing" is "checkpointing" for a LoRA run, offered once.
  std::vector<std::vector<std::pair<std::string, std::string>>> offered;
  std::vector<std::pair<std::string, std::string>> effective;
  for (const WayToFit& way : ways) {
    const auto changed = with_changes(request, way.changes, effective);
    if (!changed || std::find(offered.begin(), offered.end(), effective) != offered.end()) continue;
    offered.push_back(effective);
    const Verdict there = engine.evaluate(*changed, Engine::Depth::verdict).verdict;
    r.alternatives.push_back({way.label, way.changes, there.ok(), there.needed_gib});
  }
  return r;
}

}  // namespace llmmem::engines
