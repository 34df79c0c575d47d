#include "dns/server_address.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace tlsrpt::dns {
namespace {

Expected<std::uint16_t, std::string> parse_port(std::string_view text) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || port == 0 ||
        port > 65535) {
        return unexpected(fmt::format("'{}' is not a port number (1-65535)", text));
    }
    return static_cast<std::uint16_t>(port);
}

}  // namespace

ServerAddress server_address(const in_addr& address, std::uint16_t port) {
    ServerAddress server;
    auto& v4 = reinterpret_cast<sockaddr_in&>(server.address);
    v4.sin_family = AF_INET;
    v4.sin_addr = address;
    v4.sin_port = htons(port);
    server.length = sizeof v4;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address, text, sizeof text);
    server.text = fmt::format("{}:{}", text, port);
    return server;
}

ServerAddress server_address(const in6_addr& address, std::uint16_t port) {
    ServerAddress server;
    auto& v6 = reinterpret_cast<sockaddr_in6&>(server.address);
    v6.sin6_family = AF_INET6;
    v6.sin6_addr = address;
    v6.sin6_port = htons(port);
    server.length = sizeof v6;
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &address, text, sizeof text);
    server.text = fmt::format("[{}]:{}", text, port);
    return server;
}

Expected<ServerAddress, std::string> parse_server(std::string_view server) {
    std::string_view address = server;
    std::uint16_t port = 53;
    const auto take_port = [&](std::string_view text) -> std::optional<std::string> {
        auto parsed = parse_port(text);
        if (!parsed) return parsed.error();
        port = *parsed;
        return std::nullopt;
    };
    if (server.starts_with('[')) {
        const auto close = server.find(']');
        if (close == std::string_view::npos) {
            return unexpected(fmt::format("'{}' lacks the closing ']'", server));
        }
        address = server.substr(1, close - 1);
        const std::string_view rest = server.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) {
                return unexpected(fmt::format("'{}': expected ':PORT' after ']'", server));
            }
            if (auto problem = take_port(rest.substr(1))) return unexpected(std::move(*problem));
        }
    } else if (std::count(server.begin(), server.end(), ':') == 1) {
        const auto colon = server.find(':');
        address = server.substr(0, colon);
        if (auto problem = take_port(server.substr(colon + 1))) {
            return unexpected(std::move(*problem));
        }
    }
    const std::string address_text(address);
    in_addr v4{};
    if (inet_pton(AF_INET, address_text.c_str(), &v4) == 1) return server_address(v4, port);
    in6_addr v6{};
    if (inet_pton(AF_INET6, address_text.c_str(), &v6) == 1) return server_address(v6, port);
    return unexpected(fmt::format(
        "'{}' is not an IP address (use a.b.c.d[:port] or [v6]:port; names are not resolved)",
        server));
}

}  // namespace tlsrpt::dns
