#include "audit/deep.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "audit/answers.hpp"
#include "audit/deep_policy.hpp"
#include "audit/deep_probes.hpp"
#include "audit/finding_collector.hpp"
#include "live/tlsa_record.hpp"
#include "policy/address.hpp"
#include "policy/ascii.hpp"
#include "tlsrpt/domain_name.hpp"
#include "tlsrpt/mta_sts.hpp"

namespace tlsrpt::audit {
namespace {

using policy::iequals;
using policy::is_public_address;
using policy::lowercase;

struct MisplacedName {
    std::string_view prefix;
    std::string_view code;
    std::string_view mistake;
};

constexpr std::array<MisplacedName, 3> misplaced_names = {{
    {"", "misplaced-record-apex", "at the domain itself"},
    {"_tlsrpt.", "misplaced-record-tlsrpt-label", "under _tlsrpt instead of _smtp._tls"},
    {"_smtp-tlsrpt.", "misplaced-record-draft-name",
     "at _smtp-tlsrpt, the name of early drafts of RFC 8460"},
}};

MxSection mx_section(const dns::Response& mx, const std::string& domain,
                     FindingCollector& findings) {
    MxSection section;
    section.lookup = findings.note_lookup(mx, domain + " MX", "where its mail goes");
    section.authenticated = mx.authenticated;
    const MailHostList list = mail_hosts(mx, domain);
    section.null_mx = list.null_mx;
    section.implicit = list.implicit;
    section.hosts_not_checked = list.not_checked;
    for (const auto& [preference, name] : list.hosts) {
        MailHost host;
        host.name = name;
        host.preference = preference;
        section.hosts.push_back(std::move(host));
    }
    if (list.null_mx) {
        findings.add("null-mx", Severity::info,
                     fmt::format("{} publishes a null MX (RFC 7505): it receives no mail, so no "
                                 "sender has TLS failures to report for it",
                                 domain));
    } else if (list.implicit) {
        findings.add("no-mx", Severity::info,
                     fmt::format("{} has no MX record: senders deliver to its address records "
                                 "(RFC 5321 section 5.1), so DANE is looked for at {} itself",
                                 domain, domain));
    } else if (mx.outcome == dns::Outcome::no_domain) {
        findings.add("no-mx", Severity::info,
                     fmt::format("{} does not exist (NXDOMAIN): it receives no mail", domain));
    }
    if (list.not_checked > 0) {
        findings.add("mail-hosts-not-checked", Severity::info,
                     fmt::format("{} has {} more MX hosts than the {} checked", domain,
                                 list.not_checked, max_mail_hosts));
    }
    return section;
}

void check_dane(MailHost& host, const DeepAnswers& answers, FindingCollector& findings) {
    const std::string tlsa_query = tlsa_query_name(host.name);
    const dns::Response* tlsa = answer_for(answers.tlsa, host.name);
    if (tlsa != nullptr) {
        host.tlsa = findings.note_lookup(*tlsa, tlsa_query, "DANE");
        host.tlsa_authenticated = tlsa->authenticated;
        for (const dns::ResourceRecord& record : tlsa->records) {
            host.tlsa_usages.push_back(record.tlsa.usage);
            host.tlsa_records.push_back(fmt::format("{} {} {} {:02x}", record.tlsa.usage,
                                                    record.tlsa.selector, record.tlsa.matching_type,
                                                    fmt::join(record.tlsa.data, "")));
        }
    }
    const std::string tlsrpt_query = tlsrpt_query_name(host.name);
    if (const dns::Response* tlsrpt = answer_for(answers.host_tlsrpt, host.name)) {
        host.tlsrpt = findings.note_lookup(*tlsrpt, tlsrpt_query, "the host's TLS-RPT policy");
        if (host.tlsrpt == LookupState::found)
            host.tlsrpt_status = evaluate(txt_rrset(*tlsrpt)).status;
    }
    if (host.tlsa != LookupState::found) return;
    if (!host.tlsa_authenticated) {
        findings.add("dane-not-authenticated", Severity::warning,
                     fmt::format("the TLSA records at {} are not DNSSEC-authenticated: senders "
                                 "ignore them, so DANE is not in effect for {}",
                                 tlsa_query, host.name));
    } else if (std::none_of(tlsa->records.begin(), tlsa->records.end(),
                            [](const dns::ResourceRecord& record) {
                                return live::usable_for_smtp(record.tlsa);
                            })) {
        findings.add("dane-unusable-usage", Severity::warning,
                     fmt::format("no TLSA record at {} is usable for SMTP: senders treat usages "
                                 "PKIX-TA(0) and PKIX-EE(1) as unusable (RFC 7672 section "
                                 "3.1.3), and a selector, matching type or digest length they "
                                 "do not know as well",
                                 tlsa_query));
    }
    const bool host_policy =
        host.tlsrpt_status == Status::valid || host.tlsrpt_status == Status::warning;
    if (lookup_answered(host.tlsrpt) && !host_policy) {
        findings.add("dane-host-without-tlsrpt", Severity::warning,
                     fmt::format("{} publishes TLSA records but {} has no usable TLS-RPT "
                                 "policy: reports on DANE failures at {} go to its own domain "
                                 "(RFC 8460 section 3) and are lost",
                                 host.name, tlsrpt_query, host.name));
    }
}

MtaStsSection mta_sts_section(const dns::Response& response, const std::string& domain,
                              const Evaluation& tlsrpt, FindingCollector& findings) {
    MtaStsSection section;
    section.query = mta_sts_query_name(domain);
    section.lookup = findings.note_lookup(response, section.query, "MTA-STS");
    if (!lookup_answered(section.lookup)) return section;
    section.evaluation = evaluate_mta_sts(txt_rrset(response));
    const MtaStsEvaluation& mta_sts = section.evaluation;
    const bool broken =
        mta_sts.status == Status::invalid ||
        std::any_of(mta_sts.diagnostics.begin(), mta_sts.diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; });
    if (broken) {
        findings.add("mta-sts-invalid", Severity::error,
                     fmt::format("the MTA-STS record at {} is not usable, so senders ignore "
                                 "MTA-STS for {} (details in the MTA-STS section)",
                                 section.query, domain));
        return section;
    }
    if (mta_sts.status != Status::valid && mta_sts.status != Status::warning) return section;
    if (tlsrpt.status == Status::missing || tlsrpt.status == Status::invalid) {
        findings.add("mta-sts-without-tlsrpt", Severity::warning,
                     fmt::format("{} publishes MTA-STS but no usable TLS-RPT policy: senders "
                                 "that fail its policy have nobody to report to",
                                 domain));
    }
    return section;
}

// The addresses of `host` from its A and AAAA answers; `failed` gets the state of a failed
// lookup when no address came back.
std::vector<std::string> addresses_of(const std::string& host, const DeepAnswers& answers,
                                      FindingCollector& findings,
                                      std::optional<LookupState>& failed) {
    std::vector<std::string> addresses;
    for (const auto* by_host : {&answers.destination_a, &answers.destination_aaaa}) {
        const dns::Response* response = answer_for(*by_host, host);
        if (response == nullptr) continue;
        const LookupState state = findings.note_lookup(
            *response, fmt::format("{} {}", host, by_host == &answers.destination_a ? "A" : "AAAA"),
            "whether reports can reach " + host);
        if (!lookup_answered(state)) failed = state;
        for (const dns::ResourceRecord& record : response->records) {
            addresses.push_back(record.target);
        }
    }
    if (!addresses.empty()) failed.reset();
    return addresses;
}

Reach address_reach(const std::vector<std::string>& addresses) {
    const bool all_public = std::all_of(addresses.begin(), addresses.end(),
                                        [](const std::string& a) { return is_public_address(a); });
    return all_public ? Reach::ok : Reach::non_public;
}

DestinationCheck check_destination(const Destination& destination, const DeepAnswers& answers,
                                   FindingCollector& findings) {
    DestinationCheck check;
    check.uri = destination.uri;
    check.host = destination.host;
    const std::string& host = destination.host;
    std::optional<LookupState> failed;
    if (is_ip_literal(host)) {
        check.found = {host};
        check.verdict.reach = address_reach(check.found);
    } else if (destination.scheme == "mailto") {
        const dns::Response* mx = answer_for(answers.destination_mx, host);
        if (mx == nullptr) return check;
        const LookupState state =
            findings.note_lookup(*mx, host + " MX", "whether reports can reach " + host);
        const MailHostList list = mail_hosts(*mx, host);
        if (!lookup_answered(state)) {
            failed = state;
        } else if (list.null_mx) {
            check.verdict.reach = Reach::null_mx;
        } else if (!list.implicit && mx->outcome == dns::Outcome::answer) {
            for (const auto& mail_host : list.hosts) check.found.push_back(mail_host.second);
            check.verdict.reach = Reach::ok;
        } else {
            check.found = addresses_of(host, answers, findings, failed);
            check.verdict.reach = check.found.empty() ? Reach::no_mail_host : Reach::ok;
        }
    } else {
        check.found = addresses_of(host, answers, findings, failed);
        check.verdict.reach =
            check.found.empty() ? Reach::unresolvable : address_reach(check.found);
    }
    // A failed lookup concludes nothing: the verdict is its state.
    if (failed) check.verdict = DestinationVerdict{Reach::lookup_failed, *failed};

    const std::string uri_note = fmt::format("rua destination {}", destination.host);
    if (check.verdict.reach == Reach::null_mx) {
        findings.add("destination-null-mx", Severity::error,
                     fmt::format("reports to the {} bounce: {} publishes a null MX (RFC 7505)",
                                 uri_note, host));
    } else if (check.verdict.reach == Reach::no_mail_host) {
        findings.add("destination-no-mail-host", Severity::error,
                     fmt::format("reports to the {} cannot be delivered: {} has neither MX nor "
                                 "address records",
                                 uri_note, host));
    } else if (check.verdict.reach == Reach::unresolvable) {
        findings.add("destination-unresolvable", Severity::error,
                     fmt::format("reports to the {} cannot be posted: {} has no A or AAAA "
                                 "record",
                                 uri_note, host));
    } else if (check.verdict.reach == Reach::non_public) {
        findings.add("destination-non-public", Severity::error,
                     fmt::format("reports to the {} cannot arrive: {} resolves to an address "
                                 "that is not publicly reachable",
                                 uri_note, host));
    }
    return check;
}

std::vector<MisplacedRecord> misplaced_records(const std::string& domain,
                                               const DeepAnswers& answers,
                                               FindingCollector& findings) {
    std::vector<MisplacedRecord> misplaced;
    for (const MisplacedName& place : misplaced_names) {
        const std::string name = fmt::format("{}{}", place.prefix, domain);
        const dns::Response* response = answer_for(answers.misplaced, name);
        if (response == nullptr) continue;
        findings.note_lookup(*response, name, "whether a record was published there");
        for (const TxtRecord& record : txt_rrset(*response)) {
            std::string text = join_strings(record);
            if (text.size() < 10 || !iequals(std::string_view(text).substr(0, 10), "v=TLSRPTv1")) {
                continue;
            }
            findings.add(place.code, Severity::warning,
                         fmt::format("a TLS-RPT record is published at {}, {}: senders only "
                                     "look at {}",
                                     name, place.mistake, tlsrpt_query_name(domain)));
            misplaced.push_back(MisplacedRecord{name, std::move(text)});
        }
    }
    return misplaced;
}

}  // namespace

