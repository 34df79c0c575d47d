// `--deep`: which further lookups a domain needs, from the answers so far. Pure, so that each
// plan is tested without a network; the pipeline (audit.cpp) only carries the steps out.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/deep.hpp"
#include "audit/lookup_scope.hpp"
#include "dns/response.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt::audit {

// What the answer of a step is for: the field of DeepAnswers it is filed in. All are DNS lookups
// but policy_fetch and probe.
enum class DeepLookup : std::uint8_t {
    mx,                // the domain's MX
    mta_sts,           // _mta-sts.<domain> TXT
    tlsa,              // _25._tcp.<mail host> TLSA
    host_tlsrpt,       // _smtp._tls.<mail host> TXT
    destination_mx,    // a mailto domain's MX
    destination_a,     // a destination host's A
    destination_aaaa,  // a destination host's AAAA
    misplaced,         // TXT at a name where TLS-RPT records are published by mistake
    policy_host_a,     // mta-sts.<domain> A
    policy_host_aaaa,  // mta-sts.<domain> AAAA
    policy_fetch,      // HTTPS GET of the MTA-STS policy
    mail_host_a,       // --probe: a mail host's A
    mail_host_aaaa,    // --probe: a mail host's AAAA
    probe,             // --probe: STARTTLS to a mail host at one address
};

struct DeepPlanOptions {
    bool fetch_policy = true;    // the MTA-STS policy: its host's addresses, then the fetch
    bool probe = false;          // --probe: STARTTLS to the mail hosts
    bool allow_private = false;  // --allow-private: connect to non-public addresses too
};

// One lookup of the plan.
struct DeepStep {
    DeepLookup lookup = DeepLookup::mx;
    // What the answer is filed under: the mail host, the destination host or the query name of
    // a misplaced record; "" for the domain's own MX and MTA-STS.
    std::string key;
    // The query name; the host for policy_fetch; the address for probe (key: the mail host).
    std::string name;
    dns::RecordType type = dns::RecordType::txt;  // of a DNS lookup
    LookupScope scope = LookupScope::domain;
    // policy_fetch: the addresses to connect to, in order.
    std::vector<std::string> addresses = {};

    auto operator<=>(const DeepStep&) const = default;
};

// The lookups that the answers so far call for and whose answers are not in yet, each once, in
// the order to ask them: the MX and MTA-STS of `domain`; once the MTA-STS answer is in, the A and
// AAAA of its policy host, and once those are in, the policy fetch from the addresses to
// connect to (addresses_to_connect; none: no fetch); once the MX answer is in, TLSA and TLS-RPT
// of each mail host, and with `options.probe` its A and AAAA, then, once its TLSA answer is in
// too, a probe of each address to connect to; once the TLS-RPT record is evaluated (`tlsrpt`,
// null before), the MX of each mailto domain and the A and AAAA of each https host among the
// checked destinations, A and AAAA of a mailto domain whose MX answer is NODATA, and, when no
// policy was found, the names of misplaced records. A step in flight is named again until its
// answer is filed, so the caller asks each step once; with no step in flight, no step left means
// every answer the findings read is in.
std::vector<DeepStep> next_deep_steps(std::string_view domain, const Evaluation* tlsrpt,
                                      const DeepAnswers& answers,
                                      const DeepPlanOptions& options = {});

// Files the answer to `step` where add_deep_findings reads it.
void file_answer(DeepAnswers& answers, const DeepStep& step, SharedResponse response);
void file_answer(DeepAnswers& answers, const DeepStep& step, SharedFetch fetch);
void file_answer(DeepAnswers& answers, const DeepStep& step, SharedProbe probe);

}  // namespace tlsrpt::audit
