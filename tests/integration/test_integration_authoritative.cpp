// --authoritative end to end: the zones split.test (a server in step, one serving an older zone
// file, one that refuses the zone), agree.test (servers that agree) and v6.test (a server on
// ::1), each name server an NSD of its own on port 53 of an address in the testbed's /24, found
// through the validating Unbound.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "counting_relay.hpp"
#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

// The testbed's servers are on loopback addresses: only --allow-private asks them.
Checked authoritative(const std::string& domain, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> options = {"--authoritative", "--allow-private"};
    options.insert(options.end(), extra.begin(), extra.end());
    return check_domain(unbound, domain, options);
}

ProcessResult run(const std::vector<std::string>& arguments) {
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", unbound};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_process(argv);
}

// The record every zone publishes, and the one the older split.test had (version in lower case).
const std::string record = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com";
const std::string stale_record = "v=tlsrptv1; rua=mailto:tlsrpt@example.com";

// A server entry as the JSON output has it.
void check_server(const Json& server, const std::string& name, const std::string& address,
                  const std::string& state) {
    INFO(name);
    CHECK(server["name"].string() == name);
    CHECK(server["address"].string() == address);
    CHECK(server["state"].string() == state);
}

}  // namespace

TEST_CASE("authoritative: servers that agree give the TTL as published") {
    const Checked checked = authoritative("agree.test");
    const Json& row = checked.row;
    CHECK(checked.exit_code == 0);
    CHECK(row["status"].string() == "valid");
    CHECK(codes(row).empty());
    CHECK(row["dns"]["ttl"].number() == 3600);
    CHECK(row["dns"]["ttl_source"].string() == "authoritative");
    const Json& view = row["authoritative"];
    CHECK(view["lookup"].string() == "found");
    CHECK(view["zone"].string() == "agree.test");
    CHECK(view["consistent"].boolean());
    REQUIRE(view["servers"].size() == 2);
    check_server(view["servers"][0], "ns1.agree.test", net + ".53", "authoritative");
    check_server(view["servers"][1], "ns2.agree.test", net + ".55", "authoritative");
    for (const Json& server : view["servers"].array()) {
        CHECK(server["rcode"].string() == "NOERROR");
        CHECK(server["aa"].boolean());
        CHECK(strings(server["records"]) == std::vector<std::string>{record});
        CHECK(server["ttl"].number() == 3600);
        CHECK(server["serial"].number() == 2026120201);
        CHECK(server["answer"].number() == 0);
        CHECK(server["elapsed_ms"].number() >= 0);
    }
    REQUIRE(view["answers"].size() == 1);
    CHECK(view["answers"][0]["status"].string() == "valid");
}

TEST_CASE("authoritative: a server with an older zone file and a lame one, each finding named") {
    const Checked checked = authoritative("changed.split.test");
    const Json& row = checked.row;
    CHECK(checked.exit_code == 3);
    // The resolver's copy (from the primary) is valid; the servers do not agree on it.
    CHECK(strings(row["records"]) == std::vector<std::string>{record});
    CHECK(row["status"].string() == "invalid");
    CHECK(sorted_codes(row) == std::vector<std::string>{"ns-inconsistent", "ns-lame",
                                                        "ns-serial-mismatch", "ttl-differs"});
    // The smallest TTL the servers publish.
    CHECK(row["dns"]["ttl"].number() == 300);
    CHECK(row["dns"]["ttl_source"].string() == "authoritative");
    const Json& view = row["authoritative"];
    CHECK(view["zone"].string() == "split.test");
    CHECK_FALSE(view["consistent"].boolean());
    REQUIRE(view["servers"].size() == 3);
    const Json& ns1 = view["servers"][0];
    const Json& ns2 = view["servers"][1];
    const Json& ns3 = view["servers"][2];
    check_server(ns1, "ns1.split.test", net + ".53", "authoritative");
    check_server(ns2, "ns2.split.test", net + ".54", "authoritative");
    check_server(ns3, "ns3.split.test", net + ".55", "lame");
    CHECK(strings(ns1["records"]) == std::vector<std::string>{record});
    CHECK(strings(ns2["records"]) == std::vector<std::string>{stale_record});
    CHECK(ns1["serial"].number() == 2026120202);
    CHECK(ns2["serial"].number() == 2026120201);
    CHECK(ns1["ttl"].number() == 3600);
    CHECK(ns2["ttl"].number() == 300);
    CHECK(ns1["answer"].number() == 0);
    CHECK(ns2["answer"].number() == 1);
    CHECK(ns3["rcode"].string() == "REFUSED");
    CHECK_FALSE(ns3["aa"].boolean());
    CHECK(ns3["answer"].is_null());
    REQUIRE(view["answers"].size() == 2);
    CHECK(view["answers"][0]["status"].string() == "valid");
    CHECK(view["answers"][1]["status"].string() == "invalid");
    CHECK(view["answers"][1]["servers"][0].number() == 1);
}

