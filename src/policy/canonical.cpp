#include "tlsrpt/canonical.hpp"

#include <idn2.h>

#include <fmt/format.h>

#include "ascii.hpp"
#include "uri.hpp"

namespace tlsrpt {

using namespace policy;

namespace {

void append_percent_encoded(std::string& out, char c) {
    constexpr std::string_view kHex = "0123456789ABCDEF";
    const auto octet = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[octet >> 4];
    out += kHex[octet & 0x0F];
}

bool is_delimiter(char c) {
    return c == ',' || c == '!' || c == ';';
}

}  // namespace

std::string canonical_record(const std::vector<std::string>& uris) {
    std::string record = "v=TLSRPTv1; rua=";
    for (std::size_t i = 0; i < uris.size(); ++i) {
        if (i > 0) record += ',';
        record += uris[i];
    }
    return record;
}

std::string percent_encode_delimiters(std::string_view uri) {
    std::string encoded;
    encoded.reserve(uri.size());
    for (char c : uri) {
        if (is_delimiter(c)) {
            append_percent_encoded(encoded, c);
        } else {
            encoded += c;
        }
    }
    return encoded;
}

std::string lowercase_scheme(std::string_view uri) {
    std::string result(uri);
    const std::size_t scheme = scheme_length(uri);
    for (std::size_t i = 0; i < scheme; ++i) result[i] = to_lower(result[i]);
    return result;
}

Expected<std::string, std::string> host_to_a_label(std::string_view host) {
    bool ascii = true;
    for (char c : host) ascii = ascii && !is_non_ascii(c);
    if (ascii) return lowercase(host);
    const std::string input(host);
    char* output = nullptr;
    const int status =
        idn2_to_ascii_8z(input.c_str(), &output, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (status != IDN2_OK) {
        return unexpected(
            fmt::format("The host name is not a valid internationalised domain "
                        "name ({}).",
                        idn2_strerror(status)));
    }
    std::string a_label(output);
    idn2_free(output);
    return a_label;
}

Expected<std::string, std::string> canonical_uri(std::string_view destination,
                                                 NonPublicHost non_public) {
    for (char c : destination) {
        if (is_control(c)) {
            return unexpected(std::string("The destination contains control characters."));
        }
        if (is_wsp(c)) return unexpected(std::string("The destination contains whitespace."));
    }
    std::string uri;
    if (scheme_length(destination) == 0 && is_bare_address(destination)) {
        uri = "mailto:";
        uri += destination;
    } else {
        uri = lowercase_scheme(destination);
    }
    const std::size_t scheme = scheme_length(uri);
    const std::string_view scheme_name = std::string_view(uri).substr(0, scheme);
    if (scheme == 0) {
        return unexpected(std::string(
            "The destination has no scheme; write mailto:address or https://host/path."));
    }
    if (scheme_name == "http") {
        return unexpected(std::string(
            "The http scheme is not supported: reports carry no protection in transit; use "
            "https."));
    }
    if (scheme_name != "mailto" && scheme_name != "https") {
        return unexpected(std::string("Only mailto: and https: destinations are supported."));
    }
    std::string canonical;
    canonical.reserve(uri.size() + 8);
    const auto host = find_host(uri);
    for (std::size_t i = 0; i < uri.size();) {
        if (host && i == host->begin && host->end > host->begin) {
            auto a_label = host_to_a_label(std::string_view(uri).substr(i, host->end - i));
            if (!a_label) return unexpected(a_label.error());
            canonical += *a_label;
            i = host->end;
            continue;
        }
        const char c = uri[i++];
        if (is_delimiter(c) || is_non_ascii(c)) {
            append_percent_encoded(canonical, c);
        } else {
            canonical += c;
        }
    }
    std::vector<Diagnostic> findings;
    DiagnosticSink sink(findings, std::nullopt);
    const UriVerdict verdict = check_uri(canonical, UriContext{}, sink);
    for (const Diagnostic& finding : findings) {
        if (non_public == NonPublicHost::keep && finding.code == "non-public-host") continue;
        return unexpected(finding.message);
    }
    if (!verdict.usable) {
        return unexpected(std::string("The destination is not a valid mailto: or https: URI."));
    }
    return canonical;
}

}  // namespace tlsrpt
