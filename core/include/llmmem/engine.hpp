#pragma once
// An engine's policy: one result per request. Each engine lives in core/src/engines/<engine>/;
// create_engine is the one place that knows them all.

#include <cstdint>
#include <memory>

#include "llmmem/request.hpp"
#include "llmmem/result.hpp"

namespace llmmem {

class Engine {
 public:
  virtual ~Engine() = default;

  /// How much of the result to compute: all of it, or a chart's point (no solver answers, no
  /// alternatives), or only what the verdict needs (the solver's own probes).
  enum class Depth { full, point, verdict };

  /// The result for `request`, whose model must be the one the engine was made for.
  Result evaluate(const Request& request, Depth depth = Depth::full) const {
    ++evaluation_count();
    return compute(request, depth);
  }

  /// Evaluations on this thread so far: the unit of work that sweeps and the solver are bounded
  /// in (tests/core/test_properties.cpp holds every query to a fixed budget of them).
  static std::uint64_t& evaluation_count() {
    thread_local std::uint64_t count = 0;
    return count;
  }

 private:
  virtual Result compute(const Request& request, Depth depth) const = 0;
};

/// The engine of request.framework for request.model (its parameter counts computed once).
std::unique_ptr<Engine> create_engine(const Request& request);

}  // namespace llmmem
