// --probe: what the STARTTLS probes of a domain's mail hosts mean for it, under the policy a
// sender applies to each host. Internal to src/audit/.
#pragma once

#include <vector>

#include "audit/deep.hpp"
#include "audit/finding_collector.hpp"
#include "tlsrpt/deep.hpp"

namespace tlsrpt::audit {

// The probes of the mail hosts of `deep.mx`, each judged as a sender applying the host's policy
// would judge it (DANE when the host has authenticated TLSA records, else MTA-STS when
// `deep.mta_sts` holds a policy senders use, else none); findings for the failures, coded by
// the RFC 8460 result type a report would give them.
std::vector<HostProbe> probe_section(const DeepResult& deep, const DeepAnswers& answers,
                                     FindingCollector& findings);

}  // namespace tlsrpt::audit
