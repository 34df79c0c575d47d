// The verdict on a TXT RRset found at _mta-sts.<domain>, as RFC 8461 §3.1 senders select and
// parse it: the DNS half of MTA-STS (the policy file served over HTTPS is not read here).
// Statuses and diagnostic codes are documented in man/tlsrpt-check.1.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt {

struct MtaStsEvaluation {
    // `missing`: no record senders select; `invalid`: senders assume the domain does not use
    // MTA-STS because of the records; `valid` or `warning`: senders use the record.
    Status status = Status::missing;
    std::vector<std::string> records;  // each RR's strings joined, in RRset order
    std::optional<std::string> id;     // the policy id, when the status is valid or warning
    std::vector<std::pair<std::string, std::string>> extensions;  // likewise, in record order
    std::vector<Diagnostic> diagnostics;                          // codes all begin with "mta-sts-"
};

// Pure: no I/O and no shared state. An empty RRset is `missing` (`mta-sts-no-record`).
MtaStsEvaluation evaluate_mta_sts(const TxtRRset& rrset);

}  // namespace tlsrpt
