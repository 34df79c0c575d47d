// Byte classes of the RFC 8460, RFC 8461 and RFC 3986 grammars, and UTF-8 sequences. Every
// test is on raw octets so that NUL, controls and non-ASCII bytes in TXT data never reach
// locale-dependent <cctype>.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt::policy {

constexpr bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) {
    return is_alpha(c) || is_digit(c);
}
constexpr bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_non_ascii(char c) {
    return static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_control(char c) {
    const auto octet = static_cast<unsigned char>(c);
    return (octet < 0x20 && c != '\t') || octet == 0x7F;
}

// Length of the well-formed UTF-8 sequence at the start of `bytes` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if there is none. `bytes` is not empty.
constexpr std::size_t utf8_sequence_length(std::string_view bytes) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char second_min = 0x80, second_max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) second_min = 0xa0;  // overlong
        if (lead == 0xed) second_max = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) second_min = 0x90;  // overlong
        if (lead == 0xf4) second_max = 0x8f;  // above U+10FFFF
    } else {
        return 0;
    }
    if (bytes.size() < length) return 0;
    if (byte(1) < second_min || byte(1) > second_max) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80) return 0;  // not a continuation byte
    }
    return length;
}

constexpr char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    }
    return true;
}

constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

constexpr bool iends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           iequals(text.substr(text.size() - suffix.size()), suffix);
}

// Byte classes looked up in one table: the scanner tests every byte of every record.
enum ByteClass : std::uint8_t {
    kRecordByte = 1,  // printable ASCII plus HTAB: the only bytes a TLS-RPT record may contain
    kUriChar = 2,     // RFC 3986 unreserved and reserved characters ("%" is not among them)
    kLocalPart = 4,   // raw characters of an addr-spec local part in a mailto URI (RFC 6068)
    kHostLabel = 8,   // letters, digits and "-" of a host name label
    kWsp = 16,        // SP and HTAB
};

inline constexpr std::array<std::uint8_t, 256> kByteClasses = [] {
    std::array<std::uint8_t, 256> classes{};
    for (int octet = 0x20; octet < 0x7F; ++octet) classes[octet] |= kRecordByte;
    classes['\t'] |= kRecordByte;
    classes[' '] |= kWsp;
    classes['\t'] |= kWsp;
    for (char c : std::string_view("-._~:/?#[]@!$&'()*+,;=")) classes[c] |= kUriChar;
    for (char c : std::string_view(".-_~$&'*+=/%")) classes[c] |= kLocalPart;
    classes['-'] |= kHostLabel;
    for (int octet = 0; octet < 256; ++octet) {
        if (is_alnum(static_cast<char>(octet)))
            classes[octet] |= kUriChar | kLocalPart | kHostLabel;
    }
    return classes;
}();

constexpr bool has_class(char c, ByteClass byte_class) {
    return (kByteClasses[static_cast<unsigned char>(c)] & byte_class) != 0;
}
constexpr bool is_record_byte(char c) {
    return has_class(c, kRecordByte);
}
constexpr bool is_uri_char(char c) {
    return has_class(c, kUriChar);
}

// A host name as RFC 5321 §4.1.2 writes a Domain, within the DNS limits: labels of 1 to 63
// letters, digits and "-" that neither begin nor end with "-", at most 253 octets in all, no
// final dot.
constexpr bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    for (std::size_t start = 0; start <= name.size();) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        const std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
            if (!has_class(c, kHostLabel)) return false;
        }
        start = end + 1;
    }
    return true;
}

// The classes every byte of a text has, and those at least one byte has: one pass answers
// "all URI characters?", "any whitespace?" and "all record bytes?".
struct ClassSummary {
    std::uint8_t all = 0xFF;
    std::uint8_t any = 0;
};

constexpr ClassSummary summarise(std::string_view text) {
    constexpr std::uint8_t kEveryClass = kRecordByte | kUriChar | kLocalPart | kHostLabel | kWsp;
    ClassSummary summary;
    for (char c : text) {
        const std::uint8_t classes = kByteClasses[static_cast<unsigned char>(c)];
        summary.all &= classes;
        summary.any |= classes;
        // Nothing can change any more. The exit also keeps GCC from vectorising the loop
        // into table gathers, which stall on store forwarding and run slower than bytes.
        if (summary.all == 0 && summary.any == kEveryClass) break;
    }
    return summary;
}

// The end of an RFC 3986 authority: the first "/", "?" or "#" from `pos` on. A loop, as
// find_first_of calls memchr once per byte of the text.
constexpr std::size_t find_authority_end(std::string_view uri, std::size_t pos) {
    for (; pos < uri.size(); ++pos) {
        if (uri[pos] == '/' || uri[pos] == '?' || uri[pos] == '#') return pos;
    }
    return uri.size();
}

inline std::string lowercase(std::string_view text) {
    std::string lowered(text);
    for (char& c : lowered) c = to_lower(c);
    return lowered;
}

constexpr std::string_view trim_wsp(std::string_view text) {
    while (!text.empty() && is_wsp(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_wsp(text.back())) text.remove_suffix(1);
    return text;
}

// How many typing mistakes turn `a` into `b`, ignoring ASCII case: insertions, deletions,
// substitutions and swaps of neighbours each count one (optimal string alignment). For the
// near misses of words people type (a version token, a command, an option name), not for
// long texts: it takes |a| x |b| steps.
inline std::size_t typo_distance(std::string_view a, std::string_view b) {
    // Three rows of the distance table: two rows back, the previous one and this one.
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = to_lower(a[i - 1]) == to_lower(b[j - 1]);
            current[j] =
                std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && to_lower(a[i - 1]) == to_lower(b[j - 2]) &&
                to_lower(a[i - 2]) == to_lower(b[j - 1])) {
                current[j] = std::min(current[j], before[j - 2] + 1);
            }
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace tlsrpt::policy
