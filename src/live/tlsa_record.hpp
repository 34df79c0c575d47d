// TLSA records (RFC 6698) as a DANE client for SMTP uses them (RFC 7672 §3.1): only usages
// DANE-TA(2) and DANE-EE(3) count; PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP, and so is
// a record OpenSSL could not match (an unknown selector or matching type, a digest of the
// wrong length).
#pragma once

#include <vector>

#include "dns/response.hpp"

namespace tlsrpt::live {

// As the DNS answer decodes it.
using TlsaRecord = dns::TlsaFields;

// Whether a record can authenticate an SMTP server: usage 2 or 3, selector 0 (certificate)
// or 1 (public key), matching type 0 (the data itself, not empty), 1 (SHA2-256, 32 octets)
// or 2 (SHA2-512, 64 octets). With no usable record left, a sender uses TLS without
// authentication (RFC 7672 §2.2).
bool usable_for_smtp(const TlsaRecord& record);

std::vector<TlsaRecord> usable_for_smtp(const std::vector<TlsaRecord>& records);

}  // namespace tlsrpt::live
