#include <catch2/catch.hpp>

#include <openssl/x509_vfy.h>

#include <optional>
#include <string>
#include <vector>

#include "live/tls_verdict.hpp"
#include "live/verify_errors.hpp"

using namespace tlsrpt;
using namespace tlsrpt::live;

namespace {

ProbeOutcome completed(std::vector<VerifyError> pkix = {}) {
    ProbeOutcome outcome;
    outcome.stage = ProbeStage::done;
    outcome.ending = ProbeEnding::completed;
    outcome.tls_version = "TLSv1.3";
    outcome.pkix_errors = std::move(pkix);
    return outcome;
}

ProbeOutcome with_dane(DaneState state, std::vector<VerifyError> dane_errors = {},
                       std::vector<VerifyError> pkix = {}) {
    ProbeOutcome outcome = completed(std::move(pkix));
    outcome.dane = state;
    if (state == DaneState::matched) outcome.dane_depth = 0;
    outcome.dane_errors = std::move(dane_errors);
    return outcome;
}

ProbeOutcome ended(ProbeStage stage, ProbeEnding ending, std::string detail = {},
                   int reply_code = 0) {
    ProbeOutcome outcome;
    outcome.stage = stage;
    outcome.ending = ending;
    outcome.detail = std::move(detail);
    outcome.last_reply_code = reply_code;
    outcome.last_reply_text = "server text, never in a verdict";
    return outcome;
}

ProbeOutcome rejected(ProbeStage stage, int code) {
    return ended(stage, ProbeEnding::rejected, {}, code);
}

const AppliedPolicy none{PolicyType::no_policy_found};
const AppliedPolicy sts{PolicyType::sts};
const AppliedPolicy tlsa{PolicyType::tlsa};

struct Case {
    const char* what;
    ProbeOutcome outcome;
    AppliedPolicy policy;
    std::optional<ResultType> result;
    std::string reason;
    bool transient = false;
};

void check(const std::vector<Case>& cases) {
    for (const Case& test : cases) {
        INFO(test.what << " under " << to_string(test.policy.type));
        const TlsVerdict verdict = tls_verdict(test.outcome, test.policy);
        CHECK(verdict.result == test.result);
        CHECK(verdict.failure_reason_code == test.reason);
        CHECK(verdict.transient == test.transient);
    }
}

constexpr VerifyError expired{X509_V_ERR_CERT_HAS_EXPIRED, 0};
constexpr VerifyError wrong_name{X509_V_ERR_HOSTNAME_MISMATCH, 0};
constexpr VerifyError unknown_issuer{X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0};
constexpr VerifyError leaf_signature{X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0};
constexpr VerifyError untrusted_root{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1};
constexpr VerifyError not_yet_valid{X509_V_ERR_CERT_NOT_YET_VALID, 0};
constexpr VerifyError dane_no_match{X509_V_ERR_DANE_NO_MATCH, 0};

}  // namespace

