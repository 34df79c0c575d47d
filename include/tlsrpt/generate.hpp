// Building a record from report destinations (contract: "Generated records").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/expected.hpp"

namespace tlsrpt {

struct GenerateError {
    std::string destination;  // the offending destination as given
    std::string reason;       // why it was refused, with a hint where one helps
};

// Destinations as a user writes them: "mailto:..", "https://..", or a bare "user@host".
// Returns `v=TLSRPTv1; rua=<uri>[,<uri>...]`, which always evaluates `valid`.
Expected<std::string, GenerateError> generate_record(const std::vector<std::string>& destinations);

// The record as character-strings of at most `limit` octets, split after a comma when one is
// close enough to the limit.
std::vector<std::string> split_character_strings(std::string_view record, std::size_t limit = 255);

// The record as zone files write it: the character-strings of split_character_strings, each
// in double quotes with `"` and `\` escaped and bytes outside printable ASCII as \DDD,
// separated by spaces.
std::string quoted_character_strings(std::string_view record);

// The TTL `generate` writes by default.
inline constexpr std::uint32_t default_zone_ttl = 86400;

// `_smtp._tls.<domain>. <ttl> IN TXT "..." "..."` with zone-file escaping.
std::string zone_file_line(std::string_view domain, std::uint32_t ttl, std::string_view record);

}  // namespace tlsrpt
