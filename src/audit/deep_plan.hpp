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

// What the answer of a step is for: the field of DeepAnswers it is filed in.
enum class DeepLookup : std::uint8_t {
    mx,                // the domain's MX
    mta_sts,           // _mta-sts.<domain> TXT
    tlsa,              // _25._tcp.<mail host> TLSA
    host_tlsrpt,       // _smtp._tls.<mail host> TXT
    destination_mx,    // a mailto domain's MX
    destination_a,     // a destination host's A
    destination_aaaa,  // a destination host's AAAA
    misplaced,         // TXT at a name where TLS-RPT records are published by mistake
};

// One lookup of the plan.
struct DeepStep {
    DeepLookup lookup = DeepLookup::mx;
    // What the answer is filed under: the mail host, the destination host or the query name of
    // a misplaced record; "" for the domain's own MX and MTA-STS.
    std::string key;
    std::string name;  // the query name
    dns::RecordType type = dns::RecordType::txt;
    LookupScope scope = LookupScope::domain;

    auto operator<=>(const DeepStep&) const = default;
};

// The lookups that the answers so far call for and whose answers are not in yet, each once, in
// the order to ask them: the MX and MTA-STS of `domain`; once the MX answer is in, TLSA and
// TLS-RPT of each mail host; once the TLS-RPT record is evaluated (`tlsrpt`, null before), the
// MX of each mailto domain and the A and AAAA of each https host among the checked
// destinations, A and AAAA of a mailto domain whose MX answer is NODATA, and, when no policy
// was found, the names of misplaced records. A lookup in flight is named again until its answer
// is filed, so the caller asks each step once; with no lookup in flight, no step left means
// every answer the findings read is in.
std::vector<DeepStep> next_deep_steps(std::string_view domain, const Evaluation* tlsrpt,
                                      const DeepAnswers& answers);

// Files the answer to `step` where add_deep_findings reads it.
void file_answer(DeepAnswers& answers, const DeepStep& step, SharedResponse response);

}  // namespace tlsrpt::audit
