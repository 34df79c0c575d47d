#include <catch2/catch.hpp>

#include <sstream>

#include "output/formatter.hpp"
#include "output_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;

namespace {

std::string as_text(const std::vector<CheckResult>& results, bool colour = false) {
    std::ostringstream out;
    const auto formatter = make_formatter(Format::text, out, {.colour = colour});
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    return out.str();
}

CheckResult invalid_with_caret(std::string record, std::size_t offset, std::size_t length) {
    CheckResult result;
    result.evaluation.status = Status::invalid;
    result.evaluation.records = {std::move(record)};
    result.evaluation.diagnostics = {{"code", Severity::error, "Message.", 0, offset, length}};
    return result;
}

}  // namespace

TEST_CASE("text shows the verdict, records, findings with carets and the suggestion") {
    CHECK(as_text({samples::lint_result()}) ==
          "warning: senders will use this policy, but see the warnings\n"
          "  record 1: v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\\001\\255\n"
          "  reports to: mailto:a@example.com\n"
          "  warning unsupported-scheme: Only mailto and https are supported.\n"
          "    record 1: v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\\001\\255\n"
          "                                                   ^^^^^^^^^^^^^^^\n"
          "  info note: A note about no record.\n"
          "suggested record:\n"
          "v=TLSRPTv1; rua=mailto:a@example.com\n");
}

TEST_CASE("carets align under escaped bytes") {
    CHECK(as_text({invalid_with_caret("v=TLSRPTv1;\t\\x", 12, 2)}) ==
          "invalid: senders will not use this policy\n"
          "  record 1: v=TLSRPTv1;\\009\\\\x\n"
          "  error code: Message.\n"
          "    record 1: v=TLSRPTv1;\\009\\\\x\n"
          "                             ^^^\n");
}

TEST_CASE("an empty range gets one caret, ranges past the end are clamped") {
    const std::string at_end = as_text({invalid_with_caret("v=TLSRPTv1", 10, 0)});
    CHECK(at_end.substr(at_end.rfind("    record")) ==
          "    record 1: v=TLSRPTv1\n"
          "                        ^\n");
    const std::string past_end = as_text({invalid_with_caret("v=TLSRPTv1", 50, 9)});
    CHECK(past_end.substr(past_end.rfind("    record")) ==
          "    record 1: v=TLSRPTv1\n"
          "                        ^\n");
}

TEST_CASE("a finding about a whole record names the record") {
    CheckResult result;
    result.evaluation.status = Status::missing;
    result.evaluation.records = {"v=spf1 -all"};
    result.evaluation.diagnostics = {{"unrelated-txt-record", Severity::info, "SPF.", 0, {}, 0}};
    CHECK(as_text({result}) ==
          "missing: no TLS-RPT policy is published\n"
          "  record 1: v=spf1 -all\n"
          "  info unrelated-txt-record: SPF. (record 1)\n");
}

TEST_CASE("check results name their domain and several results end with totals") {
    CheckResult error;
    error.input = "bad\x1b[2J";
    error.evaluation.status = Status::error;
    error.evaluation.diagnostics = {{"dns-timeout", Severity::error, "No answer.", {}, {}, 0}};
    CHECK(as_text({samples::check_result(), error}) ==
          "example.com (line 3): missing: no TLS-RPT policy is published\n"
          "  lookup: NXDOMAIN from 127.0.0.1:5353 in 1.2 ms, 1 attempt, TTL 300, "
          "DNSSEC-authenticated\n"
          "  via CNAME: a.example.net\n"
          "\n"
          "bad\\027[2J: error: the lookup failed, the policy is unknown\n"
          "  error dns-timeout: No answer.\n"
          "\n"
          "2 results: 0 valid, 0 warning, 1 missing, 0 invalid, 1 error\n");
}

TEST_CASE("rows from a list give their line; rows without a lookup say why") {
    CheckResult invalid;
    invalid.input = "a..b";
    invalid.line = 7;
    invalid.evaluation.status = Status::error;
    invalid.evaluation.diagnostics = {
        {"invalid-domain", Severity::error, "An empty label.", {}, {}, 0}};
    CheckResult interrupted;
    interrupted.input = "example.org";
    interrupted.domain = "example.org";
    interrupted.line = 8;
    interrupted.evaluation.status = Status::error;
    interrupted.evaluation.diagnostics = {{"interrupted", Severity::error, "Stopped.", {}, {}, 0}};
    CHECK(as_text({invalid, interrupted}) ==
          "a..b (line 7): error: the name cannot be looked up\n"
          "  error invalid-domain: An empty label.\n"
          "\n"
          "example.org (line 8): error: the run stopped before the lookup finished\n"
          "  error interrupted: Stopped.\n"
          "\n"
          "2 results: 0 valid, 0 warning, 0 missing, 0 invalid, 2 error\n");
}

TEST_CASE("colour marks status, severities and carets, and never data") {
    CheckResult result = invalid_with_caret("v=TLSRPTv1\x1b[31m", 10, 5);
    const std::string plain = as_text({result});
    CHECK(plain.find('\x1b') == std::string::npos);
    const std::string coloured = as_text({result}, true);
    CHECK(coloured.find("\x1b[1m\x1b[31minvalid\x1b[0m: senders will not use this policy\n") == 0);
    CHECK(coloured.find("  record 1: v=TLSRPTv1\\027[31m\n") != std::string::npos);
    CHECK(coloured.find("\x1b[1m\x1b[32m^^^^^^^^\x1b[0m\n") != std::string::npos);
}

TEST_CASE("a failed lookup says how many attempts it made and escapes what DNS sent") {
    CheckResult result;
    result.domain = "example.com";
    result.dns = LookupInfo{
        "", "dns-timeout", {"evil\x1b]0;x\x07.example"}, std::nullopt, false, "", 3, 4000};
    result.evaluation.status = Status::error;
    CHECK(as_text({result}) ==
          "example.com: error: the lookup failed, the policy is unknown\n"
          "  lookup: no answer in 4000.0 ms, 3 attempts, not authenticated\n"
          "  via CNAME: evil\\027]0;x\\007.example\n");
}
