// Domain names as users type them, turned into the ASCII (A-label) form that goes into a query.
#pragma once

#include <string>
#include <string_view>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/expected.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt {

// Accepts one trailing dot, folds case and converts IDN labels to A-labels (UTS #46,
// non-transitional). Refuses empty labels, labels over 63 octets, names that exceed 253
// octets once the TLS-RPT prefix is added, and characters that cannot appear in a host name
// (underscores are accepted: DNS allows them). Errors are diagnostics with code
// `invalid-domain`.
Expected<std::string, Diagnostic> normalise_domain(std::string_view input);

// `_smtp._tls.<domain>` for a normalised domain.
std::string tlsrpt_query_name(std::string_view domain);

}  // namespace tlsrpt
