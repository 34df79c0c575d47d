// Which IP addresses are globally reachable: report destinations at any other address cannot
// receive reports from senders on the Internet. Shared by the record checks and --deep.
#pragma once

#include <array>
#include <string_view>

namespace tlsrpt::policy {

// Not in a block of the IANA special-purpose registries (RFC 6890 and updates) that is not
// globally reachable: private, loopback, link-local, shared, documentation, benchmarking,
// multicast, reserved. An IPv4-mapped IPv6 address is judged by its IPv4 address.
bool is_public_ipv4(const std::array<unsigned char, 4>& address);
bool is_public_ipv6(const std::array<unsigned char, 16>& address);

// The same for an address in text form (dotted IPv4 or RFC 4291 IPv6, brackets allowed); false
// for anything else.
bool is_public_address(std::string_view text);

}  // namespace tlsrpt::policy
