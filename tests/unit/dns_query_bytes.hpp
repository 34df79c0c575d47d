// The query messages of dns::build_query, for the tests of the DNS modules.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dns/query.hpp"

inline std::vector<unsigned char> query_for(
    const std::string& name, tlsrpt::dns::RecordType type,
    tlsrpt::dns::Recursion recursion = tlsrpt::dns::Recursion::desired) {
    tlsrpt::dns::QueryBuffer buffer{};
    const auto length = tlsrpt::dns::build_query(name, type, buffer, recursion);
    REQUIRE(length);
    return {buffer.begin(), buffer.begin() + static_cast<long>(*length)};
}
