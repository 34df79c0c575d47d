// The bounded table of results a run remembers: least recently used first out.
#include <catch2/catch.hpp>

#include <string>

#include "audit/recent_results.hpp"

using tlsrpt::audit::RecentResults;

TEST_CASE("recent results: a remembered result is found until newer ones push it out") {
    RecentResults<int> results(2);
    CHECK(results.find("a") == nullptr);
    results.remember("a", 1);
    results.remember("b", 2);
    REQUIRE(results.find("a") != nullptr);
    CHECK(*results.find("a") == 1);  // now the most recently used: b goes first
    results.remember("c", 3);
    CHECK(results.find("b") == nullptr);
    REQUIRE(results.find("a") != nullptr);
    CHECK(*results.find("a") == 1);
    REQUIRE(results.find("c") != nullptr);
    CHECK(*results.find("c") == 3);
}

TEST_CASE("recent results: the first result under a key stays, and capacity 0 keeps none") {
    RecentResults<std::string> results(4);
    results.remember("k", "first");
    results.remember("k", "second");
    REQUIRE(results.find("k") != nullptr);
    CHECK(*results.find("k") == "first");

    RecentResults<int> none(0);
    none.remember("k", 1);
    CHECK(none.find("k") == nullptr);
}