TEST_CASE("authoritative: a record one server does not have yet") {
    const Checked checked = authoritative("added.split.test");
    const Json& view = checked.row["authoritative"];
    CHECK(checked.row["status"].string() == "invalid");
    CHECK(has_code(checked.row, "ns-inconsistent"));
    REQUIRE(view["answers"].size() == 2);
    CHECK(view["answers"][1]["rcode"].string() == "NXDOMAIN");
    CHECK(view["answers"][1]["status"].string() == "missing");
    CHECK(view["servers"][1]["rcode"].string() == "NXDOMAIN");
    CHECK(view["servers"][1]["aa"].boolean());
}

TEST_CASE("authoritative: servers that agree beside a lame one are a warning") {
    const Checked checked = authoritative("same.split.test");
    CHECK(checked.exit_code == 1);
    CHECK(checked.row["status"].string() == "warning");
    CHECK(sorted_codes(checked.row) == std::vector<std::string>{"ns-lame", "ns-serial-mismatch"});
    CHECK(checked.row["authoritative"]["consistent"].boolean());
}

TEST_CASE("authoritative: nagios says CRITICAL for servers that disagree, WARNING for a lame one") {
    const ProcessResult critical =
        run({"--authoritative", "--allow-private", "--format", "nagios", "changed.split.test"});
    INFO(critical.out);
    CHECK(critical.exit_code == 2);
    CHECK(critical.out.rfind("TLSRPT CRITICAL - changed.split.test: TLS-RPT policy in use, but "
                             "with errors around it: ns-inconsistent, ns-lame, "
                             "ns-serial-mismatch | ",
                             0) == 0);
    CHECK(critical.out.find(" ttl=300s;;;0\n") != std::string::npos);
    const ProcessResult warning =
        run({"--authoritative", "--allow-private", "--format", "nagios", "same.split.test"});
    INFO(warning.out);
    CHECK(warning.exit_code == 1);
    CHECK(warning.out.rfind("TLSRPT WARNING - same.split.test: TLS-RPT policy in use, with "
                            "warnings: ns-lame, ns-serial-mismatch | ",
                            0) == 0);
}

TEST_CASE("authoritative: prometheus has the servers, whether they agree and the published TTL") {
    const ProcessResult metrics = run({"--authoritative", "--allow-private", "--format",
                                       "prometheus", "changed.split.test", "agree.test"});
    INFO(metrics.out);
    for (const char* line : {
             "tlsrpt_ns_servers{domain=\"changed.split.test\"} 3",
             "tlsrpt_ns_consistent{domain=\"changed.split.test\"} 0",
             "tlsrpt_ttl_seconds{domain=\"changed.split.test\"} 300",
             "tlsrpt_ns_servers{domain=\"agree.test\"} 2",
             "tlsrpt_ns_consistent{domain=\"agree.test\"} 1",
             "tlsrpt_ttl_seconds{domain=\"agree.test\"} 3600",
         }) {
        CHECK(has_line(metrics.out, line));
    }
}

