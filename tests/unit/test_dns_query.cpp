#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dns/query.hpp"
#include "dns_query_bytes.hpp"

using namespace tlsrpt::dns;

namespace {

std::vector<unsigned char> labels(std::initializer_list<std::string> parts) {
    std::vector<unsigned char> wire;
    for (const std::string& part : parts) {
        wire.push_back(static_cast<unsigned char>(part.size()));
        wire.insert(wire.end(), part.begin(), part.end());
    }
    wire.push_back(0);
    return wire;
}

// ID 0, RD and AD set, one question, one additional record.
const std::vector<unsigned char> header = {0, 0, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1};
// Owner root, type OPT (41), 1232 octets, no extended rcode, version 0, no flags, no RDATA.
const std::vector<unsigned char> opt = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};

std::vector<unsigned char> message(const std::vector<unsigned char>& name, unsigned char type) {
    std::vector<unsigned char> bytes = header;
    bytes.insert(bytes.end(), name.begin(), name.end());
    bytes.insert(bytes.end(), {0, type, 0, 1});
    bytes.insert(bytes.end(), opt.begin(), opt.end());
    return bytes;
}

}  // namespace

TEST_CASE("a query: header with RD and AD, the question in class IN, an OPT for 1232 octets") {
    CHECK(query_for("_smtp._tls.example.com", RecordType::txt) ==
          message(labels({"_smtp", "_tls", "example", "com"}), 16));
    CHECK(query_for("_25._tcp.mx1.example.net", RecordType::tlsa) ==
          message(labels({"_25", "_tcp", "mx1", "example", "net"}), 52));
}

TEST_CASE("a query to an authoritative server has RD clear, whichever way it is built") {
    auto direct = [](const std::vector<unsigned char>& name, unsigned char type) {
        std::vector<unsigned char> bytes = message(name, type);
        bytes[2] = 0;  // RD clear; AD still requested
        return bytes;
    };
    CHECK(query_for("_smtp._tls.example.com", RecordType::txt, Recursion::not_desired) ==
          direct(labels({"_smtp", "_tls", "example", "com"}), 16));
    // An escape takes the name through c-ares.
    CHECK(query_for("a\\.b.c", RecordType::soa, Recursion::not_desired) ==
          direct(labels({"a.b", "c"}), 6));
}

TEST_CASE("a query keeps the case of the name; a final dot changes nothing") {
    CHECK(query_for("Example.COM.", RecordType::mx) == message(labels({"Example", "COM"}), 15));
}

TEST_CASE("an escaped dot stays inside its label") {
    CHECK(query_for("a\\.b.c", RecordType::a) == message(labels({"a.b", "c"}), 1));
}

TEST_CASE("empty labels, labels over 63 octets and names over 255 octets make no query") {
    const std::string label63(63, 'x');
    const std::string longest =
        label63 + "." + label63 + "." + label63 + "." + std::string(61, 'x');
    CHECK(query_for(longest, RecordType::txt).size() == header.size() + 255 + 4 + opt.size());
    for (const std::string& bad : {std::string(".example"), std::string("a..example"),
                                   std::string(64, 'x') + ".example", longest + "x"}) {
        INFO(bad);
        QueryBuffer buffer{};
        const auto length = build_query(bad, RecordType::txt, buffer);
        REQUIRE_FALSE(length);
        CHECK(length.error().outcome == Outcome::bad_name);
        CHECK(length.error().detail == "Misformatted domain name");
    }
}
