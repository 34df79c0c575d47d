#include <catch2/catch.hpp>

#include <string>

#include "dns/resolver.hpp"

using tlsrpt::dns::normalise_server;

TEST_CASE("server addresses take the form c-ares accepts, port 53 by default") {
    CHECK(*normalise_server("127.0.0.1") == "127.0.0.1:53");
    CHECK(*normalise_server("127.0.0.1:5353") == "127.0.0.1:5353");
    CHECK(*normalise_server("::1") == "[::1]:53");
    CHECK(*normalise_server("[::1]") == "[::1]:53");
    CHECK(*normalise_server("[2001:db8::1]:853") == "[2001:db8::1]:853");
}

TEST_CASE("anything but an address with an optional port is refused") {
    for (const char* bad :
         {"", "dns.example", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
          "[::1", "[::1]53", "[dns.example]:53", "300.1.1.1", "1.2.3.4:-1"}) {
        INFO(bad);
        CHECK_FALSE(normalise_server(bad));
    }
}

TEST_CASE("up to 64 servers can be used") {
    tlsrpt::dns::ResolverOptions options;
    for (int i = 1; i <= 64; ++i) options.servers.push_back("127.0.0." + std::to_string(i));
    CHECK(tlsrpt::dns::Resolver::create(options));
    options.servers.push_back("127.0.1.1");
    const auto refused = tlsrpt::dns::Resolver::create(options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == "between 1 and 64 DNS servers can be used");
}
