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

namespace tlsrpt::live {
struct FetchOutcome;
struct ProbeOutcome;
}  // namespace tlsrpt::live

namespace tlsrpt::audit {

using SharedResponse = std::shared_ptr<const dns::Response>;
using SharedFetch = std::shared_ptr<const live::FetchOutcome>;
using SharedProbe = std::shared_ptr<const live::ProbeOutcome>;
// By mail host, then address.
using ProbesByAddress = std::map<std::pair<std::string, std::string>, SharedProbe, std::less<>>;
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

// Addresses connected per host and address family (the MTA-STS policy host, each mail host
// with --probe): real hosts have one or two; a host of hundreds must not multiply connections.
inline constexpr std::size_t max_addresses_per_family = 2;

// Where senders fetch a domain's MTA-STS policy (RFC 8461 §3.3).
inline constexpr std::string_view policy_path = "/.well-known/mta-sts.txt";

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
    // The MTA-STS policy: the addresses of mta-sts.<domain>, and the fetch.
    SharedResponse policy_host_a;
    SharedResponse policy_host_aaaa;
    SharedFetch policy;
    // --probe: the addresses of each mail host, and STARTTLS at each address connected.
    AnswersByName mail_host_a;     // by mail host
    AnswersByName mail_host_aaaa;  // by mail host
    ProbesByAddress probes;
};

// The answer filed under `key`, or null when it is not in.
const dns::Response* answer_for(const AnswersByName& answers, std::string_view key);

std::string mta_sts_query_name(std::string_view domain);
std::string tlsa_query_name(std::string_view host);     // _25._tcp.<host>: SMTP's TLSA name
std::string policy_host_name(std::string_view domain);  // mta-sts.<domain>

// The addresses to connect to from a host's A and AAAA answers (either may be null): at most
// max_addresses_per_family of each family, IPv4 first, in answer order; without
// `allow_private`, only public ones (the address guard: a stranger's DNS must not point the
// tool at the machine's own network).
std::vector<std::string> addresses_to_connect(const dns::Response* a, const dns::Response* aaaa,
                                              bool allow_private);

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
// With `probed` (--probe), the probes of the mail hosts are judged too.
void add_deep_findings(CheckResult& row, const DeepAnswers& answers, bool probed = false);

}  // namespace tlsrpt::audit
