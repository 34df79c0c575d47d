#include "tlsrpt/presentation.hpp"

#include <fmt/format.h>

namespace tlsrpt {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

Unexpected<PresentationError> error_at(std::size_t index, std::string message) {
    return unexpected(PresentationError{index + 1, std::move(message)});
}

}  // namespace

Expected<TxtRecord, PresentationError> parse_presentation(std::string_view line) {
    TxtRecord record;
    if (line.find('"') == std::string_view::npos) {
        record.strings.emplace_back(line);
        return record;
    }
    std::size_t i = 0;
    while (true) {
        while (i < line.size() && is_blank(line[i])) ++i;
        if (i == line.size()) break;
        if (line[i] != '"') {
            return error_at(i, record.strings.empty()
                                   ? "Text before the first quoted string; quote every "
                                     "character-string."
                                   : "Text between or after quoted strings; quote every "
                                     "character-string.");
        }
        const std::size_t opening = i++;
        std::string string;
        while (true) {
            if (i == line.size()) {
                return error_at(opening,
                                "Unterminated quoted string: the closing quote is "
                                "missing.");
            }
            const char c = line[i];
            if (c == '"') {
                ++i;
                break;
            }
            if (c != '\\') {
                string += c;
                ++i;
                continue;
            }
            if (i + 1 == line.size()) {
                return error_at(i, "A backslash ends the line inside a quoted string.");
            }
            if (!is_digit(line[i + 1])) {
                string += line[i + 1];  // \X is the character X (RFC 1035 §5.1)
                i += 2;
                continue;
            }
            if (i + 3 >= line.size() || !is_digit(line[i + 2]) || !is_digit(line[i + 3])) {
                return error_at(i, "A \\DDD escape needs exactly three decimal digits.");
            }
            const int value =
                (line[i + 1] - '0') * 100 + (line[i + 2] - '0') * 10 + (line[i + 3] - '0');
            if (value > 255) {
                return error_at(i, fmt::format("The escape \\{} is above 255.", value));
            }
            string += static_cast<char>(value);
            i += 4;
        }
        record.strings.push_back(std::move(string));
    }
    return record;
}

}  // namespace tlsrpt
