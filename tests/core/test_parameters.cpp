#include <doctest/doctest.h>

#include "llmmem/error.hpp"
#include "llmmem/parameters.hpp"
#include "test_support.hpp"

using namespace llmmem;

TEST_CASE("MemoryEstimationParameters: the spec's defaults") {
  const MemoryEstimationParameters p;
  CHECK(p.fragmentation_overhead_factor == 1.05);
  CHECK(p.min_memory_safety_margin_gb == 0.5);
  CHECK(p.memory_safety_margin_factor == 0.02);
  CHECK(p.activation_recomputation_factor == 0.3);
  CHECK(p.gradient_memory_multiplier == 1.0);
  CHECK(p.default_compute_dtype == "float16");
  CHECK(p.default_storage_dtype == "float16");
  CHECK(p.graph_memory_overhead_ratio == 0.1);
  CHECK(p.graph_batch_scaling_factor == 0.02);
  CHECK(p.quantization_overhead_multiplier == 1.1);
  CHECK(p.mixed_precision_overhead_multiplier == 1.05);
  CHECK_NOTHROW(p.validate());
}

TEST_CASE("MemoryEstimationParameters: bounds give the spec's ValueError text") {
  SUBCASE("the spec's invalid-parameter example") {
    MemoryEstimationParameters p;
    p.activation_recomputation_factor = 1.5;
    CHECK_THROWS_WITH_AS(p.validate(), "activation_recomputation_factor=1.5 not in valid range [0.0, 1.0]",
                         InputError);
  }
  SUBCASE("every bound, just outside each end") {
    int checked = 0;
    for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
      for (double outside : {b->min - 0.25, b->max + 0.25}) {
        MemoryEstimationParameters p;
        p.*(b->member) = outside;
        try {
          p.validate();
          FAIL("accepted " << b->name << "=" << outside);
        } catch (const InputError& e) {
          CHECK(e.field() == std::string("params.") + b->name);
          CHECK(std::string(e.what()).find(std::string(b->name) + "=") == 0);
          CHECK(std::string(e.what()).find(std::string(" not in valid range ") + b->range_text) !=
                std::string::npos);
        }
        ++checked;
      }
      MemoryEstimationParameters at_edges;
      at_edges.*(b->member) = b->min;
      CHECK_NOTHROW(at_edges.validate());
      at_edges.*(b->member) = b->max;
      CHECK_NOTHROW(at_edges.validate());
    }
    CHECK(checked == 18);  // the spec bounds nine parameters
  }
  SUBCASE("values print as Python prints floats") {
    MemoryEstimationParameters p;
    p.fragmentation_overhead_factor = 3;
    CHECK_THROWS_WITH(p.validate(), "fragmentation_overhead_factor=3.0 not in valid range [1.0, 2.0]");
    p = {};
    p.memory_safety_margin_factor = 0.30000000000000004;
    CHECK_THROWS_WITH(p.validate(),
                      "memory_safety_margin_factor=0.30000000000000004 not in valid range [0.0, 0.2]");
  }
  SUBCASE("unknown dtypes name the field") {
    MemoryEstimationParameters p;
    p.default_compute_dtype = "float17";
    CHECK_THROWS_WITH(p.validate(),
                      doctest::Contains("params.default_compute_dtype: unknown dtype \"float17\""));
  }
}

TEST_CASE("dtype_bytes") {
  CHECK(dtype_bytes("float32") == 4);
  CHECK(dtype_bytes("bfloat16") == 2);
  CHECK(dtype_bytes("torch.float16") == 2);
  CHECK(dtype_bytes("float8_e4m3fn") == 1);
  CHECK(dtype_bytes("int4") == 0.5);
  CHECK(dtype_bytes("nonsense") == 0);
}
