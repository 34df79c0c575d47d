// What the TLS-RPT reports about a domain would say, from what --deep and --probe found: the
// `policies` of an RFC 8460 §4.4 report, so that it can be set beside the reports that arrive.
// Each probe stands for one session; probes that ended before TLS for a reason senders retry
// are not sessions a report counts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/deep.hpp"
#include "tlsrpt/report_types.hpp"

namespace tlsrpt {

struct PredictedFailure {
    ResultType result = ResultType::validation_failure;
    std::string receiving_mx_hostname;  // "" when the failure is the policy's (a fetch)
    std::string receiving_ip;
    std::string failure_reason_code;
    std::size_t failed_session_count = 1;
};

struct PredictedPolicy {
    PolicyType type = PolicyType::no_policy_found;
    std::vector<std::string> policy_strings;  // the policy file's lines, or the TLSA records
    std::string policy_domain;                // the domain (sts, none) or the MX host (tlsa)
    std::vector<std::string> mx_hosts;        // the policy's patterns (sts) or the host(s)
    std::size_t successful_sessions = 0;
    std::vector<PredictedFailure> failures;
};

// Pure. Empty when nothing was probed and no MTA-STS policy failed.
std::vector<PredictedPolicy> predicted_report(std::string_view domain, const DeepResult& deep);

}  // namespace tlsrpt
