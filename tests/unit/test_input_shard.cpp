#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>

#include "tlsrpt/shard.hpp"

using tlsrpt::parse_shard;
using tlsrpt::shard_hash;
using tlsrpt::shard_of;

TEST_CASE("a shard K/N parses shard K of N, numbered from 0") {
    const auto first = parse_shard("0/4");
    REQUIRE(first);
    CHECK(first->index == 0);
    CHECK(first->count == 4);
    const auto last = parse_shard("3/4");
    REQUIRE(last);
    CHECK(last->index == 3);
    const auto whole = parse_shard("0/1");
    REQUIRE(whole);
    CHECK(whole->count == 1);
    const auto widest = parse_shard("4294967294/4294967295");
    REQUIRE(widest);
    CHECK(widest->index == 4294967294U);
}

TEST_CASE("a malformed shard says what K/N must be") {
    const std::string expected_form = "expected K/N, shard K of N with K from 0 to N-1 (e.g. 0/4)";
    for (const std::string text : {"", "4", "/4", "1/", "1/4/2", "a/4", "1/b", "-1/4", "+1/4",
                                   " 1/4", "1 /4", "1/4 ", "0x1/4", "1/4294967296"}) {
        INFO(text);
        const auto shard = parse_shard(text);
        REQUIRE_FALSE(shard);
        CHECK(shard.error() == expected_form + ", not '" + text + "'");
    }
}

TEST_CASE("a shard that cannot exist is refused with the range of K") {
    CHECK(parse_shard("0/0").error() == "the number of shards N must be at least 1");
    CHECK(parse_shard("4/4").error() == "shard 4 of 4 does not exist: K goes from 0 to 3");
    CHECK(parse_shard("7/2").error() == "shard 7 of 2 does not exist: K goes from 0 to 1");
}

TEST_CASE("the shard hash is FNV-1a 64 finalised by fmix64, fixed for good") {
    // Runs already split rely on these values: a domain must never change shard.
    CHECK(shard_hash("") == 0xefd01f60ba992926);
    CHECK(shard_hash("a") == 0x82a2a958a9bece5b);  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c
    CHECK(shard_hash("foobar") == 0x2c22194922d1672b);
    CHECK(shard_hash("example.com") == 0x9591d6421994d599);
    CHECK(shard_of("example.com", 4) == 0x9591d6421994d599 % 4);
    CHECK(shard_of("example.com", 7) == 0x9591d6421994d599 % 7);
}

TEST_CASE("a domain lands on the shard of its normalised form") {
    const std::uint32_t count = 7;
    const std::uint32_t shard = shard_of("xn--bcher-kva.test", count);
    CHECK(shard == shard_hash("xn--bcher-kva.test") % count);
    for (const char* spelling :
         {"XN--BCHER-KVA.test", "xn--bcher-kva.test.", "bücher.test", "BÜCHER.TEST."}) {
        INFO(spelling);
        CHECK(shard_of(spelling, count) == shard);
    }
}

TEST_CASE("text that names no domain is hashed as written") {
    CHECK(shard_of("two words", 1000) == shard_hash("two words") % 1000);
    CHECK(shard_of("a..b", 1000) == shard_hash("a..b") % 1000);
    CHECK(shard_of("", 1000) == shard_hash("") % 1000);
}

TEST_CASE("shards share the domains of a list evenly") {
    // Domains that differ in one character only, the hardest case for a weak hash.
    constexpr std::uint32_t count = 4;
    constexpr std::uint32_t domains = 20000;
    std::array<std::uint32_t, count> sizes{};
    for (std::uint32_t i = 0; i < domains; ++i)
        ++sizes[shard_of("d" + std::to_string(i) + ".test", count)];
    for (const std::uint32_t size : sizes) {
        CHECK(size > domains / count * 9 / 10);
        CHECK(size < domains / count * 11 / 10);
    }
}
