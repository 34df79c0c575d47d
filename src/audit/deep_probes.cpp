#include "audit/deep_probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "live/probe_outcome.hpp"
#include "live/tls_verdict.hpp"
#include "policy/address.hpp"
#include "tlsrpt/sts_policy.hpp"

namespace tlsrpt::audit {
namespace {

// The MTA-STS policy senders apply, if any: the record says to fetch it, and it came.
const StsPolicy* applied_sts_policy(const MtaStsSection& mta_sts) {
    const bool record_used =
        mta_sts.lookup == LookupState::found && (mta_sts.evaluation.status == Status::valid ||
                                                 mta_sts.evaluation.status == Status::warning);
    const PolicyFetchSection& fetch = mta_sts.policy;
    if (!record_used || fetch.state != PolicyFetchState::fetched || !fetch.evaluation.policy) {
        return nullptr;
    }
    const StsPolicy& policy = *fetch.evaluation.policy;
    return policy.mode == StsMode::none ? nullptr : &policy;
}

live::AppliedPolicy applied_policy(const MailHost& host, const StsPolicy* sts) {
    // DANE takes precedence over MTA-STS (RFC 8461 section 2).
    if (host.tlsa == LookupState::found && host.tlsa_authenticated) {
        return {PolicyType::tlsa, true};
    }
    if (sts == nullptr) return {PolicyType::no_policy_found, true};
    const bool matches = std::any_of(sts->mx.begin(), sts->mx.end(), [&](const std::string& p) {
        return mx_pattern_matches(p, host.name);
    });
    return {PolicyType::sts, matches};
}

HostProbe probe_row(const MailHost& host, const std::string& address,
                    const live::ProbeOutcome& outcome, const live::AppliedPolicy& policy) {
    HostProbe probe;
    probe.host = host.name;
    probe.address = address;
    probe.stage = std::string(live::to_string(outcome.stage));
    probe.ending = std::string(live::to_string(outcome.ending));
    probe.detail = outcome.detail;
    probe.reply_code = outcome.last_reply_code;
    probe.reply_text = outcome.last_reply_text;
    probe.tls_version = outcome.tls_version;
    probe.cipher = outcome.cipher;
    if (outcome.certificate) {
        probe.certificate =
            ServerCertificate{outcome.certificate->subject, outcome.certificate->issuer,
                              outcome.certificate->dns_names, outcome.certificate->not_after};
    }
    probe.dane = std::string(live::to_string(outcome.dane));
    probe.policy = policy.type;
    const live::TlsVerdict verdict = live::tls_verdict(outcome, policy);
    probe.result = verdict.result;
    probe.failure_reason_code = verdict.failure_reason_code;
    probe.transient = verdict.transient;
    probe.elapsed_ms = static_cast<double>(outcome.elapsed.count());
    return probe;
}

// A failure under DANE or an enforced MTA-STS policy stops delivery; otherwise the mail goes,
// and only the report tells.
Severity severity_of(const HostProbe& probe, const StsPolicy* sts) {
    if (probe.policy == PolicyType::tlsa) return Severity::error;
    if (probe.policy == PolicyType::sts && sts->mode == StsMode::enforce) return Severity::error;
    return Severity::warning;
}

void add_findings(const HostProbe& probe, const StsPolicy* sts, FindingCollector& findings) {
    if (!probe.connected) {
        findings.add("probe-not-allowed", Severity::info,
                     fmt::format("{} resolves to {}, which is not public: not connected to "
                                 "(--allow-private connects)",
                                 probe.host, probe.address));
        return;
    }
    if (probe.transient) {
        findings.add("probe-incomplete", Severity::warning,
                     fmt::format("the STARTTLS probe of {} at {} ended before TLS ({}): senders "
                                 "retry such failures, so nothing is concluded about its TLS",
                                 probe.host, probe.address, probe.failure_reason_code));
        return;
    }
    if (!probe.result) return;
    findings.add(
        tlsrpt::to_string(*probe.result), severity_of(probe, sts),
        fmt::format("{} at {}: {} under policy {} ({}); senders' reports say {}", probe.host,
                    probe.address,
                    probe.policy == PolicyType::no_policy_found ? "a session fails"
                                                                : "a session fails verification",
                    tlsrpt::to_string(probe.policy), probe.failure_reason_code,
                    tlsrpt::to_string(*probe.result)));
}

}  // namespace

std::vector<HostProbe> probe_section(const DeepResult& deep, const DeepAnswers& answers,
                                     FindingCollector& findings) {
    std::vector<HostProbe> probes;
    const StsPolicy* sts = applied_sts_policy(deep.mta_sts);
    for (const MailHost& host : deep.mx.hosts) {
        const dns::Response* a = answer_for(answers.mail_host_a, host.name);
        const dns::Response* aaaa = answer_for(answers.mail_host_aaaa, host.name);
        if (a == nullptr || aaaa == nullptr) continue;
        const live::AppliedPolicy policy = applied_policy(host, sts);
        // Per family, as many as the plan probes: those probed, and the non-public ones the
        // address guard kept from being probed.
        for (const dns::Response* family : {a, aaaa}) {
            std::size_t listed = 0;
            for (const dns::ResourceRecord& record : family->records) {
                if (listed == max_addresses_per_family) break;
                const std::string& address = record.target;
                const auto found = answers.probes.find(std::pair(host.name, address));
                HostProbe probe;
                if (found != answers.probes.end() && found->second != nullptr) {
                    probe = probe_row(host, address, *found->second, policy);
                } else if (found == answers.probes.end() && !policy::is_public_address(address)) {
                    probe.host = host.name;
                    probe.address = address;
                    probe.connected = false;
                    probe.policy = policy.type;
                } else {
                    continue;
                }
                ++listed;
                add_findings(probe, sts, findings);
                probes.push_back(std::move(probe));
            }
        }
    }
    return probes;
}

}  // namespace tlsrpt::audit
