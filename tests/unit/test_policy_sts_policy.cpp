// The MTA-STS policy corpus (testdata/sts-policies/): exact verdicts, codes and policies, every
// code with its severity, plus lines, positions, messages, MX pattern matching and the
// cross-checks case by case.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <catch2/catch.hpp>

#include "../support/corpus.hpp"
#include "../support/diagnostic_rules.hpp"
#include "tlsrpt/mta_sts.hpp"
#include "tlsrpt/sts_policy.hpp"

using namespace tlsrpt;
using namespace std::string_literals;

namespace {

const std::vector<corpus::PolicyCase>& cases() {
    static const std::vector<corpus::PolicyCase> loaded = [] {
        auto read = corpus::read_policy_cases(TLSRPT_TESTDATA_DIR "/sts-policies");
        if (!read) FAIL(read.error());
        return *read;
    }();
    return loaded;
}

std::vector<std::string> sorted_codes(const std::vector<Diagnostic>& diagnostics) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : diagnostics) codes.push_back(diagnostic.code);
    std::sort(codes.begin(), codes.end());
    return codes;
}

// Every code the evaluator reports, with its one severity (man/tlsrpt-check.1).
const std::vector<std::pair<std::string, Severity>> kCodes = {
    {"sts-policy-empty", Severity::error},
    {"sts-policy-not-text", Severity::error},
    {"sts-policy-line-invalid", Severity::error},
    {"sts-policy-version-missing", Severity::error},
    {"sts-policy-version-invalid", Severity::error},
    {"sts-policy-mode-missing", Severity::error},
    {"sts-policy-mode-invalid", Severity::error},
    {"sts-policy-max-age-missing", Severity::error},
    {"sts-policy-max-age-invalid", Severity::error},
    {"sts-policy-mx-missing", Severity::error},
    {"sts-policy-mx-invalid", Severity::error},
    {"sts-policy-duplicate-key", Severity::warning},
    {"sts-policy-unknown-key", Severity::warning},
    {"sts-policy-max-age-short", Severity::warning},
    {"sts-policy-mode-none", Severity::info},
    {"sts-policy-problems-not-listed", Severity::info},
};

const std::string kPolicy =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n";

const Diagnostic* find_code(const StsPolicyEvaluation& evaluation, std::string_view code) {
    const auto found = std::find_if(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                                    [&](const Diagnostic& d) { return d.code == code; });
    return found == evaluation.diagnostics.end() ? nullptr : &*found;
}

}  // namespace

TEST_CASE("the MTA-STS policy corpus is large and its case names are unique") {
    CHECK(cases().size() >= 100);
    std::set<std::string> names;
    for (const auto& c : cases()) {
        INFO(c.location);
        CHECK(names.insert(c.name).second);
    }
}

TEST_CASE("every MTA-STS policy corpus case gets its exact status, codes and policy") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const StsPolicyEvaluation evaluation = evaluate_sts_policy(c.body);
        CHECK(std::string(to_string(evaluation.status)) == c.status);
        CHECK(sorted_codes(evaluation.diagnostics) == c.codes);
        const std::optional<StsPolicy>& policy = evaluation.policy;
        CHECK((policy ? std::string(to_string(policy->mode)) : "-") == c.mode);
        CHECK((policy ? std::to_string(policy->max_age) : "-") == c.max_age);
        CHECK((policy ? fmt::format("{}", fmt::join(policy->mx, " ")) : "-") == c.mx);
    }
}

TEST_CASE("every MTA-STS policy code appears in the corpus with its severity, and no other code") {
    testing::check_codes_cover_corpus(
        cases(), [](const auto& c) { return evaluate_sts_policy(c.body).diagnostics; }, kCodes,
        "sts-policy-");
}

TEST_CASE("MTA-STS policy diagnostics point inside their line and quote none of its bytes") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const StsPolicyEvaluation evaluation = evaluate_sts_policy(c.body);
        for (const Diagnostic& diagnostic : evaluation.diagnostics) {
            INFO(diagnostic.code);
            CHECK(testing::rule_broken_by(diagnostic, evaluation.policy_strings) == "");
        }
    }
}

TEST_CASE("an MTA-STS policy is there exactly when senders apply it") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const StsPolicyEvaluation evaluation = evaluate_sts_policy(c.body);
        const bool applied =
            evaluation.status == Status::valid || evaluation.status == Status::warning;
        CHECK(evaluation.policy.has_value() == applied);
        if (evaluation.policy && evaluation.policy->mode != StsMode::none) {
            CHECK_FALSE(evaluation.policy->mx.empty());
        }
    }
}

