// Validation of one rua URI: RFC 3986 syntax, mailto per RFC 6068, https per RFC 3986 §3.2,
// and the RFC 8460 rule that ",", "!" and ";" inside a URI are percent-encoded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ascii.hpp"
#include "diagnostic_sink.hpp"

namespace tlsrpt::policy {

struct UriContext {
    std::size_t offset = 0;      // position of the URI in the joined record
    std::size_t number = 0;      // 1-based position in the record's rua list; 0: a lone URI
    bool follows_comma = false;  // not the first URI of its rua field
};

struct UriVerdict {
    std::string_view scheme;          // as written; empty when there is none
    bool usable = false;              // mailto or https, well-formed: senders can deliver
    bool unsupported_scheme = false;  // well-formed scheme other than mailto/https
    bool continues_previous = false;  // the tail of the previous URI, cut at a raw comma
};

// Checks one comma-separated piece of a rua value: non-empty, WSP-free. Bytes outside
// printable ASCII make it unusable without a diagnostic: the record scan reports them once.
// `unsupported-scheme` is left to the caller, whose severity depends on the other URIs.
// `summary` is summarise(uri), which the caller has already computed.
UriVerdict check_uri(std::string_view uri, const UriContext& context, DiagnosticSink& sink,
                     const ClassSummary& summary);
inline UriVerdict check_uri(std::string_view uri, const UriContext& context, DiagnosticSink& sink) {
    return check_uri(uri, context, sink, summarise(uri));
}

// Length of a valid RFC 3986 scheme followed by ":", or 0 when the text has none.
std::size_t scheme_length(std::string_view uri);

// `local@domain` with no scheme, as people write report addresses.
bool is_bare_address(std::string_view text);

// Length of a DMARC report size limit such as "!10m" at the end of the URI, or 0.
std::size_t dmarc_size_suffix_length(std::string_view uri);

// Byte range of the host in a mailto (the domain of the last address) or https URI whose
// scheme is already known, or nothing when the URI has no recognisable host.
struct HostRange {
    std::size_t begin = 0;
    std::size_t end = 0;
};
std::optional<HostRange> find_host(std::string_view uri);

// Whether two URIs are the same destination: scheme and host compare without case, the rest
// exactly (local parts and paths are case-sensitive).
bool same_destination(std::string_view a, std::string_view b);

// A key equal for two URIs exactly when same_destination holds (used by generate).
std::string destination_key(std::string_view uri);

}  // namespace tlsrpt::policy
