// `tlsrpt-check generate`: every format, the destination rules, errors and exit codes; what it
// prints always lints as valid.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli.hpp"
#include "json.hpp"

using namespace tlsrpt::testing;

namespace {

// The character-strings of a zone line, as lint takes them: everything after "IN TXT ".
std::string strings_of_zone_line(const std::string& zone_output) {
    const std::string line = zone_output.substr(zone_output.rfind("_smtp._tls"));
    return line.substr(line.find("IN TXT ") + 7, line.size() - line.find("IN TXT ") - 8);
}

}  // namespace

TEST_CASE("generate: the record value from every kind of destination") {
    const auto run = run_cli({"generate", "--mailto", "tlsrpt@example.com", "--https",
                              "HTTPS://reports.example.net/tlsrpt", "ops@example.org",
                              "MAILTO:tlsrpt@example.com"});
    CHECK(run.out ==
          "v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/tlsrpt,"
          "mailto:ops@example.org\n");
    CHECK(run.err.empty());
    CHECK(run.exit_code == 0);
}

TEST_CASE("generate: delimiters are percent-encoded and IDN hosts become A-labels") {
    const auto run =
        run_cli({"generate", "https://rapports.bücher.de/a,b;c!d", "mailto:tls!rpt@bücher.de"});
    CHECK(run.out ==
          "v=TLSRPTv1; rua=https://rapports.xn--bcher-kva.de/a%2Cb%3Bc%21d,"
          "mailto:tls%21rpt@xn--bcher-kva.de\n");
    CHECK(run.exit_code == 0);
}

TEST_CASE("generate: a zone-file line at --domain with --ttl") {
    auto run = run_cli({"generate", "--format", "zone", "--domain", "Bücher.DE.", "--ttl", "3600",
                        "tlsrpt@example.com"});
    CHECK(
        run.out ==
        "_smtp._tls.xn--bcher-kva.de. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\"\n");
    CHECK(run.exit_code == 0);
    run = run_cli({"generate", "--format", "zone", "tlsrpt@example.com"});
    CHECK(run.out == "_smtp._tls 86400 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\"\n");
}

TEST_CASE("generate: long records split into strings of at most 255 octets, after a comma") {
    std::vector<std::string> arguments = {"generate", "--format", "zone", "--domain",
                                          "example.com"};
    for (int i = 1; i <= 12; ++i) {
        arguments.push_back("mailto:tls-reports-" + std::to_string(i) + "@reports.example.org");
    }
    const auto run = run_cli(arguments);
    CHECK(run.exit_code == 0);
    CHECK(run.out.rfind("; TXT strings hold at most 255 octets: resolvers and mail servers join "
                        "these\n; strings with nothing in between.\n_smtp._tls.example.com. 86400 "
                        "IN TXT \"v=TLSRPTv1; rua=mailto:tls-reports-1@reports.example.org,",
                        0) == 0);
    const std::string strings = strings_of_zone_line(run.out);
    // Every string ends after a comma, except the last; each is at most 255 octets.
    std::size_t start = 0;
    while (start < strings.size()) {
        const std::size_t end = strings.find("\" \"", start);
        const std::string piece = strings.substr(
            start + 1, (end == std::string::npos ? strings.size() - 1 : end) - start - 1);
        CHECK(piece.size() <= 255);
        if (end == std::string::npos) break;
        CHECK(piece.back() == ',');
        start = end + 2;
    }
    CHECK(start > 0);
    const auto lint = run_cli({"lint", strings});
    CHECK(lint.exit_code == 0);
}

TEST_CASE("generate: JSON output") {
    const auto run = run_cli({"generate", "--format", "json", "--domain", "example.com",
                              "a@example.com", "a@example.com"});
    CHECK(run.out ==
          "{\n"
          "  \"schema_version\": 1,\n"
          "  \"record\": \"v=TLSRPTv1; rua=mailto:a@example.com\",\n"
          "  \"rua\": [\n"
          "    \"mailto:a@example.com\"\n"
          "  ],\n"
          "  \"strings\": [\n"
          "    \"v=TLSRPTv1; rua=mailto:a@example.com\"\n"
          "  ],\n"
          "  \"zone\": \"_smtp._tls.example.com. 86400 IN TXT \\\"v=TLSRPTv1; "
          "rua=mailto:a@example.com\\\"\"\n"
          "}\n");
    CHECK_NOTHROW(Json::parse(run.out));
    CHECK(run.exit_code == 0);
}

TEST_CASE("generate: without a destination, a usage error") {
    const auto run = run_cli({"generate", "--format", "zone"});
    CHECK(run.out.empty());
    CHECK(run.err ==
          "tlsrpt-check: error: generate needs at least one report destination: --mailto ADDR, "
          "--https URL, or a mailto:, https:// or user@host argument\n");
    CHECK(run.exit_code == 64);
}

TEST_CASE("generate: a bad destination names itself and why, exit 65") {
    auto run = run_cli({"generate", "a@example.com", "http://reports.example.net/x"});
    CHECK(run.out.empty());
    CHECK(run.err ==
          "tlsrpt-check: error: destination http://reports.example.net/x: The http scheme is not "
          "supported: reports carry no protection in transit; use https.\n");
    CHECK(run.exit_code == 65);

    run = run_cli({"generate", "ftp://reports.example.net/x"});
    CHECK(run.err ==
          "tlsrpt-check: error: destination ftp://reports.example.net/x: Only mailto: and "
          "https: destinations are supported.\n");
    CHECK(run.exit_code == 65);

    run = run_cli({"generate", "--https", "reports.example.net"});
    CHECK(run.err ==
          "tlsrpt-check: error: --https reports.example.net: expected a URL starting with "
          "https://\n");
    CHECK(run.exit_code == 65);

    run = run_cli({"generate", "--domain", "bad..example", "a@example.com"});
    CHECK(run.err.rfind("tlsrpt-check: error: --domain bad..example: ", 0) == 0);
    CHECK(run.exit_code == 65);
}

TEST_CASE("generate: option values out of range are usage errors") {
    auto run = run_cli({"generate", "--ttl", "-1", "a@example.com"});
    CHECK(run.err ==
          "tlsrpt-check: error: --ttl: expected a number of seconds from 0 to 2147483647, got "
          "'-1'\n");
    CHECK(run.exit_code == 64);
    run = run_cli({"generate", "--format", "yaml", "a@example.com"});
    CHECK(run.err == "tlsrpt-check: error: --format: yaml not in {value,zone,json}\n");
    CHECK(run.exit_code == 64);
}

TEST_CASE("generate: whatever it prints lints as valid") {
    const std::vector<std::vector<std::string>> cases = {
        {"a@example.com"},
        {"https://reports.example.net/a,b;c!d?x=1,2"},
        {"mailto:a,b@example.com", "mailto:c;d@example.com"},
        {"postmaster@exämple.com", "https://bücher.example.org/tls"},
        {"MAILTO:Ops@Example.COM", "HtTpS://Example.NET:8443/path"},
        {"a@example.com", "A@EXAMPLE.COM", "mailto:a@example.com"},
    };
    for (const auto& destinations : cases) {
        std::vector<std::string> arguments = {"generate", "--format", "zone"};
        arguments.insert(arguments.end(), destinations.begin(), destinations.end());
        const auto run = run_cli(arguments);
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        const auto lint = run_cli({"lint", strings_of_zone_line(run.out)});
        INFO(lint.out);
        CHECK(lint.exit_code == 0);
    }
}
