#include "output/json_writer.hpp"

#include <cmath>

#include <fmt/format.h>

#include "output/escape.hpp"

namespace tlsrpt::output {

void JsonWriter::newline_and_indent() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(2 * container_is_empty_.size(), ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (container_is_empty_.empty()) return;
    if (!container_is_empty_.back()) out_ += ',';
    container_is_empty_.back() = false;
    newline_and_indent();
}

void JsonWriter::open(char bracket) {
    before_value();
    out_ += bracket;
    container_is_empty_.push_back(true);
}

void JsonWriter::close(char bracket) {
    const bool was_empty = container_is_empty_.back();
    container_is_empty_.pop_back();
    if (!was_empty) newline_and_indent();
    out_ += bracket;
}

void JsonWriter::key(std::string_view name) {
    before_value();
    append_json_string(out_, name);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
}

void JsonWriter::string(std::string_view bytes) {
    before_value();
    append_json_string(out_, bytes);
}

void JsonWriter::number(std::uint64_t value) {
    before_value();
    out_ += fmt::format("{}", value);
}

void JsonWriter::number(double value) {
    before_value();
    out_ += std::isfinite(value) ? fmt::format("{:.3f}", value) : "null";
}

void JsonWriter::boolean(bool value) {
    before_value();
    out_ += value ? "true" : "false";
}

void JsonWriter::null() {
    before_value();
    out_ += "null";
}

}  // namespace tlsrpt::output
