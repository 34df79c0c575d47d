// What a probe learns from the server's certificate chain with OpenSSL: the facts of its own
// certificate, and the errors of a verification, each one recorded rather than the first
// one ending it (OpenSSL keeps only the last in SSL_get_verify_result).
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>
#include <vector>

#include "live/probe_outcome.hpp"

namespace tlsrpt::live {

// At most this many errors are kept per verification: a chain could repeat some for ever.
inline constexpr std::size_t max_verify_errors = 32;

CertificateFacts certificate_facts(X509* certificate);

// The verify callback of a handshake (SSL_CTX_set_verify): adds each error to the
// std::vector<VerifyError> that SSL_set_app_data gave the connection, and lets the
// verification go on, so that every error is found and the handshake completes.
int record_handshake_error(int preverified, X509_STORE_CTX* context);

// The chain a server sent (`chain`, its own certificate `leaf` included) verified as MTA-STS
// senders do (RFC 8461 §4.2): up to an anchor of `store`, for a TLS server, valid now, with a
// subjectAltName dNSName for `host` (whole left-most label wildcards only; the subject's CN
// does not count). Returns the errors, none when it passes.
std::vector<VerifyError> verify_for_host(X509_STORE* store, X509* leaf, STACK_OF(X509) * chain,
                                         const std::string& host);

// The name checks of verify_for_host, for a connection's own verification.
inline constexpr unsigned int pkix_host_flags =
    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

}  // namespace tlsrpt::live
