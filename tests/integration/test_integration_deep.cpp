// --deep end to end: the zones deep.test (unsigned) and dane.test (signed) served by NSD
// through the validating Unbound, checked by the real binary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

Checked deep(const std::string& domain, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> options = {"--deep"};
    options.insert(options.end(), extra.begin(), extra.end());
    return check_domain(unbound, domain, options);
}

}  // namespace

TEST_CASE("deep: a domain with MX hosts, MTA-STS and destinations that receive") {
    const Checked checked = deep("full.deep.test");
    const Json& row = checked.row;
    // The MTA-STS record announces a policy whose host does not exist: senders cannot fetch it.
    CHECK(checked.exit_code == 3);
    CHECK(row["status"].string() == "invalid");
    CHECK(sorted_codes(row) == std::vector<std::string>{"dane-host-without-tlsrpt",
                                                        "dane-not-authenticated",
                                                        "mta-sts-policy-fetch-failed",
                                                        "non-public-host", "non-public-host"});
    const Json& mx = row["mx"];
    CHECK(mx["lookup"].string() == "found");
    CHECK_FALSE(mx["authenticated"].boolean());
    CHECK_FALSE(mx["null_mx"].boolean());
    CHECK_FALSE(mx["implicit"].boolean());
    REQUIRE(mx["hosts"].size() == 2);
    CHECK(mx["hosts"][0]["host"].string() == "mx1.deep.test");
    CHECK(mx["hosts"][0]["preference"].number() == 10);
    CHECK(mx["hosts"][1]["host"].string() == "mx2.deep.test");
    CHECK(mx["hosts_not_checked"].number() == 0);

    const Json& mta_sts = row["mta_sts"];
    CHECK(mta_sts["query"].string() == "_mta-sts.full.deep.test");
    CHECK(mta_sts["lookup"].string() == "found");
    CHECK(mta_sts["status"].string() == "valid");
    CHECK(mta_sts["id"].string() == "20261129T0000");
    CHECK(strings(mta_sts["records"]) == std::vector<std::string>{"v=STSv1; id=20261129T0000"});
    CHECK(mta_sts["diagnostics"].size() == 0);
    const Json& policy = mta_sts["policy"];
    CHECK(policy["url"].string() == "https://mta-sts.full.deep.test/.well-known/mta-sts.txt");
    CHECK(policy["fetch"].string() == "no-address");
    CHECK(policy["address"].is_null());
    CHECK(policy["result"].is_null());
    CHECK(policy["status"].is_null());

    const Json& dane = row["dane"];
    REQUIRE(dane.size() == 2);
    CHECK(dane[0]["host"].string() == "mx1.deep.test");
    CHECK(dane[0]["tlsa"].string() == "found");
    CHECK_FALSE(dane[0]["authenticated"].boolean());
    REQUIRE(dane[0]["usages"].size() == 1);
    CHECK(dane[0]["usages"][0].number() == 3);
    CHECK(dane[0]["tlsrpt"].string() == "none");
    CHECK(dane[0]["tlsrpt_status"].string() == "missing");
    CHECK(dane[1]["tlsa"].string() == "none");

    const Json& destinations = row["destinations"];
    REQUIRE(destinations.size() == 2);
    CHECK(destinations[0]["uri"].string() == "mailto:tlsrpt@reports.deep.test");
    CHECK(destinations[0]["host"].string() == "reports.deep.test");
    CHECK(destinations[0]["verdict"].string() == "ok");
    CHECK(strings(destinations[0]["found"]) == std::vector<std::string>{"mx1.deep.test"});
    CHECK(destinations[1]["verdict"].string() == "ok");
    CHECK(strings(destinations[1]["found"]) ==
          std::vector<std::string>{"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"});
    CHECK(row["misplaced"].size() == 0);
}

TEST_CASE("deep: DANE on a signed zone, with a usable and an unusable host") {
    const Checked checked = deep("dane.test");
    const Json& row = checked.row;
    CHECK(row["status"].string() == "invalid");
    CHECK(sorted_codes(row) ==
          std::vector<std::string>{"dane-host-without-tlsrpt", "dane-unusable-usage",
                                   "mta-sts-policy-fetch-failed", "non-public-host"});
    CHECK(row["mx"]["authenticated"].boolean());
    const Json& dane = row["dane"];
    REQUIRE(dane.size() == 2);
    CHECK(dane[0]["host"].string() == "mx1.dane.test");
    CHECK(dane[0]["authenticated"].boolean());
    CHECK(dane[0]["usages"][0].number() == 3);
    CHECK(dane[0]["tlsrpt"].string() == "found");
    CHECK(dane[0]["tlsrpt_status"].string() == "warning");
    CHECK(dane[1]["host"].string() == "mx2.dane.test");
    CHECK(dane[1]["authenticated"].boolean());
    CHECK(dane[1]["usages"][0].number() == 1);
    CHECK(dane[1]["tlsrpt"].string() == "none");
}

