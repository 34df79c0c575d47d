// A small streaming JSON writer: it places commas, colons and indentation, and escapes every
// string through append_json_string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt::output {

class JsonWriter {
  public:
    // Pretty output indents by two spaces per level; compact output has no whitespace at all.
    JsonWriter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view name);

    void string(std::string_view bytes);
    void number(std::uint64_t value);
    // Three decimals; a non-finite value is written as null, JSON has no NaN.
    void number(double value);
    void boolean(bool value);
    void null();

  private:
    void before_value();
    void open(char bracket);
    void close(char bracket);
    void newline_and_indent();

    std::string& out_;
    bool pretty_;
    std::vector<bool> container_is_empty_;  // one entry per open object or array
    bool after_key_ = false;
};

}  // namespace tlsrpt::output
