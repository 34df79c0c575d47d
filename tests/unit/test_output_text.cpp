#include <catch2/catch.hpp>

#include <sstream>

#include "output/formatter.hpp"
#include "output_samples.hpp"
#include "tlsrpt/generate.hpp"

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

// What a missing record without a domain (lint) ends with.
const std::string next_step_without_domain =
    "next step: publish a TLS-RPT record; replace REPLACE-ME@example.com with the mailbox that "
    "is to receive the reports:\n"
    "  tlsrpt-check generate --format zone --mailto REPLACE-ME@example.com\n"
    "  _smtp._tls 86400 IN TXT \"v=TLSRPTv1; rua=mailto:REPLACE-ME@example.com\"\n";

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
          "  info unrelated-txt-record: SPF. (record 1)\n" +
              next_step_without_domain);
}

TEST_CASE("check results name their domain and several results end with totals") {
    CheckResult error;
    error.input = "bad\x1b[2J";
    error.evaluation.status = Status::error;
    error.evaluation.diagnostics = {{"dns-timeout", Severity::error, "No answer.", {}, {}, 0}};
    CHECK(
        as_text({samples::check_result(), error}) ==
        "example.com (line 3): missing: no TLS-RPT policy is published\n"
        "  lookup: NXDOMAIN from 127.0.0.1:5353 in 1.2 ms, 1 attempt, TTL 300 left in the "
        "resolver's cache, DNSSEC-authenticated\n"
        "  via CNAME: a.example.net\n"
        "next step: publish a TLS-RPT record; replace REPLACE-ME@example.com with the mailbox "
        "that is to receive the reports:\n"
        "  tlsrpt-check generate --format zone --domain example.com --mailto "
        "REPLACE-ME@example.com\n"
        "  _smtp._tls.example.com. 86400 IN TXT \"v=TLSRPTv1; rua=mailto:REPLACE-ME@example.com\"\n"
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

TEST_CASE("findings are listed errors first, then warnings, then notes, each in order found") {
    CheckResult result;
    result.evaluation.status = Status::invalid;
    result.evaluation.diagnostics = {{"note-1", Severity::info, "N1.", {}, {}, 0},
                                     {"warning-1", Severity::warning, "W1.", {}, {}, 0},
                                     {"error-1", Severity::error, "E1.", {}, {}, 0},
                                     {"note-2", Severity::info, "N2.", {}, {}, 0},
                                     {"error-2", Severity::error, "E2.", {}, {}, 0}};
    CHECK(as_text({result}) ==
          "invalid: senders will not use this policy\n"
          "  error error-1: E1.\n"
          "  error error-2: E2.\n"
          "  warning warning-1: W1.\n"
          "  info note-1: N1.\n"
          "  info note-2: N2.\n");
}

TEST_CASE("deep rows label each record by its kind and do not contradict their verdict") {
    CheckResult result;
    result.domain = "example.com";
    result.evaluation.status = Status::invalid;
    result.evaluation.records = {"v=TLSRPTv1; rua=mailto:a@example.com"};
    result.evaluation.policy = Policy{0, "TLSRPTv1", {}, {}};
    result.evaluation.diagnostics = {
        {"mta-sts-invalid", Severity::error, "MTA-STS is broken.", {}, {}, 0},
        {"scheme-case", Severity::warning, "Case.", 0, 12, 3}};
    result.deep = DeepResult{};
    result.deep->mx.lookup = LookupState::none;
    result.deep->mta_sts.lookup = LookupState::found;
    result.deep->mta_sts.evaluation.status = Status::invalid;
    result.deep->mta_sts.evaluation.records = {"v=STSv1; id=;"};
    result.deep->mta_sts.evaluation.diagnostics = {
        {"mta-sts-duplicate-id", Severity::warning, "Two ids.", 0, {}, 0},
        {"mta-sts-invalid-id", Severity::error, "Bad id.", 0, 9, 3}};
    CHECK(as_text({result}) ==
          "example.com: invalid: the TLS-RPT record is usable, but errors around it break "
          "reporting\n"
          "  TLS-RPT record 1: v=TLSRPTv1; rua=mailto:a@example.com\n"
          "  mx: none: the domain does not exist\n"
          "  mta-sts: invalid\n"
          "    MTA-STS record 1: v=STSv1; id=;\n"
          "    error mta-sts-invalid-id: Bad id.\n"
          "    MTA-STS record 1: v=STSv1; id=;\n"
          "                               ^^^\n"
          "    warning mta-sts-duplicate-id: Two ids. (MTA-STS record 1)\n"
          "  error mta-sts-invalid: MTA-STS is broken.\n"
          "  warning scheme-case: Case.\n"
          "    TLS-RPT record 1: v=TLSRPTv1; rua=mailto:a@example.com\n"
          "                                  ^^^\n");
}

TEST_CASE("authoritative rows show a line per server and each answer with its records") {
    CheckResult result = samples::check_result();
    result.authoritative = samples::authoritative_result();
    result.dns->ttl_source = TtlSource::authoritative;
    const std::string text = as_text({result});
    const auto start = text.find("  lookup:");
    const auto end = text.find("next step:");
    REQUIRE(end != std::string::npos);
    CHECK(text.substr(start, end - start) ==
          "  lookup: NXDOMAIN from 127.0.0.1:5353 in 1.2 ms, 1 attempt, TTL 300 as published, "
          "DNSSEC-authenticated\n"
          "  via CNAME: a.example.net\n"
          "  authoritative: zone split.test, the servers disagree: 2 answers\n"
          "  name server ns1.split.test (127.0.91.53): answer 1 (NOERROR, AA), TTL 3600, serial "
          "2026120202, 1.2 ms\n"
          "  name server ns2.split.test (127.0.91.54): answer 2 (NOERROR, AA), TTL 300, serial "
          "2026120201, 0.5 ms\n"
          "  name server ns3.split.test (127.0.91.55): lame (REFUSED, no AA), 0.2 ms\n"
          "  name server ns4.split.test: no-address\n"
          "  answer 1: NOERROR, valid\n"
          "    record 1: v=TLSRPTv1; rua=mailto:t@split.test\n"
          "  answer 2: NOERROR, invalid\n"
          "    record 1: v=tlsrptv1; rua=mailto:t@split.test\n");

    AuthoritativeResult agree;
    agree.lookup = LookupState::found;
    agree.zone = "agree.test";
    agree.consistent = true;
    result.authoritative = agree;
    CHECK(as_text({result}).find("\n  authoritative: zone agree.test, the servers agree\n") !=
          std::string::npos);
    result.authoritative = AuthoritativeResult{LookupState::dns_timeout, "", {}, 0, {}, {}};
    CHECK(as_text({result}).find("\n  authoritative: lookup failed (dns-timeout)\n") !=
          std::string::npos);
}

TEST_CASE("a suggested record over 255 octets shows as the strings of a zone file") {
    CheckResult result = invalid_with_caret("v=TLSRPTv1", 0, 0);
    std::string record = "v=TLSRPTv1; rua=";
    for (int i = 0; i < 12; ++i) {
        record +=
            (i > 0 ? ",mailto:reports-" : "mailto:reports-") + std::to_string(i) + "@example.com";
    }
    REQUIRE(record.size() > 255);
    result.evaluation.suggested_record = record;
    const auto strings = split_character_strings(record);
    REQUIRE(strings.size() == 2);
    CHECK(strings[0].size() <= 255);
    const std::string text = as_text({result});
    CHECK(text.substr(text.find("suggested record")) ==
          "suggested record, in character-strings of at most 255 octets that senders join with "
          "nothing in between:\n\"" +
              strings[0] + "\" \"" + strings[1] + "\"\n");
}
