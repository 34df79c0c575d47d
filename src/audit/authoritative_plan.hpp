// `--authoritative`: which lookups the authoritative view of a domain needs, from the answers so
// far. Pure, so that each plan is tested without a network; the pipeline (audit.cpp) only
// carries the steps out.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/authoritative.hpp"
#include "audit/lookup_scope.hpp"
#include "dns/response.hpp"

namespace tlsrpt::audit {

// What the answer of a step is for: the field of AuthoritativeAnswers it is filed in.
enum class AuthoritativeLookup : std::uint8_t {
    zone,          // SOA through the resolver: which zone holds the name
    name_servers,  // NS of the zone, through the resolver
    a,             // A of a name server, through the resolver
    aaaa,          // AAAA of a name server, through the resolver
    serial,        // the zone's SOA, at a server
    records,       // TXT at _smtp._tls.<domain>, at a server
};

// One lookup of the plan.
struct AuthoritativeStep {
    AuthoritativeLookup lookup = AuthoritativeLookup::zone;
    std::string name;  // the query name
    dns::RecordType type = dns::RecordType::txt;
    // The address asked directly (port 53, recursion not desired); "" for the resolver. The
    // answer is filed under it, else under the query name.
    std::string server;
    LookupScope scope = LookupScope::domain;

    auto operator<=>(const AuthoritativeStep&) const = default;
};

// The lookups that the answers so far call for and whose answers are not in yet, each once, in
// the order to ask them: the SOA of _smtp._tls.<domain> (then of its parents, while an answer
// names no zone that holds it); once the zone is known, its NS; once the NS answer is in, A and
// AAAA of each name server (shared by the domains of the run); once every address is in, the
// zone's SOA (shared) and the TXT records at each address that may be asked
// (`allow_private`: also those that are not public). A lookup in flight is named again until
// its answer is filed, so the caller asks each step once; with no lookup in flight, no step
// left means every answer the findings read is in.
std::vector<AuthoritativeStep> next_authoritative_steps(std::string_view domain,
                                                        const AuthoritativeAnswers& answers,
                                                        bool allow_private);

// Files the answer to `step` where add_authoritative_findings reads it.
void file_answer(AuthoritativeAnswers& answers, const AuthoritativeStep& step,
                 SharedResponse response);

}  // namespace tlsrpt::audit
