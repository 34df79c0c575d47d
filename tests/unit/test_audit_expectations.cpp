#include <catch2/catch.hpp>

#include "audit/expectations.hpp"

using namespace tlsrpt;
using namespace tlsrpt::audit;

namespace {

CheckResult with_policy(Status status, std::vector<Destination> rua, std::uint32_t ttl) {
    CheckResult result;
    result.domain = "example.com";
    result.dns = LookupInfo{};
    result.dns->ttl = ttl;
    result.evaluation.status = status;
    result.evaluation.records = {"v=TLSRPTv1; rua=..."};
    result.evaluation.policy = Policy{0, "TLSRPTv1", std::move(rua), {}};
    return result;
}

std::vector<std::string> codes_of(const std::vector<Diagnostic>& diagnostics) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : diagnostics) codes.push_back(diagnostic.code);
    return codes;
}

}  // namespace

TEST_CASE("expectations: expected destinations match in canonical form") {
    const CheckResult result =
        with_policy(Status::valid,
                    {{"MAILTO:TLS@Example.COM", "mailto", true, "example.com"},
                     {"https://xn--bcher-kva.example/r", "https", true, "xn--bcher-kva.example"}},
                    3600);
    // canonical_uri keeps the local part's case and lowercases scheme and host.
    const Expectations met{{"mailto:TLS@example.com", "https://xn--bcher-kva.example/r"}, 3600};
    CHECK(unmet_expectations(result, met).empty());
}

TEST_CASE("expectations: a missing destination and a short TTL are warnings") {
    const CheckResult result =
        with_policy(Status::valid, {{"mailto:a@example.com", "mailto", true, "example.com"}}, 300);
    const Expectations expected{{"mailto:b@example.com"}, 3600};
    const auto unmet = unmet_expectations(result, expected);
    CHECK(codes_of(unmet) == std::vector<std::string>{"expected-rua-missing", "ttl-below-minimum"});
    for (const Diagnostic& diagnostic : unmet) CHECK(diagnostic.severity == Severity::warning);
    CHECK(unmet[0].message.find("mailto:b@example.com") != std::string::npos);
    CHECK(unmet[1].message.find("300 s") != std::string::npos);
}

TEST_CASE("expectations: an unsupported destination does not count as present") {
    const CheckResult result = with_policy(Status::warning,
                                           {{"mailto:a@example.com", "mailto", true, "example.com"},
                                            {"ftp://b.example", "ftp", false, ""}},
                                           3600);
    CHECK(codes_of(unmet_expectations(result, {{"ftp://b.example"}, std::nullopt})) ==
          std::vector<std::string>{"expected-rua-missing"});
}

TEST_CASE("expectations: only a policy in use is compared") {
    CheckResult missing;
    missing.evaluation.status = Status::missing;
    missing.dns = LookupInfo{};
    missing.dns->ttl = 1;
    CHECK(unmet_expectations(missing, {{"mailto:a@example.com"}, 3600}).empty());
}

TEST_CASE("expectations: applying them turns valid into warning and keeps worse statuses") {
    CheckResult valid =
        with_policy(Status::valid, {{"mailto:a@example.com", "mailto", true, "example.com"}}, 60);
    apply_expectations(valid, {{}, 120});
    CHECK(valid.evaluation.status == Status::warning);
    CHECK(codes_of(valid.evaluation.diagnostics) == std::vector<std::string>{"ttl-below-minimum"});

    CheckResult met =
        with_policy(Status::valid, {{"mailto:a@example.com", "mailto", true, "example.com"}}, 60);
    apply_expectations(met, {{"mailto:a@example.com"}, 60});
    CHECK(met.evaluation.status == Status::valid);
    CHECK(met.evaluation.diagnostics.empty());
}
