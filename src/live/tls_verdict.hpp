// What a sending MTA would report (RFC 8460 §4.3) about a session to an MX host like the one a
// probe had, under the policy it applies to that host. Pure: no I/O.
#pragma once

#include <optional>
#include <string>

#include "live/probe_outcome.hpp"
#include "tlsrpt/report_types.hpp"

namespace tlsrpt::live {

// The policy a sender applies to the MX host (RFC 8460 §4.4 policy-type): tlsa when the host
// has usable DNSSEC-authenticated TLSA records (they take precedence over MTA-STS, RFC 8461
// §2), sts when an MTA-STS policy in enforce or testing mode applies, else no-policy-found
// (opportunistic TLS).
struct AppliedPolicy {
    PolicyType type = PolicyType::no_policy_found;
    // With sts: whether the MX host matches an `mx` pattern of the policy (RFC 8461 §4.1).
    bool mx_matches_policy = true;
};

struct TlsVerdict {
    // The failure a report would count the session as; none for a successful session, and
    // for one that is transient.
    std::optional<ResultType> result;
    // More about it: with a result, the report's failure-reason-code (an X509_V_ERR_* name,
    // the handshake error, the refusing reply's code); when transient, what happened. Words of
    // this program or OpenSSL's only, never the server's text.
    std::string failure_reason_code;
    // The session ended before TLS was in question, for a reason senders retry later or at
    // another MX host (TCP failure, timeout, a 4xx reply): RFC 8460 §4.3.4 asks no report
    // of these.
    bool transient = false;
};

TlsVerdict tls_verdict(const ProbeOutcome& outcome, const AppliedPolicy& policy);

}  // namespace tlsrpt::live
