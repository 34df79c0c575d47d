#include "tlsrpt/presentation.hpp"

#include "policy/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

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

namespace tlsrpt {
namespace {

constexpr std::string_view expected_formats =
    " Expected a TXT record as dig +short prints it (\"...\" \"...\"), a zone-file line "
    "(NAME [TTL] [CLASS] TXT \"...\") or dig output.";

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// Record types a zone file or dig output may hold beside TXT: their lines are skipped.
constexpr std::array<std::string_view, 20> other_types = {
    "A",    "AAAA",  "CNAME", "DNAME", "MX", "NS",     "SOA",  "PTR",   "SRV", "CAA",
    "TLSA", "RRSIG", "NSEC",  "NSEC3", "DS", "DNSKEY", "SVCB", "HTTPS", "SPF", "SSHFP"};

using policy::iequals;

bool is_class(std::string_view token) {
    return iequals(token, "IN") || iequals(token, "CH") || iequals(token, "HS") ||
           iequals(token, "CS");
}

bool is_ttl(std::string_view token) {
    return !token.empty() && std::all_of(token.begin(), token.end(), is_digit);
}

// An owner name as zone files and dig write it: no quote, "=" or ";".
bool is_owner(std::string_view token) {
    return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
        return policy::is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '@' || c == '*' ||
               policy::is_non_ascii(c);
    });
}

struct Token {
    std::string_view text;
    std::size_t end = 0;  // index after the token in the line
};

std::optional<Token> next_token(std::string_view line, std::size_t from) {
    while (from < line.size() && is_space(line[from])) ++from;
    if (from == line.size() || line[from] == '"') return std::nullopt;
    std::size_t end = from;
    while (end < line.size() && !is_space(line[end]) && line[end] != '"') ++end;
    return Token{line.substr(from, end - from), end};
}

// A resource record line: its type and where its data begins.
struct ResourceRecordLine {
    std::string_view type;
    std::size_t data = 0;
};

// Reads `[NAME] [TTL] [CLASS] TYPE` (TTL and class in either order); nullopt when the line
// does not start that way.
std::optional<ResourceRecordLine> resource_record(std::string_view line) {
    std::size_t pos = 0;
    // A line that starts with whitespace has no owner: the previous line's applies.
    if (line.empty() || !is_space(line.front())) {
        const auto owner = next_token(line, 0);
        if (!owner || !is_owner(owner->text)) return std::nullopt;
        pos = owner->end;
    }
    bool ttl_seen = false;
    bool class_seen = false;
    for (int i = 0; i < 3; ++i) {
        const auto token = next_token(line, pos);
        if (!token) return std::nullopt;
        if (!ttl_seen && is_ttl(token->text)) {
            ttl_seen = true;
        } else if (!class_seen && is_class(token->text)) {
            class_seen = true;
        } else if (iequals(token->text, "TXT") ||
                   std::any_of(other_types.begin(), other_types.end(),
                               [&](std::string_view type) { return iequals(token->text, type); })) {
            return ResourceRecordLine{token->text, token->end};
        } else {
            return std::nullopt;
        }
        pos = token->end;
    }
    return std::nullopt;
}

// A `;` line of dig output or a zone file. A record may begin with a stray ";" (";v=TLSRPTv1;
// rua=..."): a comment holds no "=" unless it is dig's (";;", "; <<>>").
bool is_comment(std::string_view line, bool in_dig_output) {
    if (!line.starts_with(';')) return false;
    return in_dig_output || line.starts_with(";;") || line.starts_with("; ") ||
           line.find('=') == std::string_view::npos;
}

}  // namespace

Expected<std::optional<TxtRecord>, PresentationError> RecordTextReader::read_line(
    std::string_view line) {
    const bool lines = input_ == Input::lines;
    if (lines && std::all_of(line.begin(), line.end(), is_space)) {
        return std::optional<TxtRecord>();
    }
    // Zone-file directives ($ORIGIN, $TTL, ...) hold no record.
    if (lines && line.starts_with('$')) return std::optional<TxtRecord>();
    if (lines && is_comment(line, section_ != Section::none)) {
        if (line.find("ANSWER SECTION:") != std::string_view::npos) {
            section_ = Section::answer;
        } else if (line.find(" SECTION:") != std::string_view::npos) {
            section_ = Section::other;
        }
        return std::optional<TxtRecord>();
    }
    std::string_view data = line;
    std::size_t data_offset = 0;
    if (const auto rr = resource_record(line)) {
        if (section_ == Section::other) return std::optional<TxtRecord>();
        if (!iequals(rr->type, "TXT")) {
            if (lines) return std::optional<TxtRecord>();
            return unexpected(
                PresentationError{1, fmt::format("This is a record of type {}, not a TXT record.{}",
                                                 std::string(rr->type), expected_formats)});
        }
        data_offset = rr->data;
        while (data_offset < line.size() && is_space(line[data_offset])) ++data_offset;
        data = line.substr(data_offset);
    } else if (section_ == Section::other) {
        return std::optional<TxtRecord>();
    }
    auto record = parse_presentation(data);
    if (!record) {
        return unexpected(
            PresentationError{record.error().column + data_offset,
                              record.error().message + std::string(expected_formats)});
    }
    return std::optional<TxtRecord>(std::move(*record));
}

}  // namespace tlsrpt