TEST_CASE("the policy strings are the body's lines without their line breaks") {
    using Lines = std::vector<std::string>;
    const std::vector<std::pair<std::string, Lines>> table = {
        {"", {}},
        {"a", {"a"}},
        {"a\n", {"a"}},
        {"a\r\n", {"a"}},
        {"a\r\nb", {"a", "b"}},
        {"a\nb\r\n", {"a", "b"}},
        {"\n", {""}},
        {"a\n\n", {"a", ""}},
        {"a\r\n\r\nb\n", {"a", "", "b"}},
        {"a\r", {"a\r"}},
        {"a\r\r\n", {"a\r"}},
        {"a\rb\n", {"a\rb"}},
        {" a \t\n", {" a \t"}},
    };
    for (const auto& [body, lines] : table) {
        INFO(fmt::format("{:?}", body));
        CHECK(evaluate_sts_policy(body).policy_strings == lines);
    }
}

TEST_CASE("the MTA-STS policy keeps the first of each extension, in file order") {
    const StsPolicyEvaluation evaluation =
        evaluate_sts_policy(kPolicy + "b: 2\r\na: one value\r\nb: 3\r\nc: x:y \r\n");
    REQUIRE(evaluation.policy);
    using Extensions = std::vector<std::pair<std::string, std::string>>;
    CHECK(evaluation.policy->extensions ==
          Extensions{{"b", "2"}, {"a", "one value"}, {"c", "x:y"}});
    CHECK(evaluation.status == Status::warning);
}

TEST_CASE("MTA-STS policy diagnostics locate what they report") {
    struct Located {
        std::string body;
        std::string code;
        std::optional<std::size_t> line;
        std::optional<std::size_t> offset;
        std::size_t length;
    };
    const std::vector<Located> table = {
        {"", "sts-policy-empty", {}, {}, 0},
        {"version: STSv1\nmode: enforce\0\n"s, "sts-policy-not-text", 1, 13, 1},
        {"version: STSv1\nmode: enforce\xff\n", "sts-policy-not-text", 1, 13, 1},
        {"version: STSv1\n\nmode: none\n", "sts-policy-line-invalid", 1, 0, 0},
        {"version: STSv1\n \t\nmode: none\n", "sts-policy-line-invalid", 1, 0, 2},
        {"\xEF\xBB\xBFversion: STSv1\n", "sts-policy-line-invalid", 0, 0, 3},
        {"version: STSv1\n \tmode: none\n", "sts-policy-line-invalid", 1, 0, 2},
        {"# policy\nversion: STSv1\n", "sts-policy-line-invalid", 0, 0, 8},
        {"version: STSv1\nmode  : none\n", "sts-policy-line-invalid", 1, 4, 2},
        {"version: STSv1\nenforce\n", "sts-policy-line-invalid", 1, 0, 7},
        {"version: STSv1\n_x: 1\n", "sts-policy-line-invalid", 1, 0, 2},
        {"version: STSv1\nx:  \n", "sts-policy-line-invalid", 1, 4, 0},
        {"version: STSv1\nx: a\tb \n", "sts-policy-line-invalid", 1, 3, 3},
        {"version: STSv2\n", "sts-policy-version-invalid", 0, 9, 5},
        {"version:\n", "sts-policy-version-invalid", 0, 8, 0},
        {"mode:\tEnforce \n", "sts-policy-mode-invalid", 0, 6, 7},
        {"max_age: 1 week\n", "sts-policy-max-age-invalid", 0, 9, 6},
        {"mx: mail..example.com\r\n", "sts-policy-mx-invalid", 0, 4, 17},
        {"mode: none\nmode: none\n", "sts-policy-duplicate-key", 1, 0, 4},
        {"Mode: none\n", "sts-policy-unknown-key", 0, 0, 4},
        {"mode: enforce\nmax_age:  600 \n", "sts-policy-max-age-short", 1, 10, 3},
        {"mode: none\n", "sts-policy-version-missing", {}, {}, 0},
        {"version: STSv1\n", "sts-policy-mode-missing", {}, {}, 0},
        {"version: STSv1\n", "sts-policy-max-age-missing", {}, {}, 0},
        {"mode: testing\n", "sts-policy-mx-missing", {}, {}, 0},
        {"mode: none\n", "sts-policy-mode-none", {}, {}, 0},
    };
    for (const Located& expected : table) {
        INFO(fmt::format("{:?} {}", expected.body, expected.code));
        const StsPolicyEvaluation evaluation = evaluate_sts_policy(expected.body);
        const Diagnostic* found = find_code(evaluation, expected.code);
        REQUIRE(found != nullptr);
        CHECK(found->record == expected.line);
        CHECK(found->offset == expected.offset);
        CHECK(found->length == expected.length);
    }
}

