// Lookups that fail: each is status `error` with its own dns-* code and exit code 4, never
// `missing`, and ends within its deadline.
#include <catch2/catch.hpp>

#include <chrono>

#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

double elapsed_ms(const Checked& checked) {
    return checked.row["dns"]["elapsed_ms"].number();
}

}  // namespace

TEST_CASE("a bogus DNSSEC signature is SERVFAIL from the validating resolver") {
    const auto checked = check_domain(unbound, "bogus.test");
    require_lookup_error(checked, "dns-servfail");
    CHECK(checked.row["dns"]["rcode"].string() == "SERVFAIL");
    CHECK(checked.row["dns"]["server"].string() == unbound);
}

TEST_CASE("a zone whose server is down is SERVFAIL, within the deadline") {
    const auto checked = check_domain(unbound, "x.down.test", {"--deadline", "5000"});
    require_lookup_error(checked, "dns-servfail");
    CHECK(checked.row["dns"]["rcode"].string() == "SERVFAIL");
    CHECK(elapsed_ms(checked) < 5000);
}

TEST_CASE("SERVFAIL is asked again, up to --tries times") {
    const auto checked = check_domain(faults, "servfail.faults.test", {"--tries", "3"});
    require_lookup_error(checked, "dns-servfail");
    CHECK(checked.row["dns"]["attempts"].number() == 3);
    CHECK(checked.row["dns"]["server"].string() == faults);
}

TEST_CASE("REFUSED from an authoritative server asked for a zone it does not serve") {
    const auto checked = check_domain(nsd, "elsewhere.example");
    require_lookup_error(checked, "dns-refused");
    CHECK(checked.row["dns"]["rcode"].string() == "REFUSED");
    CHECK(checked.row["dns"]["server"].string() == nsd);
}

TEST_CASE("REFUSED from the fault responder is not retried") {
    const auto checked = check_domain(faults, "refused.faults.test");
    require_lookup_error(checked, "dns-refused");
    CHECK(checked.row["dns"]["attempts"].number() == 1);
}

TEST_CASE("another rcode is dns-rcode with its name") {
    const auto checked = check_domain(faults, "notimp.faults.test");
    require_lookup_error(checked, "dns-rcode");
    CHECK(checked.row["dns"]["rcode"].string() == "NOTIMP");
}

TEST_CASE("a server that never answers times out after --tries passes") {
    // 200 ms, then 400 ms: c-ares doubles the timeout on each pass.
    const auto checked =
        check_domain(faults, "silent.faults.test", {"--timeout", "200", "--tries", "2"});
    require_lookup_error(checked, "dns-timeout");
    CHECK(checked.row["dns"]["rcode"].is_null());
    CHECK(checked.row["dns"]["server"].is_null());
    CHECK(checked.row["dns"]["attempts"].number() == 2);
    CHECK(elapsed_ms(checked) >= 550);
    CHECK(elapsed_ms(checked) < 3000);
}

TEST_CASE("the per-domain deadline cuts retries short") {
    const auto started = std::chrono::steady_clock::now();
    const auto checked = check_domain(faults, "silent.faults.test",
                                      {"--timeout", "2000", "--tries", "3", "--deadline", "300"});
    const auto wall = std::chrono::steady_clock::now() - started;
    require_lookup_error(checked, "dns-timeout");
    CHECK(elapsed_ms(checked) >= 290);
    CHECK(elapsed_ms(checked) < 1500);
    CHECK(wall < std::chrono::milliseconds(2000));
}

TEST_CASE("a reply with the wrong ID is ignored: timeout") {
    const auto checked =
        check_domain(faults, "wrong-id.faults.test", {"--timeout", "200", "--tries", "1"});
    require_lookup_error(checked, "dns-timeout");
}

TEST_CASE("garbage after a matching header and question is malformed") {
    const auto checked = check_domain(faults, "garbage.faults.test");
    require_lookup_error(checked, "dns-malformed");
    CHECK(checked.row["dns"]["rcode"].string() == "NOERROR");
    CHECK(checked.row["dns"]["server"].string() == faults);
}

TEST_CASE("an answer section cut short is malformed") {
    require_lookup_error(check_domain(faults, "truncated.faults.test"), "dns-malformed");
}

TEST_CASE("a truncated UDP answer is repeated over TCP, where garbage is malformed") {
    const auto checked = check_domain(faults, "tc-garbage.faults.test");
    require_lookup_error(checked, "dns-malformed");
    CHECK(checked.row["dns"]["server"].string() == faults);
}

TEST_CASE("a TXT character-string overrunning its RDATA is malformed") {
    require_lookup_error(check_domain(faults, "bad-txt.faults.test"), "dns-malformed");
}

TEST_CASE("a server port nobody listens on is unreachable") {
    const auto checked = check_domain(dead, "valid.cases.test");
    require_lookup_error(checked, "dns-unreachable");
    CHECK(checked.row["dns"]["server"].is_null());
    CHECK(elapsed_ms(checked) < 1000);
}

TEST_CASE("an unreachable server is passed over for the next --server") {
    const auto checked = check_domain(dead, "valid.cases.test", {"--server", unbound});
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    CHECK(checked.row["dns"]["server"].string() == unbound);
}
