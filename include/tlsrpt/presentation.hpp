// Reading one TXT RR written in zone-file presentation format, as `dig +short TXT` prints it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tlsrpt/expected.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt {

struct PresentationError {
    std::size_t column = 0;  // 1-based byte column in the line
    std::string message;
};

// One or more double-quoted character-strings with \" \\ and \DDD escapes, separated by
// whitespace; a line with no quote at all is one string taken as is (no escapes). Strings
// over 255 octets are kept: the evaluator reports them.
Expected<TxtRecord, PresentationError> parse_presentation(std::string_view line);

}  // namespace tlsrpt