TEST_CASE("MTA-STS policy messages say what senders do and what to write") {
    const std::vector<std::pair<std::string, std::string>> table = {
        {"Mode: enforce\n",
         "Keys are case-sensitive: senders ignore this line and do not read "
         "it as mode."},
        {"max-age: 86400\n",
         "Senders ignore this key, which RFC 8461 does not define; is it a "
         "misspelt max_age?"},
        {"mxs: mail.example.com\n",
         "Senders ignore this key, which RFC 8461 does not define; is "
         "it a misspelt mx?"},
        {"id: 20240101\n", "Senders ignore this key, which RFC 8461 does not define."},
        {"version: stsv1\n", "The version is case-sensitive: write it exactly STSv1."},
        {"mode: Testing\n",
         "The mode is case-sensitive: write it in lower case (enforce, testing or none)."},
        {"max_age: 31557601\n",
         "max_age is over 31557600 seconds (a year), the most RFC 8461 allows."},
        {"mx: *\n", "A * may only stand for the whole left-most label, as in *.example.com."},
        {"mx: *.\n", "The wildcard has no domain after it; write *.example.com."},
        {"mx: mail.example.com.\n", "The pattern ends with a dot; write the name without it."},
        {"mx: a.example.com,b.example.com\n",
         "An mx line holds one pattern; give each MX host an mx line of its own."},
        {"mx: b\xC3\xBC"
         "cher.example\n",
         "The pattern has characters outside ASCII: "
         "internationalised names must be written as A-labels "
         "(xn--...)."},
        {"mode: enforce\n",
         "The policy has no mx line, which mode enforce requires: senders "
         "reject the policy, or find no MX host that it allows."},
        {"mode: enforce\nmax_age: 60\n",
         "max_age is 60 seconds, under a day: senders keep the policy for so short a time that "
         "an attacker who blocks its refresh soon strips it; RFC 8461 expects weeks or more."},
    };
    for (const auto& [body, message] : table) {
        INFO(fmt::format("{:?}", body));
        const StsPolicyEvaluation evaluation = evaluate_sts_policy(body);
        const bool said = std::any_of(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                                      [&](const Diagnostic& d) { return d.message == message; });
        CHECK(said);
    }
}

TEST_CASE("line findings beyond twenty are counted, not listed, and still decide the status") {
    std::string body = kPolicy;
    for (int i = 0; i < 25; ++i) body += "x-extension: 1\r\n";
    body += "mode: none\r\n";
    const StsPolicyEvaluation warned = evaluate_sts_policy(body);
    CHECK(warned.status == Status::warning);
    CHECK(warned.diagnostics.size() == 21);
    CHECK(warned.diagnostics.back().code == "sts-policy-problems-not-listed");
    CHECK(warned.diagnostics.back().message ==
          "6 more findings about lines are not listed; at most 20 are.");
    CHECK_FALSE(warned.diagnostics.back().record);

    const StsPolicyEvaluation broken = evaluate_sts_policy(body + "mx: *\r\n");
    CHECK(broken.status == Status::invalid);
    CHECK(find_code(broken, "sts-policy-mx-invalid") == nullptr);
    CHECK(broken.diagnostics.back().message ==
          "7 more findings about lines are not listed; at most 20 are.");
}

TEST_CASE("the MTA-STS modes have their RFC 8461 names") {
    CHECK(to_string(StsMode::enforce) == "enforce");
    CHECK(to_string(StsMode::testing) == "testing");
    CHECK(to_string(StsMode::none) == "none");
}

