// TXT data as it travels on the wire: each resource record is a list of character-strings of
// raw octets (they may hold NUL, controls and non-ASCII bytes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt {

struct TxtRecord {
    std::vector<std::string> strings;
};

// The owner name of a domain's TLS-RPT policy is this prefix followed by the domain.
inline constexpr std::string_view tlsrpt_prefix = "_smtp._tls.";

// Every TXT record found at one owner name, in the order received.
using TxtRRset = std::vector<TxtRecord>;

// The record's character-strings concatenated with nothing in between (RFC 8460 §3, RFC 7208
// §3.3): the text a sender actually parses.
std::string join_strings(const TxtRecord& record);

}  // namespace tlsrpt