TEST_CASE("authoritative: the TTL check and metrics stay put while the resolver's copy ages") {
    const std::string domain = "stable.agree.test";
    // Through the resolver alone, the TTL is what its copy has left: wait until it counts down.
    Checked resolved;
    const auto counted_down = [&] {
        const Json& ttl = resolved.row["dns"]["ttl"];
        return !ttl.is_null() && ttl.number() < 3600;
    };
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
        resolved = check_domain(unbound, domain, {"--min-ttl", "3600"});
    } while (!counted_down() && std::chrono::steady_clock::now() < give_up);
    REQUIRE(counted_down());
    CHECK(resolved.row["dns"]["ttl_source"].string() == "resolver");
    CHECK(resolved.row["status"].string() == "warning");
    CHECK(codes(resolved.row) == std::vector<std::string>{"ttl-below-minimum"});
    const ProcessResult text = run({"--min-ttl", "3600", domain});
    CHECK(text.out.find(" left in the resolver's cache, ") != std::string::npos);

    for (int run_number = 0; run_number < 2; ++run_number) {
        INFO("run " << run_number);
        const Checked checked = authoritative(domain, {"--min-ttl", "3600"});
        CHECK(checked.exit_code == 0);
        CHECK(checked.row["status"].string() == "valid");
        CHECK(codes(checked.row).empty());
        CHECK(checked.row["dns"]["ttl"].number() == 3600);
        CHECK(checked.row["dns"]["ttl_source"].string() == "authoritative");
        const ProcessResult nagios = run({"--authoritative", "--allow-private", "--min-ttl", "3600",
                                          "--format", "nagios", domain});
        CHECK(nagios.exit_code == 0);
        CHECK(nagios.out.find(" ttl=3600s;3600:;;0\n") != std::string::npos);
        const ProcessResult metrics =
            run({"--authoritative", "--allow-private", "--format", "prometheus", domain});
        CHECK(has_line(metrics.out, "tlsrpt_ttl_seconds{domain=\"stable.agree.test\"} 3600"));
        const ProcessResult shown = run({"--authoritative", "--allow-private", domain});
        CHECK(shown.out.find(", TTL 3600 as published, ") != std::string::npos);
    }
}

TEST_CASE("authoritative: servers at addresses that are not public are not asked by default") {
    const Checked checked = check_domain(unbound, "agree.test", {"--authoritative"});
    CHECK(checked.exit_code == 0);
    CHECK(checked.row["status"].string() == "valid");
    CHECK(codes(checked.row) == std::vector<std::string>{"ns-not-asked", "ns-not-asked"});
    const Json& view = checked.row["authoritative"];
    for (const Json& server : view["servers"].array()) {
        CHECK(server["state"].string() == "not-asked-non-public");
        CHECK(server["rcode"].is_null());
    }
    CHECK(view["consistent"].is_null());
    CHECK(checked.row["dns"]["ttl_source"].string() == "resolver");
}

TEST_CASE("authoritative: without the option there is no section and the TTL is the resolver's") {
    const Checked checked = check_domain(unbound, "agree.test");
    CHECK_FALSE(checked.row.contains("authoritative"));
    CHECK(checked.row["dns"]["ttl_source"].string() == "resolver");
}

TEST_CASE("authoritative: text has a line per server, csv its columns only with the option") {
    const ProcessResult text = run({"--authoritative", "--allow-private", "changed.split.test"});
    INFO(text.out);
    CHECK(has_line(text.out, "  authoritative: zone split.test, the servers disagree: 2 answers"));
    const auto lines = lines_of(text.out);
    for (const std::string& start :
         {"  name server ns1.split.test (" + net +
              ".53): answer 1 (NOERROR, AA), TTL 3600, "
              "serial 2026120202, ",
          "  name server ns2.split.test (" + net +
              ".54): answer 2 (NOERROR, AA), TTL 300, "
              "serial 2026120201, ",
          "  name server ns3.split.test (" + net + ".55): lame (REFUSED, no AA), "}) {
        INFO(start);
        CHECK(std::count_if(lines.begin(), lines.end(), [&](const std::string& line) {
                  return line.rfind(start, 0) == 0;
              }) == 1);
    }
    CHECK(has_line(text.out, "    record 1: " + stale_record));

    const ProcessResult csv =
        run({"--authoritative", "--allow-private", "--format", "csv", "changed.split.test"});
    const auto rows = lines_of(csv.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].ends_with(",line,ttl_source,ns_zone,ns_consistent,ns_servers"));
    CHECK(rows[1].ends_with(",authoritative,split.test,false,ns1.split.test " + net +
                            ".53 answer-1|ns2.split.test " + net + ".54 answer-2|ns3.split.test " +
                            net + ".55 lame"));
    const ProcessResult plain = run({"--format", "csv", "changed.split.test"});
    CHECK(lines_of(plain.out)[0].ends_with(",input,line"));
}

