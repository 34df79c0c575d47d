// What the _mta-sts TXT record, the policy file, the MX hosts and the TLS-RPT record say
// together (RFC 8461 §4.1 and §5, RFC 8460 §3): findings of the row, worded as the other
// --deep findings are.
#include "tlsrpt/sts_policy.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace tlsrpt {

namespace {

bool usable(Status status) {
    return status == Status::valid || status == Status::warning;
}

Diagnostic finding(std::string_view code, Severity severity, std::string message) {
    return Diagnostic{std::string(code), severity, std::move(message), {}, {}, 0};
}

}  // namespace

std::vector<Diagnostic> sts_cross_checks(const MtaStsEvaluation* record,
                                         const StsPolicyEvaluation* policy,
                                         std::span<const std::string> mx_hosts, Status tlsrpt) {
    std::vector<Diagnostic> findings;
    // An invalid policy has its own findings, and mode none asks senders for nothing.
    if (policy == nullptr || !policy->policy || policy->policy->mode == StsMode::none) {
        return findings;
    }
    const StsPolicy& applied = *policy->policy;
    const std::string_view mode = to_string(applied.mode);
    if (record != nullptr && !usable(record->status)) {
        // Senders look for the policy file only when the record announces it.
        findings.push_back(finding(
            "sts-policy-without-record", Severity::warning,
            fmt::format("the MTA-STS policy file is in {} mode, but no usable _mta-sts TXT record "
                        "announces it: senders never fetch it, so MTA-STS is not in effect",
                        mode)));
        return findings;
    }
    const bool enforce = applied.mode == StsMode::enforce;
    for (const std::string& host : mx_hosts) {
        const bool allowed = std::any_of(
            applied.mx.begin(), applied.mx.end(),
            [&](const std::string& pattern) { return mx_pattern_matches(pattern, host); });
        if (allowed) continue;
        findings.push_back(finding(
            "sts-mx-not-in-policy", enforce ? Severity::error : Severity::warning,
            enforce ? fmt::format("{} matches no mx pattern of the MTA-STS policy: in enforce "
                                  "mode senders do not deliver mail to it",
                                  host)
                    : fmt::format("{} matches no mx pattern of the MTA-STS policy: in testing "
                                  "mode senders deliver mail to it but report a failure, and in "
                                  "enforce mode they would not deliver it",
                                  host)));
    }
    if (applied.mode == StsMode::testing &&
        (tlsrpt == Status::missing || tlsrpt == Status::invalid)) {
        findings.push_back(finding(
            "sts-testing-without-tlsrpt", Severity::warning,
            "the MTA-STS policy is in testing mode, which exists to have failures reported, "
            "but the domain has no usable TLS-RPT policy to receive the reports"));
    }
    return findings;
}

}  // namespace tlsrpt
