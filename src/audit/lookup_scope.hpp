// Who shares the answer of a lookup that a plan (--deep, --authoritative) names.
#pragma once

#include <cstdint>

namespace tlsrpt::audit {

// Names of the domain itself are asked once per run anyway (bulk runs look each domain up
// once); names other domains may need too (mail hosts, destinations, a zone's name servers)
// go through the run's cache (LookupCache).
enum class LookupScope : std::uint8_t { domain, run };

}  // namespace tlsrpt::audit
