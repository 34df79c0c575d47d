// A DNS server's address, parsed once from what the user wrote (`--server`) or from what
// /etc/resolv.conf names, and used as it is for every socket.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tlsrpt/expected.hpp"

namespace tlsrpt::dns {

struct ServerAddress {
    sockaddr_storage address{};
    socklen_t length = 0;
    std::string text;  // "a.b.c.d:port" or "[v6]:port", as Response::server shows it
};

// "a.b.c.d[:port]", "[v6]:port", "[v6]" or a bare IPv6 address (port 53 by default), or why
// `server` is none of these: names are not resolved.
Expected<ServerAddress, std::string> parse_server(std::string_view server);

ServerAddress server_address(const in_addr& address, std::uint16_t port);
ServerAddress server_address(const in6_addr& address, std::uint16_t port);

}  // namespace tlsrpt::dns
