// One result row: what every output format prints for a record check or a domain lookup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/authoritative.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt {

// Where a TTL comes from: the resolver's answer (the time its cached copy has left, which
// counts down) or the zone's authoritative servers (the TTL as published).
enum class TtlSource : std::uint8_t { resolver, authoritative };

std::string_view to_string(TtlSource source);

// How the answer was obtained. Present only for DNS lookups.
struct LookupInfo {
    std::string rcode;                 // "NOERROR", "NXDOMAIN", "SERVFAIL", ... or "" if none
    std::optional<std::string> error;  // dns-* code when no usable answer came back
    std::vector<std::string> cnames;   // owner names followed to reach the records
    std::optional<std::uint32_t> ttl;  // smallest TTL of the TXT records, from ttl_source
    bool authenticated = false;        // AD bit of the answer
    std::string server;                // address[:port] that answered, or "" if none
    int attempts = 0;
    double elapsed_ms = 0;
    TtlSource ttl_source = TtlSource::resolver;
};

struct CheckResult {
    std::optional<std::string> input;   // the domain as the user gave it
    std::optional<std::size_t> line;    // input line number, when read from a file
    std::optional<std::string> domain;  // normalised A-label form
    std::optional<std::string> query;   // _smtp._tls.<domain>
    std::optional<LookupInfo> dns;
    Evaluation evaluation;           // lookup problems are diagnostics here, with status `error`
    std::optional<DeepResult> deep;  // with --deep, for looked-up domains
    std::optional<AuthoritativeResult> authoritative;  // with --authoritative, likewise
};

}  // namespace tlsrpt
