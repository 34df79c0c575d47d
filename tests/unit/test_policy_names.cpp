#include <catch2/catch.hpp>

#include <string_view>
#include <utility>
#include <vector>

#include "tlsrpt/authoritative.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/report_types.hpp"
#include "tlsrpt/result.hpp"
#include "tlsrpt/txt.hpp"

using namespace tlsrpt;

TEST_CASE("statuses map to their exit codes") {
    CHECK(exit_code_for(Status::valid) == ExitCode::valid);
    CHECK(exit_code_for(Status::warning) == ExitCode::warning);
    CHECK(exit_code_for(Status::missing) == ExitCode::missing);
    CHECK(exit_code_for(Status::invalid) == ExitCode::invalid);
    CHECK(exit_code_for(Status::error) == ExitCode::lookup_error);
    CHECK(static_cast<int>(ExitCode::lookup_error) == 4);
}

TEST_CASE("the worst exit code wins") {
    CHECK(worst(ExitCode::warning, ExitCode::invalid) == ExitCode::invalid);
    CHECK(worst(ExitCode::usage, ExitCode::valid) == ExitCode::usage);
    CHECK(worst(ExitCode::missing, ExitCode::missing) == ExitCode::missing);
}

TEST_CASE("character-strings join with nothing in between") {
    CHECK(join_strings(TxtRecord{{"v=TLSRPTv1;", " rua=mailto:a@", "example.com"}}) ==
          "v=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(join_strings(TxtRecord{}) == "");
    CHECK(join_strings(TxtRecord{{std::string("a\0b", 3)}}).size() == 3);
}

TEST_CASE("deep lookup states and destination verdicts print as in the JSON output") {
    using State = std::pair<LookupState, std::string_view>;
    for (const auto& [state, text] :
         std::vector<State>{{LookupState::not_made, ""},
                            {LookupState::found, "found"},
                            {LookupState::none, "none"},
                            {LookupState::dns_servfail, "dns-servfail"},
                            {LookupState::dns_refused, "dns-refused"},
                            {LookupState::dns_rcode, "dns-rcode"},
                            {LookupState::dns_timeout, "dns-timeout"},
                            {LookupState::dns_unreachable, "dns-unreachable"},
                            {LookupState::dns_malformed, "dns-malformed"},
                            {LookupState::invalid_domain, "invalid-domain"}}) {
        CHECK(to_string(state) == text);
    }
    CHECK(lookup_answered(LookupState::found));
    CHECK(lookup_answered(LookupState::none));
    CHECK_FALSE(lookup_answered(LookupState::not_made));
    CHECK_FALSE(lookup_answered(LookupState::dns_timeout));

    using Verdict = std::pair<DestinationVerdict, std::string_view>;
    for (const auto& [verdict, text] : std::vector<Verdict>{
             {{Reach::not_checked}, ""},
             {{Reach::ok}, "ok"},
             {{Reach::null_mx}, "null-mx"},
             {{Reach::no_mail_host}, "no-mail-host"},
             {{Reach::unresolvable}, "unresolvable"},
             {{Reach::non_public}, "non-public"},
             {{Reach::lookup_failed, LookupState::dns_servfail}, "dns-servfail"},
             {{Reach::lookup_failed, LookupState::invalid_domain}, "invalid-domain"}}) {
        CHECK(to_string(verdict) == text);
    }
}

TEST_CASE("policy and result types print as RFC 8460 reports spell them") {
    CHECK(to_string(PolicyType::sts) == "sts");
    CHECK(to_string(PolicyType::tlsa) == "tlsa");
    CHECK(to_string(PolicyType::no_policy_found) == "no-policy-found");
    using Type = std::pair<ResultType, std::string_view>;
    for (const auto& [type, text] :
         std::vector<Type>{{ResultType::starttls_not_supported, "starttls-not-supported"},
                           {ResultType::certificate_host_mismatch, "certificate-host-mismatch"},
                           {ResultType::certificate_expired, "certificate-expired"},
                           {ResultType::certificate_not_trusted, "certificate-not-trusted"},
                           {ResultType::validation_failure, "validation-failure"},
                           {ResultType::tlsa_invalid, "tlsa-invalid"},
                           {ResultType::dnssec_invalid, "dnssec-invalid"},
                           {ResultType::dane_required, "dane-required"},
                           {ResultType::sts_policy_fetch_error, "sts-policy-fetch-error"},
                           {ResultType::sts_policy_invalid, "sts-policy-invalid"},
                           {ResultType::sts_webpki_invalid, "sts-webpki-invalid"}}) {
        CHECK(to_string(type) == text);
    }
}

TEST_CASE("authoritative server states and TTL sources print as in the JSON output") {
    using State = std::pair<ServerState, std::string_view>;
    for (const auto& [state, text] :
         std::vector<State>{{ServerState::authoritative, "authoritative"},
                            {ServerState::lame, "lame"},
                            {ServerState::dns_timeout, "dns-timeout"},
                            {ServerState::dns_unreachable, "dns-unreachable"},
                            {ServerState::dns_malformed, "dns-malformed"},
                            {ServerState::no_address, "no-address"},
                            {ServerState::address_unknown, "address-lookup-failed"},
                            {ServerState::not_asked, "not-asked-non-public"}}) {
        CHECK(to_string(state) == text);
    }
    for (const ServerState lame :
         {ServerState::lame, ServerState::dns_timeout, ServerState::dns_unreachable,
          ServerState::dns_malformed, ServerState::no_address}) {
        CHECK(is_lame(lame));
    }
    for (const ServerState fine :
         {ServerState::authoritative, ServerState::address_unknown, ServerState::not_asked}) {
        CHECK_FALSE(is_lame(fine));
    }
    CHECK(to_string(TtlSource::resolver) == "resolver");
    CHECK(to_string(TtlSource::authoritative) == "authoritative");
}
