// `--authoritative`: what the answers of the zone's own servers mean (authoritative_plan.hpp
// names the lookups). Pure, so that the plan, the findings and the tests share one reading of
// every answer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/deep.hpp"
#include "dns/response.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::audit {

// Name servers asked per zone: as many as a classic DNS answer holds, few enough that one odd
// zone cannot multiply the lookups of a bulk run.
inline constexpr std::size_t max_name_servers = 13;
// Server addresses asked per domain, over all its name servers (an IPv4 and an IPv6 address
// each for the most name servers real zones have).
inline constexpr std::size_t max_server_addresses = 26;

// Every answer collected for the authoritative view of one domain, keyed by what was asked. A
// missing entry is a lookup not made (yet).
struct AuthoritativeAnswers {
    AnswersByName zone;           // SOA through the resolver: the query name, then its parents
    SharedResponse name_servers;  // NS of the zone, through the resolver
    AnswersByName a;              // A of each name server, by its name
    AnswersByName aaaa;           // AAAA of each name server, by its name
    AnswersByName serial;         // the zone's SOA, asked at each server, by its address
    AnswersByName records;        // TXT at the query name, asked at each server, by its address
};

// Where the search for the zone that holds `query` stands. An SOA lookup through the resolver
// names the zone (its answer or, for a name that is no apex, the SOA of its authority
// section: dns::Response::zone_depth); an answer through a CNAME names the alias's target's
// zone, not the name's, and an answer without an SOA names none: the search goes on at the
// parent name. The root zone ends it without a zone.
struct ZoneSearch {
    std::string zone;  // the zone's apex, lower case, once found
    std::string next;  // the name whose SOA is to be asked next; "" when the search is over
    // The lookup that ended the search without a zone, and its name, when one failed.
    const dns::Response* failed = nullptr;
    std::string failed_name;
};
ZoneSearch find_zone(std::string_view query, const AnswersByName& zone_answers);

struct NameServerNames {
    std::vector<std::string> names;  // lower case, sorted, each once
    std::size_t not_checked = 0;     // past max_name_servers
};

// The NS targets of an answer, at most max_name_servers.
NameServerNames name_server_names(const dns::Response& ns);

// The servers of the zone once every address lookup is in: each name with each of its
// addresses (IPv4, then IPv6, each sorted), or alone with the no-address or
// address-lookup-failed state when none is known, with at most max_server_addresses distinct
// addresses. An address that is not public gets the not-asked state unless `allow_private`.
struct ServerList {
    std::vector<NameServer> servers;
    std::vector<std::string> to_ask;  // the distinct addresses to ask, in order
    std::size_t not_checked = 0;      // addresses past the limit
};
// nullopt while an address lookup is still out.
std::optional<ServerList> server_list(const NameServerNames& names,
                                      const AuthoritativeAnswers& answers, bool allow_private);

// Fills row.authoritative from the answers and adds what calls for action as diagnostics
// (ns-inconsistent makes a valid, warning or missing row invalid; a warning makes a valid row
// warning). The TTL the servers publish, when any answered with records, becomes the row's
// TTL (dns.ttl, ttl_source authoritative).
void add_authoritative_findings(CheckResult& row, const AuthoritativeAnswers& answers,
                                bool allow_private);

}  // namespace tlsrpt::audit