TEST_CASE("MX hosts match policy patterns as RFC 8461 section 4.1 says") {
    struct Match {
        std::string pattern;
        std::string host;
        bool matches;
    };
    const std::vector<Match> table = {
        // The examples of RFC 8461 §4.1.
        {"*.example.com", "mail.example.com", true},
        {"*.example.com", "example.com", false},
        {"*.example.com", "foo.bar.example.com", false},
        {"mail.example.com", "mail.example.com", true},
        // Exact names.
        {"mail.example.com", "mail2.example.com", false},
        {"mail.example.com", "mx.mail.example.com", false},
        {"mail.example.com", "example.com", false},
        {"example.com", "mail.example.com", false},
        // Two labels under the wildcard never match.
        {"*.example.com", "a.b.example.com", false},
        {"*.b.example.com", "a.b.example.com", true},
        {"*.com", "example.com", true},
        {"*.com", "mail.example.com", false},
        // Case does not matter on either side.
        {"MAIL.Example.COM", "mail.example.com", true},
        {"*.EXAMPLE.com", "mail.example.com", true},
        {"mail.example.com", "MAIL.EXAMPLE.COM", true},
        // Final dots: neither a pattern nor a host is written with one.
        {"mail.example.com.", "mail.example.com", false},
        {"mail.example.com", "mail.example.com.", false},
        {"*.example.com.", "mail.example.com", false},
        // IDN: A-labels compare as any name; U-labels are not patterns.
        {"mx.xn--bcher-kva.example", "mx.xn--bcher-kva.example", true},
        {"*.xn--bcher-kva.example", "mx.xn--bcher-kva.example", true},
        {"mx.b\xC3\xBC"
         "cher.example",
         "mx.xn--bcher-kva.example", false},
        {"mx.b\xC3\xBC"
         "cher.example",
         "mx.b\xC3\xBC"
         "cher.example",
         false},
        // Empty, a star alone, "*." alone, and a star anywhere but the whole left-most label.
        {"", "mail.example.com", false},
        {"mail.example.com", "", false},
        {"", "", false},
        {"*", "mail", false},
        {"*", "mail.example.com", false},
        {"*.", "mail.", false},
        {"*.", "mail", false},
        {"a.*.b", "a.x.b", false},
        {"a.*.b", "a.*.b", false},
        {"*mail.example.com", "xmail.example.com", false},
        {"m*.example.com", "mx.example.com", false},
        {"*.*.example.com", "a.b.example.com", false},
        // The wildcard stands for a label, not for nothing or for anything.
        {"*.example.com", ".example.com", false},
        {"*.example.com", "*.example.com", false},
        {"*.example.com", "mail_1.example.com", false},
        {"mail..example.com", "mail..example.com", false},
    };
    for (const Match& match : table) {
        INFO(fmt::format("{:?} {:?}", match.pattern, match.host));
        CHECK(mx_pattern_matches(match.pattern, match.host) == match.matches);
    }
}

namespace {

struct CrossCheck {
    std::string name;
    std::optional<std::string> record;  // the _mta-sts TXT record; none: not looked up
    std::optional<std::string> policy;  // the policy body; none: not fetched
    std::vector<std::string> mx_hosts;
    Status tlsrpt;
    // The findings: code, severity and message.
    std::vector<std::tuple<std::string, Severity, std::string>> findings;
};

std::string policy_body(std::string_view mode, std::vector<std::string_view> patterns) {
    std::string body = fmt::format("version: STSv1\nmode: {}\nmax_age: 604800\n", mode);
    for (std::string_view pattern : patterns) body += fmt::format("mx: {}\n", pattern);
    return body;
}

}  // namespace

