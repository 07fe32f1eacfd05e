// Sweeps (a chart's points) and the solver: one request parsed once, one field varied, each
// point the engine's own result and the solver's answer where the engine's verdict flips.
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engines/common.hpp"
#include "input/json_reader.hpp"
#include "input/request_parser.hpp"
#include "llmmem/api.hpp"
#include "output/envelope.hpp"
#include "output/json_writer.hpp"
#include "output/result_json.hpp"

namespace llmmem {
namespace {

using detail::fail;
using json = nlohmann::json;

/// The expert-parallel sizes a request takes: vLLM spreads experts over all TP x DP ranks or
/// none; otherwise up to the experts.
std::vector<std::int64_t> expert_parallel_sizes(const Request& request) {
  const Parallelism& p = request.scenario.parallelism;
  if (request.framework == Framework::vllm) return {1, p.tensor_parallel_size * p.data_parallel_size};
  std::vector<std::int64_t> sizes;
  for (std::int64_t ep = 1; ep <= std::max<std::int64_t>(1, request.model.moe.num_experts); ++ep) sizes.push_back(ep);
  return sizes;
}

std::vector<std::int64_t> tensor_parallel_sizes(const Request& request) {
  return engines::tensor_parallel_sizes(request.model);
}

/// A field a sweep or the solver may vary. `grows`: memory grows with it (the solver looks for
/// the largest that runs), else it shrinks (the smallest that runs).
struct VariableField {
  std::string_view name;
  bool grows;
  bool fraction = false;  // a number in (0, 1] (gpu_memory_utilization), else a positive integer
  // The sizes a request can take, where only some are (else every integer): searched in order,
  // since bisection would count the others as "does not run".
  std::vector<std::int64_t> (*sizes)(const Request&) = nullptr;
};

const VariableField kVariableFields[] = {
    {"workload.batch_size", true},
    {"workload.sequence_length", true},
    {"workload.max_num_seqs", true},
    {"workload.max_model_len", true},
    {"parallelism.tensor_parallel_size", false, false, tensor_parallel_sizes},
    {"parallelism.pipeline_parallel_size", false},
    {"parallelism.data_parallel_size", false},
    {"parallelism.expert_parallel_size", false, false, expert_parallel_sizes},
    {"framework_config.gpu_memory_utilization", false, true},
    {"framework_config.ctx_size", true},
    {"framework_config.n_gpu_layers", true},
    {"framework_config.mem_fraction_static", false, true},
    {"framework_config.context_length", true},
};

const VariableField& variable_field(const std::string& name) {
  std::string known;
  for (const VariableField& field : kVariableFields) {
    if (field.name == name) return field;
    known += (known.empty() ? "" : ", ") + std::string(field.name);
  }
  fail("field", "must be one of " + known + ", got " + detail::quote_text(name));
}

/// What a sweep and a solver query share: the query's JSON, read field by field, with the
/// request inside it parsed once and the field to vary.
struct FieldQuery {
  /// `name` names the query in parse errors ("sweep"); `purpose` ends "the request to ...".
  FieldQuery(std::string_view text, const char* name, const char* purpose)
      : root(detail::parse_json_text(text, name)),
        reader(root, ""),
        base(read_request(reader, purpose)),
        field(variable_field(reader.string({"field"}).value_or(""))),
        engine(create_engine(base)) {}

  const json root;
  detail::ObjectReader reader;  // reads root; the caller reads its own fields and rejects the rest
  const Request base;
  const VariableField& field;
  const std::unique_ptr<Engine> engine;

