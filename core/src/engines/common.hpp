#pragma once
// What engines share: the solver's searches, the warnings every request gets, and the policy of
// engines whose breakdown is what they hold (transformers, DeepSpeed): it fits when the total
// does.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmmem/engine.hpp"
#include "llmmem/estimator.hpp"
#include "llmmem/schema.hpp"

namespace llmmem::engines {

/// No NaN, Infinity or negative figure leaves the core: inputs that drive one there are refused.
const MemoryBreakdown& require_computable(const MemoryBreakdown& breakdown);

/// The solver's probes along one field of a working copy of the request (`work`, shared by the
/// questions of one result; the caller restores its scenario between them): the field set in
/// place, the engine's verdict read at each value.
class Probe {
 public:
  Probe(const Engine& engine, Request& work, std::string_view path);
  /// The verdict at `value`; nullopt where that is no valid request (a TP size not dividing the heads).
  std::optional<Verdict> at(double value);
  bool ok(double value) {
    const auto verdict = at(value);
    return verdict && verdict->ok();
  }

 private:
  const Engine& engine_;
  Request& request_;
  const FieldSpec* field_;
  // The verdicts probed so far: an answer's figures are read where the search already looked.
  std::vector<std::pair<double, std::optional<Verdict>>> seen_;
};

/// The largest integer in [low, high] where the verdict is ok, assuming it is ok up to a point
/// and not after (workload sizes): doubling, then bisection; O(log high) probes.
std::optional<std::int64_t> largest_ok(const std::function<bool(std::int64_t)>& ok, std::int64_t low, std::int64_t high);

/// The smallest integer in [low, high] where the verdict is ok, assuming it is not ok up to a
/// point and ok after (GPU counts, memory): doubling, then bisection.
std::optional<std::int64_t> smallest_ok(const std::function<bool(std::int64_t)>& ok, std::int64_t low, std::int64_t high);

/// The tensor-parallel sizes a model takes, ascending: those that divide its attention heads
/// (the others are no scenario: refused, or not a request).
std::vector<std::int64_t> tensor_parallel_sizes(const ModelSpec& model);

/// The first of `sizes` (ascending) where the verdict is ok, and the last valid size before it:
/// the search for sizes only some of which a request can take.
struct FirstOk {
  std::optional<std::int64_t> value, past;
};
FirstOk first_ok(Probe& probe, std::span<const std::int64_t> sizes);

/// The fewest tensor-parallel GPUs where the verdict is ok (first_ok over tensor_parallel_sizes),
/// as an answer whose `past` is the size before it.
SolverAnswer fewest_tensor_parallel(Probe& probe, const ModelSpec& model, std::string question, std::string note_when_none);

/// A solver answer for `field` from its boundary: `value` ok, `past` (one step on) not.
SolverAnswer answer(std::string field, std::string question, std::optional<std::int64_t> value,
                    std::optional<std::int64_t> past, const std::function<double(std::int64_t)>& needed_at,
                    std::string note_when_none);

/// Warnings every engine gives: the model parser's, a missing dtype, KV heads rounded, and
/// every given field the engine or mode does not read.
std::vector<std::string> shared_warnings(const Request& request);

/// The model as `estimator` weighs it: counts, parameters per GPU, bytes per parameter.
void describe_model(const Request& request, const MemoryEstimator& estimator, Result& result);

/// "8 x H100 80GB SXM", or "a GPU of 40 GiB".
std::string gpus_text(const Request& request);

/// The verdict of an engine whose breakdown is what it holds: `fits` when `needed_gib` is within
/// the GPU, else `does_not_fit`; no_gpu without one. With `words`, its sentence: "Fits on 1 x H100
/// 80GB SXM: 2.04 GiB to spare per GPU of 79.19 GiB.", "Does not fit on ...: needs 1.20 GiB more
/// per GPU than its 79.19 GiB.", or "Needs 9.59 GiB per GPU; choose a GPU for a verdict."
/// `with`: what runs there (" with 37/37 layers on the GPU"); `short_by`: what happens when it
/// does not fit, in the engine's terms (" (llama.cpp fails to allocate a buffer)").
Verdict fit_verdict(const Request& request, double needed_gib, bool words, const std::string& with = "",
                    std::string_view short_by = "");

/// A way to fit a trainer would try: its label and the fields it changes (path, JSON value).
struct WayToFit {
  std::string label;
  std::vector<std::pair<std::string, std::string>> changes;
};

/// The policy of an engine whose breakdown is its demand (transformers, DeepSpeed): the verdict
/// compares the total with the GPU, the solver asks how far the workload grows and how few GPUs
/// do, and each of `ways` is tried (the result's alternatives).
Result fit_result(const Engine& engine, const Request& request, const MemoryEstimator& estimator, Engine::Depth depth,
                  std::span<const WayToFit> ways);

}  // namespace llmmem::engines
