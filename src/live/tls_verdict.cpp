#include "live/tls_verdict.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>

#include <fmt/format.h>

#include "live/verify_errors.hpp"

namespace tlsrpt::live {
namespace {

TlsVerdict failure(ResultType result, std::string reason) {
    return TlsVerdict{result, std::move(reason), false};
}

TlsVerdict transient(std::string reason) {
    return TlsVerdict{std::nullopt, std::move(reason), true};
}

const VerifyError* find_code(const std::vector<VerifyError>& errors, int code) {
    const auto found = std::find_if(errors.begin(), errors.end(), [code](const VerifyError& error) {
        return error.code == code;
    });
    return found == errors.end() ? nullptr : &*found;
}

// The certificate errors of a verification, as one result. A sender reports one result per
// session, so one error class wins: a chain that does not lead to a trust anchor first (an
// untrusted certificate's other properties say nothing), then expiry (a property of the
// certificate whatever name it is checked for), then the name. Every error that is neither
// expiry nor a name mismatch is a chain or trust error (unknown or self-signed issuer, bad
// signature, not yet valid, name constraints, ...): certificate-not-trusted with its code.
TlsVerdict certificate_verdict(const std::vector<VerifyError>& errors) {
    const auto trust = std::find_if(errors.begin(), errors.end(), [](const VerifyError& error) {
        return error.code != X509_V_ERR_CERT_HAS_EXPIRED &&
               error.code != X509_V_ERR_HOSTNAME_MISMATCH;
    });
    if (trust != errors.end()) {
        return failure(ResultType::certificate_not_trusted, verify_error_name(trust->code));
    }
    if (const VerifyError* expired = find_code(errors, X509_V_ERR_CERT_HAS_EXPIRED)) {
        return failure(ResultType::certificate_expired, verify_error_name(expired->code));
    }
    if (const VerifyError* name = find_code(errors, X509_V_ERR_HOSTNAME_MISMATCH)) {
        return failure(ResultType::certificate_host_mismatch, verify_error_name(name->code));
    }
    return TlsVerdict{};
}

TlsVerdict dane_verdict(const ProbeOutcome& outcome) {
    switch (outcome.dane) {
        case DaneState::matched:
            // DANE-TA still checks the name and validity below the matched anchor.
            return certificate_verdict(outcome.dane_errors);
        case DaneState::no_match:
            // The records are sound but the certificate presented does not adhere to them:
            // RFC 8460 names exactly this for certificate-host-mismatch ("did not adhere to
            // the constraints specified in the MTA-STS or DANE policy"); tlsa-invalid is for
            // records that are themselves invalid.
            return failure(ResultType::certificate_host_mismatch,
                           verify_error_name(X509_V_ERR_DANE_NO_MATCH));
        case DaneState::not_used:
        case DaneState::no_usable_records:
            break;
    }
    return failure(ResultType::tlsa_invalid, "no usable TLSA record");
}

// A reply that refused the dialogue before TLS.
TlsVerdict rejected_verdict(const ProbeOutcome& outcome) {
    const int code = outcome.last_reply_code;
    const std::string reason = fmt::format("{} in {}", code, to_string(outcome.stage));
    // 421: the server is closing the connection (RFC 5321 §3.8). A greeting other than 220
    // asks for no TLS either: senders skip to another MX host or try later.
    if (code == 421 || outcome.stage == ProbeStage::banner) return transient(reason);
    if (outcome.stage == ProbeStage::ehlo) {
        if (code / 100 == 4) return transient(reason);
        // A sender falls back to HELO (RFC 5321 §4.1.4), which has no STARTTLS.
        return failure(ResultType::starttls_not_supported, fmt::format("EHLO refused: {}", code));
    }
    // 454 (TLS not available) or any other refusal of STARTTLS: the session goes on without
    // TLS or not at all; either way STARTTLS could not be negotiated.
    return failure(ResultType::starttls_not_supported, fmt::format("STARTTLS refused: {}", code));
}

}  // namespace

TlsVerdict tls_verdict(const ProbeOutcome& outcome, const AppliedPolicy& policy) {
    // An MX host outside the policy fails whatever the server does: in enforce mode a sender
    // does not even connect (RFC 8461 §5). Senders that check the certificate against the
    // policy's patterns report it as the certificate's failure to match them.
    if (policy.type == PolicyType::sts && !policy.mx_matches_policy) {
        return failure(ResultType::certificate_host_mismatch, "MX host matches no mx pattern");
    }
    switch (outcome.ending) {
        case ProbeEnding::completed:
            break;
        case ProbeEnding::rejected:
            return rejected_verdict(outcome);
        case ProbeEnding::starttls_not_offered:
            return failure(ResultType::starttls_not_supported, "STARTTLS not offered");
        case ProbeEnding::handshake_failed:
            return failure(ResultType::validation_failure,
                           fmt::format("TLS handshake failed: {}", outcome.detail));
        case ProbeEnding::timed_out:
        case ProbeEnding::connect_failed:
        case ProbeEnding::closed:
        case ProbeEnding::malformed_reply:
        case ProbeEnding::local_error: {
            std::string reason =
                fmt::format("{} in {}", to_string(outcome.ending), to_string(outcome.stage));
            if (!outcome.detail.empty()) reason += ": " + outcome.detail;
            return transient(std::move(reason));
        }
    }
    switch (policy.type) {
        case PolicyType::tlsa:
            return dane_verdict(outcome);
        case PolicyType::sts:
            return certificate_verdict(outcome.pkix_errors);
        case PolicyType::no_policy_found:
            break;
    }
    // Opportunistic TLS authenticates nothing: any certificate will do.
    return TlsVerdict{};
}

}  // namespace tlsrpt::live
