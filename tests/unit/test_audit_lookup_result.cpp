#include <catch2/catch.hpp>

#include <chrono>

#include "audit/audit.hpp"
#include "tlsrpt/exit_code.hpp"

using namespace tlsrpt;
using dns::Outcome;

namespace {

dns::Response response_with(Outcome outcome, std::optional<int> rcode = 0) {
    dns::Response response;
    response.outcome = outcome;
    response.rcode = rcode;
    response.server = "127.0.0.1:53";
    response.attempts = 2;
    response.elapsed = std::chrono::microseconds(1500);
    response.detail = "why";
    return response;
}

dns::ResourceRecord txt(std::vector<std::string> strings, std::uint32_t ttl) {
    dns::ResourceRecord record;
    record.type = 16;
    record.ttl = ttl;
    record.strings = std::move(strings);
    return record;
}

}  // namespace

TEST_CASE("an answer is evaluated and the lookup described") {
    auto response = response_with(Outcome::answer);
    response.authenticated = true;
    response.records = {txt({"v=TLSRPTv1;", " rua=mailto:tlsrpt@example.com"}, 300),
                        txt({"v=spf1 -all"}, 120)};
    const CheckResult result = audit::lookup_result("Example.COM.", "example.com", response);
    CHECK(result.input == "Example.COM.");
    CHECK(result.domain == "example.com");
    CHECK(result.query == "_smtp._tls.example.com");
    CHECK(result.evaluation.status == Status::valid);
    CHECK(result.evaluation.records ==
          std::vector<std::string>{"v=TLSRPTv1; rua=mailto:tlsrpt@example.com", "v=spf1 -all"});
    REQUIRE(result.dns);
    CHECK(result.dns->rcode == "NOERROR");
    CHECK_FALSE(result.dns->error);
    CHECK(result.dns->ttl == 120u);
    CHECK(result.dns->authenticated);
    CHECK(result.dns->server == "127.0.0.1:53");
    CHECK(result.dns->attempts == 2);
    CHECK(result.dns->elapsed_ms == Approx(1.5));
}

TEST_CASE("NXDOMAIN and NODATA are missing, no-record, with the rcode") {
    const auto nxdomain =
        audit::lookup_result("x", "x", response_with(Outcome::no_domain, 3)).evaluation;
    CHECK(nxdomain.status == Status::missing);
    REQUIRE(nxdomain.diagnostics.size() == 1);
    CHECK(nxdomain.diagnostics[0].code == "no-record");
    // The same severity as when `lint` evaluates an empty RRset: one code, one severity.
    CHECK(nxdomain.diagnostics[0].severity == Severity::info);
    CHECK(nxdomain.diagnostics[0].message.find("NXDOMAIN") != std::string::npos);

    const auto nodata = audit::lookup_result("x", "x", response_with(Outcome::no_data, 0));
    CHECK(nodata.evaluation.status == Status::missing);
    CHECK(nodata.evaluation.diagnostics[0].message.find("NOERROR") != std::string::npos);
    CHECK_FALSE(nodata.dns->ttl);
}

TEST_CASE("failed lookups are errors with their dns-* code, never missing") {
    const std::vector<std::pair<Outcome, std::string>> cases = {
        {Outcome::server_failure, "dns-servfail"}, {Outcome::refused, "dns-refused"},
        {Outcome::other_rcode, "dns-rcode"},       {Outcome::timeout, "dns-timeout"},
        {Outcome::unreachable, "dns-unreachable"}, {Outcome::malformed, "dns-malformed"},
        {Outcome::bad_name, "invalid-domain"}};
    for (const auto& [outcome, code] : cases) {
        INFO(code);
        const CheckResult result =
            audit::lookup_result("x.example", "x.example", response_with(outcome));
        CHECK(result.evaluation.status == Status::error);
        REQUIRE(result.evaluation.diagnostics.size() == 1);
        CHECK(result.evaluation.diagnostics[0].code == code);
        CHECK(result.evaluation.diagnostics[0].severity == Severity::error);
        CHECK(result.dns->error == code);
        CHECK(exit_code_for(result.evaluation.status) == ExitCode::lookup_error);
    }
}

TEST_CASE("a followed CNAME adds an info diagnostic naming its target") {
    auto response = response_with(Outcome::answer);
    response.cnames = {"_smtp._tls.provider.example"};
    response.records = {txt({"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"}, 60)};
    const CheckResult result = audit::lookup_result("x", "x.example", response);
    CHECK(result.evaluation.status == Status::valid);
    CHECK(result.dns->cnames == response.cnames);
    REQUIRE_FALSE(result.evaluation.diagnostics.empty());
    const Diagnostic& note = result.evaluation.diagnostics.back();
    CHECK(note.code == "cname");
    CHECK(note.severity == Severity::info);
    CHECK(note.message.find("_smtp._tls.provider.example") != std::string::npos);
}

TEST_CASE("a name that is no domain is an error row without lookup") {
    Diagnostic problem;
    problem.code = "invalid-domain";
    problem.message = "bad";
    const CheckResult result = audit::invalid_domain_result("a..b", problem);
    CHECK(result.input == "a..b");
    CHECK_FALSE(result.domain);
    CHECK_FALSE(result.dns);
    CHECK(result.evaluation.status == Status::error);
    CHECK(result.evaluation.diagnostics[0].code == "invalid-domain");
}
