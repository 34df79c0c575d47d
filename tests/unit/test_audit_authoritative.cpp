// --authoritative findings without a network: what the answers of the zone's servers mean.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/authoritative.hpp"
#include "authoritative_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;
using namespace tlsrpt::samples;
using dns::Outcome;

namespace {

const std::string valid_record = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com";
const std::string invalid_record = "v=tlsrptv1; rua=mailto:tlsrpt@example.com";

// The row of example.com as the resolver gave it (`record`, "" for NXDOMAIN, with `ttl` left in
// its cache) and the servers' answers.
CheckResult checked(const std::string& record, const AuthoritativeAnswers& answers,
                    bool allow_private = false, std::uint32_t ttl = 3520) {
    CheckResult row = row_with(record);
    if (!record.empty()) row.dns->ttl = ttl;
    add_authoritative_findings(row, answers, allow_private);
    return row;
}

std::vector<std::string> codes_of(const CheckResult& row) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : row.evaluation.diagnostics) {
        if (diagnostic.code != "no-record") codes.push_back(diagnostic.code);
    }
    return codes;
}

const Diagnostic& diagnostic(const CheckResult& row, const std::string& code) {
    const auto& all = row.evaluation.diagnostics;
    const auto found =
        std::find_if(all.begin(), all.end(), [&](const Diagnostic& d) { return d.code == code; });
    REQUIRE(found != all.end());
    return *found;
}

SharedResponse records(const std::string& text, std::uint32_t ttl = 3600, bool aa = true) {
    return from_server(Outcome::answer, {txt_with_ttl(text, ttl)}, aa);
}

// A lookup that ended without a message: no rcode.
SharedResponse no_answer(Outcome outcome) {
    dns::Response made = response(outcome);
    made.rcode.reset();
    return shared(std::move(made));
}

}  // namespace

TEST_CASE("authoritative: servers that agree give one answer and the published TTL") {
    const CheckResult row =
        checked(valid_record, answers_with(records(valid_record), records(valid_record)));
    CHECK(row.evaluation.status == Status::valid);
    CHECK(codes_of(row).empty());
    REQUIRE(row.authoritative);
    const AuthoritativeResult& result = *row.authoritative;
    CHECK(result.lookup == LookupState::found);
    CHECK(result.zone == "example.com");
    CHECK(result.consistent == true);
    REQUIRE(result.servers.size() == 2);
    const NameServer& ns1 = result.servers[0];
    CHECK(ns1.name == "ns1.example.net");
    CHECK(ns1.address == ns1_address);
    CHECK(ns1.state == ServerState::authoritative);
    CHECK(ns1.rcode == "NOERROR");
    CHECK(ns1.aa);
    CHECK(ns1.records == std::vector<std::string>{valid_record});
    CHECK(ns1.ttl == 3600U);
    CHECK(ns1.serial == 7U);
    CHECK(ns1.answer == 0U);
    CHECK(result.servers[1].name == "ns2.example.net");
    REQUIRE(result.answers.size() == 1);
    CHECK(result.answers[0].status == Status::valid);
    CHECK(result.answers[0].servers == std::vector<std::size_t>{0, 1});
    // The TTL as published replaces the time left in the resolver's cache.
    CHECK(row.dns->ttl == 3600U);
    CHECK(row.dns->ttl_source == TtlSource::authoritative);
}

TEST_CASE("authoritative: records in another order are the same answer") {
    const auto two = [](const std::string& first, const std::string& second) {
        return from_server(Outcome::answer, {txt_with_ttl(first, 60), txt_with_ttl(second, 60)});
    };
    const CheckResult row = checked(valid_record, answers_with(two(valid_record, "v=spf1 -all"),
                                                               two("v=spf1 -all", valid_record)));
    CHECK(row.authoritative->consistent == true);
    CHECK(row.authoritative->answers[0].records ==
          std::vector<std::string>{"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", "v=spf1 -all"});
}

