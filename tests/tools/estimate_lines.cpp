// The native core at a pipe: one request JSON per input line, one estimate_json envelope per
// output line. tests/wasm/parity.test.mjs compares it byte for byte with the WASM module.
#include <iostream>
#include <string>

#include "llmmem/api.hpp"

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) std::cout << llmmem::estimate_json(line) << '\n';
  return 0;
}
