// The trust anchors of the live checks, read once per run and shared by the policy fetcher and
// the prober (each holds a reference of its own): reading them is what fresh TLS connections
// cost most in bulk runs.
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "tlsrpt/expected.hpp"

namespace tlsrpt::live {

struct TrustStoreFree {
    void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
using TrustStore = std::unique_ptr<X509_STORE, TrustStoreFree>;

// The system's anchors (OpenSSL's default file and hashed directory, which Debian points at
// /etc/ssl/certs) plus those of `ca_file` ("" for none, --ca-file).
Expected<TrustStore, std::string> trust_store(const std::string& ca_file);

}  // namespace tlsrpt::live
