// STARTTLS probes of MX hosts on the resolver's event loop, as a sending MTA connects: TCP to
// port 25, the 220 greeting, EHLO, STARTTLS, the TLS handshake with SNI, verification as
// senders verify (PKIX against the MX name; DANE when TLSA records are given), then QUIT. No
// call blocks: sockets and OpenSSL are non-blocking and driven by epoll events. A bounded
// number of probes run at once; the others wait in order, their deadlines running.
#pragma once

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dns/resolver.hpp"
#include "live/probe_outcome.hpp"
#include "live/tlsa_record.hpp"
#include "tlsrpt/expected.hpp"

namespace tlsrpt::live {

struct ProbeRequest {
    std::string host;     // the MX name: the SNI and the name certificates are checked for
    std::string address;  // an IPv4 or IPv6 address literal to connect to
    std::uint16_t port = 25;
    std::vector<TlsaRecord> tlsa;     // the host's DNSSEC-authenticated TLSA RRset; empty: no DANE
    dns::Clock::time_point deadline;  // the probe ends by then, whatever happens
};

struct ProbeOptions {
    // Probes connected at once, at least 1.
    std::size_t max_concurrent = 32;
    // The name EHLO gives (RFC 5321 §4.1.1.1); "": the local address as an address literal.
    std::string helo_name;
};

class StarttlsProber {
  public:
    using Done = std::function<void(ProbeOutcome&&)>;

    // `anchors`: the run's trust anchors (trust_store()), which every probe's verification
    // uses and the prober holds a reference to. Fails when max_concurrent is 0 or when
    // helo_name cannot be sent in a command. The resolver must outlive the prober.
    static Expected<std::unique_ptr<StarttlsProber>, std::string> create(dns::Resolver& loop,
                                                                         ProbeOptions options,
                                                                         X509_STORE* anchors);

    // Abandons the probes still running.
    ~StarttlsProber();
    StarttlsProber(const StarttlsProber&) = delete;
    StarttlsProber& operator=(const StarttlsProber&) = delete;

    // Starts a probe, or queues it while max_concurrent probes run. `done` is called exactly
    // once, from the resolver's run(), by the deadline at the latest (plus the moment the end
    // takes to be noticed). It may start further probes or call abandon_all(); it must not
    // destroy the prober.
    void probe(ProbeRequest request, Done done);

    // Ends every probe at once (after an interruption): no callback is called, every socket
    // and TLS session is freed, and nothing is left on the event loop.
    void abandon_all();

    // Probes connecting or connected, and probes waiting for their turn.
    std::size_t connections() const;
    std::size_t waiting() const;

  private:
    struct Impl;
    explicit StarttlsProber(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tlsrpt::live