TEST_CASE("verdict: a completed handshake, judged as each policy judges the certificate") {
    const auto not_trusted = ResultType::certificate_not_trusted;
    check({
        {"a clean chain", completed(), none, {}, ""},
        {"a clean chain", completed(), sts, {}, ""},
        {"expired", completed({expired}), none, {}, ""},
        {"expired", completed({expired}), sts, ResultType::certificate_expired,
         "X509_V_ERR_CERT_HAS_EXPIRED"},
        {"wrong name", completed({wrong_name}), sts, ResultType::certificate_host_mismatch,
         "X509_V_ERR_HOSTNAME_MISMATCH"},
        // One result per session: trust, then expiry, then the name.
        {"wrong name then expired", completed({wrong_name, expired}), sts,
         ResultType::certificate_expired, "X509_V_ERR_CERT_HAS_EXPIRED"},
        {"unknown issuer", completed({unknown_issuer, leaf_signature, wrong_name}), sts,
         not_trusted, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"},
        {"expired under an untrusted root", completed({expired, untrusted_root}), sts, not_trusted,
         "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN"},
        {"not yet valid", completed({not_yet_valid}), sts, not_trusted,
         "X509_V_ERR_CERT_NOT_YET_VALID"},
        {"untrusted", completed({untrusted_root}), none, {}, ""},
    });
}

TEST_CASE("verdict: DANE decides under a tlsa policy, whatever PKIX says") {
    check({
        {"DANE-EE match, PKIX failing",
         with_dane(DaneState::matched, {}, {untrusted_root, wrong_name}),
         tlsa,
         {},
         ""},
        {"DANE-TA match, wrong name", with_dane(DaneState::matched, {wrong_name}), tlsa,
         ResultType::certificate_host_mismatch, "X509_V_ERR_HOSTNAME_MISMATCH"},
        {"DANE-TA match, expired leaf", with_dane(DaneState::matched, {expired}), tlsa,
         ResultType::certificate_expired, "X509_V_ERR_CERT_HAS_EXPIRED"},
        {"no record matches, PKIX passing", with_dane(DaneState::no_match, {dane_no_match}), tlsa,
         ResultType::certificate_host_mismatch, "X509_V_ERR_DANE_NO_MATCH"},
        {"no usable record", with_dane(DaneState::no_usable_records), tlsa,
         ResultType::tlsa_invalid, "no usable TLSA record"},
        {"no records given", completed(), tlsa, ResultType::tlsa_invalid, "no usable TLSA record"},
        // A DANE result does not count where no tlsa policy applies.
        {"no record matches", with_dane(DaneState::no_match, {dane_no_match}), none, {}, ""},
        {"no record matches", with_dane(DaneState::no_match, {dane_no_match}), sts, {}, ""},
    });
}

TEST_CASE("verdict: an MX host outside the MTA-STS policy fails whatever the server does") {
    const AppliedPolicy outside{PolicyType::sts, false};
    const auto mismatch = ResultType::certificate_host_mismatch;
    const std::string reason = "MX host matches no mx pattern";
    check({
        {"a clean handshake", completed(), outside, mismatch, reason},
        {"a timeout", ended(ProbeStage::banner, ProbeEnding::timed_out), outside, mismatch, reason},
        {"no STARTTLS", ended(ProbeStage::ehlo, ProbeEnding::starttls_not_offered), outside,
         mismatch, reason},
        // The flag belongs to sts only.
        {"a clean handshake",
         completed(),
         AppliedPolicy{PolicyType::no_policy_found, false},
         {},
         ""},
    });
}

TEST_CASE("verdict: no STARTTLS and failed handshakes count under every policy") {
    const auto no_starttls = ResultType::starttls_not_supported;
    std::vector<Case> cases;
    for (const AppliedPolicy& policy : {none, sts, tlsa}) {
        cases.push_back({"not offered", ended(ProbeStage::ehlo, ProbeEnding::starttls_not_offered),
                         policy, no_starttls, "STARTTLS not offered"});
        cases.push_back({"STARTTLS 454", rejected(ProbeStage::starttls, 454), policy, no_starttls,
                         "STARTTLS refused: 454"});
        cases.push_back({"STARTTLS 502", rejected(ProbeStage::starttls, 502), policy, no_starttls,
                         "STARTTLS refused: 502"});
        cases.push_back({"EHLO 550 (HELO has no STARTTLS)", rejected(ProbeStage::ehlo, 550), policy,
                         no_starttls, "EHLO refused: 550"});
        cases.push_back(
            {"handshake failed",
             ended(ProbeStage::handshake, ProbeEnding::handshake_failed, "wrong version number"),
             policy, ResultType::validation_failure, "TLS handshake failed: wrong version number"});
    }
    check(cases);
}

TEST_CASE("verdict: what ends a session before TLS is in question is transient") {
    std::vector<Case> cases;
    for (const AppliedPolicy& policy : {none, sts, tlsa}) {
        const std::vector<std::pair<ProbeOutcome, std::string>> outcomes{
            {ended(ProbeStage::queued, ProbeEnding::timed_out), "timed-out in queued"},
            {ended(ProbeStage::banner, ProbeEnding::timed_out), "timed-out in banner"},
            {ended(ProbeStage::handshake, ProbeEnding::timed_out), "timed-out in handshake"},
            {ended(ProbeStage::connect, ProbeEnding::connect_failed, "Connection refused"),
             "connect-failed in connect: Connection refused"},
            {ended(ProbeStage::ehlo, ProbeEnding::closed), "closed in ehlo"},
            {ended(ProbeStage::banner, ProbeEnding::malformed_reply, "reply line too long"),
             "malformed-reply in banner: reply line too long"},
            {ended(ProbeStage::connect, ProbeEnding::local_error, "not an IP address"),
             "local-error in connect: not an IP address"},
            {rejected(ProbeStage::banner, 421), "421 in banner"},
            {rejected(ProbeStage::banner, 554), "554 in banner"},
            {rejected(ProbeStage::ehlo, 421), "421 in ehlo"},
            {rejected(ProbeStage::ehlo, 451), "451 in ehlo"},
            {rejected(ProbeStage::starttls, 421), "421 in starttls"},
        };
        for (const auto& [outcome, reason] : outcomes) {
            cases.push_back({"transient", outcome, policy, {}, reason, true});
        }
    }
    check(cases);
}

TEST_CASE("verify errors are named as OpenSSL's macros name them") {
    CHECK(verify_error_name(X509_V_OK) == "X509_V_OK");
    CHECK(verify_error_name(10) == "X509_V_ERR_CERT_HAS_EXPIRED");
    CHECK(verify_error_name(20) == "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY");
    CHECK(verify_error_name(62) == "X509_V_ERR_HOSTNAME_MISMATCH");
    CHECK(verify_error_name(65) == "X509_V_ERR_DANE_NO_MATCH");
    CHECK(verify_error_name(94) == "X509_V_ERR_EC_KEY_EXPLICIT_PARAMS");
    CHECK(verify_error_name(9999) == "X509_V_ERR 9999");
    CHECK(verify_error_name(-1) == "X509_V_ERR -1");
}
