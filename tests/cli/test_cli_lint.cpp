// `tlsrpt-check lint`: records from arguments, files and standard input, exact output and
// exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>

#include <unistd.h>

#include "cli.hpp"
#include "json.hpp"
#include "temp_file.hpp"
#include "utf8.hpp"

using namespace tlsrpt::testing;

namespace {

constexpr const char* valid_output =
    "valid: senders will use this policy\n"
    "  record 1: v=TLSRPTv1; rua=mailto:a@example.com\n"
    "  reports to: mailto:a@example.com\n";

// How an error of the record reader ends.
const std::string expected_formats =
    " Expected a TXT record as dig +short prints it (\"...\" \"...\"), a zone-file line (NAME "
    "[TTL] [CLASS] TXT \"...\") or dig output.";

// One byte as a presentation-format \DDD escape.
std::string presentation_escape(int byte) {
    char text[5];
    std::snprintf(text, sizeof text, "\\%03d", byte);
    return text;
}

}  // namespace

TEST_CASE("lint: a valid record prints the verdict and exits 0") {
    const auto run = run_cli({"lint", "v=TLSRPTv1; rua=mailto:a@example.com"});
    CHECK(run.out == valid_output);
    CHECK(run.err.empty());
    CHECK(run.exit_code == 0);
}

TEST_CASE("lint: findings point at the record and a suggestion follows") {
    const auto run = run_cli({"lint", "v=tlsrptv1;rua=mailto:a@example.com"});
    CHECK(run.out ==
          "invalid: senders will not use this policy\n"
          "  record 1: v=tlsrptv1;rua=mailto:a@example.com\n"
          "  error version-case: The version must be written exactly v=TLSRPTv1: it is "
          "case-sensitive.\n"
          "    record 1: v=tlsrptv1;rua=mailto:a@example.com\n"
          "              ^^^^^^^^^^\n"
          "suggested record:\n"
          "v=TLSRPTv1; rua=mailto:a@example.com\n");
    CHECK(run.err.empty());
    CHECK(run.exit_code == 3);
}

TEST_CASE("lint: dig-style split strings are joined with nothing in between") {
    const auto run = run_cli({"lint", R"("v=TLSRPTv1; rua=mailto:a@" "example.com")"});
    CHECK(run.out == valid_output);
    CHECK(run.exit_code == 0);
}

