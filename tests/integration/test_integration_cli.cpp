// The check command as a user runs it: several domains, every format, exit codes, bad input.
#include <catch2/catch.hpp>

#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

ProcessResult run_check(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {TLSRPT_BINARY, "--server", unbound});
    return run_process(arguments);
}

}  // namespace

TEST_CASE("several domains: one JSON array in the order given, the highest exit code") {
    const auto run = run_check({"--format", "json", "nx.cases.test", "valid.cases.test",
                                "invalid.cases.test", "warning.cases.test"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 3);
    const Json rows = Json::parse(run.out);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0]["domain"].string() == "nx.cases.test");
    CHECK(rows[0]["status"].string() == "missing");
    CHECK(rows[1]["status"].string() == "valid");
    CHECK(rows[2]["status"].string() == "invalid");
    CHECK(rows[3]["status"].string() == "warning");
}

TEST_CASE("one failed lookup makes the exit code 4") {
    const auto run = run_check({"--format", "jsonl", "valid.cases.test", "bogus.test"});
    CHECK(run.exit_code == 4);
}

TEST_CASE("jsonl prints one object per line") {
    const auto run = run_check({"--format", "jsonl", "valid.cases.test", "alias.cases.test"});
    CHECK(run.exit_code == 0);
    const auto newline = run.out.find('\n');
    REQUIRE(newline != std::string::npos);
    CHECK(Json::parse(run.out.substr(0, newline))["domain"].string() == "valid.cases.test");
    CHECK(Json::parse(run.out.substr(newline + 1))["domain"].string() == "alias.cases.test");
}

TEST_CASE("csv prints a header and one row per domain") {
    const auto run = run_check({"--format", "csv", "valid.cases.test", "nx.cases.test"});
    CHECK(run.exit_code == 2);
    CHECK(std::count(run.out.begin(), run.out.end(), '\n') == 3);
    CHECK(run.out.rfind("domain,", 0) == 0);
    CHECK(run.out.find("valid.cases.test,valid,") != std::string::npos);
    CHECK(run.out.find("nx.cases.test,missing,no-record") != std::string::npos);
}

TEST_CASE("`check` is the default command") {
    const auto implicit = run_check({"--format", "json", "valid.cases.test"});
    const auto explicit_check = run_process(
        {TLSRPT_BINARY, "check", "--server", unbound, "--format", "json", "valid.cases.test"});
    CHECK(implicit.exit_code == 0);
    CHECK(explicit_check.exit_code == 0);
    CHECK(Json::parse(implicit.out)["status"].string() ==
          Json::parse(explicit_check.out)["status"].string());
}

TEST_CASE("text: a verdict line per domain, control characters from DNS escaped") {
    const auto run = run_check({"valid.cases.test", "escape.cases.test"});
    CHECK(run.exit_code == 3);
    CHECK(run.out.rfind("valid.cases.test: valid", 0) == 0);
    CHECK(run.out.find("escape.cases.test: invalid") != std::string::npos);
    CHECK(run.out.find('\x1b') == std::string::npos);
    CHECK(run.out.find('\x07') == std::string::npos);
}

TEST_CASE("a bad domain name is invalid-domain and never queried") {
    const auto checked = check_domain(unbound, "bad..name");
    CHECK(checked.exit_code == 4);
    CHECK(checked.row["status"].string() == "error");
    CHECK(codes(checked.row) == std::vector<std::string>{"invalid-domain"});
    CHECK(checked.row["dns"].is_null());
    CHECK(checked.row["query"].is_null());
}

TEST_CASE("a domain too long once _smtp._tls. is added is invalid-domain") {
    const std::string label(60, 'a');
    const std::string domain = label + "." + label + "." + label + "." + label + ".test";
    const auto checked = check_domain(unbound, domain);
    CHECK(checked.exit_code == 4);
    CHECK(codes(checked.row) == std::vector<std::string>{"invalid-domain"});
}

TEST_CASE("only IP addresses with an optional port are accepted by --server") {
    for (const std::string bad : {"resolver.example", "127.0.0.1:0", "[::1", "1.2.3.4:99999"}) {
        const auto run = run_process({TLSRPT_BINARY, "--server", bad, "valid.cases.test"});
        INFO(bad << ": " << run.err);
        CHECK(run.exit_code == 64);
        CHECK(run.err.find("--server") != std::string::npos);
        CHECK(run.out.empty());
    }
}

TEST_CASE("the query name, a URL or an address gives its domain, with a note saying so") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"_smtp._tls.valid.cases.test", "query-name-given"},
        {"https://valid.cases.test/tlsrpt", "url-given"},
        {"postmaster@valid.cases.test", "address-given"},
    };
    for (const auto& [input, note] : cases) {
        const auto checked = check_domain(unbound, input);
        INFO(input);
        CHECK(checked.exit_code == 0);
        CHECK(checked.row["status"].string() == "valid");
        CHECK(checked.row["input"].string() == input);
        CHECK(checked.row["domain"].string() == "valid.cases.test");
        CHECK(checked.row["query"].string() == "_smtp._tls.valid.cases.test");
        CHECK(codes(checked.row) == std::vector<std::string>{note});
    }
    const auto text = run_check({"_smtp._tls.valid.cases.test"});
    CHECK(text.out.find("  info query-name-given: The input is the name the record is published "
                        "at, _smtp._tls.valid.cases.test; the domain valid.cases.test is "
                        "checked.\n") != std::string::npos);
}

TEST_CASE("what is still no domain is invalid-domain, and the message says what it saw") {
    const auto checked = check_domain(unbound, "https://192.0.2.1/");
    CHECK(checked.exit_code == 4);
    CHECK(codes(checked.row) == std::vector<std::string>{"invalid-domain"});
    CHECK(checked.row["diagnostics"][0]["message"].string() ==
          "expected a domain name such as example.com, saw an IP address: "
          "\"https://192.0.2.1/\"; TLS-RPT records are published under domain names");
}

TEST_CASE("a missing record says what to publish: the generate command and what it prints") {
    const auto run = run_check({"nx.cases.test"});
    CHECK(run.exit_code == 2);
    const auto lines = lines_of(run.out);
    const auto next = std::find_if(lines.begin(), lines.end(), [](const std::string& line) {
        return line.starts_with("next step: ");
    });
    REQUIRE(next != lines.end());
    REQUIRE(lines.end() - next >= 3);
    CHECK(*next ==
          "next step: publish a TLS-RPT record; replace REPLACE-ME@example.com with the mailbox "
          "that is to receive the reports:");
    const std::string command = next[1];
    const std::string zone_line = next[2];
    CHECK(command ==
          "  tlsrpt-check generate --format zone --domain nx.cases.test --mailto "
          "REPLACE-ME@example.com");
    // The command, run as shown, prints the zone line shown.
    std::istringstream words(command);
    std::vector<std::string> argv;
    for (std::string word; words >> word;) argv.push_back(word);
    argv.front() = TLSRPT_BINARY;
    const auto generated = run_process(argv);
    CHECK(generated.exit_code == 0);
    CHECK(generated.out == zone_line.substr(2) + "\n");
    CHECK(zone_line ==
          "  _smtp._tls.nx.cases.test. 86400 IN TXT \"v=TLSRPTv1; "
          "rua=mailto:REPLACE-ME@example.com\"");
}
