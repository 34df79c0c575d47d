#include "output/escape.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>

#include "policy/ascii.hpp"

namespace tlsrpt::output {
namespace {

using policy::utf8_sequence_length;

// U+0080..U+009F, two bytes in UTF-8: terminals act on some of them (0x9B is CSI).
bool is_c1_control(std::string_view sequence) {
    return sequence.size() == 2 && static_cast<unsigned char>(sequence[0]) == 0xc2 &&
           static_cast<unsigned char>(sequence[1]) <= 0x9f;
}

// The bidirectional embedding, override and isolate controls, U+202A..U+202E and
// U+2066..U+2069: raw, they reorder how a terminal or an editor shows the rest of the line.
bool is_bidi_control(std::string_view sequence) {
    if (sequence.size() != 3 || static_cast<unsigned char>(sequence[0]) != 0xe2) return false;
    const auto second = static_cast<unsigned char>(sequence[1]);
    const auto third = static_cast<unsigned char>(sequence[2]);
    return (second == 0x80 && third >= 0xaa && third <= 0xae) ||
           (second == 0x81 && third >= 0xa6 && third <= 0xa9);
}

// The code point of a well-formed three-byte UTF-8 sequence.
unsigned three_byte_code_point(std::string_view sequence) {
    return (static_cast<unsigned char>(sequence[0]) & 0x0fu) << 12 |
           (static_cast<unsigned char>(sequence[1]) & 0x3fu) << 6 |
           (static_cast<unsigned char>(sequence[2]) & 0x3fu);
}

// Byte classes by value, so that the scans of data cost a load per byte.
enum ByteClass : unsigned char {
    escaped_class = 1,     // not printable ASCII, or a backslash
    csv_quoted_class = 2,  // a byte that makes a CSV cell quoted
};
constexpr std::array<unsigned char, 256> byte_classes = [] {
    std::array<unsigned char, 256> classes{};
    for (unsigned byte = 0; byte < 256; ++byte) {
        if (byte < 0x20 || byte > 0x7e || byte == '\\') classes[byte] |= escaped_class;
        if (byte == ',' || byte == '"' || byte == '\r' || byte == '\n') {
            classes[byte] |= csv_quoted_class;
        }
    }
    return classes;
}();

bool needs_escape(unsigned char byte, std::string_view also_escape) {
    if ((byte_classes[byte] & escaped_class) != 0) return true;
    // A plain loop over these few bytes, small enough to be inlined: string_view::find
    // called memchr for every byte.
    for (const char c : also_escape) {
        if (static_cast<unsigned char>(c) == byte) return true;
    }
    return false;
}

void append_escaped(std::string& escaped, std::string_view bytes, std::string_view also_escape,
                    bool keep_backslash) {
    // Most data needs nothing escaped: copied in one go.
    const auto first = std::find_if(bytes.begin(), bytes.end(), [&](char c) {
        return needs_escape(static_cast<unsigned char>(c), also_escape);
    });
    escaped.append(bytes.begin(), first);
    for (const char c : bytes.substr(static_cast<std::size_t>(first - bytes.begin()))) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == '\\') {
            escaped += keep_backslash ? "\\" : "\\\\";
        } else if (needs_escape(byte, also_escape)) {
            fmt::format_to(std::back_inserter(escaped), "\\{:03d}", byte);
        } else {
            escaped += c;
        }
    }
}

std::string escape(std::string_view bytes, std::string_view also_escape, bool keep_backslash) {
    std::string escaped;
    append_escaped(escaped, bytes, also_escape, keep_backslash);
    return escaped;
}

}  // namespace

std::string escape_bytes(std::string_view bytes, std::string_view also_escape) {
    return escape(bytes, also_escape, false);
}

void append_escaped_bytes(std::string& out, std::string_view bytes, std::string_view also_escape) {
    append_escaped(out, bytes, also_escape, false);
}

std::string escape_name(std::string_view name) {
    return escape(name, {}, true);
}

void append_escaped_name(std::string& out, std::string_view name, std::string_view also_escape) {
    append_escaped(out, name, also_escape, true);
}

std::string escape_prose(std::string_view text) {
    return escape(text, {}, true);
}

std::string plugin_text(std::string_view text) {
    return escape(text, "|", true);
}

std::string perfdata_label(std::string_view label) {
    std::string escaped = escape(label, "='|", false);
    if (escaped.find(' ') == std::string::npos) return escaped;
    return "'" + escaped + "'";
}

std::string prometheus_label_value(std::string_view bytes) {
    std::string escaped;
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = utf8_sequence_length(bytes.substr(i));
        if (length == 0 || (byte < 0x20 && byte != '\n') || byte == 0x7f ||
            is_c1_control(bytes.substr(i, length))) {
            escaped += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
            i += std::max<std::size_t>(length, 1);
            continue;
        }
        if (byte == '\\') {
            escaped += "\\\\";
        } else if (byte == '"') {
            escaped += "\\\"";
        } else if (byte == '\n') {
            escaped += "\\n";
        } else {
            escaped += bytes.substr(i, length);
        }
        i += length;
    }
    return escaped;
}

std::size_t escaped_width(std::string_view bytes) {
    std::size_t width = 0;
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        width += byte == '\\' ? 2 : needs_escape(byte, {}) ? 4 : 1;
    }
    return width;
}

void append_json_string(std::string& out, std::string_view bytes) {
    out += '"';
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = utf8_sequence_length(bytes.substr(i));
        if (length == 0) {
            out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
            ++i;
            continue;
        }
        const std::string_view sequence = bytes.substr(i, length);
        i += length;
        switch (byte) {
            case '"':
                out += "\\\"";
                continue;
            case '\\':
                out += "\\\\";
                continue;
            case '\n':
                out += "\\n";
                continue;
            case '\r':
                out += "\\r";
                continue;
            case '\t':
                out += "\\t";
                continue;
            default:
                break;
        }
        if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\u{:04x}", byte);
        } else if (sequence == "\u2028" || sequence == "\u2029" || is_bidi_control(sequence)) {
            // Line separators that JavaScript string literals do not accept raw, and controls
            // that reorder the display of what follows.
            out += fmt::format("\\u{:04x}", three_byte_code_point(sequence));
        } else if (is_c1_control(sequence)) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(sequence[1]));
        } else {
            out += sequence;
        }
    }
    out += '"';
}

std::string csv_cell(std::string_view text) {
    std::string cell;
    append_csv_cell(cell, text);
    return cell;
}

bool csv_formula_lead(std::string_view text) {
    return !text.empty() &&
           std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

void append_csv_cell(std::string& out, std::string_view text) {
    const bool formula = csv_formula_lead(text);
    const bool quoted = std::any_of(text.begin(), text.end(), [](char c) {
        return (byte_classes[static_cast<unsigned char>(c)] & csv_quoted_class) != 0;
    });
    if (quoted) out += '"';
    if (formula) out += '\'';
    if (!quoted) {
        out += text;
        return;
    }
    // Up to each quote in one piece, then the quote doubled.
    for (std::size_t quote; (quote = text.find('"')) != std::string_view::npos;) {
        out.append(text.substr(0, quote + 1));
        out += '"';
        text.remove_prefix(quote + 1);
    }
    out += text;
    out += '"';
}

bool csv_cell_is_escaped_bytes(std::string_view bytes) {
    constexpr unsigned char changed = escaped_class | csv_quoted_class;
    return !csv_formula_lead(bytes) && std::none_of(bytes.begin(), bytes.end(), [](char c) {
        return (byte_classes[static_cast<unsigned char>(c)] & changed) != 0;
    });
}

}  // namespace tlsrpt::output
