#pragma once

#include <stdexcept>
#include <string>

namespace llmmem {

/// Bad input: names the request field at fault (a dotted path such as `config.hidden_size`
/// or `parallelism.tensor_parallel_size`) and says what was expected.
class InputError : public std::runtime_error {
 public:
  InputError(std::string field, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)) {}

  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

}  // namespace llmmem
