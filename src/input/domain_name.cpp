#include "tlsrpt/domain_name.hpp"

#include <idn2.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "policy/ascii.hpp"

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

// The input as a refusal quotes it: printable ASCII, other bytes as \xHH, `"` and `\`
// escaped, cut after 64 bytes (an input line may be long).
std::string quoted_input(std::string_view input) {
    constexpr std::size_t shown = 64;
    std::string quoted = "\"";
    for (const char c : input.substr(0, shown)) {
        const auto octet = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (octet >= 0x20 && octet < 0x7f) {
            quoted += c;
        } else {
            quoted += fmt::format("\\x{:02X}", octet);
        }
    }
    quoted += input.size() > shown ? "\"..." : "\"";
    return quoted;
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), policy::is_digit);
}

// A dotted IPv4 address or an IPv6 address (with or without brackets): not a domain.
bool looks_like_ip_address(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') return true;
    if (text.find(':') != std::string_view::npos) {
        return text.find_first_not_of("0123456789abcdefABCDEF:.") == std::string_view::npos;
    }
    std::size_t parts = 0;
    for (std::size_t start = 0; start <= text.size(); ++parts) {
        const std::size_t dot = std::min(text.find('.', start), text.size());
        if (!is_digits(text.substr(start, dot - start))) return false;
        start = dot + 1;
    }
    return parts == 4;
}

// Length of an RFC 3986 scheme followed by "://", or 0.
std::size_t url_scheme_length(std::string_view text) {
    const std::size_t colon = text.find("://");
    if (colon == 0 || colon == std::string_view::npos || !policy::is_alpha(text[0])) return 0;
    for (const char c : text.substr(0, colon)) {
        if (!policy::is_alnum(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return colon;
}

// The host of a URL's authority (after "scheme://"): without user information and port.
std::string_view url_host(std::string_view rest) {
    std::string_view authority = rest.substr(0, policy::find_authority_end(rest, 0));
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    if (authority.starts_with('[')) return authority;  // an IP literal, refused as one
    if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        authority = authority.substr(0, colon);
    }
    return authority;
}

struct Extracted {
    std::string_view name;
    DomainInputForm form = DomainInputForm::domain;
};

// The part of the input that should be a domain name, and how the input held it.
Extracted extract_domain(std::string_view input) {
    if (input.find_first_of(":/@") == std::string_view::npos) {
        if (policy::istarts_with(input, tlsrpt_prefix)) {
            return {input.substr(tlsrpt_prefix.size()), DomainInputForm::query_name};
        }
        return {input, DomainInputForm::domain};
    }
    if (const std::size_t scheme = url_scheme_length(input); scheme > 0) {
        return {url_host(input.substr(scheme + 3)), DomainInputForm::url};
    }
    std::string_view address = input;
    if (policy::istarts_with(address, "mailto:")) address.remove_prefix(7);
    address = address.substr(0, address.find('?'));
    if (const std::size_t at = address.rfind('@'); at != std::string_view::npos) {
        return {address.substr(at + 1), DomainInputForm::address};
    }
    // A host and a path without a scheme: "example.com/tlsrpt".
    if (const std::size_t slash = input.find('/');
        slash != std::string_view::npos && slash > 0 && input.find(':') == std::string_view::npos) {
        return {input.substr(0, slash), DomainInputForm::url};
    }
    return {input, DomainInputForm::domain};
}

// Why the input is no domain name, saying what it looks like.
Unexpected<Diagnostic> refuse_input(std::string_view input, const Extracted& extracted,
                                    std::string reason) {
    const std::string seen = quoted_input(input);
    const std::string_view name = extracted.name;
    if (input.find_first_of(" \t") != std::string_view::npos) {
        return invalid_domain(fmt::format(
            "expected one domain name such as example.com, saw several words: {}", seen));
    }
    if (looks_like_ip_address(name)) {
        return invalid_domain(
            fmt::format("expected a domain name such as example.com, saw an IP address: {}; "
                        "TLS-RPT records are published under domain names",
                        seen));
    }
    if (name.empty() && extracted.form != DomainInputForm::domain) {
        const char* what = extracted.form == DomainInputForm::url ? "a URL without a host"
                           : extracted.form == DomainInputForm::address
                               ? "an address without a domain"
                               : "the _smtp._tls. prefix alone";
        return invalid_domain(
            fmt::format("expected a domain name such as example.com, saw {}: {}", what, seen));
    }
    return invalid_domain(
        fmt::format("expected a domain name such as example.com, saw {}: {}", seen, reason));
}

}  // namespace

Expected<DomainInput, Diagnostic> normalise_domain_input(std::string_view input) {
    // The common case, a plain name, costs no more than normalise_domain: a name it accepts
    // holds no ":", "/" or "@", and one without the prefix or a final digit is no query name
    // and no address.
    if (!input.starts_with('_') && !input.empty() && !policy::is_digit(input.back())) {
        if (auto domain = normalise_domain(input)) {
            return DomainInput{std::move(*domain), DomainInputForm::domain};
        }
    }
    Extracted extracted = extract_domain(input);
    if (extracted.form != DomainInputForm::domain &&
        extracted.form != DomainInputForm::query_name &&
        policy::istarts_with(extracted.name, tlsrpt_prefix)) {
        extracted.name.remove_prefix(tlsrpt_prefix.size());
    }
    // An address is a valid name to DNS, but no domain publishes records under it.
    if (looks_like_ip_address(extracted.name)) return refuse_input(input, extracted, "");
    auto domain = normalise_domain(extracted.name);
    if (!domain) return refuse_input(input, extracted, domain.error().message);
    return DomainInput{std::move(*domain), extracted.form};
}

Diagnostic domain_input_note(DomainInputForm form, std::string_view domain) {
    Diagnostic note;
    note.severity = Severity::info;
    switch (form) {
        case DomainInputForm::query_name:
            note.code = "query-name-given";
            note.message = fmt::format(
                "The input is the name the record is published at, {}{}; the domain {} is "
                "checked.",
                tlsrpt_prefix, domain, domain);
            break;
        case DomainInputForm::url:
            note.code = "url-given";
            note.message =
                fmt::format("The input is a URL; the domain of its host, {}, is checked.", domain);
            break;
        case DomainInputForm::address:
            note.code = "address-given";
            note.message =
                fmt::format("The input is an e-mail address; its domain, {}, is checked.", domain);
            break;
        case DomainInputForm::domain:
            break;
    }
    return note;
}

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
