// --deep without a network: what the answers mean (the plan of lookups: test_audit_deep_plan).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "audit/deep.hpp"
#include "deep_samples.hpp"
#include "policy/address.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;
using namespace tlsrpt::samples;
using dns::Outcome;

namespace {

const std::string valid_record = "v=TLSRPTv1; rua=mailto:tls@reports.example.net";

// Answers of a domain with everything in order, to change one thing at a time.
DeepAnswers healthy() {
    DeepAnswers answers;
    answers.mx = shared(response(Outcome::answer, {mx(10, "mx.example.com")}, true));
    answers.mta_sts = shared(response(Outcome::answer, {txt("v=STSv1; id=1")}));
    answers.tlsa["mx.example.com"] = shared(response(Outcome::answer, {tlsa(3)}, true));
    answers.host_tlsrpt["mx.example.com"] =
        shared(response(Outcome::answer, {txt(valid_record)}, true));
    answers.destination_mx["reports.example.net"] =
        shared(response(Outcome::answer, {mx(5, "in.example.net")}));
    return answers;
}

std::vector<std::string> codes_of(const CheckResult& row) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : row.evaluation.diagnostics)
        codes.push_back(diagnostic.code);
    return codes;
}

CheckResult deep_row(const std::string& record, const DeepAnswers& answers) {
    CheckResult row = row_with(record);
    add_deep_findings(row, answers);
    REQUIRE(row.deep);
    return row;
}

}  // namespace

TEST_CASE("deep: query names") {
    CHECK(mta_sts_query_name("example.com") == "_mta-sts.example.com");
    CHECK(tlsa_query_name("mx.example.com") == "_25._tcp.mx.example.com");
    CHECK(
        misplaced_query_names("example.com") ==
        std::vector<std::string>{"example.com", "_tlsrpt.example.com", "_smtp-tlsrpt.example.com"});
}

TEST_CASE("deep: mail hosts by preference, in lower case, once each, at most ten") {
    const MailHostList list =
        mail_hosts(response(Outcome::answer, {mx(20, "B.example.net"), mx(10, "c.example.net"),
                                              mx(20, "a.example.net"), mx(30, "b.example.net")}),
                   "example.com");
    using Host = std::pair<std::uint16_t, std::string>;
    CHECK(list.hosts ==
          std::vector<Host>{{10, "c.example.net"}, {20, "a.example.net"}, {20, "b.example.net"}});
    CHECK_FALSE(list.null_mx);
    CHECK_FALSE(list.implicit);

    std::vector<dns::ResourceRecord> many;
    for (int i = 0; i < 13; ++i)
        many.push_back(mx(static_cast<std::uint16_t>(i), "h" + std::to_string(i)));
    const MailHostList capped = mail_hosts(response(Outcome::answer, many), "example.com");
    CHECK(capped.hosts.size() == max_mail_hosts);
    CHECK(capped.hosts.back().second == "h9");
    CHECK(capped.not_checked == 3);
}

TEST_CASE("deep: null MX, no MX and failed MX lookups") {
    const MailHostList null_mx = mail_hosts(response(Outcome::answer, {mx(0, "")}), "example.com");
    CHECK(null_mx.null_mx);
    CHECK(null_mx.hosts.empty());

    // "." beside real hosts is no null MX: the real hosts are used.
    const MailHostList mixed =
        mail_hosts(response(Outcome::answer, {mx(0, ""), mx(10, "mx.example.com")}), "example.com");
    CHECK_FALSE(mixed.null_mx);
    REQUIRE(mixed.hosts.size() == 1);
    CHECK(mixed.hosts[0].second == "mx.example.com");

    const MailHostList implicit = mail_hosts(response(Outcome::no_data), "example.com");
    CHECK(implicit.implicit);
    REQUIRE(implicit.hosts.size() == 1);
    CHECK(implicit.hosts[0].second == "example.com");

    CHECK(mail_hosts(response(Outcome::no_domain), "example.com").hosts.empty());
    CHECK(mail_hosts(response(Outcome::timeout), "example.com").hosts.empty());
}

