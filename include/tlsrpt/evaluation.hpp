// The verdict on a TXT RRset found at _smtp._tls.<domain>, as RFC 8460 senders select and
// parse it. Statuses and diagnostic codes are documented in man/tlsrpt-check.1.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt {

// Ordered from best to worst within the record verdicts; `error` is a failed lookup.
enum class Status { valid, warning, missing, invalid, error };

std::string_view to_string(Status status);

struct Destination {
    std::string uri;         // as published
    std::string scheme;      // lowercase scheme name ("mailto", "https", ...), empty if none
    bool supported = false;  // mailto or https, and well-formed: senders can deliver to it
    // Where reports go, in lower case: the domain of a mailto address or the host of an https
    // URL (an IP literal keeps its brackets). Set for supported destinations only.
    std::string host;
};

// The policy senders will use: present only when the status is `valid` or `warning`.
struct Policy {
    std::size_t record = 0;  // index of the selected record in the RRset
    std::string version;     // "TLSRPTv1"
    std::vector<Destination> rua;
    std::vector<std::pair<std::string, std::string>> extensions;  // in record order
};

struct Evaluation {
    Status status = Status::missing;
    std::vector<std::string> records;  // each RR's strings joined, in RRset order
    std::optional<Policy> policy;
    std::vector<Diagnostic> diagnostics;  // in the order found: selection, then per record
    // Evaluates with no error whenever present, and `valid` unless it keeps a host that is not
    // public (the `non-public-host` warning): a fix is offered even then.
    std::optional<std::string> suggested_record;
};

// Pure: no I/O and no shared state. An empty RRset is `missing` (`no-record`).
Evaluation evaluate(const TxtRRset& rrset);

}  // namespace tlsrpt
