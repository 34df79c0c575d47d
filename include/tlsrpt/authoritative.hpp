// What `--authoritative` finds at the source: the zone that holds _smtp._tls.<domain>, how each
// of its name servers answers when asked directly, and whether they agree. The findings that
// call for action are diagnostics of the row (codes in man/tlsrpt-check.1); this section holds
// the facts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/deep.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt {

// How a server of the zone answered the TXT query, or why it was not asked.
enum class ServerState : std::uint8_t {
    authoritative,    // "authoritative": NOERROR or NXDOMAIN with the AA bit
    lame,             // "lame": REFUSED, SERVFAIL or another rcode, or no AA bit
    dns_timeout,      // "dns-timeout": no answer
    dns_unreachable,  // "dns-unreachable": port unreachable, connection refused
    dns_malformed,    // "dns-malformed": an answer that could not be decoded
    no_address,       // "no-address": the server's name has no A or AAAA record
    address_unknown,  // "address-lookup-failed": the resolver could not tell its addresses
    not_asked,        // "not-asked-non-public": not a public address (--allow-private asks)
};

std::string_view to_string(ServerState state);

// A listed server that does not answer for the zone (ns-lame).
inline bool is_lame(ServerState state) {
    return state == ServerState::lame || state == ServerState::dns_timeout ||
           state == ServerState::dns_unreachable || state == ServerState::dns_malformed ||
           state == ServerState::no_address;
}

// One address of one name server of the zone.
struct NameServer {
    std::string name;     // the NS target, lower case, no final dot
    std::string address;  // "" when it has none (no-address, address-lookup-failed)
    ServerState state = ServerState::not_asked;
    std::string rcode;  // of the TXT answer; "" when none came
    bool aa = false;    // its AA bit
    // The name is an alias: the CNAME's target. The records a server may add from the
    // target's zone are not its answer for this name, and are left out.
    std::string alias;
    std::vector<std::string> records;     // each TXT record's strings joined, as it sent them
    std::optional<std::uint32_t> ttl;     // the smallest TTL of those records
    std::optional<std::uint32_t> serial;  // of the zone's SOA, asked there too
    double elapsed_ms = 0;                // of the TXT lookup
    // The answer it serves, an index into AuthoritativeResult::answers: set for the
    // authoritative state only.
    std::optional<std::size_t> answer;
};

// One of the answers the servers give, each given once, in the order of the first server
// that gives it: the same rcode, alias and records, the records in any order.
struct ServedAnswer {
    std::string rcode;                 // NOERROR or NXDOMAIN
    std::string alias;                 // as NameServer::alias
    std::vector<std::string> records;  // joined, sorted
    // The verdict on these records (missing without any); absent for an alias, whose records
    // are its target's.
    std::optional<Status> status;
    std::vector<std::size_t> servers;  // indices into AuthoritativeResult::servers
};

struct AuthoritativeResult {
    // found (zone and name servers), none (no zone above the name, or a zone without NS
    // records), or the failure of the lookup that ended the search.
    LookupState lookup = LookupState::not_made;
    std::string zone;                     // its apex, lower case; "" until found
    std::vector<NameServer> servers;      // by name, addresses in answer order (A, then AAAA)
    std::size_t servers_not_checked = 0;  // past the limits on names and addresses
    std::vector<ServedAnswer> answers;
    // Whether every server that answered authoritatively gave the same answer; absent when
    // none did.
    std::optional<bool> consistent;
};

}  // namespace tlsrpt
