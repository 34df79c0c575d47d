// Evaluation details the corpus does not show: positions, the policy, severities, messages.
#include <catch2/catch.hpp>

#include "tlsrpt/evaluation.hpp"

using namespace tlsrpt;

namespace {

Evaluation evaluate_one(std::string record) {
    return evaluate({TxtRecord{{std::move(record)}}});
}

const Diagnostic& only(const Evaluation& evaluation, std::string_view code) {
    const Diagnostic* found = nullptr;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) {
        if (diagnostic.code == code) {
            REQUIRE(found == nullptr);
            found = &diagnostic;
        }
    }
    REQUIRE(found != nullptr);
    return *found;
}

}  // namespace

TEST_CASE("an empty RRset is missing with no-record") {
    const Evaluation evaluation = evaluate({});
    CHECK(evaluation.status == Status::missing);
    REQUIRE(evaluation.diagnostics.size() == 1);
    CHECK(evaluation.diagnostics[0].code == "no-record");
    CHECK_FALSE(evaluation.diagnostics[0].record);
    CHECK_FALSE(evaluation.policy);
}

TEST_CASE("records are the joined strings, in RRset order") {
    const Evaluation evaluation =
        evaluate({TxtRecord{{"v=spf1", " -all"}}, TxtRecord{{"v=TLSRPTv1;", "rua=mailto:a@b.de"}}});
    CHECK(evaluation.records ==
          std::vector<std::string>{"v=spf1 -all", "v=TLSRPTv1;rua=mailto:a@b.de"});
    REQUIRE(evaluation.policy);
    CHECK(evaluation.policy->record == 1);
}

TEST_CASE("the policy lists every destination with its scheme and whether senders use it") {
    const Evaluation evaluation = evaluate_one(
        "v=TLSRPTv1; rua=MAILTO:a@example.com,ftp://f.example.com/; x=1; "
        "rua=https://r.example.com/");
    CHECK(evaluation.status == Status::warning);
    REQUIRE(evaluation.policy);
    const Policy& policy = *evaluation.policy;
    CHECK(policy.version == "TLSRPTv1");
    REQUIRE(policy.rua.size() == 3);
    CHECK(policy.rua[0].uri == "MAILTO:a@example.com");
    CHECK(policy.rua[0].scheme == "mailto");
    CHECK(policy.rua[0].supported);
    CHECK(policy.rua[1].scheme == "ftp");
    CHECK_FALSE(policy.rua[1].supported);
    CHECK(policy.rua[2].scheme == "https");
    CHECK(policy.extensions == std::vector<std::pair<std::string, std::string>>{{"x", "1"}});
    CHECK(only(evaluation, "unsupported-scheme").severity == Severity::warning);
}

TEST_CASE("supported destinations name the host that receives the reports, in lower case") {
    const Evaluation evaluation = evaluate_one(
        "v=TLSRPTv1; rua=mailto:a@Mail.Example.com,https://user@R.example.com:8443/x,"
        "https://[2001:db8::1]/r,ftp://f.example.com/");
    REQUIRE(evaluation.policy);
    const std::vector<Destination>& rua = evaluation.policy->rua;
    REQUIRE(rua.size() == 4);
    CHECK(rua[0].host == "mail.example.com");
    CHECK(rua[1].host == "r.example.com");
    CHECK(rua[2].host == "[2001:db8::1]");
    CHECK(rua[3].host.empty());
}

TEST_CASE("no policy is given for invalid records") {
    const Evaluation evaluation = evaluate_one("v=TLSRPTv1; rua=ftp://f.example.com/");
    CHECK(evaluation.status == Status::invalid);
    CHECK_FALSE(evaluation.policy);
    CHECK(only(evaluation, "unsupported-scheme").severity == Severity::error);
}

TEST_CASE("diagnostics carry the record index, offset and length") {
    const Evaluation evaluation =
        evaluate({TxtRecord{{"v=spf1 -all"}}, TxtRecord{{"v=TLSRPTv1;rua=mailto:x@y.com!10m"}}});
    const Diagnostic& suffix = only(evaluation, "dmarc-size-suffix");
    CHECK(suffix.record == 1u);
    CHECK(suffix.offset == 29u);
    CHECK(suffix.length == 4);
    CHECK(suffix.severity == Severity::error);

    const Evaluation spaced = evaluate_one("v=TLSRPTv1 ;rua=mailto:a@b.de");
    const Diagnostic& version = only(spaced, "ws-before-delimiter");
    CHECK(version.offset == 10u);
    CHECK(version.length == 1);

    const Evaluation cut = evaluate_one("v=TLSRPTv1; rua=https://r.example.com/?a=1,b=2");
    const Diagnostic& comma = only(cut, "unencoded-comma");
    CHECK(comma.offset == 43u);
    CHECK(comma.length == 3);
}

TEST_CASE("messages name the URI by its position, not by its text") {
    const Evaluation evaluation =
        evaluate_one("v=TLSRPTv1; rua=mailto:a@example.com,secret@example.com");
    const Diagnostic& scheme = only(evaluation, "missing-scheme");
    CHECK_THAT(scheme.message, Catch::StartsWith("URI 2 of rua"));
    CHECK_THAT(scheme.message, !Catch::Contains("secret"));
}

TEST_CASE("a near miss beside a policy is a warning, alone an error") {
    const Evaluation beside = evaluate(
        {TxtRecord{{"v=TLSRPTv1; rua=mailto:a@example.com"}}, TxtRecord{{"V=TLSRPTv1; rua=x"}}});
    CHECK(beside.status == Status::warning);
    CHECK(only(beside, "discarded-malformed-tlsrpt-record").record == 1u);
    REQUIRE(beside.policy);
    CHECK(beside.policy->record == 0);

    const Evaluation alone = evaluate_one("V=TLSRPTv1; rua=mailto:a@example.com");
    CHECK(alone.status == Status::invalid);
    CHECK(only(alone, "version-case").severity == Severity::error);
}

TEST_CASE("unrelated records are noted as info and do not change a valid verdict") {
    const Evaluation evaluation = evaluate(
        {TxtRecord{{"v=DMARC1; p=none"}}, TxtRecord{{"v=TLSRPTv1; rua=mailto:a@example.com"}}});
    CHECK(evaluation.status == Status::valid);
    CHECK(only(evaluation, "unrelated-txt-record").severity == Severity::info);
    CHECK(only(evaluation, "unrelated-txt-record").record == 0u);
}

TEST_CASE("selection follows the contract's candidate pattern exactly") {
    CHECK(evaluate_one("v=TLSRPTv1\t\t;rua=mailto:a@example.com").status == Status::warning);
    CHECK(evaluate_one("v=TLSRPTv1;rua=mailto:a@example.com").status == Status::valid);
    CHECK(evaluate_one("v=TLSRPTv1").status == Status::invalid);
    CHECK(evaluate_one("v=TLSRPTv10; rua=mailto:a@example.com").status == Status::invalid);
    CHECK(evaluate_one("v=spf1 -all").status == Status::missing);
}
