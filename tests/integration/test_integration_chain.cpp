// --deep and --deep --probe end to end: the real binary against the live TLS chain of the
// testbed (chain/README.md), the MTA-STS policy hosts over HTTPS and the SMTP servers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

// Every address of the chain is on loopback: the tool connects only with --allow-private.
std::vector<std::string> chain_argv(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {TLSRPT_BINARY,     "--server",  unbound,      "--deep",
                                     "--allow-private", "--ca-file", chain_ca_file};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

Checked chain(const std::string& domain, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> options = {"--deep", "--allow-private", "--ca-file", chain_ca_file};
    options.insert(options.end(), extra.begin(), extra.end());
    return check_domain(unbound, domain, options);
}

using Finding = std::pair<std::string, std::string>;  // code, severity

// The row's diagnostics as (code, severity), sorted.
std::vector<Finding> findings(const Json& row) {
    std::vector<Finding> found;
    for (const Json& diagnostic : row["diagnostics"].array()) {
        found.emplace_back(diagnostic["code"].string(), diagnostic["severity"].string());
    }
    std::sort(found.begin(), found.end());
    return found;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The only probe of a row.
const Json& only_probe(const Json& row) {
    REQUIRE(row["probes"].size() == 1);
    return row["probes"][0];
}

const std::string good_policy_file[] = {"version: STSv1", "mode: enforce", "mx: mx-good.chain.test",
                                        "max_age: 86400"};

}  // namespace

TEST_CASE("chain: the good domain's policy is fetched and its mail host passes under DANE") {
    const Checked checked = chain("good.chain.test", {"--probe"});
    const Json& row = checked.row;
    CHECK(checked.exit_code == 1);
    // Only the rua's loopback mail host is a finding.
    CHECK(findings(row) == std::vector<Finding>{{"non-public-host", "warning"}});

    const Json& policy = row["mta_sts"]["policy"];
    CHECK(policy["url"].string() == "https://mta-sts.good.chain.test/.well-known/mta-sts.txt");
    CHECK(policy["fetch"].string() == "fetched");
    CHECK(policy["address"].string() == net + ".43");
    CHECK(policy["http_status"].number() == 200);
    CHECK(policy["media_type"].string() == "text/plain");
    CHECK(policy["error"].is_null());
    CHECK(policy["result"].is_null());
    CHECK(policy["status"].string() == "valid");
    CHECK(policy["mode"].string() == "enforce");
    CHECK(strings(policy["mx"]) == std::vector<std::string>{"mx-good.chain.test"});
    CHECK(policy["max_age"].number() == 86400);
    CHECK(strings(policy["policy_strings"]) ==
          std::vector<std::string>(std::begin(good_policy_file), std::end(good_policy_file)));
    CHECK(policy["diagnostics"].size() == 0);

    const Json& probe = only_probe(row);
    CHECK(probe["host"].string() == "mx-good.chain.test");
    CHECK(probe["address"].string() == net + ".25");
    CHECK(probe["connected"].boolean());
    CHECK(probe["stage"].string() == "done");
    CHECK(probe["ending"].string() == "completed");
    CHECK(probe["reply_code"].number() == 220);
    CHECK(probe["tls_version"].string() == "TLSv1.3");
    CHECK(probe["certificate"]["subject"].string() == "CN=mx-good.chain.test");
    CHECK(probe["certificate"]["issuer"].string() == "CN=tlsrpt-check test root");
    CHECK(strings(probe["certificate"]["dns_names"]) ==
          std::vector<std::string>{"mx-good.chain.test", "mx-danebad.chain.test",
                                   "mx-daneta.chain.test", "mx-usage01.chain.test"});
    CHECK(probe["dane"].string() == "matched");
    CHECK(probe["policy_type"].string() == "tlsa");
    CHECK(probe["result"].is_null());
    CHECK(probe["failure_reason_code"].is_null());
    CHECK_FALSE(probe["transient"].boolean());

    // DANE takes precedence over MTA-STS: one tlsa policy, its one session successful.
    const Json& policies = row["predicted_report"]["policies"];
    REQUIRE(policies.size() == 1);
    const Json& report = policies[0];
    CHECK(report["policy"]["policy-type"].string() == "tlsa");
    CHECK(report["policy"]["policy-domain"].string() == "mx-good.chain.test");
    CHECK(strings(report["policy"]["mx-host"]) == std::vector<std::string>{"mx-good.chain.test"});
    const auto tlsa = strings(report["policy"]["policy-string"]);
    REQUIRE(tlsa.size() == 1);
    CHECK(tlsa[0].rfind("3 1 1 ", 0) == 0);
    CHECK(tlsa[0].size() == 6 + 64);  // a SHA-256 digest in hex
    CHECK(report["summary"]["total-successful-session-count"].number() == 1);
    CHECK(report["summary"]["total-failure-session-count"].number() == 0);
    CHECK(report["failure-details"].size() == 0);
}

TEST_CASE("chain: a policy that cannot be fetched is an error with its result type") {
    struct Case {
        std::string domain;
        std::vector<std::string> extra;
        std::string code;
        std::string result;
    };
    // slow answers after 60 s: the tool's own limit ends the fetch first.
    const std::vector<Case> cases = {
        {"notfound", {}, "mta-sts-policy-fetch-failed", "sts-policy-fetch-error"},
        {"redirect", {}, "mta-sts-policy-fetch-failed", "sts-policy-fetch-error"},
        {"oversized", {}, "mta-sts-policy-fetch-failed", "sts-policy-fetch-error"},
        {"slow",
         {"--fetch-timeout", "3000"},
         "mta-sts-policy-fetch-failed",
         "sts-policy-fetch-error"},
        {"unreachable", {}, "mta-sts-policy-fetch-failed", "sts-policy-fetch-error"},
        {"expired", {}, "mta-sts-policy-webpki-invalid", "sts-webpki-invalid"},
        {"wrongname", {}, "mta-sts-policy-webpki-invalid", "sts-webpki-invalid"},
        {"untrusted", {}, "mta-sts-policy-webpki-invalid", "sts-webpki-invalid"},
    };
    for (const Case& c : cases) {
        const std::string domain = c.domain + ".chain.test";
        INFO(domain);
        const Checked checked = chain(domain, c.extra);
        CHECK(checked.exit_code == 3);
        CHECK(checked.row["status"].string() == "invalid");
        CHECK(findings(checked.row) ==
              std::vector<Finding>{{c.code, "error"}, {"non-public-host", "warning"}});
        const Json& policy = checked.row["mta_sts"]["policy"];
        CHECK(policy["fetch"].string() == "failed");
        CHECK(policy["result"].string() == c.result);
        CHECK_FALSE(policy["error"].string().empty());
        CHECK(policy["status"].is_null());
        CHECK(policy["policy_strings"].size() == 0);
    }

    const Json notfound = chain("notfound.chain.test").row["mta_sts"]["policy"];
    CHECK(notfound["http_status"].number() == 404);
    CHECK(notfound["error"].string() == "HTTP status 404 instead of 200");
    const Json redirect = chain("redirect.chain.test").row["mta_sts"]["policy"];
    CHECK(redirect["http_status"].number() == 301);
    CHECK(redirect["location"].string() ==
          "https://mta-sts.good.chain.test/.well-known/mta-sts.txt");
    const Json oversized = chain("oversized.chain.test").row["mta_sts"]["policy"];
    CHECK(oversized["error"].string() == "the file is larger than 65536 octets");
    const Json unreachable = chain("unreachable.chain.test").row["mta_sts"]["policy"];
    CHECK(unreachable["address"].string() == net + ".44");
    CHECK(unreachable["http_status"].is_null());
}

TEST_CASE("chain: an invalid policy is read and its faults named") {
    const Checked checked = chain("invalid.chain.test");
    CHECK(checked.exit_code == 3);
    CHECK(findings(checked.row) == std::vector<Finding>{{"mta-sts-policy-invalid", "error"},
                                                        {"non-public-host", "warning"}});
    const Json& policy = checked.row["mta_sts"]["policy"];
    CHECK(policy["fetch"].string() == "fetched");
    CHECK(policy["http_status"].number() == 200);
    CHECK(policy["status"].string() == "invalid");
    CHECK(policy["result"].string() == "sts-policy-invalid");
    std::vector<std::string> policy_codes;
    for (const Json& diagnostic : policy["diagnostics"].array()) {
        policy_codes.push_back(diagnostic["code"].string());
    }
    CHECK(policy_codes ==
          std::vector<std::string>{"sts-policy-version-invalid", "sts-policy-mode-invalid"});
}

TEST_CASE("chain: fetched policies set beside the domain's records") {
    struct Case {
        std::string domain;
        int exit_code;
        std::vector<Finding> findings;
        std::string mode;
    };
    const std::vector<Case> cases = {
        // Served as text/html: a warning, the policy still applies.
        {"mediatype",
         1,
         {{"mta-sts-policy-media-type", "warning"}, {"non-public-host", "warning"}},
         "enforce"},
        {"mxmiss",
         3,
         {{"non-public-host", "warning"}, {"sts-mx-not-in-policy", "error"}},
         "enforce"},
        // No TLS-RPT record: the row is missing, and testing mode reports nowhere.
        {"testing",
         2,
         {{"mta-sts-without-tlsrpt", "warning"},
          {"no-record", "info"},
          {"sts-testing-without-tlsrpt", "warning"}},
         "testing"},
        {"noid",
         1,
         {{"non-public-host", "warning"}, {"sts-policy-without-record", "warning"}},
         "enforce"},
        {"wildcard", 1, {{"non-public-host", "warning"}}, "enforce"},
    };
    for (const Case& c : cases) {
        const std::string domain = c.domain + ".chain.test";
        INFO(domain);
        const Checked checked = chain(domain);
        CHECK(checked.exit_code == c.exit_code);
        CHECK(findings(checked.row) == c.findings);
        const Json& policy = checked.row["mta_sts"]["policy"];
        CHECK(policy["fetch"].string() == "fetched");
        CHECK(policy["status"].string() == "valid");
        CHECK(policy["mode"].string() == c.mode);
        CHECK(policy["result"].is_null());
    }
    CHECK(chain("mediatype.chain.test").row["mta_sts"]["policy"]["media_type"].string() ==
          "text/html");
    CHECK(strings(chain("mxmiss.chain.test").row["mta_sts"]["policy"]["mx"]) ==
          std::vector<std::string>{"*.other.test"});
}

TEST_CASE("chain: each SMTP fault is the result type a sender would report") {
    struct Case {
        std::string domain;
        std::vector<std::string> extra;
        Finding finding;  // beside non-public-host
        std::string policy_type;
        std::string result;
        std::string failure_reason_code;
    };
    const std::vector<Case> cases = {
        {"smtp-nostarttls",
         {},
         {"starttls-not-supported", "warning"},
         "no-policy-found",
         "starttls-not-supported",
         "STARTTLS not offered"},
        {"smtp-454",
         {},
         {"starttls-not-supported", "warning"},
         "no-policy-found",
         "starttls-not-supported",
         "STARTTLS refused: 454"},
        {"sts-nostarttls",
         {},
         {"starttls-not-supported", "error"},
         "sts",
         "starttls-not-supported",
         "STARTTLS not offered"},
        {"sts-expired",
         {},
         {"certificate-expired", "error"},
         "sts",
         "certificate-expired",
         "X509_V_ERR_CERT_HAS_EXPIRED"},
        {"sts-wrongname",
         {},
         {"certificate-host-mismatch", "error"},
         "sts",
         "certificate-host-mismatch",
         "X509_V_ERR_HOSTNAME_MISMATCH"},
        {"sts-untrusted",
         {},
         {"certificate-not-trusted", "error"},
         "sts",
         "certificate-not-trusted",
         "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN"},
        {"smtp-danebad",
         {},
         {"certificate-host-mismatch", "error"},
         "tlsa",
         "certificate-host-mismatch",
         "X509_V_ERR_DANE_NO_MATCH"},
        {"smtp-usage01",
         {},
         {"tlsa-invalid", "error"},
         "tlsa",
         "tlsa-invalid",
         "no usable TLSA record"},
        {"smtp-abort",
         {},
         {"validation-failure", "warning"},
         "no-policy-found",
         "validation-failure",
         "TLS handshake failed: wrong version number"},
    };
    for (const Case& c : cases) {
        const std::string domain = c.domain + ".chain.test";
        INFO(domain);
        std::vector<std::string> extra = {"--probe"};
        extra.insert(extra.end(), c.extra.begin(), c.extra.end());
        const Checked checked = chain(domain, extra);
        std::vector<Finding> expected = {c.finding, {"non-public-host", "warning"}};
        // smtp-usage01's TLSA records are a finding of --deep already.
        if (c.domain == "smtp-usage01") expected.emplace_back("dane-unusable-usage", "warning");
        std::sort(expected.begin(), expected.end());
        CHECK(findings(checked.row) == expected);
        CHECK(checked.exit_code == (c.finding.second == "error" ? 3 : 1));
        const Json& probe = only_probe(checked.row);
        CHECK(probe["connected"].boolean());
        CHECK(probe["policy_type"].string() == c.policy_type);
        CHECK(probe["result"].string() == c.result);
        CHECK(probe["failure_reason_code"].string() == c.failure_reason_code);
        CHECK_FALSE(probe["transient"].boolean());

        // The one failed session in the predicted report.
        const Json& policies = checked.row["predicted_report"]["policies"];
        REQUIRE(policies.size() == 1);
        CHECK(policies[0]["policy"]["policy-type"].string() == c.policy_type);
        CHECK(policies[0]["summary"]["total-successful-session-count"].number() == 0);
        CHECK(policies[0]["summary"]["total-failure-session-count"].number() == 1);
        REQUIRE(policies[0]["failure-details"].size() == 1);
        const Json& detail = policies[0]["failure-details"][0];
        CHECK(detail["result-type"].string() == c.result);
        CHECK(detail["receiving-mx-hostname"].string() == probe["host"].string());
        CHECK(detail["receiving-ip"].string() == probe["address"].string());
        CHECK(detail["failure-reason-code"].string() == c.failure_reason_code);
    }
}

TEST_CASE("chain: a probe ended for a reason senders retry concludes nothing") {
    struct Case {
        std::string domain;
        std::vector<std::string> extra;
        std::string stage;
        std::string ending;
    };
    const std::vector<Case> cases = {
        {"smtp-silent", {"--probe-timeout", "5000"}, "banner", "timed-out"},
        {"smtp-busy", {}, "banner", "rejected"},
        {"smtp-close", {}, "ehlo", "closed"},
    };
    for (const Case& c : cases) {
        const std::string domain = c.domain + ".chain.test";
        INFO(domain);
        std::vector<std::string> extra = {"--probe"};
        extra.insert(extra.end(), c.extra.begin(), c.extra.end());
        const Checked checked = chain(domain, extra);
        CHECK(checked.exit_code == 1);
        CHECK(findings(checked.row) == std::vector<Finding>{{"non-public-host", "warning"},
                                                            {"probe-incomplete", "warning"}});
        const Json& probe = only_probe(checked.row);
        CHECK(probe["connected"].boolean());
        CHECK(probe["stage"].string() == c.stage);
        CHECK(probe["ending"].string() == c.ending);
        CHECK(probe["transient"].boolean());
        CHECK(probe["result"].is_null());
        CHECK(checked.row["predicted_report"]["policies"].size() == 0);
    }
    CHECK(only_probe(chain("smtp-busy.chain.test", {"--probe"}).row)["reply_code"].number() == 421);
}

TEST_CASE("chain: without a policy any certificate will do") {
    const Checked checked = chain("smtp-expired.chain.test", {"--probe"});
    CHECK(checked.exit_code == 1);
    CHECK(findings(checked.row) == std::vector<Finding>{{"non-public-host", "warning"}});
    const Json& probe = only_probe(checked.row);
    CHECK(probe["host"].string() == "mx-expired.chain.test");
    CHECK(probe["address"].string() == net + ".26");
    CHECK(probe["stage"].string() == "done");
    CHECK(probe["policy_type"].string() == "no-policy-found");
    CHECK(probe["dane"].string() == "not-used");
    CHECK(probe["result"].is_null());
    const Json& policies = checked.row["predicted_report"]["policies"];
    REQUIRE(policies.size() == 1);
    CHECK(policies[0]["policy"]["policy-type"].string() == "no-policy-found");
    CHECK(policies[0]["summary"]["total-successful-session-count"].number() == 1);

    // DANE-TA matches the root the server sends.
    const Checked daneta_row = chain("smtp-daneta.chain.test", {"--probe"});
    const Json& daneta = only_probe(daneta_row.row);
    CHECK(daneta["policy_type"].string() == "tlsa");
    CHECK(daneta["dane"].string() == "matched");
    CHECK(daneta["result"].is_null());
}

TEST_CASE("chain: without --allow-private nothing on loopback is connected to") {
    const Checked checked =
        check_domain(unbound, "good.chain.test", {"--deep", "--probe", "--ca-file", chain_ca_file});
    CHECK(checked.exit_code == 1);
    CHECK(findings(checked.row) == std::vector<Finding>{{"mta-sts-policy-not-fetched", "info"},
                                                        {"non-public-host", "warning"},
                                                        {"probe-not-allowed", "info"}});
    const Json& policy = checked.row["mta_sts"]["policy"];
    CHECK(policy["fetch"].string() == "non-public");
    CHECK(policy["address"].is_null());
    CHECK(policy["http_status"].is_null());
    CHECK(policy["status"].is_null());
    const Json& probe = only_probe(checked.row);
    CHECK(probe["host"].string() == "mx-good.chain.test");
    CHECK(probe["address"].string() == net + ".25");
    CHECK_FALSE(probe["connected"].boolean());
    CHECK(probe["reply_code"].number() == 0);
    CHECK(probe["tls_version"].is_null());
    CHECK(probe["certificate"].is_null());
    CHECK(probe["result"].is_null());
    CHECK(checked.row["predicted_report"]["policies"].size() == 0);
}

TEST_CASE("chain: every JSON output matches its schema") {
    const std::vector<std::string> domains = {
        "good.chain.test",          "invalid.chain.test",      "redirect.chain.test",
        "mxmiss.chain.test",        "smtp-danebad.chain.test", "smtp-busy.chain.test",
        "sts-untrusted.chain.test", "smtp-usage01.chain.test"};
    // tests/schema/validate_outputs.py reads outputs as run_process keeps them: the output in
    // a file, the command line beside it with each argument ended by a NUL.
    const TempDirectory outputs;
    int kept = 0;
    const auto keep = [&](std::vector<std::string> argv) {
        argv.insert(argv.end(), domains.begin(), domains.end());
        const ProcessResult run = run_process(argv);
        INFO(run.err);
        REQUIRE_FALSE(run.out.empty());
        const std::string name = "output-" + std::to_string(++kept);
        outputs.write(name, run.out);
        std::string arguments;
        for (const std::string& argument : argv) arguments += argument + '\0';
        outputs.write(name + ".argv", arguments);
    };
    // With probes, as lines, without probes, and with nothing connected to.
    keep(chain_argv({"--probe", "--format", "json"}));
    keep(chain_argv({"--probe", "--format", "jsonl"}));
    keep(chain_argv({"--format", "json"}));
    keep({TLSRPT_BINARY, "--server", unbound, "--deep", "--probe", "--format", "json"});
    const ProcessResult check =
        run_process({"/usr/bin/python3", TLSRPT_SOURCE_DIR "/tests/schema/validate_outputs.py",
                     TLSRPT_SOURCE_DIR "/schema", outputs.path()});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    // Each document counted: jsonl's lines each, and the three arrays.
    CHECK(contains(check.out, "4 outputs, "));
    CHECK(contains(check.out, "'check-result.schema.json': " + std::to_string(domains.size())));
    CHECK(contains(check.out, "'check-results.schema.json': 3"));
}

TEST_CASE("chain: nagios warns of a certificate that expires soon") {
    const auto nagios = [](const std::vector<std::string>& extra) {
        std::vector<std::string> options = {"--format", "nagios", "--probe"};
        options.insert(options.end(), extra.begin(), extra.end());
        options.push_back("good.chain.test");
        return run_process(chain_argv(options));
    };
    // The leaf is valid for a year: under 400 days from the start.
    const ProcessResult warn = nagios({"--cert-warn", "400"});
    INFO(warn.out);
    CHECK(warn.exit_code == 1);
    const std::string warn_line = lines_of(warn.out).at(0);
    CHECK(warn_line.rfind("TLSRPT WARNING - good.chain.test: ", 0) == 0);
    CHECK(
        contains(warn_line, "the certificate of mx-good.chain.test (" + net + ".25) expires in "));
    CHECK(contains(warn_line, " cert_days="));
    CHECK(contains(warn_line, ";400:;"));

    const ProcessResult crit = nagios({"--cert-crit", "400"});
    INFO(crit.out);
    CHECK(crit.exit_code == 2);
    CHECK(lines_of(crit.out).at(0).rfind("TLSRPT CRITICAL - good.chain.test: ", 0) == 0);

    // Without thresholds the days are data only.
    const ProcessResult plain = nagios({});
    CHECK(plain.exit_code == 1);
    CHECK_FALSE(contains(plain.out, "expires in"));
    CHECK(contains(plain.out, " cert_days="));
}

TEST_CASE("chain: prometheus and csv carry the probe and the policy") {
    const ProcessResult prometheus =
        run_process(chain_argv({"--probe", "--format", "prometheus", "good.chain.test"}));
    INFO(prometheus.out);
    CHECK(prometheus.exit_code == 1);
    const std::string labels =
        "domain=\"good.chain.test\",host=\"mx-good.chain.test\",address=\"" + net + ".25\"";
    CHECK(has_line(prometheus.out, "tlsrpt_mx_tls_result{" + labels + ",result=\"ok\"} 1"));
    CHECK(contains(prometheus.out, "\ntlsrpt_mx_certificate_expiry_seconds{" + labels + "} "));
    CHECK(has_line(prometheus.out,
                   "tlsrpt_mta_sts_mode{domain=\"good.chain.test\",mode=\"enforce\"} 1"));
    CHECK(has_line(prometheus.out,
                   "tlsrpt_mta_sts_mode{domain=\"good.chain.test\",mode=\"testing\"} 0"));

    const ProcessResult csv = run_process(chain_argv(
        {"--probe", "--format", "csv", "good.chain.test", "smtp-nostarttls.chain.test"}));
    const auto lines = lines_of(csv.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].size() > 7);
    CHECK(lines[0].compare(lines[0].size() - 7, 7, ",probes") == 0);
    const auto last_column = [](const std::string& line) {
        return line.substr(line.rfind(',') + 1);
    };
    CHECK(last_column(lines[1]) == "mx-good.chain.test " + net + ".25 ok");
    CHECK(last_column(lines[2]) ==
          "mx-nostarttls.chain.test " + net + ".30 starttls-not-supported");
}

