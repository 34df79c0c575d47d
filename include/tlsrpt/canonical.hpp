// The canonical form of report destinations and records, shared by the suggestion of the
// evaluator and by `generate` (contract: "Generated records").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/expected.hpp"

namespace tlsrpt {

// `v=TLSRPTv1; rua=<uri>,<uri>`: one rua field, "; " after the version, no spaces around
// commas, no trailing ";". The URIs are taken as given: pass them through canonical_uri.
std::string canonical_record(const std::vector<std::string>& uris);

// Whether a host that is not reachable from the Internet (localhost, `.example`, `.test`, a
// private or documentation address) is refused, or kept with its `non-public-host` warning.
enum class NonPublicHost { refuse, keep };

// A destination as a user writes it ("mailto:..", "https://..", or a bare "user@host") in
// canonical form: "mailto:" added to a bare address, scheme in lower case, host in lower case
// and as A-labels, "," "!" ";" and non-ASCII bytes outside the host percent-encoded. The
// error is a sentence saying why the destination cannot be published (http gets a hint to use
// https). A returned URI evaluates without any diagnostic, but for `non-public-host` when
// `non_public` is `keep`.
Expected<std::string, std::string> canonical_uri(std::string_view destination,
                                                 NonPublicHost non_public = NonPublicHost::refuse);

// "," "!" ";" written as %2C %21 %3B: RFC 8460 reserves them as record delimiters.
std::string percent_encode_delimiters(std::string_view uri);

// The scheme (the text before the first ":", when it is a valid RFC 3986 scheme) in lower
// case; the rest is unchanged.
std::string lowercase_scheme(std::string_view uri);

// A host name in lower-case A-label form; non-ASCII names go through libidn2 (UTS #46,
// nontransitional). The error is a sentence.
Expected<std::string, std::string> host_to_a_label(std::string_view host);

}  // namespace tlsrpt
