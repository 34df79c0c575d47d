// What carries the transport's queries: a UDP socket or a server's TCP connection. Internal to
// src/dns/.
#pragma once

#include <cstdint>

namespace tlsrpt::dns {

enum class Carrier : std::uint32_t { udp, tcp };

}  // namespace tlsrpt::dns
