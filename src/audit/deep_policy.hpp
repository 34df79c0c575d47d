// --deep: the MTA-STS policy file as senders fetch and read it, and what it says together with
// the _mta-sts record, the MX hosts and the TLS-RPT record. Internal to src/audit/.
#pragma once

#include <string_view>

#include "audit/deep.hpp"
#include "audit/finding_collector.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/evaluation.hpp"

namespace tlsrpt::audit {

// The policy section of `domain` from the answers (the policy host's addresses and the fetch).
// Findings that call for action are made only for a domain whose _mta-sts record senders use
// (`record`), but for a policy served without that record; the cross-checks need the MX hosts
// (`mx`) and the TLS-RPT record's status.
PolicyFetchSection policy_section(std::string_view domain, const DeepAnswers& answers,
                                  const MtaStsSection& record, const MxSection& mx,
                                  const Evaluation& tlsrpt, FindingCollector& findings);

}  // namespace tlsrpt::audit
