#include "audit/expectations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "tlsrpt/canonical.hpp"

namespace tlsrpt::audit {
namespace {

Diagnostic warning(std::string code, std::string message) {
    Diagnostic made;
    made.code = std::move(code);
    made.severity = Severity::warning;
    made.message = std::move(message);
    return made;
}

// The policy's usable destinations in canonical form, so that `MAILTO:` or an IDN host still
// matches what the operator wrote.
std::vector<std::string> canonical_destinations(const Policy& policy) {
    std::vector<std::string> destinations;
    for (const Destination& destination : policy.rua) {
        if (!destination.supported) continue;
        auto canonical = canonical_uri(destination.uri);
        destinations.push_back(canonical ? *canonical : destination.uri);
    }
    return destinations;
}

}  // namespace

std::vector<Diagnostic> unmet_expectations(const CheckResult& result,
                                           const Expectations& expectations) {
    std::vector<Diagnostic> unmet;
    const Evaluation& evaluation = result.evaluation;
    if (!evaluation.policy) return unmet;
    const std::vector<std::string> published = canonical_destinations(*evaluation.policy);
    for (const std::string& expected : expectations.rua) {
        if (std::find(published.begin(), published.end(), expected) != published.end()) continue;
        unmet.push_back(warning("expected-rua-missing",
                                fmt::format("The policy does not send reports to {}, which "
                                            "--expect-rua requires.",
                                            expected)));
    }
    if (expectations.min_ttl && result.dns && result.dns->ttl &&
        *result.dns->ttl < *expectations.min_ttl) {
        unmet.push_back(warning("ttl-below-minimum",
                                fmt::format("The TXT record's TTL is {} s, below the {} s that "
                                            "--min-ttl requires.",
                                            *result.dns->ttl, *expectations.min_ttl)));
    }
    return unmet;
}

void apply_expectations(CheckResult& result, const Expectations& expectations) {
    // Most runs set none: the policy's URIs are not canonicalised for nothing.
    if (expectations.empty()) return;
    std::vector<Diagnostic> unmet = unmet_expectations(result, expectations);
    if (unmet.empty()) return;
    Evaluation& evaluation = result.evaluation;
    std::move(unmet.begin(), unmet.end(), std::back_inserter(evaluation.diagnostics));
    if (evaluation.status == Status::valid) evaluation.status = Status::warning;
}

}  // namespace tlsrpt::audit
