// Domain names as users type them, turned into the ASCII (A-label) form that goes into a query.
#pragma once

#include <cstdint>
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

// How a domain was written when it was not written as a plain domain name.
enum class DomainInputForm : std::uint8_t {
    domain,      // a domain name
    query_name,  // the name the record is published at: `_smtp._tls.` in front
    url,         // a URL (`https://example.com/...`, `example.com/...`): its host
    address,     // an e-mail address (`postmaster@example.com`, `mailto:...`): its domain
};

struct DomainInput {
    std::string domain;  // as normalise_domain returns it
    DomainInputForm form = DomainInputForm::domain;
};

// What people paste where a domain is expected: a domain name, the query name with
// `_smtp._tls.` in front, a URL or an e-mail address; the domain is taken from them and
// normalised. A refusal (`invalid-domain`) quotes what it saw, in printable ASCII.
Expected<DomainInput, Diagnostic> normalise_domain_input(std::string_view input);

// The note (severity info) that says which domain was taken from `input`, written in `form`
// (not DomainInputForm::domain); `domain` is the normalised domain. Codes:
// `query-name-given`, `url-given`, `address-given`.
Diagnostic domain_input_note(DomainInputForm form, std::string_view domain);

// `_smtp._tls.<domain>` for a normalised domain.
std::string tlsrpt_query_name(std::string_view domain);

}  // namespace tlsrpt
