// One finding about an RRset, a record or a lookup. Codes are stable kebab-case identifiers
// and part of the JSON output: add new ones, never rename one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tlsrpt {

enum class Severity { info, warning, error };

std::string_view to_string(Severity severity);

struct Diagnostic {
    std::string code;
    Severity severity = Severity::error;
    // A sentence for people. It never embeds raw record bytes; formatters still escape it.
    std::string message;
    // Index of the record in the RRset it concerns, if any.
    std::optional<std::size_t> record;
    // Byte range in that record's joined text that the finding points at, if any.
    std::optional<std::size_t> offset;
    std::size_t length = 0;
};

}  // namespace tlsrpt
