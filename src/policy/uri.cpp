#include "uri.hpp"

#include "address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "ascii.hpp"

namespace tlsrpt::policy {

namespace {

std::string subject(std::size_t number) {
    return number == 0 ? std::string("The destination") : fmt::format("URI {} of rua", number);
}

// Position of the first byte that is neither a URI character nor a valid pct-encoded triple.
std::optional<std::size_t> first_bad_uri_byte(std::string_view uri) {
    for (std::size_t i = 0; i < uri.size(); ++i) {
        if (uri[i] == '%') {
            if (i + 2 >= uri.size() || !is_hex(uri[i + 1]) || !is_hex(uri[i + 2])) return i;
            i += 2;
        } else if (!is_uri_char(uri[i])) {
            return i;
        }
    }
    return std::nullopt;
}

// A byte RFC 3986 does not allow where it stands, at `offset` in the URI.
void report_invalid_uri_byte(const UriContext& context, std::size_t offset, DiagnosticSink& sink) {
    sink.add("invalid-uri", Severity::error,
             fmt::format("{} contains a character that is not allowed in a URI (RFC 3986); "
                         "percent-encode it.",
                         subject(context.number)),
             context.offset + offset, 1);
}

enum class HostClass { valid, invalid, non_public };

// Top-level names that never resolve on the public Internet (RFC 6761, RFC 9476) and the
// private-use ones people put in zone files; "home.arpa" (RFC 8375) is checked apart.
constexpr std::array<std::string_view, 10> kNonPublicTopLevelNames = {
    "localhost", "local", "internal",    "invalid", "test",
    "example",   "lan",   "localdomain", "onion",   "alt"};

HostClass classify_host_name(std::string_view host) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (!is_host_name(host)) return HostClass::invalid;
    const std::size_t last_dot = host.rfind('.');
    if (last_dot == std::string_view::npos || iends_with(host, ".home.arpa")) {
        return HostClass::non_public;
    }
    const std::string_view top_level = host.substr(last_dot + 1);
    for (std::string_view name : kNonPublicTopLevelNames) {
        if (iequals(top_level, name)) return HostClass::non_public;
    }
    return HostClass::valid;
}

std::optional<std::array<unsigned, 4>> parse_ipv4(std::string_view text) {
    std::array<unsigned, 4> octets{};
    const char* cursor = text.data();
    const char* const end = text.data() + text.size();
    for (std::size_t i = 0; i < 4; ++i) {
        if (i > 0) {
            if (cursor == end || *cursor != '.') return std::nullopt;
            ++cursor;
        }
        const char* const digits = cursor;
        auto [next, error] = std::from_chars(cursor, end, octets[i]);
        // No leading zero (RFC 3986 dec-octet): inet_aton and URL parsers read 010 as octal 8.
        const bool leading_zero = next - digits > 1 && *digits == '0';
        if (error != std::errc() || octets[i] > 255 || next - digits > 3 || leading_zero) {
            return std::nullopt;
        }
        cursor = next;
    }
    if (cursor != end) return std::nullopt;
    return octets;
}

HostClass classify_ipv4(std::string_view text) {
    const auto octets = parse_ipv4(text);
    if (!octets) return HostClass::invalid;
    const std::array<unsigned char, 4> address = {
        static_cast<unsigned char>((*octets)[0]), static_cast<unsigned char>((*octets)[1]),
        static_cast<unsigned char>((*octets)[2]), static_cast<unsigned char>((*octets)[3])};
    return is_public_ipv4(address) ? HostClass::valid : HostClass::non_public;
}

// RFC 4291 text forms only, as inet_pton reads them; the special-purpose ranges are judged on
// the address, whichever way it is written.
HostClass classify_ipv6(std::string_view text) {
    const std::string terminated(text);  // inet_pton reads a C string
    std::array<unsigned char, 16> address{};
    if (inet_pton(AF_INET6, terminated.c_str(), address.data()) != 1) return HostClass::invalid;
    return is_public_ipv6(address) ? HostClass::valid : HostClass::non_public;
}

// Where a host stands: the authority of a URI, or the domain of a mailto address, whose
// literals follow RFC 5321 instead.
enum class HostSyntax { uri, mail_domain };

HostClass classify_host(std::string_view host, HostSyntax syntax) {
    const bool mail_domain = syntax == HostSyntax::mail_domain;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        // An address, never a name: IPv6 in a URI (RFC 3986 §3.2.2); in a mail domain also
        // [IPv4] and [IPv6:...] (RFC 5321 §4.1.3).
        std::string_view literal = host.substr(1, host.size() - 2);
        if (mail_domain && istarts_with(literal, "IPv6:")) literal.remove_prefix(5);
        if (literal.find(':') != std::string_view::npos) return classify_ipv6(literal);
        return mail_domain ? classify_ipv4(literal) : HostClass::invalid;
    }
    // A name whose last label is numeric can only be an IPv4 address (RFC 3986 §3.2.2).
    if (!host.empty() && is_digit(host.back())) return classify_ipv4(host);
    return classify_host_name(host);
}

