// Sweeps (a chart's points) and the solver: one request parsed once, one integer field varied.
#include <cmath>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "output/envelope.hpp"
#include "input/json_reader.hpp"
#include "llmmem/api.hpp"
#include "input/request_parser.hpp"

namespace llmmem {
namespace {

using detail::fail;
using json = nlohmann::json;

/// A request field a sweep or the solver may vary. `grows` says whether memory per GPU
/// grows with it (workload sizes) or shrinks (parallel sizes).
struct VariableField {
  std::string_view name;
  std::int64_t& (*in)(Request&);
  bool grows;
};

constexpr VariableField kVariableFields[] = {
    {"workload.batch_size", [](Request& r) -> std::int64_t& { return r.scenario.workload.batch_size; }, true},
    {"workload.sequence_length", [](Request& r) -> std::int64_t& { return r.scenario.workload.sequence_length; }, true},
    {"workload.max_num_seqs", [](Request& r) -> std::int64_t& { return r.scenario.workload.max_num_seqs; }, true},
    {"workload.max_model_len", [](Request& r) -> std::int64_t& { return r.scenario.workload.max_model_len; }, true},
    {"parallelism.tensor_parallel_size",
     [](Request& r) -> std::int64_t& { return r.scenario.parallelism.tensor_parallel_size; }, false},
    {"parallelism.pipeline_parallel_size",
     [](Request& r) -> std::int64_t& { return r.scenario.parallelism.pipeline_parallel_size; }, false},
    {"parallelism.data_parallel_size",
     [](Request& r) -> std::int64_t& { return r.scenario.parallelism.data_parallel_size; }, false},
    {"parallelism.expert_parallel_size",
     [](Request& r) -> std::int64_t& { return r.scenario.parallelism.expert_parallel_size; }, false},
};

const VariableField& variable_field(const std::string& name) {
  std::string known;
  for (const VariableField& field : kVariableFields) {
    if (field.name == name) return field;
    known += (known.empty() ? "" : ", ") + std::string(field.name);
  }
  fail("field", "must be one of " + known + ", got \"" + name + "\"");
}

/// The request with `field` set to `value`, checked as a whole; nullopt if it is not a valid
/// scenario (e.g. a TP size that does not divide the heads).
std::optional<Request> with_value(const Request& base, const VariableField& field, std::int64_t value) {
  Request request = base;
  field.in(request) = value;
  try {
    validate_request(request);
  } catch (const InputError&) {
    return std::nullopt;
  }
  return request;
}

/// The total at `value`, or nullopt when that value is not a valid scenario.
std::optional<double> total_at(const MemoryEstimator& estimator, const Request& base,
                               const VariableField& field, std::int64_t value) {
  const auto request = with_value(base, field, value);
  if (!request) return std::nullopt;
  return estimator.estimate_total_memory(request->scenario).total_gb();
}

/// What a sweep and a solver query share: the query's JSON, read field by field, with the
/// request inside it parsed once and the field to vary.
struct FieldQuery {
  /// `name` names the query in parse errors ("sweep"); `purpose` ends "the request to ...".
  FieldQuery(std::string_view text, const char* name, const char* purpose)
      : root(detail::parse_json_text(text, name)),
        reader(root, ""),
        base(read_request(reader, purpose)),
        field(variable_field(reader.string({"field"}).value_or(""))) {}

  const json root;
  detail::ObjectReader reader;  // reads root; the caller reads its own fields and rejects the rest
  const Request base;
  const VariableField& field;

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
    const Request& base = query.base;
    const VariableField& field = query.field;
    const json* values = reader.find({"values"});
    if (!values || !values->is_array()) fail("values", "must be an array of positive integers");
    if (values->size() > 100000) fail("values", "must have at most 100000 entries, got " + std::to_string(values->size()));
    reader.reject_unknown_fields();

    const auto estimator = create_memory_estimator(base.model, base.framework, base.params);
    json columns = json::object();
    for (const auto& [key, unused] : MemoryBreakdown{}.to_dict()) columns[std::string(key)] = json::array();
    Request request = base;  // one working copy; only the varied field changes
    for (std::size_t i = 0; i < values->size(); ++i) {
      const std::string path = "values[" + std::to_string(i) + "]";
      field.in(request) = detail::integer_value((*values)[i], path, 1, std::int64_t(1) << 40);
      try {
        validate_request(request);
      } catch (const InputError& e) {
        throw InputError(path, path + ": " + e.what());
      }
      const MemoryBreakdown point = detail::require_computable(estimator->estimate_total_memory(request.scenario));
      for (const auto& [key, gib] : point.to_dict()) {
        columns[std::string(key)].push_back(gib);
      }
    }
    return json{{"field", field.name}, {"values", *values}, {"breakdown", columns}}.dump();
  });
}

std::string solve_json(std::string_view solve_request) noexcept {
  return detail::guarded([&] {
    FieldQuery query(solve_request, "solve", "solve for");
    detail::ObjectReader& reader = query.reader;
    const Request& base = query.base;
    const VariableField& field = query.field;
    const std::int64_t limit = reader.integer({"max"}, 1, std::int64_t(1) << 40).value_or(field.grows ? std::int64_t(1) << 30 : 4096);
    reader.reject_unknown_fields();
    if (!base.scenario.framework_config.gpu_memory_gib) {
      fail("framework_config.gpu_memory_gib", "required: the solver needs the GPU's memory");
    }
    const double usable = detail::usable_gib(base);
    const auto estimator = create_memory_estimator(base.model, base.framework, base.params);
    auto fits = [&](std::int64_t v) {
      const auto total = total_at(*estimator, base, field, v);
      return total && *total <= usable;
    };

    std::optional<std::int64_t> answer;
    std::optional<std::int64_t> step_past;  // the next value the other way, which must not fit
    if (field.grows) {
      // Memory grows with workload sizes: the largest value that fits, by doubling then bisection.
      if (fits(1)) {
        std::int64_t low = 1, high = 2;
        while (high <= limit && fits(high)) { low = high; high *= 2; }
        high = std::min(high, limit + 1);  // low fits; high does not (or is past the limit)
        while (high - low > 1) {
          const std::int64_t mid = low + (high - low) / 2;
          (fits(mid) ? low : high) = mid;
        }
        answer = low;
        if (low < limit) step_past = low + 1;
      }
    } else {
      // Memory shrinks with parallel sizes: the smallest valid size that fits, in order, so
      // sizes that are not valid scenarios (a TP size not dividing the heads) are skipped.
      std::optional<std::int64_t> previous_valid;
      for (std::int64_t v = 1; v <= limit; ++v) {
        if (!with_value(base, field, v)) continue;
        if (fits(v)) {
          answer = v;
          step_past = previous_valid;
          break;
        }
        previous_valid = v;
      }
    }
    auto point = [&](std::optional<std::int64_t> v) -> json {
      if (!v) return nullptr;
      return {{"value", *v}, {"total_gib", *total_at(*estimator, base, field, *v)}};
    };
    return json{{"field", field.name},
                {"usable_gib", usable},
                {"value", answer ? json(*answer) : json(nullptr)},
                {"total_gib", answer ? point(answer)["total_gib"] : json(nullptr)},
                {"step_past", point(step_past)}}
        .dump();
  });
}

}  // namespace llmmem
