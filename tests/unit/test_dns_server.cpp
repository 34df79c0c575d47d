#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <string>

#include "dns/resolver.hpp"

using tlsrpt::dns::parse_server;

TEST_CASE("server addresses are IPv4 or IPv6 with an optional port, 53 by default") {
    CHECK(parse_server("127.0.0.1")->text == "127.0.0.1:53");
    CHECK(parse_server("127.0.0.1:5353")->text == "127.0.0.1:5353");
    CHECK(parse_server("::1")->text == "[::1]:53");
    CHECK(parse_server("[::1]")->text == "[::1]:53");
    CHECK(parse_server("[2001:db8::1]:853")->text == "[2001:db8::1]:853");
    const auto v4 = parse_server("127.0.0.2:5353");
    REQUIRE(v4);
    CHECK(v4->address.ss_family == AF_INET);
    CHECK(v4->length == sizeof(sockaddr_in));
    CHECK(ntohs(reinterpret_cast<const sockaddr_in&>(v4->address).sin_port) == 5353);
    const auto v6 = parse_server("[::1]:853");
    REQUIRE(v6);
    CHECK(v6->address.ss_family == AF_INET6);
    CHECK(v6->length == sizeof(sockaddr_in6));
    CHECK(ntohs(reinterpret_cast<const sockaddr_in6&>(v6->address).sin6_port) == 853);
}

TEST_CASE("anything but an address with an optional port is refused") {
    for (const char* bad :
         {"", "dns.example", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
          "[::1", "[::1]53", "[dns.example]:53", "300.1.1.1", "1.2.3.4:-1"}) {
        INFO(bad);
        CHECK_FALSE(parse_server(bad));
    }
}

TEST_CASE("up to 64 servers can be used") {
    tlsrpt::dns::ResolverOptions options;
    for (int i = 1; i <= 64; ++i)
        options.servers.push_back(*parse_server("127.0.0." + std::to_string(i)));
    CHECK(tlsrpt::dns::Resolver::create(options));
    options.servers.push_back(*parse_server("127.0.1.1"));
    const auto refused = tlsrpt::dns::Resolver::create(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == "between 1 and 64 DNS servers can be used");
}