TEST_CASE("deep: null MX and no MX are notes") {
    const Checked null_mx = deep("nullmx.deep.test");
    CHECK(null_mx.exit_code == 1);
    CHECK(sorted_codes(null_mx.row) == std::vector<std::string>{"non-public-host", "null-mx"});
    CHECK(null_mx.row["mx"]["null_mx"].boolean());
    CHECK(null_mx.row["dane"].size() == 0);

    const Checked no_mx = deep("nomx.deep.test");
    CHECK(sorted_codes(no_mx.row) == std::vector<std::string>{"no-mx", "non-public-host"});
    CHECK(no_mx.row["mx"]["lookup"].string() == "none");
    CHECK(no_mx.row["mx"]["implicit"].boolean());
    CHECK(no_mx.row["dane"][0]["host"].string() == "nomx.deep.test");
    // A mailto domain without MX receives at its address records.
    CHECK(no_mx.row["destinations"][0]["verdict"].string() == "ok");
    CHECK(strings(no_mx.row["destinations"][0]["found"]) ==
          std::vector<std::string>{"93.184.215.14"});
}

TEST_CASE("deep: MTA-STS without TLS-RPT, and a broken MTA-STS record") {
    const Checked only = deep("stsonly.deep.test");
    CHECK(only.exit_code == 2);
    CHECK(only.row["status"].string() == "missing");
    CHECK(sorted_codes(only.row) ==
          std::vector<std::string>{"dane-host-without-tlsrpt", "dane-not-authenticated",
                                   "mta-sts-policy-fetch-failed", "mta-sts-without-tlsrpt",
                                   "no-record"});

    const Checked broken = deep("stsbad.deep.test");
    CHECK(broken.exit_code == 3);
    CHECK(broken.row["status"].string() == "invalid");
    CHECK_FALSE(broken.row["policy"].is_null());
    CHECK(has_code(broken.row, "mta-sts-invalid"));
    CHECK(broken.row["mta_sts"]["status"].string() == "invalid");
    REQUIRE(broken.row["mta_sts"]["diagnostics"].size() == 1);
    CHECK(broken.row["mta_sts"]["diagnostics"][0]["code"].string() == "mta-sts-invalid-id");
}

TEST_CASE("deep: destinations that cannot receive reports make the row invalid") {
    const Checked checked = deep("baddest.deep.test");
    CHECK(checked.exit_code == 3);
    CHECK(checked.row["status"].string() == "invalid");
    std::vector<std::pair<std::string, std::string>> verdicts;
    for (const Json& destination : checked.row["destinations"].array()) {
        verdicts.emplace_back(destination["host"].string(), destination["verdict"].string());
    }
    using Verdict = std::pair<std::string, std::string>;
    CHECK(verdicts == std::vector<Verdict>{{"nullmx.deep.test", "null-mx"},
                                           {"nomail.deep.test", "no-mail-host"},
                                           {"private.deep.test", "non-public"},
                                           {"nowhere.deep.test", "unresolvable"},
                                           {"[::1]", "non-public"}});
    const std::vector<std::string> found = codes(checked.row);
    CHECK(std::count(found.begin(), found.end(), "destination-null-mx") == 1);
    CHECK(std::count(found.begin(), found.end(), "destination-no-mail-host") == 1);
    CHECK(std::count(found.begin(), found.end(), "destination-unresolvable") == 1);
    CHECK(std::count(found.begin(), found.end(), "destination-non-public") == 2);
}