TEST_CASE("deep: public and non-public addresses") {
    for (const char* address : {"93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1",
                                "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "[2a00:1450::1]",
                                "::ffff:93.184.215.14", "223.255.255.255"}) {
        INFO(address);
        CHECK(policy::is_public_address(address));
    }
    for (const char* address : {"0.1.2.3",
                                "10.0.0.1",
                                "100.64.0.1",
                                "127.0.0.1",
                                "169.254.1.1",
                                "172.16.0.1",
                                "172.31.255.255",
                                "192.0.0.8",
                                "192.0.2.1",
                                "192.168.1.1",
                                "198.18.0.1",
                                "198.19.255.1",
                                "198.51.100.1",
                                "203.0.113.9",
                                "224.0.0.1",
                                "240.0.0.1",
                                "255.255.255.255",
                                "::",
                                "::1",
                                "[::1]",
                                "::ffff:10.0.0.1",
                                "64:ff9b:1::1",
                                "100::1",
                                "2001:2::1",
                                "2001:db8::1",
                                "3fff::1",
                                "fc00::1",
                                "fd12::1",
                                "fe80::1",
                                "fec0::1",
                                "ff02::1",
                                "not an address",
                                ""}) {
        INFO(address);
        CHECK_FALSE(policy::is_public_address(address));
    }
    CHECK(is_ip_literal("192.0.2.1"));
    CHECK(is_ip_literal("[2001:db8::1]"));
    CHECK_FALSE(is_ip_literal("example.com"));
    CHECK_FALSE(is_ip_literal("1.2.3"));
}

TEST_CASE("deep: a healthy domain adds facts and only the note that the policy file is not read") {
    const CheckResult row = deep_row(valid_record, healthy());
    CHECK(row.evaluation.status == Status::valid);
    CHECK(codes_of(row) == std::vector<std::string>{"mta-sts-policy-not-fetched"});
    const DeepResult& deep = *row.deep;
    CHECK(deep.mx.lookup == LookupState::found);
    CHECK(deep.mx.authenticated);
    REQUIRE(deep.mx.hosts.size() == 1);
    const MailHost& host = deep.mx.hosts[0];
    CHECK(host.name == "mx.example.com");
    CHECK(host.preference == 10);
    CHECK(host.tlsa == LookupState::found);
    CHECK(host.tlsa_authenticated);
    CHECK(host.tlsa_usages == std::vector<std::uint8_t>{3});
    CHECK(host.tlsrpt == LookupState::found);
    CHECK(host.tlsrpt_status == Status::valid);
    CHECK(deep.mta_sts.query == "_mta-sts.example.com");
    CHECK(deep.mta_sts.evaluation.status == Status::valid);
    CHECK(deep.mta_sts.evaluation.id == "1");
    REQUIRE(deep.destinations.size() == 1);
    CHECK(deep.destinations[0].uri == "mailto:tls@reports.example.net");
    CHECK(deep.destinations[0].host == "reports.example.net");
    CHECK(deep.destinations[0].verdict == DestinationVerdict{Reach::ok});
    CHECK(deep.destinations[0].found == std::vector<std::string>{"in.example.net"});
    CHECK(deep.misplaced.empty());
}