std::string mta_sts_query_name(std::string_view domain) {
    return fmt::format("_mta-sts.{}", domain);
}

const dns::Response* answer_for(const AnswersByName& answers, std::string_view key) {
    const auto found = answers.find(key);
    return found == answers.end() ? nullptr : found->second.get();
}

std::string policy_host_name(std::string_view domain) {
    return fmt::format("mta-sts.{}", domain);
}

std::vector<std::string> addresses_to_connect(const dns::Response* a, const dns::Response* aaaa,
                                              bool allow_private) {
    std::vector<std::string> addresses;
    for (const dns::Response* response : {a, aaaa}) {
        if (response == nullptr) continue;
        std::size_t taken = 0;
        for (const dns::ResourceRecord& record : response->records) {
            if (taken == max_addresses_per_family) break;
            if (!allow_private && !is_public_address(record.target)) continue;
            addresses.push_back(record.target);
            ++taken;
        }
    }
    return addresses;
}

std::string tlsa_query_name(std::string_view host) {
    return fmt::format("_25._tcp.{}", host);
}

std::vector<std::string> misplaced_query_names(std::string_view domain) {
    std::vector<std::string> names;
    for (const MisplacedName& place : misplaced_names) {
        names.push_back(fmt::format("{}{}", place.prefix, domain));
    }
    return names;
}

