// What the operator expects of a domain's policy beyond RFC 8460 (--expect-rua, --min-ttl):
// drift from it becomes a warning, so that monitoring alerts before reports stop arriving.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::audit {

struct Expectations {
    // Destinations the policy must list, in canonical form (canonical_uri).
    std::vector<std::string> rua;
    // The smallest TTL the TXT records may have.
    std::optional<std::uint32_t> min_ttl;

    bool empty() const { return rua.empty() && !min_ttl; }
};

// Pure: the `expected-rua-missing` and `ttl-below-minimum` warnings for `result`. Only a policy
// senders use (status valid or warning) is compared; any other status already says more.
std::vector<Diagnostic> unmet_expectations(const CheckResult& result,
                                           const Expectations& expectations);

// Appends unmet_expectations() to the result's diagnostics; a `valid` status becomes `warning`.
void apply_expectations(CheckResult& result, const Expectations& expectations);

}  // namespace tlsrpt::audit