void report_host(HostClass host_class, std::string_view what, const UriContext& context,
                 std::size_t host_offset, std::size_t host_length, std::string_view invalid_code,
                 DiagnosticSink& sink) {
    if (host_class == HostClass::invalid) {
        sink.add(invalid_code, Severity::error,
                 fmt::format("{} has a {} that is not a valid host name or address.",
                             subject(context.number), what),
                 context.offset + host_offset, host_length);
    } else if (host_class == HostClass::non_public) {
        sink.add("non-public-host", Severity::warning,
                 fmt::format("{} points at a {} that is not reachable on the public Internet "
                             "(localhost, a private or reserved address or name).",
                             subject(context.number), what),
                 context.offset + host_offset, host_length);
    }
}

// The local part of an addr-spec as RFC 6068 lets it appear in a URI: dot-atom-text whose
// characters outside unreserved / sub-delims are percent-encoded.
bool is_valid_local_part(std::string_view local) {
    if (local.empty() || local.front() == '.' || local.back() == '.') return false;
    for (std::size_t i = 0; i < local.size(); ++i) {
        const char c = local[i];
        if (c == '.' && local[i + 1] == '.') return false;
        if (c == '%') {
            i += 2;  // triples were checked by first_bad_uri_byte
            continue;
        }
        if (!has_class(c, kLocalPart)) return false;
    }
    return true;
}

void check_mailto(std::string_view uri, std::size_t body, const UriContext& context,
                  DiagnosticSink& sink) {
    const std::size_t question = uri.find('?', body);
    const std::size_t to_end = question == std::string_view::npos ? uri.size() : question;
    const std::string_view to = uri.substr(body, to_end - body);
    const std::size_t at = to.rfind('@');
    if (to.empty() || at == std::string_view::npos || at == 0 || at + 1 == to.size() ||
        uri.find('#') != std::string_view::npos) {
        sink.add("invalid-mailto", Severity::error,
                 fmt::format("{} is not a mailto: URI with one address of the form "
                             "local-part@domain.",
                             subject(context.number)),
                 context.offset, uri.size());
        return;
    }
    if (to.starts_with("//")) {
        sink.add("invalid-mailto", Severity::error,
                 fmt::format("{} puts \"//\" after mailto:, which takes the address directly.",
                             subject(context.number)),
                 context.offset + body, 2);
    } else if (istarts_with(to, "mailto:")) {
        sink.add("invalid-mailto", Severity::error,
                 fmt::format("{} writes the mailto: scheme twice.", subject(context.number)),
                 context.offset + body, 7);
    } else if (!is_valid_local_part(to.substr(0, at))) {
        sink.add("invalid-mailto", Severity::error,
                 fmt::format("{} has an address whose local part is not valid (RFC 5322 "
                             "dot-atom, special characters percent-encoded).",
                             subject(context.number)),
                 context.offset + body, at);
    } else if (to.ends_with('.')) {
        // RFC 6068 takes the domain of an addr-spec, a dot-atom: it cannot end with a dot.
        sink.add("invalid-mailto", Severity::error,
                 fmt::format("{} has a mail domain that ends with a dot, which an address "
                             "cannot have; remove the dot.",
                             subject(context.number)),
                 context.offset + body + to.size() - 1, 1);
    } else {
        const std::string_view domain = to.substr(at + 1);
        report_host(classify_host(domain, HostSyntax::mail_domain), "mail domain", context,
                    body + at + 1, domain.size(), "invalid-mailto", sink);
    }
    if (question != std::string_view::npos) {
        sink.add("mailto-hfields", Severity::warning,
                 fmt::format("{} carries header fields after \"?\"; report senders ignore them "
                             "and some reject the URI.",
                             subject(context.number)),
                 context.offset + question, uri.size() - question);
    }
}