 private:
  static Request read_request(detail::ObjectReader& reader, const char* purpose) {
    const json* request_json = reader.find({"request"});
    if (!request_json) fail("request", std::string("missing (the request to ") + purpose + ")");
    return detail::request_from_json(*request_json);
  }
};

}  // namespace

std::string sweep_json(std::string_view sweep_request) noexcept {
  return detail::guarded([&] {
    FieldQuery query(sweep_request, "sweep", "sweep");
    detail::ObjectReader& reader = query.reader;
    const json* values = reader.find({"values"});
    if (!values || !values->is_array()) fail("values", "must be an array of positive numbers");
    if (values->size() > 100000) fail("values", "must have at most 100000 entries, got " + std::to_string(values->size()));
    reader.reject_unknown_fields();

    // One column per figure, written straight out (a chart's 1,000 points are 16,000 numbers).
    const std::size_t kParts = MemoryBreakdown{}.to_dict().size();
    std::vector<std::vector<double>> columns(kParts);
    std::vector<bool> ok;
    std::vector<const char*> status;
    std::vector<double> needed;
    std::vector<std::optional<std::int64_t>> tokens;
    std::vector<std::optional<double>> concurrency;
    const FieldSpec& spec = *find_field(query.field.name);
    Request request = query.base;  // one working copy; only the varied field changes
    for (std::size_t i = 0; i < values->size(); ++i) {
      const std::string path = "values[" + std::to_string(i) + "]";
      try {
        assign_field(request, spec, detail::read_field(spec, (*values)[i], path));
        validate_request(request);
      } catch (const InputError& e) {
        const std::string message = e.what();
        throw InputError(path, message.rfind(path, 0) == 0 ? message : path + ": " + message);
      }
      const Result point = query.engine->evaluate(request, Engine::Depth::point);
      const auto parts = point.breakdown.to_dict();
      for (std::size_t k = 0; k < kParts; ++k) columns[k].push_back(parts[k].second);
      ok.push_back(point.verdict.ok());
      status.push_back(detail::verdict_status(point.verdict.status));
      needed.push_back(point.verdict.needed_gib);
      // vLLM's KV cache or SGLang's pool, where the engine sized one.
      const auto& pool = point.sglang_pool;
      tokens.push_back(point.capacity ? std::optional<std::int64_t>(point.capacity->tokens)
                       : pool         ? std::optional<std::int64_t>(pool->max_total_num_tokens)
                                      : std::nullopt);
      concurrency.push_back(point.capacity ? std::optional<double>(point.capacity->max_concurrency)
                            : pool         ? std::optional<double>(pool->full_length_requests)
                                           : std::nullopt);
    }
    detail::JsonWriter w;
    auto column = [&](std::string_view key, const auto& items) {
      w.key(key).begin_array();
      for (const auto& item : items) w.value(item);
      w.end_array();
    };
    w.begin_object().field("field", query.field.name).key("values").json_value(*values).key("breakdown").begin_object();
    const auto keys = MemoryBreakdown{}.to_dict();
    for (std::size_t k = 0; k < kParts; ++k) column(keys[k].first, columns[k]);
    w.end_object();
    w.key("ok").begin_array();
    for (bool flag : ok) w.value(flag);  // std::vector<bool> has no references to hand out
    w.end_array();
    column("status", status);  // ok's reason: "no_gpu" is no answer, "refuses" and "does_not_fit" are
    column("needed_gib", needed);
    if (query.base.framework == Framework::vllm || query.base.framework == Framework::sglang) {
      column("kv_tokens", tokens);
      column("max_concurrency", concurrency);
    }
    w.end_object();
    return w.take();
  });
}

std::string solve_json(std::string_view solve_request) noexcept {
  return detail::guarded([&] {
    FieldQuery query(solve_request, "solve", "solve for");
    detail::ObjectReader& reader = query.reader;
    const Request& base = query.base;
    const VariableField& field = query.field;
    // `max` stays within the field's own bound (a request could not hold more), so every search
    // below is a bisection of at most ~2 x 40 probes or a walk over a short list of sizes.
    const std::int64_t bound = field.fraction ? 100 : std::int64_t(find_field(field.name)->max);
    const std::int64_t cap = std::min(bound, field.fraction ? 100 : field.grows ? std::int64_t(1) << 30 : 4096);
    const std::int64_t limit = reader.integer({"max"}, 1, bound).value_or(cap);
    reader.reject_unknown_fields();
    if (!base.scenario.framework_config.gpu_memory_gib) {
      fail("framework_config.gpu_memory_gib", "required: the solver needs the GPU's memory");
    }
    // Integers as they are, or gpu_memory_utilization in hundredths.
    const double scale = field.fraction ? 0.01 : 1.0;
    Request work = base;  // one working copy for every probe
    engines::Probe probe(*query.engine, work, field.name);
    auto ok = [&](std::int64_t v) { return probe.ok(double(v) * scale); };
    std::optional<std::int64_t> answer, past;
    if (field.grows) {
      answer = engines::largest_ok(ok, 1, limit);
      if (answer && *answer < limit) past = *answer + 1;
    } else if (field.sizes) {
      std::vector<std::int64_t> sizes = field.sizes(base);
      std::erase_if(sizes, [&](std::int64_t size) { return size > limit; });
      const engines::FirstOk first = engines::first_ok(probe, sizes);
      answer = first.value;
      past = first.past;
    } else {
      answer = engines::smallest_ok(ok, 1, limit);
      // The next smaller size that is a request (a pipeline stage needs a layer) does not run;
      // a few steps down at most, since sizes that are no request lie above the layer count.
      for (std::int64_t v = answer ? *answer - 1 : 0, steps = 0; v >= 1 && !past && steps < 64; --v, ++steps) {
        if (probe.at(double(v) * scale)) past = v;
      }
    }
    detail::JsonWriter w;
    w.begin_object().field("field", field.name);
    if (answer) {
      const Verdict at = *probe.at(double(*answer) * scale);
      w.field("value", double(*answer) * scale).field("needed_gib", at.needed_gib).field("limit_gib", at.limit_gib);
    } else {
      w.key("value").null().key("needed_gib").null().key("limit_gib").null();
    }
    w.key("step_past");
    if (past) {
      const Verdict there = *probe.at(double(*past) * scale);
      w.begin_object().field("value", double(*past) * scale).field("ok", there.ok())
          .field("needed_gib", there.needed_gib).field("limit_gib", there.limit_gib).end_object();
    } else {
      w.null();
    }
    return w.end_object().take();
  });
}

}  // namespace llmmem
