// DNS query messages, built for the transport. Internal to src/dns/.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "dns/response.hpp"
#include "tlsrpt/expected.hpp"

namespace tlsrpt::dns {

// Header, the longest name (255 octets), type, class and the OPT record asking for EDNS.
inline constexpr std::size_t max_query_size = 12 + 255 + 4 + 11;
using QueryBuffer = std::array<unsigned char, max_query_size>;

// Why no query could be made for a name.
struct QueryProblem {
    Outcome outcome = Outcome::bad_name;  // or Outcome::unreachable when the name is refused
    std::string detail;
};

// Whether the server is to resolve the name (RD set: a recursive resolver) or answer from its
// own zones only (RD clear: an authoritative server asked directly).
enum class Recursion { desired, not_desired };

// The query for `name` (presentation form, `\c` escapes) and `type` in `buffer`: class IN,
// recursion as `recursion` says, AD requested, an EDNS buffer of 1232 octets, ID 0 for the
// transport to set. Returns its length.
Expected<std::size_t, QueryProblem> build_query(std::string_view name, RecordType type,
                                                QueryBuffer& buffer,
                                                Recursion recursion = Recursion::desired);

}  // namespace tlsrpt::dns
