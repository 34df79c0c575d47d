// The MTA-STS policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt, read as
// RFC 8461 §3.2 senders read it; the §4.1 matching of MX hosts against its patterns; and what
// the policy, the _mta-sts TXT record, the MX hosts and the TLS-RPT record say together.
// Diagnostic codes are documented in man/tlsrpt-check.1.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/mta_sts.hpp"

namespace tlsrpt {

enum class StsMode : std::uint8_t { enforce, testing, none };

std::string_view to_string(StsMode mode);  // "enforce", "testing", "none"

// What senders apply.
struct StsPolicy {
    StsMode mode = StsMode::none;
    std::vector<std::string> mx;  // patterns, lower-cased, in file order
    std::uint32_t max_age = 0;    // seconds
    // Keys RFC 8461 does not define, with their values: the first of each, in file order.
    std::vector<std::pair<std::string, std::string>> extensions;
};

struct StsPolicyEvaluation {
    // `valid` or `warning`: senders apply `policy`; `invalid`: senders treat the body as no
    // policy (a TLS-RPT report would say sts-policy-invalid).
    Status status = Status::invalid;
    std::optional<StsPolicy> policy;  // when valid or warning
    // The body's lines, as the policy-string of an RFC 8460 §4.4 report lists them: split at
    // each LF, without the LF or a CR before it; a final line break starts no further line.
    std::vector<std::string> policy_strings;
    // Codes all begin with "sts-policy-". A diagnostic about one line has the line's index in
    // `policy_strings` as its `record`, and its byte range in that line as `offset` and `length`.
    std::vector<Diagnostic> diagnostics;
};

// Pure: no I/O and no shared state. `body` is raw bytes from a stranger (the caller bounds its
// size: 64 KiB) and may hold anything; at most 20 findings about lines are listed, and one
// note counts the others.
StsPolicyEvaluation evaluate_sts_policy(std::string_view body);

// RFC 8461 §4.1: whether an MX host matches a policy `mx` pattern. A pattern is a host name,
// or "*." and a host name, whose "*" stands for exactly one left-most label of `host`; case
// does not matter. `host` is a host name in A-labels without a final dot. A pattern senders
// would refuse (a final dot, "*" elsewhere, U-labels) matches nothing, nor does a `host` that
// is not a host name.
bool mx_pattern_matches(std::string_view pattern, std::string_view host);

// What the pieces of MTA-STS say together, as row findings (codes sts-mx-not-in-policy,
// sts-policy-without-record, sts-testing-without-tlsrpt):
//   `record`   the evaluation of the _mta-sts TXT RRset, or null when it was not looked up or
//              the lookup failed;
//   `policy`   the evaluation of the fetched policy file, or null when none was fetched (why
//              not is the caller's to say);
//   `mx_hosts` the names senders deliver to, lower-case A-labels without a final dot: the MX
//              hosts, or the domain itself when it has no MX;
//   `tlsrpt`   the status of the domain's TLS-RPT record (`error` when its lookup failed).
// Each check needs its facts: nothing is concluded from what is unknown. Pure.
std::vector<Diagnostic> sts_cross_checks(const MtaStsEvaluation* record,
                                         const StsPolicyEvaluation* policy,
                                         std::span<const std::string> mx_hosts, Status tlsrpt);

}  // namespace tlsrpt
