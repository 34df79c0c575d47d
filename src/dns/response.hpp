// What one DNS lookup produced, decoded from the wire: no c-ares types leak out of src/dns/.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/expected.hpp"

namespace tlsrpt::dns {

using Clock = std::chrono::steady_clock;

enum class RecordType : std::uint16_t {
    a = 1,
    ns = 2,
    cname = 5,
    soa = 6,
    mx = 15,
    txt = 16,
    aaaa = 28,
    tlsa = 52,
};

// How a lookup ended. Everything after `refused` means no usable answer came back.
enum class Outcome {
    answer,          // NOERROR with records of the asked type at the end of the CNAME chain
    no_data,         // NOERROR without such records (also a CNAME chain that leads nowhere)
    no_domain,       // NXDOMAIN
    server_failure,  // SERVFAIL
    refused,         // REFUSED
    other_rcode,     // FORMERR, NOTIMP or any other rcode
    timeout,         // no answer within the tries or before the deadline
    unreachable,     // no server could be reached (port unreachable, connection refused)
    malformed,       // an answer came back but could not be decoded
    bad_name,        // the name could not be put into a query
};

// "NOERROR", "NXDOMAIN", ... or "RCODE<n>" for codes without a common name.
std::string rcode_name(int rcode);

// TLSA RDATA (RFC 6698 §2.1).
struct TlsaFields {
    std::uint8_t usage = 0;
    std::uint8_t selector = 0;
    std::uint8_t matching_type = 0;
    std::vector<unsigned char> data;  // the certificate association data

    bool operator==(const TlsaFields&) const = default;
};

// A record of the answer: owned by the name asked, or by the end of its CNAME chain.
struct ResourceRecord {
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    // TXT: the character-strings of the RDATA, raw octets, in wire order (boundaries kept).
    std::vector<std::string> strings;
    // MX: the exchange (without the final dot; "" for the root, a null MX) and its preference.
    // NS: the name server. A and AAAA: the address in text form.
    std::string target;
    std::uint16_t preference = 0;
    TlsaFields tlsa;
    std::uint32_t serial = 0;  // SOA: the zone's serial number
};

struct Response {
    Outcome outcome = Outcome::timeout;
    std::optional<int> rcode;         // absent when no answer was decoded
    bool authenticated = false;       // AD bit: the resolver validated the answer with DNSSEC
    bool authoritative = false;       // AA bit: the server answered for a zone of its own
    std::vector<std::string> cnames;  // CNAME targets followed from the query name, in order
    // Answer records of the asked type owned by the last name of the CNAME chain.
    std::vector<ResourceRecord> records;
    // SOA lookups: how many leading labels of the name asked lie below the apex of the zone
    // that holds it (0: the name is the apex), by the owner of the SOA record of the answer or
    // else of the authority section (a negative answer names the zone that holds the name);
    // absent when neither holds one owned by the name or an ancestor of it. A count rather
    // than a name, so that no other lookup's answer carries a string more.
    std::optional<std::uint8_t> zone_depth;
    std::string server;  // address:port of the server whose answer was used; "" if none
    // Tries: those that timed out, the answered one, and SERVFAIL retries.
    // The repeat over TCP of a truncated UDP answer is part of its try.
    int attempts = 0;
    Clock::duration elapsed{};
    std::string detail;  // why the answer counts as malformed, for messages
};

// Decodes a DNS response to a query for `name` and `type`: header, answer section, CNAME chain
// and the RDATA of known types. Fills outcome, rcode, authenticated, authoritative, cnames,
// records, zone_depth and detail; a message that cannot be decoded yields Outcome::malformed.
Response decode_response(std::span<const unsigned char> message, std::string_view name,
                         RecordType type);

}  // namespace tlsrpt::dns