TEST_CASE("the MTA-STS cross-checks say what the record, policy, MX hosts and TLS-RPT imply") {
    const std::string record = "v=STSv1; id=20240101";
    const std::vector<std::string> hosts = {"mx1.example.com", "mx2.example.net"};
    const std::string enforce = policy_body("enforce", {"mx1.example.com", "*.example.net"});
    const std::string testing = policy_body("testing", {"mx1.example.com"});
    const std::string not_delivered =
        "mx2.example.net matches no mx pattern of the MTA-STS policy: in enforce mode senders "
        "do not deliver mail to it";
    const std::string reported =
        "mx2.example.net matches no mx pattern of the MTA-STS policy: in testing mode senders "
        "deliver mail to it but report a failure, and in enforce mode they would not deliver it";
    const std::string testing_alone =
        "the MTA-STS policy is in testing mode, which exists to have failures reported, but the "
        "domain has no usable TLS-RPT policy to receive the reports";
    const auto without_record = [](std::string_view mode) {
        return fmt::format(
            "the MTA-STS policy file is in {} mode, but no usable _mta-sts TXT record announces "
            "it: senders never fetch it, so MTA-STS is not in effect",
            mode);
    };
    const std::vector<CrossCheck> table = {
        {"every host allowed", record, enforce, hosts, Status::valid, {}},
        {"a host outside an enforce policy",
         record,
         policy_body("enforce", {"mx1.example.com"}),
         hosts,
         Status::valid,
         {{"sts-mx-not-in-policy", Severity::error, not_delivered}}},
        {"a host outside a testing policy",
         record,
         testing,
         hosts,
         Status::valid,
         {{"sts-mx-not-in-policy", Severity::warning, reported}}},
        {"every host outside",
         record,
         policy_body("enforce", {"*.example.org"}),
         hosts,
         Status::valid,
         {{"sts-mx-not-in-policy", Severity::error,
           "mx1.example.com matches no mx pattern of the MTA-STS policy: in enforce mode "
           "senders do not deliver mail to it"},
          {"sts-mx-not-in-policy", Severity::error, not_delivered}}},
        {"a wildcard covers one label only",
         record,
         policy_body("enforce", {"*.example.com"}),
         {"a.b.example.com"},
         Status::valid,
         {{"sts-mx-not-in-policy", Severity::error,
           "a.b.example.com matches no mx pattern of the MTA-STS policy: in enforce mode "
           "senders do not deliver mail to it"}}},
        {"mode none asks nothing",
         record,
         policy_body("none", {"*.example.org"}),
         hosts,
         Status::missing,
         {}},
        {"no MX host to check", record, enforce, {}, Status::valid, {}},
        {"an invalid policy has its own findings",
         record,
         "version: STSv1\nmode: enforce\n",
         hosts,
         Status::missing,
         {}},
        {"no policy fetched", record, std::nullopt, hosts, Status::missing, {}},
        {"a policy without a record",
         "v=spf1 -all",
         enforce,
         hosts,
         Status::valid,
         {{"sts-policy-without-record", Severity::warning, without_record("enforce")}}},
        {"a policy beside an invalid record",
         "v=STSv1; id=",
         policy_body("testing", {"*.example.org"}),
         hosts,
         Status::missing,
         {{"sts-policy-without-record", Severity::warning, without_record("testing")}}},
        {"a policy in mode none without a record",
         "",
         policy_body("none", {}),
         hosts,
         Status::valid,
         {}},
        {"a record lookup that failed concludes nothing about the record",
         std::nullopt,
         policy_body("enforce", {"mx1.example.com"}),
         hosts,
         Status::valid,
         {{"sts-mx-not-in-policy", Severity::error, not_delivered}}},
        {"testing without a TLS-RPT record",
         record,
         policy_body("testing", {"*.example.com", "*.example.net"}),
         hosts,
         Status::missing,
         {{"sts-testing-without-tlsrpt", Severity::warning, testing_alone}}},
        {"testing beside an invalid TLS-RPT record",
         record,
         testing,
         hosts,
         Status::invalid,
         {{"sts-mx-not-in-policy", Severity::warning, reported},
          {"sts-testing-without-tlsrpt", Severity::warning, testing_alone}}},
        {"testing with a TLS-RPT record that has warnings",
         record,
         policy_body("testing", {"*.example.com", "*.example.net"}),
         hosts,
         Status::warning,
         {}},
        {"testing when the TLS-RPT lookup failed",
         record,
         policy_body("testing", {"*.example.com", "*.example.net"}),
         hosts,
         Status::error,
         {}},
        {"enforce without a TLS-RPT record", record, enforce, hosts, Status::missing, {}},
    };
    for (const CrossCheck& check : table) {
        INFO(check.name);
        std::optional<MtaStsEvaluation> record_evaluation;
        if (check.record) {
            const TxtRRset rrset =
                check.record->empty() ? TxtRRset{} : TxtRRset{TxtRecord{{*check.record}}};
            record_evaluation = evaluate_mta_sts(rrset);
        }
        std::optional<StsPolicyEvaluation> policy_evaluation;
        if (check.policy) policy_evaluation = evaluate_sts_policy(*check.policy);
        const std::vector<Diagnostic> findings = sts_cross_checks(
            record_evaluation ? &*record_evaluation : nullptr,
            policy_evaluation ? &*policy_evaluation : nullptr, check.mx_hosts, check.tlsrpt);
        std::vector<std::tuple<std::string, Severity, std::string>> got;
        for (const Diagnostic& finding : findings) {
            got.emplace_back(finding.code, finding.severity, finding.message);
            CHECK_FALSE(finding.record);
            CHECK_FALSE(finding.offset);
        }
        CHECK(got == check.findings);
    }
}
