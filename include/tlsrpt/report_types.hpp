// The words of TLS-RPT reports (RFC 8460 §4.3, §4.4), so that what the tool finds can be said
// as a sending MTA would report it, and diffed against the reports that arrive.
#pragma once

#include <cstdint>
#include <string_view>

namespace tlsrpt {

// The policy a sender applied to a session: "sts", "tlsa" or "no-policy-found".
enum class PolicyType : std::uint8_t { sts, tlsa, no_policy_found };

// Why a session failed (RFC 8460 §4.3), each printed as its kebab-case name.
enum class ResultType : std::uint8_t {
    // Negotiation (§4.3.1)
    starttls_not_supported,
    certificate_host_mismatch,
    certificate_expired,
    certificate_not_trusted,
    validation_failure,
    // Policy (§4.3.2)
    tlsa_invalid,
    dnssec_invalid,
    dane_required,
    sts_policy_fetch_error,
    sts_policy_invalid,
    sts_webpki_invalid,
};

std::string_view to_string(PolicyType type);
std::string_view to_string(ResultType type);

}  // namespace tlsrpt
