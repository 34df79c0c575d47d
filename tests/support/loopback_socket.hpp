// Sockets of the tests' own servers and clients: bound on 127.0.0.1, on a port the system
// chooses unless one is given.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace tlsrpt::testing {

inline sockaddr_in loopback_address(std::uint16_t port = 0) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

// A socket of `type` (SOCK_DGRAM, SOCK_STREAM) bound on 127.0.0.1; throws when it cannot be.
inline int bind_loopback(int type, std::uint16_t port = 0) {
    const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback_address(port);
    if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) close(fd);
        throw std::runtime_error("cannot bind a socket on 127.0.0.1");
    }
    return fd;
}

// The port a bound socket has.
inline std::uint16_t bound_port(int fd) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("getsockname failed");
    }
    return ntohs(address.sin_port);
}

}  // namespace tlsrpt::testing