TEST_CASE("chain: a bulk run probes each mail host once for all its domains") {
    constexpr int domain_count = 3000;
    std::string list;
    for (int n = 1; n <= domain_count; ++n) list += "d" + std::to_string(n) + ".chain-bulk.test\n";
    const TempFile file(list);
    // 64 domains at once: the testbed's Unbound drops queries beyond its own limits when
    // several thousand cold names arrive together.
    ProcessOptions options;
    options.timeout_seconds = 600;
    const ProcessResult run = run_process(
        chain_argv({"--probe", "--format", "jsonl", "--concurrency", "64", "-f", file.path()}),
        options);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == domain_count);

    const std::map<int, std::pair<std::string, std::string>> expected = {
        {1, {"mx-good.chain.test", net + ".25"}},
        {2, {"mx-expired.chain.test", net + ".26"}},
        {0, {"mx-nostarttls.chain.test", net + ".30"}},
    };
    // A probe shared by all the domains of a host is the same in every row, down to its
    // elapsed time; a probe made anew for each would not be.
    std::map<std::string, std::vector<double>> elapsed;
    for (const auto& [line, row] : rows) {
        INFO("line " << line);
        CHECK(row["domain"].string() == "d" + std::to_string(line) + ".chain-bulk.test");
        const Json& probe = only_probe(row);
        const auto& [host, address] = expected.at(static_cast<int>(line % 3));
        CHECK(probe["host"].string() == host);
        CHECK(probe["address"].string() == address);
        CHECK(probe["connected"].boolean());
        CHECK_FALSE(probe["transient"].boolean());
        elapsed[host].push_back(probe["elapsed_ms"].number());
    }
    REQUIRE(elapsed.size() == 3);
    for (const auto& [host, times] : elapsed) {
        INFO(host);
        CHECK(times.size() == domain_count / 3);
        CHECK(std::count(times.begin(), times.end(), times.front()) ==
              static_cast<long>(times.size()));
    }
}
