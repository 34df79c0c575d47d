#include <catch2/catch.hpp>

#include <sstream>

#include "output/escape.hpp"
#include "output/formatter.hpp"
#include "output_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;

namespace {

struct PluginOutput {
    std::string text;
    int exit_code = -1;
};

PluginOutput as_nagios(const std::vector<CheckResult>& results, FormatterOptions options = {}) {
    std::ostringstream out;
    const auto formatter = make_formatter(Format::nagios, out, options);
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    return {out.str(), static_cast<int>(formatter->exit_code())};
}

CheckResult looked_up(const std::string& domain, Status status) {
    CheckResult result;
    result.input = domain;
    result.domain = domain;
    result.query = "_smtp._tls." + domain;
    result.dns = LookupInfo{"NOERROR", std::nullopt, {}, 300, false, "127.0.0.1:53", 1, 12.5};
    result.evaluation.status = status;
    return result;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("nagios: each status maps to its plugin state and exit code") {
    const struct {
        Status status;
        std::string state;
        int exit_code;
    } cases[] = {{Status::valid, "OK", 0},
                 {Status::warning, "WARNING", 1},
                 {Status::invalid, "CRITICAL", 2},
                 {Status::missing, "CRITICAL", 2},
                 {Status::error, "UNKNOWN", 3}};
    for (const auto& c : cases) {
        const auto output = as_nagios({looked_up("example.com", c.status)});
        INFO(output.text);
        CHECK(output.text.rfind("TLSRPT " + c.state + " - example.com: ", 0) == 0);
        CHECK(output.exit_code == c.exit_code);
    }
}

TEST_CASE("nagios: --missing chooses the state of a missing record") {
    FormatterOptions options;
    options.missing_state = PluginState::ok;
    CHECK(as_nagios({looked_up("example.com", Status::missing)}, options).exit_code == 0);
    options.missing_state = PluginState::warning;
    CHECK(as_nagios({looked_up("example.com", Status::missing)}, options).exit_code == 1);
}

TEST_CASE("nagios: several domains, worst state first CRITICAL then WARNING then UNKNOWN") {
    const auto unknown_and_warning =
        as_nagios({looked_up("a.example", Status::error), looked_up("b.example", Status::warning)});
    CHECK(unknown_and_warning.exit_code == 1);
    const auto unknown_and_ok =
        as_nagios({looked_up("a.example", Status::error), looked_up("b.example", Status::valid)});
    CHECK(unknown_and_ok.exit_code == 3);
    CHECK(first_line(unknown_and_ok.text) ==
          "TLSRPT UNKNOWN - 2 domains: 1 valid, 1 error | 'a.example time'=0.012500s;;;0 "
          "'b.example time'=0.012500s;;;0 'b.example records'=0;;;0 "
          "'b.example destinations'=0;;;0 'b.example ttl'=300s;;;0");
    CHECK(unknown_and_ok.text.find("\n[UNKNOWN] a.example: lookup failed: ") != std::string::npos);
    CHECK(unknown_and_ok.text.find("\n[OK] b.example: valid TLS-RPT policy, 0 destinations\n") !=
          std::string::npos);
}

TEST_CASE("nagios: exact output of a warning, with a TTL threshold") {
    CheckResult result = samples::lint_result();
    result.domain = "example.com";
    result.dns = LookupInfo{"NOERROR", std::nullopt, {}, 300, true, "127.0.0.1:53", 1, 1.5};
    FormatterOptions options;
    options.min_ttl = 600;
    CHECK(as_nagios({result}, options).text ==
          "TLSRPT WARNING - example.com: TLS-RPT policy in use, with warnings: unsupported-scheme "
          "| time=0.001500s;;;0 records=1;;;0 destinations=1;;;0 ttl=300s;600:;;0\n"
          "warning unsupported-scheme: Only mailto and https are supported.\n");
}

TEST_CASE("nagios: verbosity adds notes, destinations, records and DNS details") {
    CheckResult result = samples::lint_result();
    result.domain = "example.com";
    result.dns = LookupInfo{"NOERROR", std::nullopt, {}, 300, true, "127.0.0.1:53", 1, 1.5};
    FormatterOptions options;
    options.verbosity = 1;
    const std::string once = as_nagios({result}, options).text;
    CHECK(once.find("\nreports to: mailto:a@example.com\n") != std::string::npos);
    CHECK(once.find("\ninfo note: A note about no record.\n") != std::string::npos);
    CHECK(once.find("record 1:") == std::string::npos);
    options.verbosity = 2;
    const std::string twice = as_nagios({result}, options).text;
    CHECK(twice.find("\nrecord 1: v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\\001\\255\n") !=
          std::string::npos);
    CHECK(twice.find("\nsuggested record: v=TLSRPTv1; rua=mailto:a@example.com\n") !=
          std::string::npos);
    CHECK(twice.find("\ndns: server 127.0.0.1:53, rcode NOERROR, 1 attempt(s), 1.500 ms, ttl 300 "
                     "(resolver), authenticated yes\n") != std::string::npos);
}

TEST_CASE("nagios: untrusted text adds no line and no performance data") {
    CheckResult result = looked_up("example.com", Status::invalid);
    result.domain.reset();
    result.dns.reset();
    result.input = "evil|x\nTLSRPT OK - fine";
    result.evaluation.records = {"v=TLSRPTv1|\r\n; rua=x"};
    result.evaluation.diagnostics = {
        {"invalid-uri|x", Severity::error, "bad\nline | here", 0, std::nullopt, 0}};
    FormatterOptions options;
    options.verbosity = 2;
    const std::string text = as_nagios({result}, options).text;
    INFO(text);
    CHECK(first_line(text) ==
          "TLSRPT CRITICAL - evil\\124x\\010TLSRPT OK - fine: senders will not use the TLS-RPT "
          "record: invalid-uri\\124x");
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
    CHECK(text.find('|') == std::string::npos);
    CHECK(text.find('\r') == std::string::npos);
}

TEST_CASE("nagios: a name is escaped as data, its backslashes doubled") {
    CheckResult result = looked_up("example.com", Status::error);
    result.domain.reset();
    result.dns.reset();
    result.input = "a\\027b\x1b";  // a backslash and "027", then a real ESC
    result.evaluation.diagnostics = {{"invalid-domain", Severity::error, "bad", {}, {}, 0}};
    CHECK(first_line(as_nagios({result}).text) ==
          "TLSRPT UNKNOWN - a\\\\027b\\027: lookup failed: invalid-domain");
}

TEST_CASE("nagios: a lookup the check timeout ended names the step") {
    CheckResult result = looked_up("example.com", Status::error);
    result.dns->error = "dns-timeout";
    result.dns->elapsed_ms = 5000.4;
    result.evaluation.diagnostics = {{"dns-timeout", Severity::error, "no answer", {}, {}, 0}};
    FormatterOptions options;
    options.check_timeout = std::chrono::seconds(5);
    CHECK(first_line(as_nagios({result}, options).text) ==
          "TLSRPT UNKNOWN - example.com: check timeout of 5 s reached during the TXT lookup of "
          "_smtp._tls.example.com | time=5.000400s;;;0");
    result.dns->elapsed_ms = 2000;  // the per-query timeouts ended it first
    CHECK(first_line(as_nagios({result}, options).text) ==
          "TLSRPT UNKNOWN - example.com: lookup failed: dns-timeout | time=2.000000s;;;0");
}

TEST_CASE("nagios: nothing checked is UNKNOWN, and the UNKNOWN line for failures") {
    const auto output = as_nagios({});
    CHECK(output.text == "TLSRPT UNKNOWN - no domain was checked\n");
    CHECK(output.exit_code == 3);
    CHECK(nagios_unknown_line("bad | option\n") == "TLSRPT UNKNOWN - bad \\124 option\\010\n");
}

TEST_CASE("nagios: performance data labels are escaped and quoted") {
    CHECK(perfdata_label("time") == "time");
    CHECK(perfdata_label("a.example time") == "'a.example time'");
    CHECK(perfdata_label("x'y=z|w") == "x\\039y\\061z\\124w");
}
