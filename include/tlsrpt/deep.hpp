// What `--deep` finds around a domain's TLS-RPT record, from DNS only: its mail hosts, its
// MTA-STS record, DANE at each mail host, whether the report destinations can receive reports,
// and TLS-RPT records published at the wrong name. The findings that call for action are
// diagnostics of the row (codes in man/tlsrpt-check.1); these sections hold the facts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/mta_sts.hpp"
#include "tlsrpt/report_types.hpp"
#include "tlsrpt/sts_policy.hpp"

namespace tlsrpt {

// How a lookup made for these sections ended.
enum class LookupState : std::uint8_t {
    not_made,  // "": its answer was not there to read
    found,     // "found": records of the asked type
    none,      // "none": NXDOMAIN or NODATA
    // The lookup failed: the dns-* code of the failure, as in the row's diagnostics.
    dns_servfail,
    dns_refused,
    dns_rcode,
    dns_timeout,
    dns_unreachable,
    dns_malformed,
    invalid_domain,  // the name could not be put into a query
};

std::string_view to_string(LookupState state);

// Whether the lookup brought back an answer to read (found or none), not a failure.
inline bool lookup_answered(LookupState state) {
    return state == LookupState::found || state == LookupState::none;
}

struct MailHost {
    std::string name;  // lower-case A-labels, no final dot
    std::uint16_t preference = 0;
    // DANE: the TLSA records at _25._tcp.<name>.
    LookupState tlsa = LookupState::not_made;
    bool tlsa_authenticated = false;        // AD bit: without it senders ignore the records
    std::vector<std::uint8_t> tlsa_usages;  // certificate usage of each record, answer order
    // Each record as an RFC 8460 report's policy-string gives it: "3 1 1 <hex data>".
    std::vector<std::string> tlsa_records;
    // The host's own TLS-RPT record: reports on DANE failures go to the MX host's policy
    // domain (RFC 8460 §3), not to the recipient domain.
    LookupState tlsrpt = LookupState::not_made;
    Status tlsrpt_status = Status::missing;  // meaningful when tlsrpt is answered
};

struct MxSection {
    LookupState lookup = LookupState::not_made;
    bool authenticated = false;
    bool null_mx = false;   // RFC 7505: the domain accepts no mail
    bool implicit = false;  // no MX: senders deliver to the domain's own address records
    // By preference, then name; the domain itself when implicit; none for a null MX.
    std::vector<MailHost> hosts;
    std::size_t hosts_not_checked = 0;  // beyond the limit of hosts checked per domain
};

// How the fetch of the MTA-STS policy file went.
enum class PolicyFetchState : std::uint8_t {
    not_made,       // "": the answers to decide by were not there to read
    fetched,        // "fetched": HTTP 200 within the limits; the body is evaluated
    failed,         // "failed": no policy came (connection, TLS, HTTP status, limits)
    no_address,     // "no-address": the policy host has no address records
    non_public,     // "non-public": its addresses are not public, so not connected to
    lookup_failed,  // "lookup-failed": the lookups of its addresses failed
};

std::string_view to_string(PolicyFetchState state);

// The policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt, fetched as RFC 8461
// §3.3 senders fetch it.
struct PolicyFetchSection {
    std::string url;
    PolicyFetchState state = PolicyFetchState::not_made;
    std::string address;     // connected to, or last tried
    long http_status = 0;    // 0 without a response
    std::string media_type;  // as sent
    std::string location;    // a redirect's target: senders do not follow it
    std::string error;       // why no policy came, when `failed`
    // What senders' reports say when the policy cannot be applied: sts-policy-fetch-error,
    // sts-webpki-invalid or sts-policy-invalid.
    std::optional<ResultType> failure;
    double elapsed_ms = 0;
    StsPolicyEvaluation evaluation;  // meaningful when `fetched`
};

struct MtaStsSection {
    std::string query;  // _mta-sts.<domain>
    LookupState lookup = LookupState::not_made;
    MtaStsEvaluation evaluation;  // meaningful when lookup is answered
    PolicyFetchSection policy;
};

// Whether reports can arrive at a destination.
enum class Reach : std::uint8_t {
    not_checked,    // "": the answers to decide by were not there to read
    ok,             // "ok"
    null_mx,        // "null-mx": the mailto domain accepts no mail (RFC 7505)
    no_mail_host,   // "no-mail-host": the mailto domain has neither MX nor address records
    unresolvable,   // "unresolvable": the https host has no address records
    non_public,     // "non-public": an address is not publicly reachable
    lookup_failed,  // the dns-* code of the failed lookup: nothing is concluded
};

struct DestinationVerdict {
    Reach reach = Reach::not_checked;
    LookupState failure = LookupState::not_made;  // with Reach::lookup_failed: which failure

    bool operator==(const DestinationVerdict&) const = default;
};

// "ok", or why reports cannot arrive: "null-mx", "no-mail-host", "unresolvable",
// "non-public", or the dns-* code of a failed lookup.
std::string_view to_string(DestinationVerdict verdict);

struct DestinationCheck {
    std::string uri;
    std::string host;  // the mailto domain or the https host
    DestinationVerdict verdict;
    // What was found: the mail hosts of a mailto domain, else the addresses.
    std::vector<std::string> found;
};

// A v=TLSRPTv1 record at a name where senders do not look.
struct MisplacedRecord {
    std::string name;
    std::string record;  // joined strings, raw bytes
};

// The server certificate a probe was shown.
struct ServerCertificate {
    std::string subject;                 // RFC 2253 form
    std::string issuer;                  // likewise
    std::vector<std::string> dns_names;  // subjectAltName dNSNames
    std::int64_t not_after = 0;          // Unix seconds
};

// --probe: STARTTLS to one address of a mail host, and what a sender would report about it.
// Text from the server (the reply, the certificate's names) is kept as it came: escape it.
struct HostProbe {
    std::string host;
    std::string address;
    // False: not connected to, because the address is not public (see --allow-private).
    bool connected = true;
    std::string stage;   // where the probe ended: "banner", "ehlo", "handshake", "done", ...
    std::string ending;  // how: "completed", "timed-out", "starttls-not-offered", ...
    std::string detail;  // why, in this program's or OpenSSL's words
    int reply_code = 0;  // the server's last SMTP reply before TLS, 0 when none came
    std::string reply_text;
    std::string tls_version;
    std::string cipher;
    std::optional<ServerCertificate> certificate;
    std::string dane;  // "not-used", "no-usable-records", "matched" or "no-match"
    // The policy a sender applies to the host, and the result its report would give the
    // session: none for a success, and for a transient failure (senders retry; no result).
    PolicyType policy = PolicyType::no_policy_found;
    std::optional<ResultType> result;
    std::string failure_reason_code;
    bool transient = false;
    double elapsed_ms = 0;
};

struct DeepResult {
    MxSection mx;
    MtaStsSection mta_sts;
    std::vector<DestinationCheck> destinations;  // one per supported rua URI, at most 10
    std::size_t destinations_not_checked = 0;    // beyond the limit checked per domain
    std::vector<MisplacedRecord> misplaced;      // looked for only when no policy was found
    bool probed = false;                         // --probe was given
    std::vector<HostProbe> probes;               // by mail host (MX order), then address
};

}  // namespace tlsrpt
