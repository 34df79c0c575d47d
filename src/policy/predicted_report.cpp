#include "tlsrpt/predicted_report.hpp"

#include <algorithm>

namespace tlsrpt {
namespace {

bool record_used(const MtaStsSection& mta_sts) {
    return mta_sts.lookup == LookupState::found && (mta_sts.evaluation.status == Status::valid ||
                                                    mta_sts.evaluation.status == Status::warning);
}

const MailHost* find_host(const MxSection& mx, const std::string& name) {
    const auto found = std::find_if(mx.hosts.begin(), mx.hosts.end(),
                                    [&](const MailHost& host) { return host.name == name; });
    return found == mx.hosts.end() ? nullptr : &*found;
}

// The entry for a policy, made on first use; entries keep the order they were first met in.
PredictedPolicy& entry(std::vector<PredictedPolicy>& policies, PolicyType type,
                       const std::string& policy_domain) {
    const auto found = std::find_if(policies.begin(), policies.end(), [&](const auto& policy) {
        return policy.type == type && policy.policy_domain == policy_domain;
    });
    if (found != policies.end()) return *found;
    PredictedPolicy& made = policies.emplace_back();
    made.type = type;
    made.policy_domain = policy_domain;
    return made;
}

void count_session(PredictedPolicy& policy, const HostProbe& probe) {
    if (!probe.result) {
        ++policy.successful_sessions;
        return;
    }
    policy.failures.push_back(
        {*probe.result, probe.host, probe.address, probe.failure_reason_code, 1});
}

}  // namespace

std::vector<PredictedPolicy> predicted_report(std::string_view domain, const DeepResult& deep) {
    std::vector<PredictedPolicy> policies;
    const std::string own(domain);
    const PolicyFetchSection& fetch = deep.mta_sts.policy;
    if (record_used(deep.mta_sts) && fetch.failure) {
        // No policy to apply: every session would be reported with the policy's failure.
        PredictedPolicy& sts = entry(policies, PolicyType::sts, own);
        sts.failures.push_back({*fetch.failure, "", "", fetch.error, 1});
    }
    for (const HostProbe& probe : deep.probes) {
        if (!probe.connected || probe.transient) continue;
        switch (probe.policy) {
            case PolicyType::sts: {
                PredictedPolicy& sts = entry(policies, PolicyType::sts, own);
                if (sts.policy_strings.empty() && fetch.evaluation.policy) {
                    sts.policy_strings = fetch.evaluation.policy_strings;
                    sts.mx_hosts = fetch.evaluation.policy->mx;
                }
                count_session(sts, probe);
                break;
            }
            case PolicyType::tlsa: {
                PredictedPolicy& tlsa = entry(policies, PolicyType::tlsa, probe.host);
                if (tlsa.mx_hosts.empty()) {
                    tlsa.mx_hosts = {probe.host};
                    if (const MailHost* host = find_host(deep.mx, probe.host)) {
                        tlsa.policy_strings = host->tlsa_records;
                    }
                }
                count_session(tlsa, probe);
                break;
            }
            case PolicyType::no_policy_found: {
                PredictedPolicy& none = entry(policies, PolicyType::no_policy_found, own);
                if (std::find(none.mx_hosts.begin(), none.mx_hosts.end(), probe.host) ==
                    none.mx_hosts.end()) {
                    none.mx_hosts.push_back(probe.host);
                }
                count_session(none, probe);
                break;
            }
        }
    }
    return policies;
}

}  // namespace tlsrpt
