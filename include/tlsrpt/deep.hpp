// What `--deep` finds around a domain's TLS-RPT record, from DNS only: its mail hosts, its
// MTA-STS record, DANE at each mail host, whether the report destinations can receive reports,
// and TLS-RPT records published at the wrong name. The findings that call for action are
// diagnostics of the row (codes in man/tlsrpt-check.1); these sections hold the facts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/mta_sts.hpp"

namespace tlsrpt {

// How a lookup made for these sections ended: "found" (records of the asked type), "none"
// (NXDOMAIN or NODATA), or the dns-* code of the failure (dns-timeout, dns-servfail, ...).
using LookupState = std::string;

// Whether the lookup brought back an answer to read ("found" or "none"), not a failure.
inline bool lookup_answered(const LookupState& state) {
    return state == "found" || state == "none";
}

struct MailHost {
    std::string name;  // lower-case A-labels, no final dot
    std::uint16_t preference = 0;
    // DANE: the TLSA records at _25._tcp.<name>.
    LookupState tlsa;
    bool tlsa_authenticated = false;        // AD bit: without it senders ignore the records
    std::vector<std::uint8_t> tlsa_usages;  // certificate usage of each record, answer order
    // The host's own TLS-RPT record: reports on DANE failures go to the MX host's policy
    // domain (RFC 8460 §3), not to the recipient domain.
    LookupState tlsrpt;
    Status tlsrpt_status = Status::missing;  // meaningful when tlsrpt is "found" or "none"
};

struct MxSection {
    LookupState lookup;
    bool authenticated = false;
    bool null_mx = false;   // RFC 7505: the domain accepts no mail
    bool implicit = false;  // no MX: senders deliver to the domain's own address records
    // By preference, then name; the domain itself when implicit; none for a null MX.
    std::vector<MailHost> hosts;
    std::size_t hosts_not_checked = 0;  // beyond the limit of hosts checked per domain
};

struct MtaStsSection {
    std::string query;  // _mta-sts.<domain>
    LookupState lookup;
    MtaStsEvaluation evaluation;  // meaningful when lookup is "found" or "none"
};

struct DestinationCheck {
    std::string uri;
    std::string host;  // the mailto domain or the https host
    // "ok", or why reports cannot arrive: "null-mx", "no-mail-host", "unresolvable",
    // "non-public", or the dns-* code of a failed lookup.
    std::string verdict;
    // What was found: the mail hosts of a mailto domain, else the addresses.
    std::vector<std::string> found;
};

// A v=TLSRPTv1 record at a name where senders do not look.
struct MisplacedRecord {
    std::string name;
    std::string record;  // joined strings, raw bytes
};

struct DeepResult {
    MxSection mx;
    MtaStsSection mta_sts;
    std::vector<DestinationCheck> destinations;  // one per supported rua URI, at most 10
    std::size_t destinations_not_checked = 0;    // beyond the limit checked per domain
    std::vector<MisplacedRecord> misplaced;      // looked for only when no policy was found
};

}  // namespace tlsrpt