void check_https(std::string_view uri, std::size_t body, const UriContext& context,
                 DiagnosticSink& sink) {
    if (uri.substr(body, 2) != "//") {
        sink.add("invalid-https", Severity::error,
                 fmt::format("{} must be written https:// followed by a host name.",
                             subject(context.number)),
                 context.offset, uri.size());
        return;
    }
    const std::size_t authority = body + 2;
    const std::size_t authority_end = find_authority_end(uri, authority);
    std::size_t host_begin = authority;
    const std::size_t at = uri.rfind('@', authority_end - 1);
    if (at != std::string_view::npos && at >= authority) {
        sink.add("https-userinfo", Severity::warning,
                 fmt::format("{} carries user information before the host; credentials do not "
                             "belong in a published record and senders may not send them.",
                             subject(context.number)),
                 context.offset + authority, at + 1 - authority);
        host_begin = at + 1;
    }
    std::size_t host_end = authority_end;
    std::size_t port_begin = authority_end;
    if (host_begin < authority_end && uri[host_begin] == '[') {
        const std::size_t close = uri.find(']', host_begin);
        host_end =
            (close == std::string_view::npos || close > authority_end) ? authority_end : close + 1;
        port_begin = host_end;
    } else {
        const std::size_t colon = uri.rfind(':', authority_end - 1);
        if (colon != std::string_view::npos && colon >= host_begin) {
            host_end = colon;
            port_begin = colon;
        }
    }
    const std::string_view host = uri.substr(host_begin, host_end - host_begin);
    if (host.empty()) {
        sink.add("invalid-https", Severity::error,
                 fmt::format("{} has no host name.", subject(context.number)), context.offset,
                 uri.size());
        return;
    }
    if (port_begin < authority_end) {
        const std::string_view port = uri.substr(port_begin, authority_end - port_begin);
        unsigned value = 0;
        const bool numeric =
            port.size() >= 2 && port.size() <= 6 && port[0] == ':' &&
            std::from_chars(port.data() + 1, port.data() + port.size(), value).ptr ==
                port.data() + port.size();
        if (!numeric || value == 0 || value > 65535) {
            sink.add("invalid-https", Severity::error,
                     fmt::format("{} has a port that is not a number from 1 to 65535.",
                                 subject(context.number)),
                     context.offset + port_begin, port.size());
        }
    }
    report_host(classify_host(host, HostSyntax::uri), "host", context, host_begin, host.size(),
                "invalid-https", sink);
    // "[" and "]" delimit an IP literal host only (RFC 3986 3.2.2); path, query and fragment
    // must percent-encode them.
    if (const std::size_t bracket = uri.find_first_of("[]", authority_end);
        bracket != std::string_view::npos) {
        report_invalid_uri_byte(context, bracket, sink);
    }
    const std::size_t hash = uri.find('#', authority_end);
    if (hash != std::string_view::npos) {
        sink.add("https-fragment", Severity::warning,
                 fmt::format("{} ends with a #fragment, which is never sent to the server.",
                             subject(context.number)),
                 context.offset + hash, uri.size() - hash);
        // A fragment holds no "#" (RFC 3986 3.5).
        if (const std::size_t second = uri.find('#', hash + 1); second != std::string_view::npos) {
            report_invalid_uri_byte(context, second, sink);
        }
    }
}

}  // namespace