TEST_CASE("deep: at most ten destinations of a record are checked, the rest counted") {
    const Checked checked = deep("manydest.deep.test");
    std::vector<std::string> hosts;
    for (const Json& destination : checked.row["destinations"].array()) {
        hosts.push_back(destination["host"].string());
    }
    CHECK(hosts == std::vector<std::string>{"d1.deep.test", "d2.deep.test", "d3.deep.test",
                                            "d4.deep.test", "d5.deep.test", "d6.deep.test",
                                            "d7.deep.test", "d8.deep.test", "d9.deep.test",
                                            "d10.deep.test"});
    CHECK(checked.row["destinations_not_checked"].number() == 2);
    const std::vector<std::string> found = codes(checked.row);
    CHECK(std::count(found.begin(), found.end(), "destination-unresolvable") == 10);
    CHECK(std::count(found.begin(), found.end(), "destinations-not-checked") == 1);
}

TEST_CASE("deep: a failed lookup of a destination is a warning, never a verdict") {
    const Checked checked = deep("downdest.deep.test");
    CHECK(checked.row["status"].string() == "warning");
    CHECK(has_code(checked.row, "deep-lookup-failed"));
    CHECK(checked.row["destinations"][0]["verdict"].string() == "dns-servfail");
}

TEST_CASE("deep: TLS-RPT records at the wrong names are named") {
    const std::map<std::string, std::pair<std::string, std::string>> cases = {
        {"apex.deep.test", {"misplaced-record-apex", "apex.deep.test"}},
        {"label.deep.test", {"misplaced-record-tlsrpt-label", "_tlsrpt.label.deep.test"}},
        {"draft.deep.test", {"misplaced-record-draft-name", "_smtp-tlsrpt.draft.deep.test"}},
    };
    for (const auto& [domain, expected] : cases) {
        INFO(domain);
        const Checked checked = deep(domain);
        CHECK(checked.row["status"].string() == "missing");
        CHECK(sorted_codes(checked.row) ==
              std::vector<std::string>{expected.first, "no-mx", "no-record"});
        REQUIRE(checked.row["misplaced"].size() == 1);
        CHECK(checked.row["misplaced"][0]["name"].string() == expected.second);
        CHECK(checked.row["misplaced"][0]["record"].string() ==
              "v=TLSRPTv1; rua=mailto:tlsrpt@reports.deep.test");
    }
    // With a policy in place nobody looks elsewhere.
    CHECK(deep("full.deep.test").row["misplaced"].size() == 0);
}

TEST_CASE("deep: without --deep no section is printed") {
    const Checked checked = check_domain(unbound, "full.deep.test");
    CHECK_FALSE(checked.row.contains("mx"));
    CHECK_FALSE(checked.row.contains("mta_sts"));
    CHECK_FALSE(checked.row.contains("dane"));
    CHECK_FALSE(checked.row.contains("destinations"));
    CHECK(checked.row["status"].string() == "warning");
    CHECK(sorted_codes(checked.row) ==
          std::vector<std::string>{"non-public-host", "non-public-host"});
}

TEST_CASE("deep: the text format shows a line per fact") {
    const ProcessResult run = run_process(
        {TLSRPT_BINARY, "--server", unbound, "--deep", "full.deep.test", "baddest.deep.test"});
    INFO(run.out);
    for (const char* line : {
             "  mx: 10 mx1.deep.test, 20 mx2.deep.test (not authenticated)",
             "  mta-sts: valid, id 20261129T0000",
             "  mta-sts policy: not fetched: the policy host has no address",
             "  TLS-RPT record 1: v=TLSRPTv1; rua=mailto:tlsrpt@reports.deep.test,"
             "https://collector.deep.test/v1",
             "    MTA-STS record 1: v=STSv1; id=20261129T0000",
             "  dane mx1.deep.test: TLSA usage 3, not authenticated; TLS-RPT missing",
             "  dane mx2.deep.test: no TLSA; TLS-RPT missing",
             "  destination mailto:tlsrpt@reports.deep.test: ok (mx1.deep.test)",
             "  destination https://collector.deep.test/v1: ok (93.184.215.14, "
             "2606:2800:21f:cb07:6820:80da:af6b:8b2c)",
             "baddest.deep.test: invalid: the TLS-RPT record is usable, but errors around it "
             "break reporting",
             "  destination mailto:r@nullmx.deep.test: null-mx",
             "  destination https://private.deep.test/r: non-public (10.1.2.3)",
             "  error destination-unresolvable: reports to the rua destination "
             "nowhere.deep.test cannot be posted: nowhere.deep.test has no A or AAAA record",
         }) {
        CHECK(has_line(run.out, line));
    }
    // Errors, then warnings, then notes.
    const std::string baddest = run.out.substr(run.out.find("baddest.deep.test: "));
    const auto last_error = baddest.rfind("\n  error ");
    const auto first_warning = baddest.find("\n  warning ");
    const auto first_note = baddest.find("\n  info ");
    REQUIRE(last_error != std::string::npos);
    REQUIRE(first_warning != std::string::npos);
    CHECK(last_error < first_warning);
    CHECK((first_note == std::string::npos || first_warning < first_note));
}

