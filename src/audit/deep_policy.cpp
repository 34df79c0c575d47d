#include "audit/deep_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "live/https_fetcher.hpp"
#include "policy/ascii.hpp"
#include "tlsrpt/sts_policy.hpp"

namespace tlsrpt::audit {
namespace {

bool senders_use(const MtaStsSection& record) {
    return record.lookup == LookupState::found && (record.evaluation.status == Status::valid ||
                                                   record.evaluation.status == Status::warning);
}

// RFC 8461 §3.2: "text/plain", parameters aside, in any case.
bool is_text_plain(std::string_view media_type) {
    std::string_view type = media_type.substr(0, media_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    return policy::iequals(type, "text/plain");
}

std::string why_not_fetched(const live::FetchOutcome& outcome, std::size_t max_body) {
    switch (outcome.ending) {
        case live::FetchEnding::received:
            if (outcome.status >= 300 && outcome.status < 400) {
                return fmt::format("HTTP status {}, a redirect to {}, which senders do not follow",
                                   outcome.status,
                                   outcome.location.empty() ? "nowhere" : outcome.location);
            }
            return fmt::format("HTTP status {} instead of 200", outcome.status);
        case live::FetchEnding::too_large:
            return fmt::format("the file is larger than {} octets", max_body);
        case live::FetchEnding::timed_out:
            return "no whole answer within the time limit";
        default:
            return outcome.error;
    }
}

// The section from the fetch's outcome.
void file_fetch(PolicyFetchSection& section, const live::FetchOutcome& outcome) {
    section.address = outcome.address;
    section.http_status = outcome.status;
    section.media_type = outcome.media_type;
    section.location = outcome.location;
    section.elapsed_ms = static_cast<double>(outcome.elapsed.count());
    if (outcome.ending == live::FetchEnding::received && outcome.status == 200) {
        section.state = PolicyFetchState::fetched;
        section.evaluation = evaluate_sts_policy(outcome.body);
        if (section.evaluation.status == Status::invalid) {
            section.failure = ResultType::sts_policy_invalid;
        }
        return;
    }
    section.state = PolicyFetchState::failed;
    section.error = why_not_fetched(outcome, live::FetchOptions{}.max_body);
    section.failure = outcome.ending == live::FetchEnding::certificate
                          ? ResultType::sts_webpki_invalid
                          : ResultType::sts_policy_fetch_error;
}

// Why no fetch was made, from the policy host's address lookups.
PolicyFetchState unfetched_state(const dns::Response& a, const dns::Response& aaaa) {
    if (!a.records.empty() || !aaaa.records.empty()) {
        return PolicyFetchState::non_public;  // else the plan would have fetched it
    }
    const bool failed =
        !lookup_answered(lookup_state(a.outcome)) || !lookup_answered(lookup_state(aaaa.outcome));
    return failed ? PolicyFetchState::lookup_failed : PolicyFetchState::no_address;
}

void add_findings(const PolicyFetchSection& section, std::string_view domain,
                  const DeepAnswers& answers, FindingCollector& findings) {
    const std::string host = policy_host_name(domain);
    switch (section.state) {
        case PolicyFetchState::not_made:
            findings.add("mta-sts-policy-not-fetched", Severity::info,
                         fmt::format("the MTA-STS policy file at {} was not fetched: its mode "
                                     "and MX patterns are not checked",
                                     section.url));
            return;
        case PolicyFetchState::non_public:
            findings.add("mta-sts-policy-not-fetched", Severity::info,
                         fmt::format("{} resolves only to addresses that are not public, so the "
                                     "policy file was not fetched (--allow-private connects to "
                                     "them); senders on the Internet cannot fetch it either",
                                     host));
            return;
        case PolicyFetchState::lookup_failed:
            findings.note_lookup(*answers.policy_host_a, host + " A", "the MTA-STS policy file");
            findings.note_lookup(*answers.policy_host_aaaa, host + " AAAA",
                                 "the MTA-STS policy file");
            return;
        case PolicyFetchState::no_address:
            findings.add("mta-sts-policy-fetch-failed", Severity::error,
                         fmt::format("{} publishes an MTA-STS record, but {} has no address "
                                     "records: senders cannot fetch the policy, so MTA-STS is "
                                     "not in effect (their reports say sts-policy-fetch-error)",
                                     domain, host));
            return;
        case PolicyFetchState::failed:
            if (section.failure == ResultType::sts_webpki_invalid) {
                findings.add("mta-sts-policy-webpki-invalid", Severity::error,
                             fmt::format("the certificate of {} fails as senders check it ({}): "
                                         "they ignore the policy, so MTA-STS is not in effect "
                                         "(their reports say sts-webpki-invalid)",
                                         host, section.error));
            } else {
                findings.add("mta-sts-policy-fetch-failed", Severity::error,
                             fmt::format("senders cannot fetch the MTA-STS policy at {}: {}; "
                                         "MTA-STS is not in effect (their reports say "
                                         "sts-policy-fetch-error)",
                                         section.url, section.error));
            }
            return;
        case PolicyFetchState::fetched:
            break;
    }
    if (section.evaluation.status == Status::invalid) {
        findings.add("mta-sts-policy-invalid", Severity::error,
                     fmt::format("the MTA-STS policy at {} is not valid (details in the MTA-STS "
                                 "section): senders ignore it, so MTA-STS is not in effect "
                                 "(their reports say sts-policy-invalid)",
                                 section.url));
    }
    if (!is_text_plain(section.media_type)) {
        findings.add("mta-sts-policy-media-type", Severity::warning,
                     fmt::format("the MTA-STS policy at {} is served as '{}' rather than "
                                 "text/plain (RFC 8461 section 3.2): strict senders refuse it",
                                 section.url, section.media_type));
    }
}

}  // namespace

PolicyFetchSection policy_section(std::string_view domain, const DeepAnswers& answers,
                                  const MtaStsSection& record, const MxSection& mx,
                                  const Evaluation& tlsrpt, FindingCollector& findings) {
    PolicyFetchSection section;
    section.url = fmt::format("https://{}{}", policy_host_name(domain), policy_path);
    if (answers.policy) {
        file_fetch(section, *answers.policy);
    } else if (answers.policy_host_a && answers.policy_host_aaaa) {
        section.state = unfetched_state(*answers.policy_host_a, *answers.policy_host_aaaa);
    }
    // A domain without the record is not using MTA-STS: nothing of its policy host calls for
    // action but a policy served in vain (a cross-check below).
    if (senders_use(record)) add_findings(section, domain, answers, findings);

    std::vector<std::string> hosts;
    for (const MailHost& host : mx.hosts) hosts.push_back(host.name);
    const bool applied = section.state == PolicyFetchState::fetched;
    for (Diagnostic& diagnostic :
         sts_cross_checks(lookup_answered(record.lookup) ? &record.evaluation : nullptr,
                          applied ? &section.evaluation : nullptr, hosts, tlsrpt.status)) {
        findings.add(diagnostic.code, diagnostic.severity, std::move(diagnostic.message));
    }
    return section;
}

}  // namespace tlsrpt::audit