std::size_t scheme_length(std::string_view uri) {
    if (uri.empty() || !is_alpha(uri[0])) return 0;
    for (std::size_t i = 1; i < uri.size(); ++i) {
        const char c = uri[i];
        if (c == ':') return i;
        if (!is_alnum(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

bool is_bare_address(std::string_view text) {
    const std::size_t at = text.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < text.size() &&
           text.find('@', at + 1) == std::string_view::npos &&
           text.find_first_of(":/?#") == std::string_view::npos;
}

std::size_t dmarc_size_suffix_length(std::string_view uri) {
    std::size_t end = uri.size();
    if (end > 0 && (iequals(uri.substr(end - 1), "k") || iequals(uri.substr(end - 1), "m") ||
                    iequals(uri.substr(end - 1), "g") || iequals(uri.substr(end - 1), "t"))) {
        --end;
    }
    std::size_t digits = end;
    while (digits > 0 && is_digit(uri[digits - 1])) --digits;
    if (digits == end || digits == 0 || uri[digits - 1] != '!') return 0;
    return uri.size() - (digits - 1);
}

std::optional<HostRange> find_host(std::string_view uri) {
    const std::size_t scheme = scheme_length(uri);
    if (scheme == 0) return std::nullopt;
    const std::size_t body = scheme + 1;
    if (iequals(uri.substr(0, scheme), "mailto")) {
        std::size_t to_end = uri.find('?', body);
        if (to_end == std::string_view::npos) to_end = uri.size();
        const std::size_t at = uri.rfind('@', to_end - 1);
        if (at == std::string_view::npos || at < body) return std::nullopt;
        return HostRange{at + 1, to_end};
    }
    if (iequals(uri.substr(0, scheme), "https") && uri.substr(body, 2) == "//") {
        const std::size_t authority = body + 2;
        const std::size_t authority_end = find_authority_end(uri, authority);
        const std::size_t at = uri.rfind('@', authority_end - 1);
        const std::size_t begin =
            (at != std::string_view::npos && at >= authority) ? at + 1 : authority;
        if (begin < authority_end && uri[begin] == '[') return HostRange{begin, authority_end};
        const std::size_t colon = uri.rfind(':', authority_end - 1);
        const std::size_t end =
            (colon != std::string_view::npos && colon >= begin) ? colon : authority_end;
        return HostRange{begin, end};
    }
    return std::nullopt;
}

bool same_destination(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    const std::size_t scheme = scheme_length(a);
    if (scheme != scheme_length(b)) return a == b;
    const auto host_a = find_host(a);
    const auto host_b = find_host(b);
    const HostRange host = host_a.value_or(HostRange{scheme, scheme});
    if (host_a.has_value() != host_b.has_value() ||
        (host_a && (host_a->begin != host_b->begin || host_a->end != host_b->end))) {
        return false;
    }
    return iequals(a.substr(0, scheme), b.substr(0, scheme)) &&
           a.substr(scheme, host.begin - scheme) == b.substr(scheme, host.begin - scheme) &&
           iequals(a.substr(host.begin, host.end - host.begin),
                   b.substr(host.begin, host.end - host.begin)) &&
           a.substr(host.end) == b.substr(host.end);
}

std::string destination_key(std::string_view uri) {
    std::string key(uri);
    const std::size_t scheme = scheme_length(uri);
    for (std::size_t i = 0; i < scheme; ++i) key[i] = to_lower(key[i]);
    if (const auto host = find_host(uri)) {
        for (std::size_t i = host->begin; i < host->end; ++i) key[i] = to_lower(key[i]);
    }
    return key;
}

UriVerdict check_uri(std::string_view uri, const UriContext& context, DiagnosticSink& sink,
                     const ClassSummary& summary) {
    UriVerdict verdict;
    if (!(summary.all & kRecordByte)) return verdict;
    const std::size_t scheme = scheme_length(uri);
    if (scheme == 0 && (uri.front() == '"' || uri.front() == '<')) {
        sink.add("invalid-uri", Severity::error,
                 fmt::format("{} is wrapped in quotes or angle brackets; write the URI alone.",
                             subject(context.number)),
                 context.offset, uri.size());
        return verdict;
    }
    if (scheme == 0) {
        // A raw comma splits one URI into two pieces that a parser cannot tell apart from
        // two URIs. A piece after a comma that is neither a URI nor an address can only be
        // the tail of the URI before it; an address is taken for a forgotten "mailto:".
        if (context.follows_comma && !is_bare_address(uri)) {
            verdict.continues_previous = true;
            sink.add("unencoded-comma", Severity::error,
                     fmt::format("{} has no scheme: it looks like the rest of the previous URI, "
                                 "cut at a comma that must be written %2C.",
                                 subject(context.number)),
                     context.offset, uri.size());
        } else {
            sink.add("missing-scheme", Severity::error,
                     istarts_with(uri, "mailto=")
                         ? fmt::format("{} writes mailto= where the scheme is mailto:.",
                                       subject(context.number))
                     : is_bare_address(uri)
                         ? fmt::format("{} is an e-mail address without the mailto: scheme.",
                                       subject(context.number))
                         : fmt::format("{} has no scheme; use mailto: or https:.",
                                       subject(context.number)),
                     context.offset, uri.size());
        }
        return verdict;
    }
    verdict.scheme = uri.substr(0, scheme);
    const bool is_mailto = iequals(verdict.scheme, "mailto");
    const bool is_https = iequals(verdict.scheme, "https");
    if (!is_mailto && !is_https) {
        verdict.unsupported_scheme = true;
        return verdict;
    }
    if (verdict.scheme != (is_mailto ? "mailto" : "https")) {
        sink.add("scheme-case", Severity::warning,
                 fmt::format("{} writes its scheme in upper case; write it in lower case, as some "
                             "senders compare it literally.",
                             subject(context.number)),
                 context.offset, scheme);
    }
    const std::size_t errors_before = sink.errors();
    std::string_view checked = uri;
    if (const std::size_t suffix = dmarc_size_suffix_length(uri); suffix > 0) {
        sink.add("dmarc-size-suffix", Severity::error,
                 fmt::format("{} ends with a DMARC report size limit, which TLS-RPT does not "
                             "have; remove it.",
                             subject(context.number)),
                 context.offset + uri.size() - suffix, suffix);
        checked = uri.substr(0, uri.size() - suffix);
    }
    // The rest is checked as if each raw "!" were encoded. "_" stands in for "%21": it is
    // allowed and refused in the same places (local parts and paths, not host names) and
    // keeps the offsets of later findings aligned with the record.
    std::string substituted;
    if (const std::size_t bang = checked.find('!'); bang != std::string_view::npos) {
        sink.add("unencoded-exclamation", Severity::error,
                 fmt::format("{} contains a raw \"!\", which must be written %21.",
                             subject(context.number)),
                 context.offset + bang, 1);
        substituted = checked;
        for (char& c : substituted) {
            if (c == '!') c = '_';
        }
        checked = substituted;
    }
    // Only a "%" or a forbidden character needs the byte-by-byte look.
    const bool only_uri_chars = (summary.all & kUriChar) != 0;
    if (const auto bad = only_uri_chars ? std::nullopt : first_bad_uri_byte(checked)) {
        report_invalid_uri_byte(context, *bad, sink);
    } else if (is_mailto) {
        check_mailto(checked, scheme + 1, context, sink);
    } else {
        check_https(checked, scheme + 1, context, sink);
    }
    verdict.usable = sink.errors() == errors_before;
    return verdict;
}

}  // namespace tlsrpt::policy
