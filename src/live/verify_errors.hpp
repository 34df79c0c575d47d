// X509_V_ERR_* names: the failure-reason-code a report gives for a certificate error (RFC 8460
// §4.3.1 asks for one with certificate-not-trusted and validation-failure).
#pragma once

#include <string>

namespace tlsrpt::live {

// The name of an OpenSSL verification error code ("X509_V_ERR_CERT_HAS_EXPIRED" for 10), or
// "X509_V_ERR <code>" for a code this OpenSSL version does not name.
std::string verify_error_name(int code);

}  // namespace tlsrpt::live
