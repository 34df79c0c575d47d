// What a STARTTLS probe of one MX address found: how far the SMTP dialogue and the TLS
// handshake got and why they ended, and what a sending MTA would have verified (PKIX against
// the MX name, DANE against the TLSA records). Text from the server is kept as it came,
// bounded: escape it before printing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsrpt::live {

// The steps of a probe, in order.
enum class ProbeStage : std::uint8_t {
    queued,     // waiting for a free connection slot
    connect,    // the TCP connection
    banner,     // the server's greeting (220)
    ehlo,       // EHLO and its reply
    starttls,   // STARTTLS and its reply (220)
    handshake,  // the TLS handshake
    done,       // TLS is up: the facts below are complete
};

// Why a probe ended.
enum class ProbeEnding : std::uint8_t {
    completed,             // the handshake succeeded (stage done)
    timed_out,             // the deadline came (in `stage`)
    connect_failed,        // refused, unreachable: `detail` says which
    closed,                // the server closed or reset the connection (in `stage`)
    rejected,              // a reply other than the one the stage needs: `last_reply_*`
    starttls_not_offered,  // the EHLO reply names no STARTTLS
    malformed_reply,       // a reply broke the syntax or a bound: `detail` says which
    handshake_failed,      // TLS failed (an alert, not TLS, a closed connection): `detail`
    local_error,           // no socket or TLS state could be had here: `detail`
};

// Whether the handshake was authenticated with DANE (RFC 7672).
enum class DaneState : std::uint8_t {
    not_used,           // no TLSA records were given
    no_usable_records,  // records were given, none usable for SMTP: TLS without DANE
    matched,            // a record matched the chain (`dane_errors` may still follow)
    no_match,           // no record matched (X509_V_ERR_DANE_NO_MATCH)
};

std::string_view to_string(ProbeStage stage);
std::string_view to_string(ProbeEnding ending);
std::string_view to_string(DaneState state);

// An error OpenSSL found verifying the server's chain: the X509_V_ERR_* code and the depth
// of the certificate it concerns (0 is the server's own).
struct VerifyError {
    int code = 0;
    int depth = 0;

    bool operator==(const VerifyError&) const = default;
};

// The server's own certificate, as a report reader would want to see it.
struct CertificateFacts {
    std::string subject;                 // RFC 2253 form, at most 1,024 octets
    std::string issuer;                  // likewise
    std::vector<std::string> dns_names;  // subjectAltName dNSName entries, at most 100
    std::int64_t not_after = 0;          // Unix seconds
};

struct ProbeOutcome {
    ProbeStage stage = ProbeStage::queued;  // the step the probe ended in
    ProbeEnding ending = ProbeEnding::timed_out;
    // Why it ended, in words of this program or of OpenSSL (errno text, a handshake error, a
    // broken reply); empty when completed or rejected.
    std::string detail;

    // The last reply read before TLS (the banner, the EHLO or STARTTLS reply): for `rejected`
    // and `starttls_not_offered` the reply that ended the probe. 0 when none came.
    int last_reply_code = 0;
    // Its lines joined with "\n", at most 512 octets: the server's bytes.
    std::string last_reply_text;

    // From the handshake on (stage done).
    std::string tls_version;  // "TLSv1.3"
    std::string cipher;       // OpenSSL's name, "TLS_AES_256_GCM_SHA384"
    std::optional<CertificateFacts> certificate;

    // PKIX as MTA-STS senders verify (RFC 8461 §4.2): the chain against the trust anchors,
    // the subjectAltName dNSNames against the MX name (the subject's CN does not count).
    // Empty: the certificate passes.
    std::vector<VerifyError> pkix_errors;

    DaneState dane = DaneState::not_used;
    // Matched with no error: the depth of the certificate that matched (0 is the server's)
    // and the usage of the record (2 or 3). OpenSSL tells them of a clean verification only:
    // -1 and 0 otherwise.
    int dane_depth = -1;
    std::uint8_t dane_usage = 0;
    // The errors of DANE verification (DANE-TA checks the name, expiry and chain up to the
    // matched anchor; DANE-EE checks nothing else); empty when it passed or was not used.
    std::vector<VerifyError> dane_errors;

    // From the connection's start (not from the wait for a slot) to the end.
    std::chrono::milliseconds elapsed{0};
};

}  // namespace tlsrpt::live
