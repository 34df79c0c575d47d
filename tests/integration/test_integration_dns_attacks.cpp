// Hostile DNS servers: answers that must not be accepted, and floods that must cost neither
// memory nor time beyond each lookup's bounds. Each case is a row that stays a lookup error (or
// the right verdict) and a run that ends as it should.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "own_responder.hpp"
#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> one_short_try = {"--timeout", "500", "--tries", "1"};

}  // namespace

TEST_CASE("a server that echoes the query answers nothing: dns-timeout, not missing") {
    // The echo keeps the query's AD bit: taken for an answer it was `missing`, DNSSEC-valid.
    const auto checked = check_domain(faults, "echo.faults.test", one_short_try);
    require_lookup_error(checked, "dns-timeout");
    CHECK_FALSE(checked.row["dns"]["authenticated"].boolean());
}

TEST_CASE("BADVERS through the OPT record under a NOERROR header is dns-rcode") {
    const auto checked = check_domain(faults, "badvers.faults.test");
    require_lookup_error(checked, "dns-rcode");
    CHECK(checked.row["dns"]["rcode"].string() == "BADVERS");
}

TEST_CASE("a CNAME loop is dns-malformed, not missing") {
    require_lookup_error(check_domain(faults, "cname-loop.faults.test"), "dns-malformed");
}

TEST_CASE("a CNAME to a name over 255 octets is dns-malformed, and the row stays small") {
    const auto checked = check_domain(faults, "cname-long.faults.test");
    require_lookup_error(checked, "dns-malformed");
    CHECK(checked.row["dns"]["cnames"].size() == 0);
}

TEST_CASE("a CNAME target with a first label of one zero octet is not the root name") {
    // The root's TXT record in the same answer is no policy of the target's.
    const auto checked = check_domain(faults, "cname-zero.faults.test");
    CHECK(checked.exit_code == 2);
    CHECK(checked.row["status"].string() == "missing");
    REQUIRE(checked.row["dns"]["cnames"].size() == 1);
    CHECK(checked.row["dns"]["cnames"][0].string() == "\\000.example");
    CHECK(checked.row["records"].size() == 0);
}

TEST_CASE("a TCP server that streams messages without end costs one message per query") {
    // TC over UDP, then 65,535-octet messages of zeros over TCP, forever: none answers.
    const auto run =
        run_process({TLSRPT_BINARY, "--server", faults, "--format", "json", "--timeout", "1000",
                     "--deadline", "3000", "tc-flood.faults.test"},
                    {}, bulk_memory_env(), 60);
    INFO(run.err);
    CHECK(run.exit_code == 4);
    const Json row = Json::parse(run.out);
    CHECK(codes(row) == std::vector<std::string>{"dns-unreachable"});
    CHECK(row["dns"]["elapsed_ms"].number() <= 3000);
    CHECK(run.max_rss_kib < bulk_memory_limit_kib);
}

TEST_CASE("an answer counts only from the server the query went to") {
    // The second server answers a query of its own with forged answers, every ID, to the
    // query that went to the first server (which never answers it).
    OwnResponder forger;
    REQUIRE(forger.start());
    const auto run = run_process({TLSRPT_BINARY, "--server", faults, "--server", forger.server(),
                                  "--format", "jsonl", "--timeout", "4000", "--tries", "1",
                                  "--deadline", "4000", "silent.faults.test", "forge.faults.test"});
    INFO(run.err);
    CHECK(run.out.find("forged") == std::string::npos);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 2);
    const Json victim = Json::parse(lines[0]);
    CHECK(victim["input"].string() == "silent.faults.test");
    CHECK(codes(victim) == std::vector<std::string>{"dns-timeout"});
    const Json forging = Json::parse(lines[1]);
    CHECK(forging["status"].string() == "missing");
    CHECK(forging["dns"]["server"].string() == forger.server());
}

TEST_CASE("every try that left counts as an attempt, also when the deadline ends the lookup") {
    // Tries at 0, 300 and 900 ms (the wait doubles per pass); the deadline comes during the
    // third.
    const auto checked = check_domain(faults, "silent.faults.test",
                                      {"--timeout", "300", "--tries", "3", "--deadline", "1500"});
    require_lookup_error(checked, "dns-timeout");
    CHECK(checked.row["dns"]["attempts"].number() == 3);
}

TEST_CASE("more queries in flight than message IDs wait for an ID instead of ending the run") {
    // Each domain's MX names ten hosts, and nothing else is answered: with --deep, about 25
    // queries per domain stay in flight until the deadline, 4096 domains at a time.
    std::string list;
    for (int i = 1; i <= 6000; ++i) list += "mx-many.n" + std::to_string(i) + ".faults.test\n";
    const TempFile file(list);
    const auto run = run_process(
        {TLSRPT_BINARY, "--server", faults, "--deep", "--concurrency", "4096", "--timeout", "1500",
         "--tries", "1", "--deadline", "2000", "--format", "csv", "-f", file.path()},
        {}, {}, 300);
    INFO(run.err);
    CHECK(run.exit_code == 4);
    CHECK(run.err.find("summary: 6000 row(s) in ") == 0);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 6001);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        INFO(lines[i]);
        REQUIRE(lines[i].find(",error,dns-timeout") != std::string::npos);
    }
}

// Not in the sanitizer build: its runtime needs descriptors of its own (UBSan's vptr check
// probes memory through a pipe), so there a process with none left fails in the runtime, at
// the first virtual call of any thread, before our code can say anything.
#if !TLSRPT_SANITIZED
TEST_CASE("no descriptor left for a socket is a system error, not a lookup error") {
    // 64 servers (the same one), a socket each, under a limit of 16 descriptors: the queries
    // of the first domains open them until none is left.
    std::string command = "ulimit -n 16 && exec " + std::string(TLSRPT_BINARY);
    for (int i = 0; i < 64; ++i) command += " --server " + nsd;
    for (int i = 0; i < 64; ++i) command += " gone" + std::to_string(i) + ".cases.test";
    const auto run = run_process({"/bin/bash", "-c", command});
    CHECK(run.exit_code == 71);
    CHECK(run.err == "tlsrpt-check: error: socket: Too many open files\n");
}
#endif