TEST_CASE("deep: DANE findings per mail host") {
    SECTION("TLSA without the AD bit") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] = shared(response(Outcome::answer, {tlsa(3)}, false));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) ==
              std::vector<std::string>{"dane-not-authenticated", "mta-sts-policy-not-fetched"});
        CHECK(row.evaluation.status == Status::valid);
    }
    SECTION("only PKIX usages") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] =
            shared(response(Outcome::answer, {tlsa(0), tlsa(1)}, true));
        CHECK(codes_of(deep_row(valid_record, answers)) ==
              std::vector<std::string>{"dane-unusable-usage", "mta-sts-policy-not-fetched"});
    }
    SECTION("DANE usages whose selector, matching type or digest length senders cannot use") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] = shared(
            response(Outcome::answer,
                     {tlsa(3, 2), tlsa(2, 0, 3), tlsa(3, 1, 1, 20), tlsa(3, 1, 2, 32)}, true));
        CHECK(codes_of(deep_row(valid_record, answers)) ==
              std::vector<std::string>{"dane-unusable-usage", "mta-sts-policy-not-fetched"});
    }
    SECTION("one usable record among unusable ones is enough") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] = shared(
            response(Outcome::answer, {tlsa(0), tlsa(3, 1, 2, 20), tlsa(3, 1, 1, 32)}, true));
        CHECK(codes_of(deep_row(valid_record, answers)) ==
              std::vector<std::string>{"mta-sts-policy-not-fetched"});
    }
    SECTION("a DANE host without a TLS-RPT policy of its own") {
        DeepAnswers answers = healthy();
        answers.host_tlsrpt["mx.example.com"] = none();
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) ==
              std::vector<std::string>{"dane-host-without-tlsrpt", "mta-sts-policy-not-fetched"});
        CHECK(row.deep->mx.hosts[0].tlsrpt == LookupState::none);
        CHECK(row.deep->mx.hosts[0].tlsrpt_status == Status::missing);
    }
    SECTION("a host without TLSA needs no TLS-RPT policy") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] = none();
        answers.host_tlsrpt["mx.example.com"] = none();
        CHECK(codes_of(deep_row(valid_record, answers)) ==
              std::vector<std::string>{"mta-sts-policy-not-fetched"});
    }
    SECTION("failed lookups are warnings that name the query, never findings of absence") {
        DeepAnswers answers = healthy();
        answers.tlsa["mx.example.com"] = shared(response(Outcome::timeout));
        answers.host_tlsrpt["mx.example.com"] = shared(response(Outcome::server_failure));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) == std::vector<std::string>{"deep-lookup-failed", "deep-lookup-failed",
                                                        "mta-sts-policy-not-fetched"});
        CHECK(row.evaluation.diagnostics[0].severity == Severity::warning);
        CHECK(row.evaluation.diagnostics[0].message ==
              "no answer for _25._tcp.mx.example.com after 1 attempt(s) (test), so DANE was not "
              "checked");
        CHECK(row.deep->mx.hosts[0].tlsa == LookupState::dns_timeout);
        CHECK(row.deep->mx.hosts[0].tlsrpt == LookupState::dns_servfail);
        CHECK(row.evaluation.status == Status::valid);
    }
}

TEST_CASE("deep: MX facts are notes") {
    SECTION("null MX") {
        DeepAnswers answers = healthy();
        answers.mx = shared(response(Outcome::answer, {mx(0, "")}));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) == std::vector<std::string>{"null-mx", "mta-sts-policy-not-fetched"});
        CHECK(row.deep->mx.null_mx);
        CHECK(row.deep->mx.hosts.empty());
    }
    SECTION("no MX: the domain is its own mail host") {
        DeepAnswers answers = healthy();
        answers.mx = none();
        answers.tlsa["example.com"] = none();
        answers.host_tlsrpt["example.com"] = shared(response(Outcome::answer, {txt(valid_record)}));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) == std::vector<std::string>{"no-mx", "mta-sts-policy-not-fetched"});
        CHECK(row.deep->mx.implicit);
        REQUIRE(row.deep->mx.hosts.size() == 1);
        CHECK(row.deep->mx.hosts[0].name == "example.com");
        CHECK(row.deep->mx.hosts[0].tlsa == LookupState::none);
    }
    SECTION("the MX lookup failed") {
        DeepAnswers answers = healthy();
        answers.mx = shared(response(Outcome::refused));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) ==
              std::vector<std::string>{"deep-lookup-failed", "mta-sts-policy-not-fetched"});
        CHECK(row.deep->mx.lookup == LookupState::dns_refused);
        CHECK(row.deep->mx.hosts.empty());
    }
}