MailHostList mail_hosts(const dns::Response& mx, std::string_view domain) {
    MailHostList list;
    if (mx.outcome == dns::Outcome::no_data) {
        list.implicit = true;
        list.hosts.emplace_back(0, std::string(domain));
        return list;
    }
    if (mx.outcome != dns::Outcome::answer) return list;
    // RFC 7505: a null MX is the only MX record, with the root as its target.
    if (mx.records.size() == 1 && mx.records.front().target.empty()) {
        list.null_mx = true;
        return list;
    }
    for (const dns::ResourceRecord& record : mx.records) {
        if (record.target.empty()) continue;
        list.hosts.emplace_back(record.preference, lowercase(record.target));
    }
    std::sort(list.hosts.begin(), list.hosts.end());
    list.hosts.erase(std::unique(list.hosts.begin(), list.hosts.end(),
                                 [](const auto& a, const auto& b) { return a.second == b.second; }),
                     list.hosts.end());
    if (list.hosts.size() > max_mail_hosts) {
        list.not_checked = list.hosts.size() - max_mail_hosts;
        list.hosts.resize(max_mail_hosts);
    }
    return list;
}

CheckedDestinations checked_destinations(const Evaluation& evaluation) {
    CheckedDestinations checked;
    if (!evaluation.policy) return checked;
    for (const Destination& destination : evaluation.policy->rua) {
        if (!destination.supported) continue;
        if (checked.destinations.size() < max_destinations) {
            checked.destinations.push_back(&destination);
        } else {
            ++checked.not_checked;
        }
    }
    return checked;
}

