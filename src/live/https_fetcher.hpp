// HTTPS GETs on the resolver's event loop (libcurl's multi socket interface), for the MTA-STS
// policy file: connected to addresses our resolver found (so --server and the address guard
// apply to what is connected), certificate checked for the URL's host, nothing followed, every
// byte bounded in size and time.
#pragma once

#include <openssl/x509.h>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dns/resolver.hpp"
#include "tlsrpt/expected.hpp"

namespace tlsrpt::live {

struct FetchOptions {
    // Bodies longer than this end the transfer (RFC 8461 §3.3 suggests 64 KiB for policies).
    std::size_t max_body = 64 * 1024;
    // Transfers at once; later ones wait in order, their deadlines counting.
    std::size_t max_concurrent = 32;
};

struct FetchRequest {
    std::string host;  // the URL's host: SNI and the certificate's name
    std::string path;  // begins with "/"
    // Tried in order until one accepts the connection; each an IPv4 or IPv6 literal.
    std::vector<std::string> addresses;
    std::uint16_t port = 443;
    dns::Clock::time_point deadline;  // the whole fetch, waiting included
};

enum class FetchEnding : std::uint8_t {
    received,        // a response came: see status, content type, body
    connect_failed,  // no address accepted a connection
    certificate,     // the server's certificate failed verification (verify_result says why)
    tls_failed,      // the TLS handshake failed otherwise
    too_large,       // the body grew beyond max_body
    timed_out,       // the deadline came first
    failed,          // anything else (error says what)
};

struct FetchOutcome {
    FetchEnding ending = FetchEnding::failed;
    std::string address;     // the address last connected or tried
    long status = 0;         // HTTP status code, 0 without a response
    std::string media_type;  // Content-Type as sent, "" when absent
    std::string location;    // a redirect's target, reported and never followed
    std::string body;        // with `received`, at most max_body octets
    long verify_result = 0;  // X509_V_ERR_* with `certificate`
    std::string error;       // what went wrong, from libcurl, when not `received`
    std::chrono::milliseconds elapsed{0};
};

class HttpsFetcher {
  public:
    using Done = std::function<void(FetchOutcome&&)>;

    // Fails when libcurl cannot be had. `anchors`: the run's trust anchors (trust_store()),
    // which the fetcher holds a reference to. `loop` must outlive the fetcher.
    static Expected<std::unique_ptr<HttpsFetcher>, std::string> create(dns::Resolver& loop,
                                                                       FetchOptions options,
                                                                       X509_STORE* anchors);
    ~HttpsFetcher();
    HttpsFetcher(const HttpsFetcher&) = delete;
    HttpsFetcher& operator=(const HttpsFetcher&) = delete;

    // `done` is called exactly once, from the loop's run(), by the request's deadline at the
    // latest. It may start further fetches.
    void fetch(FetchRequest request, Done done);

    // Ends every transfer without calling its callback (after an interruption).
    void abandon_all();

  private:
    struct Impl;
    explicit HttpsFetcher(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tlsrpt::live
