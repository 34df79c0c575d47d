// Answers served by NSD through Unbound, checked end to end with the real binary.
#include <catch2/catch.hpp>

#include <algorithm>

#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

const std::string policy = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com";

}  // namespace

TEST_CASE("a valid record: status, exit code and every lookup field") {
    const auto checked = check_domain(unbound, "valid.cases.test");
    const Json& row = checked.row;
    CHECK(checked.exit_code == 0);
    CHECK(row["status"].string() == "valid");
    CHECK(row["input"].string() == "valid.cases.test");
    CHECK(row["domain"].string() == "valid.cases.test");
    CHECK(row["query"].string() == "_smtp._tls.valid.cases.test");
    CHECK(codes(row).empty());
    REQUIRE(row["records"].size() == 1);
    CHECK(row["records"][0].string() == policy);
    const Json& dns = row["dns"];
    CHECK(dns["rcode"].string() == "NOERROR");
    CHECK(dns["error"].is_null());
    CHECK(dns["cnames"].size() == 0);
    CHECK(dns["ttl"].number() > 0);
    CHECK(dns["ttl"].number() <= 3600);
    CHECK_FALSE(dns["authenticated"].boolean());  // cases.test is not signed
    CHECK(dns["server"].string() == unbound);
    CHECK(dns["attempts"].number() == 1);
    CHECK(dns["elapsed_ms"].number() > 0);
}

TEST_CASE("a record with warnings") {
    const auto checked = check_domain(unbound, "warning.cases.test");
    CHECK(checked.exit_code == 1);
    CHECK(checked.row["status"].string() == "warning");
    CHECK(has_code(checked.row, "duplicate-rua-field"));
}

TEST_CASE("an invalid record") {
    const auto checked = check_domain(unbound, "invalid.cases.test");
    CHECK(checked.exit_code == 3);
    CHECK(checked.row["status"].string() == "invalid");
    CHECK(has_code(checked.row, "version-case"));
    CHECK(checked.row["dns"]["error"].is_null());
}

TEST_CASE("NXDOMAIN is missing with no-record and the rcode") {
    const auto checked = check_domain(unbound, "nx.cases.test");
    CHECK(checked.exit_code == 2);
    CHECK(checked.row["status"].string() == "missing");
    CHECK(codes(checked.row) == std::vector<std::string>{"no-record"});
    CHECK(checked.row["dns"]["rcode"].string() == "NXDOMAIN");
    CHECK(checked.row["dns"]["error"].is_null());
}

TEST_CASE("NODATA is missing with no-record and NOERROR") {
    const auto checked = check_domain(unbound, "nodata.cases.test");
    CHECK(checked.exit_code == 2);
    CHECK(checked.row["status"].string() == "missing");
    CHECK(codes(checked.row) == std::vector<std::string>{"no-record"});
    CHECK(checked.row["dns"]["rcode"].string() == "NOERROR");
    CHECK(checked.row["dns"]["ttl"].is_null());
}

TEST_CASE("only unrelated TXT records is missing with no-tlsrpt-record") {
    const auto checked = check_domain(unbound, "unrelated.cases.test");
    CHECK(checked.exit_code == 2);
    CHECK(checked.row["status"].string() == "missing");
    CHECK(has_code(checked.row, "no-tlsrpt-record"));
}

TEST_CASE("character-strings of one record join with nothing in between") {
    const auto checked = check_domain(unbound, "split.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    REQUIRE(checked.row["records"].size() == 1);
    CHECK(checked.row["records"][0].string() == policy);
}

TEST_CASE("a string of 255 octets in a record of 321") {
    const auto checked = check_domain(unbound, "long.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    REQUIRE(checked.row["records"].size() == 1);
    const std::string& record = checked.row["records"][0].string();
    CHECK(record.size() == 321);
    CHECK(record.substr(255, 40) == std::string(40, 'b'));
    CHECK(checked.row["policy"]["rua"].size() == 2);
}

TEST_CASE("several RRs: the policy is selected among unrelated records") {
    const auto checked = check_domain(unbound, "several.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    REQUIRE(checked.row["records"].size() == 3);
    const std::size_t selected = static_cast<std::size_t>(checked.row["policy"]["record"].number());
    CHECK(checked.row["records"][selected].string() == policy);
}

TEST_CASE("two policies in the RRset are invalid") {
    const auto checked = check_domain(unbound, "twice.cases.test");
    CHECK(checked.exit_code == 3);
    CHECK(checked.row["status"].string() == "invalid");
    CHECK(has_code(checked.row, "multiple-tlsrpt-records"));
    CHECK(checked.row["records"].size() == 2);
}

TEST_CASE("an answer over the EDNS buffer size arrives whole over TCP") {
    const auto checked = check_domain(unbound, "big.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    // 9 RRs of about 200 octets: only TCP can carry them all (the UDP reply is truncated).
    CHECK(checked.row["records"].size() == 9);
}

TEST_CASE("a CNAME to another zone is followed and reported") {
    const auto checked = check_domain(unbound, "alias.cases.test");
    const Json& row = checked.row;
    CHECK(checked.exit_code == 0);
    CHECK(row["status"].string() == "valid");
    REQUIRE(row["dns"]["cnames"].size() == 1);
    CHECK(row["dns"]["cnames"][0].string() == "_smtp._tls.customer.hosted.test");
    CHECK(row["records"][0].string() == "v=TLSRPTv1; rua=https://reports.example.net/v1/tlsrpt");
    CHECK(codes(row) == std::vector<std::string>{"cname"});
    CHECK(row["diagnostics"][0]["severity"].string() == "info");
}

TEST_CASE("the AD bit is set for the signed zone only") {
    const auto signed_zone = check_domain(unbound, "signed.test");
    CHECK(signed_zone.exit_code == 0);
    CHECK(signed_zone.row["status"].string() == "valid");
    CHECK(signed_zone.row["dns"]["authenticated"].boolean());

    const auto unsigned_zone = check_domain(unbound, "valid.cases.test");
    CHECK_FALSE(unsigned_zone.row["dns"]["authenticated"].boolean());
}

TEST_CASE("an IDN domain is looked up by its A-label") {
    const auto checked = check_domain(unbound, "bücher.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    CHECK(checked.row["input"].string() == "bücher.cases.test");
    CHECK(checked.row["domain"].string() == "xn--bcher-kva.cases.test");
    CHECK(checked.row["query"].string() == "_smtp._tls.xn--bcher-kva.cases.test");
}

TEST_CASE("case and a trailing dot are normalised before the lookup") {
    const auto checked = check_domain(unbound, "VALID.Cases.TEST.");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["domain"].string() == "valid.cases.test");
    CHECK(checked.row["status"].string() == "valid");
}

TEST_CASE("the TTL is the one served (asked from NSD directly)") {
    const auto checked = check_domain(nsd, "ttl.cases.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["dns"]["ttl"].number() == 300);
    CHECK(checked.row["dns"]["server"].string() == nsd);
}

TEST_CASE("a TXT RR with RDLENGTH 0 is kept as an empty record") {
    const auto checked = check_domain(faults, "empty-rdata.faults.test");
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    REQUIRE(checked.row["records"].size() == 2);
    CHECK(checked.row["records"][0].string().empty());
    CHECK(checked.row["records"][1].string() == policy);
}