TEST_CASE("deep: MTA-STS beside TLS-RPT") {
    SECTION("MTA-STS without TLS-RPT is a warning; the status stays missing") {
        const CheckResult row = deep_row("", healthy());
        CHECK(row.evaluation.status == Status::missing);
        CHECK(codes_of(row) == std::vector<std::string>{"no-record", "mta-sts-without-tlsrpt",
                                                        "mta-sts-policy-not-fetched"});
    }
    SECTION("a broken MTA-STS record is an error: a valid row becomes invalid") {
        DeepAnswers answers = healthy();
        answers.mta_sts = shared(response(Outcome::answer, {txt("v=STSv1; id=")}));
        const CheckResult row = deep_row(valid_record, answers);
        CHECK(codes_of(row) == std::vector<std::string>{"mta-sts-invalid"});
        CHECK(row.evaluation.status == Status::invalid);
        CHECK(row.evaluation.policy);
        CHECK(row.deep->mta_sts.evaluation.status == Status::invalid);
    }
    SECTION("no MTA-STS record: nothing to say") {
        DeepAnswers answers = healthy();
        answers.mta_sts = none();
        CHECK(codes_of(deep_row(valid_record, answers)).empty());
    }
}

TEST_CASE("deep: destinations that cannot receive reports are errors") {
    const std::string record =
        "v=TLSRPTv1; rua=mailto:a@nullmx.example,mailto:b@nowhere.example,"
        "mailto:c@addr.example,https://private.example/r,https://gone.example/r,"
        "https://[fe80::1]/r,https://203.0.113.1/r,https://ok.example/r,ftp://x.example/";
    DeepAnswers answers = healthy();
    answers.destination_mx["nullmx.example"] = shared(response(Outcome::answer, {mx(0, "")}));
    answers.destination_mx["nowhere.example"] = shared(response(Outcome::no_domain));
    answers.destination_mx["addr.example"] = none();
    answers.destination_a["addr.example"] =
        shared(response(Outcome::answer, {address("93.184.215.14")}));
    answers.destination_aaaa["addr.example"] = none();
    answers.destination_a["private.example"] =
        shared(response(Outcome::answer, {address("10.0.0.1")}));
    answers.destination_aaaa["private.example"] =
        shared(response(Outcome::answer, {address("2a00:1450::1")}));
    answers.destination_a["gone.example"] = none();
    answers.destination_aaaa["gone.example"] = shared(response(Outcome::no_domain));
    answers.destination_a["ok.example"] =
        shared(response(Outcome::answer, {address("93.184.215.14")}));
    answers.destination_aaaa["ok.example"] = none();
    const CheckResult row = deep_row(record, answers);

    using Verdict = std::pair<std::string, Reach>;
    std::vector<Verdict> verdicts;
    for (const DestinationCheck& check : row.deep->destinations) {
        CHECK(check.verdict.failure == LookupState::not_made);
        verdicts.emplace_back(check.host, check.verdict.reach);
    }
    CHECK(verdicts == std::vector<Verdict>{{"nullmx.example", Reach::null_mx},
                                           {"nowhere.example", Reach::no_mail_host},
                                           {"addr.example", Reach::ok},
                                           {"private.example", Reach::non_public},
                                           {"gone.example", Reach::unresolvable},
                                           {"[fe80::1]", Reach::non_public},
                                           {"203.0.113.1", Reach::non_public},
                                           {"ok.example", Reach::ok}});
    CHECK(row.deep->destinations[2].found == std::vector<std::string>{"93.184.215.14"});
    CHECK(row.deep->destinations[3].found == std::vector<std::string>{"10.0.0.1", "2a00:1450::1"});
    const std::vector<std::string> codes = codes_of(row);
    for (const char* code : {"destination-null-mx", "destination-no-mail-host",
                             "destination-non-public", "destination-unresolvable"}) {
        INFO(code);
        CHECK(std::count(codes.begin(), codes.end(), code) ==
              (std::string(code) == "destination-non-public" ? 3 : 1));
    }
    CHECK(row.evaluation.status == Status::invalid);
}