bool is_ip_literal(std::string_view host) {
    unsigned char address[4];
    return host.starts_with('[') || inet_pton(AF_INET, std::string(host).c_str(), address) == 1;
}

void add_deep_findings(CheckResult& row, const DeepAnswers& answers, bool probed) {
    if (!row.domain) return;
    const std::string& domain = *row.domain;
    DeepResult deep;
    std::vector<Diagnostic> diagnostics;
    FindingCollector findings(diagnostics);

    if (answers.mx) {
        deep.mx = mx_section(*answers.mx, domain, findings);
        for (MailHost& host : deep.mx.hosts) check_dane(host, answers, findings);
    }
    if (answers.mta_sts) {
        deep.mta_sts = mta_sts_section(*answers.mta_sts, domain, row.evaluation, findings);
        deep.mta_sts.policy =
            policy_section(domain, answers, deep.mta_sts, deep.mx, row.evaluation, findings);
    }
    const CheckedDestinations destinations = checked_destinations(row.evaluation);
    for (const Destination* destination : destinations.destinations) {
        deep.destinations.push_back(check_destination(*destination, answers, findings));
    }
    deep.destinations_not_checked = destinations.not_checked;
    if (destinations.not_checked > 0) {
        findings.add("destinations-not-checked", Severity::info,
                     fmt::format("the policy of {} names {} more report destinations than the {} "
                                 "checked",
                                 domain, destinations.not_checked, max_destinations));
    }
    deep.misplaced = misplaced_records(domain, answers, findings);
    deep.probed = probed;
    if (probed) deep.probes = probe_section(deep, answers, findings);

    Evaluation& evaluation = row.evaluation;
    const bool deep_error =
        std::any_of(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; });
    if (deep_error &&
        (evaluation.status == Status::valid || evaluation.status == Status::warning)) {
        evaluation.status = Status::invalid;
    }
    std::move(diagnostics.begin(), diagnostics.end(), std::back_inserter(evaluation.diagnostics));
    row.deep = std::move(deep);
}

}  // namespace tlsrpt::audit
