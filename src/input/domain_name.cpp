#include "tlsrpt/domain_name.hpp"

#include <idn2.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace tlsrpt {
namespace {

constexpr std::size_t max_label_octets = 63;
// 255 octets on the wire is 253 characters in dotted form without the final dot.
constexpr std::size_t max_name_octets = 253;

Unexpected<Diagnostic> invalid_domain(std::string message) {
    Diagnostic diagnostic;
    diagnostic.code = "invalid-domain";
    diagnostic.message = std::move(message);
    return unexpected(std::move(diagnostic));
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// The octet as a user would recognise it in an error message: printable as is, else \xHH.
std::string describe_octet(char c) {
    const auto octet = static_cast<unsigned char>(c);
    if (octet > 0x20 && octet < 0x7f) return fmt::format("'{}'", c);
    return fmt::format("\\x{:02X}", octet);
}

Expected<std::string, Diagnostic> to_a_labels(std::string_view name) {
    // idn2 needs a NUL-terminated string; std::string provides one.
    const std::string input(name);
    char* output = nullptr;
    // No IDN2_USE_STD3_ASCII_RULES: it silently strips '_' and spaces instead of refusing them.
    const int rc = idn2_to_ascii_8z(input.c_str(), &output, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    const std::unique_ptr<char, decltype(&idn2_free)> owned(output, &idn2_free);
    if (rc != IDN2_OK) {
        return invalid_domain(fmt::format(
            "cannot convert the internationalised name to A-labels: {}", idn2_strerror(rc)));
    }
    return std::string(output);
}

}  // namespace

Expected<std::string, Diagnostic> normalise_domain(std::string_view input) {
    std::string_view name = input;
    if (name.ends_with('.')) name.remove_suffix(1);
    if (name.empty()) return invalid_domain("the domain name is empty");
    if (name.find('\0') != std::string_view::npos) {
        return invalid_domain("the domain name contains a NUL byte");
    }

    std::string ascii;
    if (is_ascii(name)) {
        ascii.assign(name);
        std::transform(ascii.begin(), ascii.end(), ascii.begin(), [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        });
    } else {
        auto converted = to_a_labels(name);
        if (!converted) return unexpected(converted.error());
        ascii = std::move(*converted);
    }

    const auto bad = std::find_if_not(ascii.begin(), ascii.end(), is_name_character);
    if (bad != ascii.end()) {
        return invalid_domain(fmt::format("the domain name contains {} at position {}",
                                          describe_octet(*bad), bad - ascii.begin() + 1));
    }

    std::size_t label_start = 0;
    while (label_start <= ascii.size()) {
        const std::size_t dot = std::min(ascii.find('.', label_start), ascii.size());
        const std::size_t label_length = dot - label_start;
        if (label_length == 0) {
            return invalid_domain(
                "the domain name has an empty label (two dots in a row, or a "
                "leading dot)");
        }
        if (label_length > max_label_octets) {
            return invalid_domain(fmt::format(
                "the label '{}' has {} octets; at most {} are allowed",
                ascii.substr(label_start, label_length), label_length, max_label_octets));
        }
        label_start = dot + 1;
    }

    const std::size_t query_length = tlsrpt_prefix.size() + ascii.size();
    if (query_length > max_name_octets) {
        return invalid_domain(
            fmt::format("the name {}{} would have {} octets; at most {} are allowed", tlsrpt_prefix,
                        ascii, query_length, max_name_octets));
    }
    return ascii;
}

std::string tlsrpt_query_name(std::string_view domain) {
    return std::string(tlsrpt_prefix) + std::string(domain);
}

}  // namespace tlsrpt
