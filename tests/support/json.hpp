// A small JSON reader for tests that check the program's JSON output field by field.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tlsrpt::testing {

class Json {
  public:
    using Array = std::vector<Json>;
    using Object = std::map<std::string, Json, std::less<>>;

    // Throws std::runtime_error on anything that is not one complete JSON value.
    static Json parse(std::string_view text);

    bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
    bool boolean() const { return std::get<bool>(value_); }
    double number() const { return std::get<double>(value_); }
    const std::string& string() const { return std::get<std::string>(value_); }
    const Array& array() const { return std::get<Array>(value_); }
    const Object& object() const { return std::get<Object>(value_); }

    bool contains(std::string_view key) const;
    // Throw when the key or index is absent, so that a missing field fails the test loudly.
    const Json& operator[](std::string_view key) const;
    const Json& operator[](std::size_t index) const { return array().at(index); }
    std::size_t size() const;

  private:
    friend class JsonParser;
    std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value_;
};

}  // namespace tlsrpt::testing