TEST_CASE("deep: at most ten destinations are checked, and the rest said") {
    // Twelve usable destinations (and one unsupported, which costs no lookup), each with a
    // host of its own; short, so that the record is one character-string.
    std::string record = "v=TLSRPTv1; rua=ftp://x.example/";
    for (int i = 1; i <= 12; ++i) record += fmt::format(",https://h{}.e/", i);
    const CheckResult row = row_with(record);
    const CheckedDestinations checked = checked_destinations(row.evaluation);
    std::vector<std::string> hosts;
    for (const Destination* destination : checked.destinations) hosts.push_back(destination->host);
    CHECK(hosts == std::vector<std::string>{"h1.e", "h2.e", "h3.e", "h4.e", "h5.e", "h6.e", "h7.e",
                                            "h8.e", "h9.e", "h10.e"});
    CHECK(checked.not_checked == 2);

    DeepAnswers answers = healthy();
    for (int i = 1; i <= 12; ++i) {
        const std::string host = fmt::format("h{}.e", i);
        answers.destination_a[host] = shared(response(Outcome::answer, {address("93.184.215.14")}));
        answers.destination_aaaa[host] = none();
    }
    const CheckResult deep = deep_row(record, answers);
    CHECK(deep.deep->destinations.size() == 10);
    CHECK(deep.deep->destinations_not_checked == 2);
    const auto& diagnostics = deep.evaluation.diagnostics;
    const auto note = std::find_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
        return d.code == "destinations-not-checked";
    });
    REQUIRE(note != diagnostics.end());
    CHECK(note->severity == Severity::info);
    CHECK(note->message ==
          "the policy of example.com names 2 more report destinations than the 10 checked");
}

TEST_CASE("deep: a destination whose lookups failed is unchecked, not unreachable") {
    DeepAnswers answers = healthy();
    answers.destination_mx["reports.example.net"] = shared(response(Outcome::server_failure));
    const CheckResult row = deep_row(valid_record, answers);
    CHECK(row.deep->destinations[0].verdict ==
          DestinationVerdict{Reach::lookup_failed, LookupState::dns_servfail});
    CHECK(codes_of(row) ==
          std::vector<std::string>{"mta-sts-policy-not-fetched", "deep-lookup-failed"});
    CHECK(row.evaluation.status == Status::valid);
}

TEST_CASE("deep: misplaced records are named where they are") {
    DeepAnswers answers = healthy();
    answers.mta_sts = none();
    answers.misplaced["example.com"] = shared(
        response(Outcome::answer, {txt("v=spf1 -all"), txt("v=TLSRPTv1; rua=mailto:a@b.example")}));
    answers.misplaced["_tlsrpt.example.com"] =
        shared(response(Outcome::answer, {txt("V=tlsrptv1;rua=mailto:a@b.example")}));
    answers.misplaced["_smtp-tlsrpt.example.com"] =
        shared(response(Outcome::answer, {txt("v=TLSRPTv1; rua=mailto:a@b.example")}));
    const CheckResult row = deep_row("", answers);
    CHECK(codes_of(row) == std::vector<std::string>{"no-record", "misplaced-record-apex",
                                                    "misplaced-record-tlsrpt-label",
                                                    "misplaced-record-draft-name"});
    REQUIRE(row.deep->misplaced.size() == 3);
    CHECK(row.deep->misplaced[0].name == "example.com");
    CHECK(row.deep->misplaced[0].record == "v=TLSRPTv1; rua=mailto:a@b.example");
    CHECK(row.deep->misplaced[1].name == "_tlsrpt.example.com");
    CHECK(row.evaluation.status == Status::missing);
}