TEST_CASE("authoritative: an alias is looked at in its own zone, by its target") {
    const Checked checked = authoritative("alias.agree.test");
    const Json& view = checked.row["authoritative"];
    CHECK(view["zone"].string() == "agree.test");
    CHECK(view["consistent"].boolean());
    REQUIRE(view["answers"].size() == 1);
    CHECK(view["answers"][0]["alias"].string() == "_smtp._tls.added.split.test");
    CHECK(view["answers"][0]["status"].is_null());
    CHECK_FALSE(has_code(checked.row, "ns-inconsistent"));
}

TEST_CASE("authoritative: a server on ::1, where the machine has it") {
    std::ifstream marker(std::string(TESTBED_DIR) + "/ipv6-server");
    std::string ipv6;
    std::getline(marker, ipv6);
    const Checked checked = authoritative("v6.test");
    const Json& view = checked.row["authoritative"];
    REQUIRE(view["servers"].size() == 2);
    const Json& v6 = view["servers"][0];
    CHECK(v6["name"].string() == "ns1.v6.test");
    CHECK(v6["address"].string() == "::1");
    check_server(view["servers"][1], "ns2.v6.test", net + ".53", "authoritative");
    if (ipv6 != "yes") {
        WARN(
            "this testbed has no server on [::1]:53 (no ::1, or another testbed holds the "
            "port): only the entry is checked");
        return;
    }
    CHECK(v6["state"].string() == "authoritative");
    CHECK(view["consistent"].boolean());
    CHECK(checked.row["status"].string() == "valid");
}

TEST_CASE("authoritative: 10,000 domains of one zone ask for its name servers' addresses once") {
    CountingRelay relay(TESTBED_UNBOUND_PORT);
    std::string list;
    constexpr int domains = 10'000;
    for (int i = 0; i < domains; ++i) list += "d" + std::to_string(i) + ".bulk.agree.test\n";
    const TempFile file(list);
    ProcessOptions options;
    options.timeout_seconds = 300;
    // Few enough domains at once that the testbed's Unbound takes every burst of queries.
    const ProcessResult bulk = run_process(
        {TLSRPT_BINARY, "--server", relay.server(), "--authoritative", "--allow-private",
         "--concurrency", "32", "--format", "jsonl", "-f", file.path()},
        options);
    INFO(bulk.err);
    CHECK(bulk.exit_code == 0);
    const auto rows = lines_of(bulk.out);
    CHECK(rows.size() == domains);
    std::size_t consistent = 0;
    for (const std::string& line : rows) {
        const Json row = Json::parse(line);
        if (row["status"].string() == "valid" && row["authoritative"]["consistent"].boolean() &&
            row["authoritative"]["servers"].size() == 2) {
            ++consistent;
        }
    }
    CHECK(consistent == domains);
    constexpr std::uint16_t a = 1, ns = 2, soa = 6, txt = 16, aaaa = 28;
    CHECK(relay.lookups("agree.test", ns) == 1);
    for (const char* name : {"ns1.agree.test", "ns2.agree.test"}) {
        INFO(name);
        CHECK(relay.lookups(name, a) == 1);
        CHECK(relay.lookups(name, aaaa) == 1);
    }
    CHECK(relay.lookups("_smtp._tls.d1234.bulk.agree.test", txt) == 1);
    CHECK(relay.lookups("_smtp._tls.d1234.bulk.agree.test", soa) == 1);
}