TEST_CASE("deep: csv gains its columns, with the same header on every row") {
    const ProcessResult run =
        run_process({TLSRPT_BINARY, "--server", unbound, "--deep", "--format", "csv",
                     "full.deep.test", "label.deep.test", "nullmx.deep.test"});
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] ==
          "domain,status,codes,record,suggested_record,rcode,ttl,authenticated,dns_error,cnames,"
          "server,attempts,elapsed_ms,input,line,mx,mx_authenticated,mta_sts,mta_sts_id,dane,"
          "destinations,misplaced,mta_sts_policy,mta_sts_mode");
    const auto ends_with = [](const std::string& text, const std::string& tail) {
        return text.size() >= tail.size() &&
               text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
    };
    CHECK(ends_with(lines[1],
                    ",full.deep.test,,mx1.deep.test|mx2.deep.test,false,valid,20261129T0000,"
                    "mx1.deep.test unauthenticated|mx2.deep.test none,"
                    "mailto:tlsrpt@reports.deep.test ok|https://collector.deep.test/v1 ok,,"
                    "no-address,"));
    CHECK(ends_with(lines[2],
                    ",label.deep.test,,implicit,false,missing,,label.deep.test none,,"
                    "_tlsrpt.label.deep.test,no-address,"));
    CHECK(ends_with(lines[3],
                    ",nullmx.deep.test,,null-mx,false,missing,,,"
                    "https://collector.deep.test/v1 ok,,no-address,"));
}

TEST_CASE("deep: nagios and prometheus carry the findings") {
    const ProcessResult nagios = run_process(
        {TLSRPT_BINARY, "--server", unbound, "--deep", "--format", "nagios", "baddest.deep.test"});
    CHECK(nagios.exit_code == 2);
    CHECK(lines_of(nagios.out)
              .at(0)
              .rfind("TLSRPT CRITICAL - baddest.deep.test: TLS-RPT policy in use, but with errors "
                     "around it: ",
                     0) == 0);
    const ProcessResult prometheus = run_process(
        {TLSRPT_BINARY, "--server", unbound, "--deep", "--format", "prometheus", "dane.test"});
    for (const char* line : {
             "tlsrpt_mta_sts_status{domain=\"dane.test\",status=\"valid\"} 1",
             "tlsrpt_mx_hosts{domain=\"dane.test\"} 2",
             "tlsrpt_dane_hosts{domain=\"dane.test\"} 2",
             "tlsrpt_destinations_unreachable{domain=\"dane.test\"} 0",
         }) {
        CHECK(has_line(prometheus.out, line));
    }
}

TEST_CASE("deep: a bulk run gives every line the row a single check gives") {
    const std::vector<std::string> domains = {
        "full.deep.test",   "nullmx.deep.test",  "nomx.deep.test", "stsonly.deep.test",
        "stsbad.deep.test", "baddest.deep.test", "apex.deep.test", "dane.test"};
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> single;
    for (const std::string& domain : domains) {
        const Checked checked = deep(domain);
        single[domain] = {checked.row["status"].string(), sorted_codes(checked.row)};
    }
    std::string list;
    constexpr int rounds = 25;
    for (int round = 0; round < rounds; ++round) {
        for (const std::string& domain : domains) list += domain + "\n";
    }
    const TempFile file(list);
    for (const char* concurrency : {"1", "64"}) {
        INFO("concurrency " << concurrency);
        const ProcessResult run =
            run_process({TLSRPT_BINARY, "--server", unbound, "--deep", "--format", "jsonl",
                         "--concurrency", concurrency, "-f", file.path()});
        const auto lines = lines_of(run.out);
        REQUIRE(lines.size() == domains.size() * rounds);
        for (const std::string& line : lines) {
            const Json row = Json::parse(line);
            const std::string domain = row["domain"].string();
            INFO(domain);
            CHECK(row["status"].string() == single[domain].first);
            CHECK(sorted_codes(row) == single[domain].second);
        }
    }
}
