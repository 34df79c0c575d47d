// `--deep`: what the answers of the further lookups mean (deep_plan.hpp names the lookups).
// Pure, so that the plan, the findings and the tests share one reading of every answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/response.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::audit {

using SharedResponse = std::shared_ptr<const dns::Response>;
using AnswersByName = std::map<std::string, SharedResponse, std::less<>>;

// Mail hosts checked per domain: more than real MX sets have, few enough that one odd domain
// cannot multiply the lookups of a bulk run.
inline constexpr std::size_t max_mail_hosts = 10;

// Report destinations checked per domain, in record order: more than real policies name, few
// enough that a record of thousands of URIs cannot multiply the lookups of a bulk run. With
// max_mail_hosts, a domain needs at most 1 + 1 + 1 + 2 * 10 + 3 * 10 = 53 lookups (TLS-RPT,
// MX, MTA-STS, TLSA and TLS-RPT per mail host, MX, A and AAAA per destination); the three
// misplaced-record lookups are made only when there is no policy, so no destination.
inline constexpr std::size_t max_destinations = 10;

// Every answer collected for one domain beyond its TLS-RPT record, keyed by what was asked.
// A missing entry is a lookup that was not needed.
struct DeepAnswers {
    SharedResponse mx;
    SharedResponse mta_sts;
    AnswersByName tlsa;              // by mail host
    AnswersByName host_tlsrpt;       // by mail host
    AnswersByName destination_mx;    // by mailto domain
    AnswersByName destination_a;     // by destination host
    AnswersByName destination_aaaa;  // by destination host
    AnswersByName misplaced;         // by query name
};

std::string mta_sts_query_name(std::string_view domain);
std::string tlsa_query_name(std::string_view host);  // _25._tcp.<host>: SMTP's TLSA name

// Where people publish TLS-RPT records by mistake: the apex, `_tlsrpt.` and the draft name
// `_smtp-tlsrpt.`. Looked at only when `_smtp._tls.` has no policy.
std::vector<std::string> misplaced_query_names(std::string_view domain);

struct MailHostList {
    std::vector<std::pair<std::uint16_t, std::string>> hosts;  // preference, lower-case name
    bool null_mx = false;
    bool implicit = false;
    std::size_t not_checked = 0;
};

// The hosts senders deliver `domain`'s mail to, by preference (RFC 5321 §5.1): the MX targets,
// at most max_mail_hosts; the domain itself when it has no MX; none for a null MX (RFC 7505)
// or a failed lookup.
MailHostList mail_hosts(const dns::Response& mx, std::string_view domain);

struct CheckedDestinations {
    std::vector<const Destination*> destinations;  // into the evaluation's policy
    std::size_t not_checked = 0;
};

// The destinations --deep checks: the usable ones of the policy, at most max_destinations.
CheckedDestinations checked_destinations(const Evaluation& evaluation);

// "[...]" or a dotted IPv4 address: a destination host that needs no lookup.
bool is_ip_literal(std::string_view host);

// Fills row.deep from the answers and adds what calls for action as diagnostics; an error
// among them makes a valid or warning row invalid (man page, "--deep").
void add_deep_findings(CheckResult& row, const DeepAnswers& answers);

}  // namespace tlsrpt::audit
