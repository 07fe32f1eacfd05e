// Native baseline for `npm run bench`: time of one estimate_json call per request, as the
// best batch average (the least disturbed by other processes on a shared machine).
// Usage: llm_mem_native_bench REQUEST.json... ; prints one JSON object per line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "llmmem/api.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i]);
    std::stringstream text;
    text << file.rdbuf();
    const std::string request = text.str();
    if (llmmem::estimate_json(request).rfind(R"({"ok":true)", 0) != 0) {
      std::fprintf(stderr, "%s: the request fails: %s\n", argv[i], llmmem::estimate_json(request).c_str());
      return 1;
    }
    // Repeat in batches until ~0.3 s has passed.
    std::vector<double> per_call_ns;
    constexpr int kBatch = 200;
    const auto start = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300) || per_call_ns.size() < 5) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < kBatch; ++k) sink += llmmem::estimate_json(request).size();
      const auto t1 = std::chrono::steady_clock::now();
      per_call_ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kBatch);
    }
    std::printf("{\"request\":\"%s\",\"best_ns\":%.0f,\"batches\":%zu,\"sink\":%zu}\n", argv[i],
                *std::min_element(per_call_ns.begin(), per_call_ns.end()), per_call_ns.size(), sink % 10);
  }
  return 0;
}