TEST_CASE("lint: all records given form one RRset") {
    const auto run = run_cli({"lint", R"("v=TLSRPTv1; rua=mailto:a@example.com")",
                              R"("v=TLSRPTv1; rua=https://r.example.net/x")"});
    CHECK(run.out ==
          "invalid: senders will not use this policy\n"
          "  record 1: v=TLSRPTv1; rua=mailto:a@example.com\n"
          "  record 2: v=TLSRPTv1; rua=https://r.example.net/x\n"
          "  error multiple-tlsrpt-records: 2 records begin with v=TLSRPTv1; senders then use "
          "none of them: publish exactly one.\n"
          "suggested record:\n"
          "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/x\n");
    CHECK(run.exit_code == 3);
}

TEST_CASE("lint: records come from a file, one per line") {
    // Blank lines are skipped, CRLF line ends accepted.
    const TempFile file("\"v=TLSRPTv1; rua=mailto:a@\" \"example.com\"\r\n\n   \n");
    for (const char* option : {"-f", "--file"}) {
        const auto run = run_cli({"lint", option, file.path()});
        CHECK(run.out == valid_output);
        CHECK(run.err.empty());
        CHECK(run.exit_code == 0);
    }
}

TEST_CASE("lint: - reads standard input, as a positional argument or with -f") {
    const std::string dig_output = "\"v=TLSRPTv1; rua=mailto:a@\" \"example.com\"\n";
    for (const auto& arguments :
         {std::vector<std::string>{"lint", "-"}, std::vector<std::string>{"lint", "-f", "-"}}) {
        const auto run = run_cli(arguments, dig_output);
        CHECK(run.out == valid_output);
        CHECK(run.exit_code == 0);
    }
}

TEST_CASE("lint: malformed presentation input names the line and column, exit 65") {
    SECTION("in an argument") {
        const auto run = run_cli({"lint", "\"v=TLSRPTv1; rua=mailto:a@example.com"});
        CHECK(run.out.empty());
        CHECK(run.err ==
              "tlsrpt-check: error: argument 1, column 1: Unterminated quoted string: the "
              "closing quote is missing." +
                  expected_formats + "\n");
        CHECK(run.exit_code == 65);
    }
    SECTION("in a file") {
        const TempFile file("\"v=TLSRPTv1;\"\n\n\"rua=mailto:a@\\999\"\n");
        const auto run = run_cli({"lint", "-f", file.path()});
        CHECK(run.out.empty());
        CHECK(run.err == "tlsrpt-check: error: " + file.path() +
                             ":3:15: The escape \\999 is above 255." + expected_formats + "\n");
        CHECK(run.exit_code == 65);
    }
    SECTION("on standard input") {
        const auto run = run_cli({"lint", "-"}, "\"ok\"\n\"cut\n");
        CHECK(run.err ==
              "tlsrpt-check: error: <stdin>:2:1: Unterminated quoted string: the closing quote "
              "is missing." +
                  expected_formats + "\n");
        CHECK(run.exit_code == 65);
    }
}

TEST_CASE("lint: a zone-file line, as an argument or in a file") {
    const std::string line =
        "_smtp._tls.example.com. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:a@\" \"example.com\"";
    CHECK(run_cli({"lint", line}).out == valid_output);
    const TempFile zone("$ORIGIN example.com.\n; TLS reporting\n@ 3600 IN MX 10 mx\n" + line +
                        "\n");
    const auto run = run_cli({"lint", "-f", zone.path()});
    CHECK(run.out == valid_output);
    CHECK(run.err.empty());
    CHECK(run.exit_code == 0);
}

TEST_CASE("lint: whole dig output, of which the ANSWER section counts") {
    const std::string dig =
        "\n; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> TXT _smtp._tls.example.com\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n\n"
        ";; OPT PSEUDOSECTION:\n"
        "; EDNS: version: 0, flags:; udp: 1232\n"
        ";; QUESTION SECTION:\n"
        ";_smtp._tls.example.com.\t\tIN\tTXT\n\n"
        ";; ANSWER SECTION:\n"
        "_smtp._tls.example.com.\t3600\tIN\tTXT\t\"v=TLSRPTv1; rua=mailto:a@\" \"example.com\"\n"
        "_smtp._tls.example.com.\t3600\tIN\tTXT\t\"v=spf1 -all\"\n\n"
        ";; Query time: 3 msec\n"
        ";; SERVER: 127.0.0.1#53(127.0.0.1) (UDP)\n"
        ";; MSG SIZE  rcvd: 140\n";
    const auto run = run_cli({"lint", "-"}, dig);
    CHECK(run.out ==
          "valid: senders will use this policy\n"
          "  record 1: v=TLSRPTv1; rua=mailto:a@example.com\n"
          "  record 2: v=spf1 -all\n"
          "  reports to: mailto:a@example.com\n"
          "  info unrelated-txt-record: An SPF record does not belong at _smtp._tls; TLS-RPT "
          "senders ignore it. (record 2)\n");
    CHECK(run.exit_code == 0);
}

TEST_CASE("lint: an argument that is a record of another type names what lint reads") {
    const auto run = run_cli({"lint", "example.com. 300 IN MX 10 mx.example.com."});
    CHECK(run.out.empty());
    CHECK(run.err ==
          "tlsrpt-check: error: argument 1, column 1: This is a record of type MX, "
          "not a TXT record." +
              expected_formats + "\n");
    CHECK(run.exit_code == 65);
}

TEST_CASE("lint: an unreadable file exits 66") {
    auto run = run_cli({"lint", "-f", "/nonexistent/records.txt"});
    CHECK(run.out.empty());
    CHECK(run.err ==
          "tlsrpt-check: error: cannot open /nonexistent/records.txt: No such file or directory\n");
    CHECK(run.exit_code == 66);
    run = run_cli({"lint", "-f", "/"});
    CHECK(run.err == "tlsrpt-check: error: cannot read /: Is a directory\n");
    CHECK(run.exit_code == 66);
}

TEST_CASE("lint: usage errors exit 64") {
    auto run = run_cli({"lint"});
    CHECK(run.err ==
          "tlsrpt-check: error: lint needs records as arguments, -f FILE, or - for standard "
          "input\n");
    CHECK(run.exit_code == 64);
    run = run_cli({"lint", "--format", "xml", "v=TLSRPTv1"});
    CHECK(run.err == "tlsrpt-check: error: --format: xml not in {text,json}\n");
    CHECK(run.exit_code == 64);
}

TEST_CASE("lint: JSON output") {
    const auto run = run_cli({"lint", "--format", "json",
                              R"("v=TLSRPTv1; rua=mailto:a@" "example.com")", "v=spf1 -all"});
    CHECK(run.exit_code == 0);
    const Json json = Json::parse(run.out);
    CHECK(json["status"].string() == "valid");
    REQUIRE(json["records"].size() == 2);
    CHECK(json["records"][0].string() == "v=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(json["policy"]["version"].string() == "TLSRPTv1");
    CHECK(json["policy"]["rua"][0]["uri"].string() == "mailto:a@example.com");
    CHECK(json["policy"]["rua"][0]["scheme"].string() == "mailto");
    CHECK(json["policy"]["rua"][0]["supported"].boolean());
    CHECK(json["policy"]["extensions"].size() == 0);
    CHECK(json["suggested_record"].is_null());
    CHECK_FALSE(json.contains("domain"));
}

TEST_CASE("lint: JSON stays valid UTF-8 and text shows no raw control byte, whatever the bytes") {
    const auto run = run_cli(
        {"lint", "--format", "json", R"("v=TLSRPTv1; rua=mailto:a@ex\001\255ample.com\027[2J")"});
    CHECK(run.exit_code == 3);
    CHECK(run.out.find("\"v=TLSRPTv1; rua=mailto:a@ex\\u0001\xef\xbf\xbd"
                       "ample.com\\u001b[2J\"") != std::string::npos);

    // Random bytes, written as \DDD escapes so that every byte value reaches the record.
    std::mt19937 random(8460);
    std::uniform_int_distribution<int> byte(0, 255), size(1, 40);
    std::string lines;
    for (int line = 0; line < 200; ++line) {
        lines += "\"v=TLSRPTv1; rua=";
        for (int i = size(random); i > 0; --i) lines += presentation_escape(byte(random));
        lines += "\"\n";
    }
    const auto json = run_cli({"lint", "--format", "json", "-"}, lines);
    CHECK(json.exit_code == 3);
    CHECK(is_valid_utf8(json.out));
    CHECK_NOTHROW(Json::parse(json.out));
    const auto text = run_cli({"lint", "-"}, lines);
    CHECK(text.exit_code == 3);
    const auto raw = std::find_if(text.out.begin(), text.out.end(),
                                  [](char c) { return c != '\n' && (c < 0x20 || c > 0x7e); });
    CHECK(raw == text.out.end());
}