TEST_CASE("authoritative: servers that disagree are an error, each answer evaluated") {
    struct Case {
        const char* what;
        std::string resolved;
        SharedResponse ns2;
        Status ns2_status;
        std::string ns2_rcode;
    };
    const std::vector<Case> cases = {
        {"another record", valid_record, records(invalid_record), Status::invalid, "NOERROR"},
        {"no record (NXDOMAIN)", valid_record, from_server(Outcome::no_domain), Status::missing,
         "NXDOMAIN"},
        {"no TXT at the name (NODATA)", valid_record, from_server(Outcome::no_data),
         Status::missing, "NOERROR"},
        {"the record split into other strings", valid_record,
         from_server(Outcome::answer, {[] {
                         dns::ResourceRecord split = txt_with_ttl("", 3600);
                         split.strings = {"v=TLSRPTv1; rua=mailto:", "tlsrpt@example.com"};
                         return split;
                     }()}),
         Status::valid, "NOERROR"},
        {"the resolver's copy missing", "", records(invalid_record), Status::invalid, "NOERROR"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const CheckResult row = checked(c.resolved, answers_with(records(valid_record), c.ns2));
        CHECK(row.evaluation.status == Status::invalid);
        CHECK(codes_of(row) == std::vector<std::string>{"ns-inconsistent"});
        const AuthoritativeResult& result = *row.authoritative;
        CHECK(result.consistent == false);
        REQUIRE(result.answers.size() == 2);
        CHECK(result.answers[0].status == Status::valid);
        CHECK(result.answers[0].servers == std::vector<std::size_t>{0});
        CHECK(result.answers[1].status == c.ns2_status);
        CHECK(result.answers[1].rcode == c.ns2_rcode);
        CHECK(result.answers[1].servers == std::vector<std::size_t>{1});
        CHECK(result.servers[1].answer == 1U);
        CHECK(diagnostic(row, "ns-inconsistent").severity == Severity::error);
    }
    const CheckResult row =
        checked(valid_record, answers_with(records(valid_record), from_server(Outcome::no_domain)));
    CHECK(diagnostic(row, "ns-inconsistent").message ==
          "the authoritative servers of example.com give 2 different answers for "
          "_smtp._tls.example.com: answer 1 (NOERROR, 1 record, valid) from ns1.example.net "
          "(93.184.215.14); answer 2 (NXDOMAIN, no TXT record) from ns2.example.net "
          "(93.184.215.15)");
}

TEST_CASE("authoritative: a failed lookup through the resolver stays an error row") {
    CheckResult row =
        audit::lookup_result("example.com", "example.com", response(Outcome::server_failure));
    add_authoritative_findings(row, answers_with(records(valid_record), records(invalid_record)),
                               false);
    CHECK(row.evaluation.status == Status::error);
    CHECK(row.authoritative->consistent == false);
}

TEST_CASE("authoritative: a server that does not answer with authority is lame") {
    struct Case {
        const char* what;
        SharedResponse answer;
        ServerState state;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"REFUSED", from_server(Outcome::refused, {}, false), ServerState::lame,
         "no AA bit (REFUSED)"},
        {"SERVFAIL with AA", from_server(Outcome::server_failure), ServerState::lame, "SERVFAIL"},
        {"records without AA", records(valid_record, 3600, false), ServerState::lame,
         "no AA bit (NOERROR)"},
        {"no answer", no_answer(Outcome::timeout), ServerState::dns_timeout,
         "no answer (dns-timeout)"},
        {"port unreachable", no_answer(Outcome::unreachable), ServerState::dns_unreachable,
         "no answer (dns-unreachable)"},
        {"an undecodable answer", no_answer(Outcome::malformed), ServerState::dns_malformed,
         "no answer (dns-malformed)"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const CheckResult row =
            checked(valid_record, answers_with(records(valid_record), c.answer));
        CHECK(row.evaluation.status == Status::warning);
        CHECK(codes_of(row) == std::vector<std::string>{"ns-lame"});
        CHECK(row.authoritative->servers[1].state == c.state);
        CHECK_FALSE(row.authoritative->servers[1].answer);
        // The one server left that answered has no one to disagree with.
        CHECK(row.authoritative->consistent == true);
        CHECK(diagnostic(row, "ns-lame").message ==
              "ns2.example.net (93.184.215.15) is listed as a name server of example.com but "
              "does not answer for it: " +
                  c.why);
    }
}

TEST_CASE("authoritative: a name server without an address is lame, one not known is not") {
    AuthoritativeAnswers answers = answers_with(records(valid_record), records(valid_record));
    answers.a["ns2.example.net"] = none();
    CheckResult row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-lame"});
    CHECK(row.authoritative->servers[1].state == ServerState::no_address);
    CHECK(row.authoritative->servers[1].address.empty());
    CHECK(diagnostic(row, "ns-lame").message ==
          "ns2.example.net is listed as a name server of example.com but does not answer for "
          "it: its name has no A or AAAA record");

    answers.a["ns2.example.net"] = shared(response(Outcome::server_failure));
    row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-lookup-failed"});
    CHECK(row.evaluation.status == Status::warning);
    CHECK(row.authoritative->servers[1].state == ServerState::address_unknown);
}

TEST_CASE("authoritative: different SOA serials are a warning, different TTLs a note") {
    CheckResult row =
        checked(valid_record, answers_with(records(valid_record), records(valid_record), 8, 7));
    CHECK(codes_of(row) == std::vector<std::string>{"ns-serial-mismatch"});
    CHECK(row.evaluation.status == Status::warning);
    CHECK(diagnostic(row, "ns-serial-mismatch").message ==
          "the authoritative servers of example.com serve different versions of the zone: SOA "
          "serial 7 at ns2.example.net (93.184.215.15); 8 at ns1.example.net (93.184.215.14)");

    row = checked(valid_record, answers_with(records(valid_record, 300), records(valid_record)));
    CHECK(codes_of(row) == std::vector<std::string>{"ttl-differs"});
    CHECK(diagnostic(row, "ttl-differs").severity == Severity::info);
    CHECK(row.evaluation.status == Status::valid);
    CHECK(row.authoritative->consistent == true);  // the TTL is no part of the answer
    CHECK(row.dns->ttl == 300U);                   // the smallest
}

TEST_CASE("authoritative: addresses that are not public are not asked without allow_private") {
    AuthoritativeAnswers answers = answers_up_to_servers();
    answers.a["ns1.example.net"] = shared(response(Outcome::answer, {address("127.0.91.53")}));
    answers.a["ns2.example.net"] = shared(response(Outcome::answer, {address("10.0.0.1")}));
    CheckResult row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-not-asked", "ns-not-asked"});
    CHECK(row.evaluation.status == Status::valid);
    CHECK(row.authoritative->servers[0].state == ServerState::not_asked);
    CHECK_FALSE(row.authoritative->consistent);
    CHECK(diagnostic(row, "ns-not-asked").message ==
          "ns1.example.net (127.0.91.53) was not asked: 127.0.91.53 is not a public address "
          "(--allow-private asks it)");
    // No server answered: the TTL stays the resolver's, and says so.
    CHECK(row.dns->ttl == 3520U);
    CHECK(row.dns->ttl_source == TtlSource::resolver);

    answers.records["127.0.91.53"] = records(valid_record);
    answers.records["10.0.0.1"] = records(valid_record);
    row = checked(valid_record, answers, true);
    CHECK(codes_of(row).empty());
    CHECK(row.authoritative->servers[0].state == ServerState::authoritative);
}

TEST_CASE("authoritative: lookups through the resolver that fail or find nothing") {
    AuthoritativeAnswers answers;
    answers.zone[zone_query] = shared(response(Outcome::timeout));
    CheckResult row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-lookup-failed"});
    CHECK(row.evaluation.status == Status::warning);
    CHECK(row.authoritative->lookup == LookupState::dns_timeout);
    CHECK(row.authoritative->zone.empty());
    CHECK(row.dns->ttl_source == TtlSource::resolver);
    CHECK(diagnostic(row, "ns-lookup-failed").message ==
          "no answer for _smtp._tls.example.com SOA after 1 attempt(s) (test), so the zone's "
          "authoritative servers were not asked");

    answers.zone[zone_query] = zone_answer(2);
    answers.name_servers = shared(response(Outcome::server_failure));
    row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-lookup-failed"});
    CHECK(row.authoritative->lookup == LookupState::dns_servfail);
    CHECK(row.authoritative->zone == "example.com");

    answers.name_servers = none();
    row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-not-found"});
    CHECK(row.evaluation.status == Status::valid);
    CHECK(row.authoritative->lookup == LookupState::none);

    answers = {};
    for (const char* name : {"_smtp._tls.example.com", "_tls.example.com", "example.com", "com"}) {
        answers.zone[name] = none();
    }
    row = checked(valid_record, answers);
    CHECK(codes_of(row) == std::vector<std::string>{"ns-not-found"});
    CHECK(diagnostic(row, "ns-not-found").message ==
          "no zone that holds _smtp._tls.example.com was found, so no authoritative server was "
          "asked");
}

TEST_CASE("authoritative: an alias is compared by its target, not the records servers add") {
    const auto alias = [](std::vector<dns::ResourceRecord> added) {
        dns::Response made = response(Outcome::answer, std::move(added));
        made.outcome = made.records.empty() ? Outcome::no_data : Outcome::answer;
        made.cnames = {"_smtp._tls.customer.provider.example"};
        made.authoritative = true;
        return shared(std::move(made));
    };
    const CheckResult row =
        checked(valid_record, answers_with(alias({txt_with_ttl(valid_record, 60)}), alias({})));
    CHECK(codes_of(row).empty());
    const AuthoritativeResult& result = *row.authoritative;
    CHECK(result.consistent == true);
    REQUIRE(result.answers.size() == 1);
    CHECK(result.answers[0].alias == "_smtp._tls.customer.provider.example");
    CHECK_FALSE(result.answers[0].status);
    CHECK(result.servers[0].records.empty());
    CHECK(row.dns->ttl_source == TtlSource::resolver);
}

TEST_CASE("authoritative: names and addresses past the limits are counted") {
    AuthoritativeAnswers answers = answers_with(records(valid_record), records(valid_record));
    std::vector<dns::ResourceRecord> names;
    for (int i = 0; i < 15; ++i) {
        const std::string name = "ns" + std::to_string(i) + ".example.org";
        names.push_back(name_server(name));
        answers.a[name] = none();
        answers.aaaa[name] = none();
    }
    answers.name_servers = shared(response(Outcome::answer, names));
    const CheckResult row = checked(valid_record, answers);
    CHECK(row.authoritative->servers.size() == max_name_servers);
    CHECK(row.authoritative->servers_not_checked == 2);
    CHECK(diagnostic(row, "ns-not-checked").severity == Severity::info);
}
