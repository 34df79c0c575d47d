// The STARTTLS prober against real SMTP servers: the testbed's aiosmtpd servers and fault
// responder (tests/integration/chain/README.md), and, for the faults they do not make, an
// SMTP responder of the test's own. Each probe runs on a resolver's event loop, as in the
// program; no lookup is made.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dns/resolver.hpp"
#include "live/starttls_prober.hpp"
#include "live/tls_verdict.hpp"
#include "live/trust_store.hpp"
#include "loopback_socket.hpp"
#include "smtp_responder.hpp"
#include "testbed.hpp"

using namespace tlsrpt;
using namespace tlsrpt::live;
using tlsrpt::testing::bind_loopback;
using tlsrpt::testing::bound_port;
using namespace std::chrono_literals;
using testing::SmtpFault;
using testing::SmtpResponder;

namespace {

// Time enough for any probe here on a loaded machine; the deadline tests set their own.
constexpr auto generous = 60s;

std::string chain_address(int octet) {
    return testing::net + "." + std::to_string(octet);
}

std::string chain_file(const std::string& name) {
    const std::string& ca = testing::chain_ca_file;
    return ca.substr(0, ca.rfind('/') + 1) + name;
}

// The trust anchors of a run with `ca_file` (--ca-file; "" for the system's alone), read once.
X509_STORE* anchors_with(const std::string& ca_file) {
    static std::map<std::string, TrustStore> read;
    auto found = read.find(ca_file);
    if (found == read.end()) {
        auto store = trust_store(ca_file);
        REQUIRE(store);
        found = read.emplace(ca_file, std::move(*store)).first;
    }
    return found->second.get();
}

// The system's anchors and the testbed's root.
X509_STORE* test_anchors() {
    return anchors_with(testing::chain_ca_file);
}

// The system's anchors alone, which do not vouch for the testbed's root.
X509_STORE* system_anchors() {
    return anchors_with("");
}

std::unique_ptr<dns::Resolver> event_loop() {
    dns::ResolverOptions options;
    options.servers = {*dns::parse_server(testing::unbound)};
    auto created = dns::Resolver::create(options);
    REQUIRE(created);
    return std::move(*created);
}

std::unique_ptr<StarttlsProber> make_prober(dns::Resolver& loop, ProbeOptions options,
                                            X509_STORE* anchors = test_anchors()) {
    auto created = StarttlsProber::create(loop, std::move(options), anchors);
    INFO((created ? "" : created.error()));
    REQUIRE(created);
    return std::move(*created);
}

ProbeRequest request(std::string host, std::string address, std::uint16_t port = 25,
                     std::vector<TlsaRecord> tlsa = {}) {
    ProbeRequest made;
    made.host = std::move(host);
    made.address = std::move(address);
    made.port = port;
    made.tlsa = std::move(tlsa);
    made.deadline = dns::Clock::now() + generous;
    return made;
}

// The testbed's server at NET.<octet> as `host`.
ProbeRequest chain_request(const std::string& host, int octet, std::vector<TlsaRecord> tlsa = {}) {
    return request(host, chain_address(octet), 25, std::move(tlsa));
}

ProbeRequest responder_request(const SmtpResponder& responder) {
    return request("responder.test", responder.address(), responder.port());
}

// One probe, run to its end; `done` must come exactly once, and only from run().
ProbeOutcome probe_once(ProbeRequest probe, ProbeOptions options = {},
                        X509_STORE* anchors = test_anchors()) {
    auto loop = event_loop();
    auto prober = make_prober(*loop, std::move(options), anchors);
    std::optional<ProbeOutcome> outcome;
    int calls = 0;
    prober->probe(std::move(probe), [&](ProbeOutcome&& done) {
        ++calls;
        outcome = std::move(done);
    });
    CHECK(calls == 0);
    loop->run();
    CHECK(calls == 1);
    REQUIRE(outcome);
    INFO("ended " << to_string(outcome->ending) << " in " << to_string(outcome->stage) << ": "
                  << outcome->detail);
    CHECK(outcome->elapsed < generous);
    return std::move(*outcome);
}

TlsVerdict verdict(const ProbeOutcome& outcome, PolicyType policy) {
    return tls_verdict(outcome, AppliedPolicy{policy});
}

bool succeeds(const TlsVerdict& verdict) {
    return !verdict.result && !verdict.transient;
}

// TLSA records computed from the testbed's certificates, as make-zones computes them.
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

std::unique_ptr<X509, X509Free> read_certificate(const std::string& name) {
    FILE* file = std::fopen(chain_file(name).c_str(), "r");
    REQUIRE(file != nullptr);
    std::unique_ptr<X509, X509Free> certificate(PEM_read_X509(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    REQUIRE(certificate != nullptr);
    return certificate;
}

// `usage` `selector` 1 (SHA2-256) of the certificate in `name`: the whole certificate for
// selector 0, its public key for 1.
TlsaRecord sha256_tlsa(std::uint8_t usage, std::uint8_t selector, const std::string& name) {
    const auto certificate = read_certificate(name);
    unsigned char* der = nullptr;
    const int length = selector == 0 ? i2d_X509(certificate.get(), &der)
                                     : i2d_PUBKEY(X509_get0_pubkey(certificate.get()), &der);
    REQUIRE(length > 0);
    std::vector<unsigned char> digest(32);
    unsigned int size = 0;
    const int hashed = EVP_Digest(der, static_cast<std::size_t>(length), digest.data(), &size,
                                  EVP_sha256(), nullptr);
    OPENSSL_free(der);
    REQUIRE(hashed == 1);
    return TlsaRecord{usage, selector, 1, digest};
}

std::int64_t unix_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::size_t open_descriptors() {
    std::size_t count = 0;
    DIR* directory = opendir("/proc/self/fd");
    REQUIRE(directory != nullptr);
    while (readdir(directory) != nullptr) ++count;
    closedir(directory);
    return count;
}

}  // namespace

TEST_CASE("probe: a good server passes PKIX, with its TLS and certificate facts") {
    // A final dot, as DNS answers write names, is not part of the name checked.
    for (const std::string host : {"mx-good.chain.test", "mx-good.chain.test."}) {
        const ProbeOutcome outcome = probe_once(chain_request(host, 25));
        CHECK(outcome.ending == ProbeEnding::completed);
        CHECK(outcome.stage == ProbeStage::done);
        CHECK(outcome.detail.empty());
        CHECK(outcome.last_reply_code == 220);  // to STARTTLS
        CHECK(outcome.tls_version == "TLSv1.3");
        CHECK_FALSE(outcome.cipher.empty());
        REQUIRE(outcome.certificate);
        CHECK(outcome.certificate->subject == "CN=mx-good.chain.test");
        CHECK(outcome.certificate->issuer == "CN=tlsrpt-check test root");
        CHECK(outcome.certificate->dns_names ==
              std::vector<std::string>{"mx-good.chain.test", "mx-danebad.chain.test",
                                       "mx-daneta.chain.test", "mx-usage01.chain.test"});
        // Valid for a year from the testbed's start.
        CHECK(outcome.certificate->not_after > unix_now() + 360 * 86400);
        CHECK(outcome.certificate->not_after < unix_now() + 366 * 86400);
        CHECK(outcome.pkix_errors.empty());
        CHECK(outcome.dane == DaneState::not_used);
        CHECK(outcome.dane_errors.empty());
        CHECK(succeeds(verdict(outcome, PolicyType::sts)));
        CHECK(succeeds(verdict(outcome, PolicyType::no_policy_found)));
    }
}

TEST_CASE("probe: without the test root the same chain is not trusted") {
    const ProbeOutcome outcome =
        probe_once(chain_request("mx-good.chain.test", 25), {}, system_anchors());
    CHECK(outcome.ending == ProbeEnding::completed);
    // The server sends its root, which no system anchor vouches for.
    CHECK(outcome.pkix_errors ==
          std::vector<VerifyError>{{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1}});
    const TlsVerdict sts = verdict(outcome, PolicyType::sts);
    CHECK(sts.result == ResultType::certificate_not_trusted);
    CHECK(sts.failure_reason_code == "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN");
    CHECK(succeeds(verdict(outcome, PolicyType::no_policy_found)));
}

TEST_CASE("probe: expired, wrong name and untrusted certificates, each error recorded") {
    struct Case {
        const char* host;
        int octet;
        std::vector<VerifyError> errors;
        ResultType result;
        const char* reason;
    };
    const std::vector<Case> cases{
        {"mx-expired.chain.test",
         26,
         {{X509_V_ERR_CERT_HAS_EXPIRED, 0}},
         ResultType::certificate_expired,
         "X509_V_ERR_CERT_HAS_EXPIRED"},
        {"mx-wrongname.chain.test",
         27,
         {{X509_V_ERR_HOSTNAME_MISMATCH, 0}},
         ResultType::certificate_host_mismatch,
         "X509_V_ERR_HOSTNAME_MISMATCH"},
        {"mx-untrusted.chain.test",
         28,
         {{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1}},
         ResultType::certificate_not_trusted,
         "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN"},
    };
    for (const Case& test : cases) {
        INFO(test.host);
        const ProbeOutcome outcome = probe_once(chain_request(test.host, test.octet));
        CHECK(outcome.ending == ProbeEnding::completed);
        CHECK(outcome.pkix_errors == test.errors);
        const TlsVerdict sts = verdict(outcome, PolicyType::sts);
        CHECK(sts.result == test.result);
        CHECK(sts.failure_reason_code == test.reason);
        // Opportunistic TLS takes any certificate.
        CHECK(succeeds(verdict(outcome, PolicyType::no_policy_found)));
    }
    // The facts of the certificates that failed are there too.
    const ProbeOutcome expired = probe_once(chain_request("mx-expired.chain.test", 26));
    REQUIRE(expired.certificate);
    CHECK(expired.certificate->not_after < 1609545600);  // before 2021-01-02
    const ProbeOutcome wrong = probe_once(chain_request("mx-wrongname.chain.test", 27));
    REQUIRE(wrong.certificate);
    CHECK(wrong.certificate->dns_names == std::vector<std::string>{"elsewhere.test"});
    const ProbeOutcome untrusted = probe_once(chain_request("mx-untrusted.chain.test", 28));
    REQUIRE(untrusted.certificate);
    CHECK(untrusted.certificate->issuer == "CN=tlsrpt-check untrusted root");
}

TEST_CASE("probe: DANE-EE 3 1 1 matches the server's key, whatever PKIX says") {
    const ProbeOutcome outcome =
        probe_once(chain_request("mx-good.chain.test", 25, {sha256_tlsa(3, 1, "mx-good.pem")}), {},
                   system_anchors());
    CHECK(outcome.ending == ProbeEnding::completed);
    CHECK(outcome.dane == DaneState::matched);
    CHECK(outcome.dane_depth == 0);
    CHECK(outcome.dane_usage == 3);
    CHECK(outcome.dane_errors.empty());
    // PKIX is judged apart: without the test root the chain is not trusted.
    CHECK(outcome.pkix_errors ==
          std::vector<VerifyError>{{X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1}});
    CHECK(succeeds(verdict(outcome, PolicyType::tlsa)));
    CHECK(verdict(outcome, PolicyType::sts).result == ResultType::certificate_not_trusted);

    // DANE-EE binds the key only: neither the name nor the dates count (RFC 7672 §3.1.1).
    for (const auto& [host, octet, certificate] :
         {std::tuple{"mx-wrongname.chain.test", 27, "wrongname.pem"},
          std::tuple{"mx-expired.chain.test", 26, "expired.pem"}}) {
        INFO(host);
        const ProbeOutcome other =
            probe_once(chain_request(host, octet, {sha256_tlsa(3, 1, certificate)}));
        CHECK(other.dane == DaneState::matched);
        CHECK(other.dane_errors.empty());
        CHECK_FALSE(other.pkix_errors.empty());
        CHECK(succeeds(verdict(other, PolicyType::tlsa)));
    }
}

TEST_CASE("probe: a 3 1 1 record of another key matches nothing, though PKIX passes") {
    const ProbeOutcome outcome = probe_once(
        chain_request("mx-danebad.chain.test", 25, {sha256_tlsa(3, 1, "wrongname.pem")}));
    CHECK(outcome.ending == ProbeEnding::completed);
    CHECK(outcome.dane == DaneState::no_match);
    CHECK(outcome.dane_depth == -1);
    CHECK(outcome.dane_errors == std::vector<VerifyError>{{X509_V_ERR_DANE_NO_MATCH, 0}});
    CHECK(outcome.pkix_errors.empty());
    const TlsVerdict tlsa = verdict(outcome, PolicyType::tlsa);
    CHECK(tlsa.result == ResultType::certificate_host_mismatch);
    CHECK(tlsa.failure_reason_code == "X509_V_ERR_DANE_NO_MATCH");
}

TEST_CASE("probe: DANE-TA 2 0 1 matches the root the server sends, and checks the name") {
    const TlsaRecord root = sha256_tlsa(2, 0, "ca.pem");
    const ProbeOutcome outcome =
        probe_once(chain_request("mx-daneta.chain.test", 25, {root}), {}, system_anchors());
    CHECK(outcome.ending == ProbeEnding::completed);
    CHECK(outcome.dane == DaneState::matched);
    CHECK(outcome.dane_depth == 1);
    CHECK(outcome.dane_usage == 2);
    CHECK(outcome.dane_errors.empty());
    CHECK(succeeds(verdict(outcome, PolicyType::tlsa)));

    const ProbeOutcome unnamed =
        probe_once(chain_request("mx-other.chain.test", 25, {root}), {}, system_anchors());
    CHECK(unnamed.dane == DaneState::matched);
    CHECK(unnamed.dane_depth == -1);  // OpenSSL tells no depth of a verification with errors
    CHECK(unnamed.dane_errors == std::vector<VerifyError>{{X509_V_ERR_HOSTNAME_MISMATCH, 0}});
    CHECK(verdict(unnamed, PolicyType::tlsa).result == ResultType::certificate_host_mismatch);

    // The dates count too, below the anchor.
    const ProbeOutcome expired =
        probe_once(chain_request("mx-expired.chain.test", 26, {root}), {}, system_anchors());
    CHECK(expired.dane == DaneState::matched);
    CHECK(expired.dane_errors == std::vector<VerifyError>{{X509_V_ERR_CERT_HAS_EXPIRED, 0}});
    CHECK(verdict(expired, PolicyType::tlsa).result == ResultType::certificate_expired);
}

TEST_CASE("probe: records of usages 0 and 1 only leave DANE off") {
    const ProbeOutcome outcome =
        probe_once(chain_request("mx-usage01.chain.test", 25,
                                 {sha256_tlsa(0, 0, "ca.pem"), sha256_tlsa(1, 1, "mx-good.pem")}));
    CHECK(outcome.ending == ProbeEnding::completed);
    CHECK(outcome.dane == DaneState::no_usable_records);
    CHECK(outcome.dane_depth == -1);
    CHECK(outcome.dane_errors.empty());
    CHECK(outcome.pkix_errors.empty());
    const TlsVerdict tlsa = verdict(outcome, PolicyType::tlsa);
    CHECK(tlsa.result == ResultType::tlsa_invalid);
    CHECK(succeeds(verdict(outcome, PolicyType::sts)));
}

TEST_CASE("probe: the testbed's SMTP faults end the dialogue where they happen") {
    struct Case {
        const char* host;
        int octet;
        ProbeStage stage;
        ProbeEnding ending;
        int reply_code;
        std::string detail;
        std::optional<ResultType> result;
        bool transient;
    };
    const std::vector<Case> cases{
        {"mx-nostarttls.chain.test", 30, ProbeStage::ehlo, ProbeEnding::starttls_not_offered, 250,
         "", ResultType::starttls_not_supported, false},
        {"mx-abort.chain.test", 31, ProbeStage::handshake, ProbeEnding::handshake_failed, 220,
         "wrong version number", ResultType::validation_failure, false},
        {"mx-close.chain.test", 33, ProbeStage::ehlo, ProbeEnding::closed, 220, "", {}, true},
        {"mx-busy.chain.test", 34, ProbeStage::banner, ProbeEnding::rejected, 421, "", {}, true},
        {"mx-454.chain.test", 35, ProbeStage::starttls, ProbeEnding::rejected, 454, "",
         ResultType::starttls_not_supported, false},
    };
    for (const Case& test : cases) {
        INFO(test.host);
        const ProbeOutcome outcome = probe_once(chain_request(test.host, test.octet));
        CHECK(outcome.stage == test.stage);
        CHECK(outcome.ending == test.ending);
        CHECK(outcome.last_reply_code == test.reply_code);
        if (test.ending != ProbeEnding::closed) CHECK(outcome.detail == test.detail);
        CHECK_FALSE(outcome.certificate);
        for (const PolicyType policy :
             {PolicyType::no_policy_found, PolicyType::sts, PolicyType::tlsa}) {
            const TlsVerdict judged = verdict(outcome, policy);
            CHECK(judged.result == test.result);
            CHECK(judged.transient == test.transient);
        }
    }
    const ProbeOutcome busy = probe_once(chain_request("mx-busy.chain.test", 34));
    CHECK(busy.last_reply_text == "4.3.2 mx-busy.chain.test busy, try again later");
    const ProbeOutcome no_starttls = probe_once(chain_request("mx-nostarttls.chain.test", 30));
    CHECK(no_starttls.last_reply_text == "mx-nostarttls.chain.test\n8BITMIME");
}

TEST_CASE("probe: replies that never end, lines that never end and floods are cut short") {
    struct Case {
        SmtpFault fault;
        ProbeStage stage;
        const char* detail;
    };
    for (const Case& test :
         {Case{SmtpFault::endless_reply, ProbeStage::banner, "reply of too many lines"},
          Case{SmtpFault::endless_line, ProbeStage::banner, "reply line too long"},
          Case{SmtpFault::flood, ProbeStage::ehlo, "reply too long"}}) {
        INFO(test.detail);
        SmtpResponder responder(test.fault);
        const ProbeOutcome outcome = probe_once(responder_request(responder));
        CHECK(outcome.ending == ProbeEnding::malformed_reply);
        CHECK(outcome.stage == test.stage);
        CHECK(outcome.detail == test.detail);
        CHECK(verdict(outcome, PolicyType::sts).transient);
    }
}

TEST_CASE("probe: EHLO names the local address or the name given, and its refusal ends the probe") {
    struct Case {
        const char* listen;
        std::string helo_name;
        const char* ehlo;
    };
    for (const Case& test :
         {Case{"127.0.0.1", "", "EHLO [127.0.0.1]\r\n"}, Case{"::1", "", "EHLO [IPv6:::1]\r\n"},
          Case{"::1", "probe.example", "EHLO probe.example\r\n"}}) {
        INFO(test.ehlo);
        SmtpResponder responder(SmtpFault::ehlo_refused, test.listen);
        ProbeOptions options;
        options.helo_name = test.helo_name;
        const ProbeOutcome outcome = probe_once(responder_request(responder), options);
        CHECK(outcome.stage == ProbeStage::ehlo);
        CHECK(outcome.ending == ProbeEnding::rejected);
        CHECK(outcome.last_reply_code == 550);
        CHECK(outcome.last_reply_text == "5.7.1 not you");
        CHECK(verdict(outcome, PolicyType::sts).result == ResultType::starttls_not_supported);
        responder.stop();
        REQUIRE_FALSE(responder.commands().empty());
        CHECK(responder.commands().front() == test.ehlo);
    }
}

TEST_CASE("probe: options that cannot work are refused when the prober is made") {
    auto loop = event_loop();
    struct Case {
        ProbeOptions options;
        std::string error;
    };
    const std::string helo_error =
        "the EHLO name must be at most 255 printable ASCII characters, without spaces";
    ProbeOptions none_at_once;
    none_at_once.max_concurrent = 0;
    ProbeOptions spaced;
    spaced.helo_name = "two words";
    ProbeOptions too_long;
    too_long.helo_name = std::string(256, 'a');
    ProbeOptions line_break;
    line_break.helo_name = "name\r\nRCPT";
    for (const Case& test : {
             Case{none_at_once, "at least one probe must be allowed at a time"},
             Case{spaced, helo_error},
             Case{line_break, helo_error},
             Case{too_long, helo_error},
         }) {
        const auto created = StarttlsProber::create(*loop, test.options, test_anchors());
        REQUIRE_FALSE(created);
        CHECK(created.error() == test.error);
    }
}

TEST_CASE("probe: refused connections, and requests that cannot be made, end at connect") {
    // A port bound but not listening refuses connections.
    const int bound = bind_loopback(SOCK_STREAM);
    const ProbeOutcome refused =
        probe_once(request("refused.test", "127.0.0.1", bound_port(bound)));
    close(bound);
    CHECK(refused.stage == ProbeStage::connect);
    CHECK(refused.ending == ProbeEnding::connect_failed);
    CHECK(refused.detail == "Connection refused");
    CHECK(verdict(refused, PolicyType::sts).transient);

    struct Case {
        const char* host;
        const char* address;
        const char* detail;
    };
    for (const Case& test : {Case{"mx.test", "mx.test", "not an IP address"},
                             Case{"mx.test", "127.0.0.1:25", "not an IP address"},
                             Case{"bad host!", "127.0.0.1", "not a host name"},
                             Case{"", "127.0.0.1", "not a host name"}}) {
        INFO(test.host << " at " << test.address);
        const ProbeOutcome outcome = probe_once(request(test.host, test.address));
        CHECK(outcome.stage == ProbeStage::connect);
        CHECK(outcome.ending == ProbeEnding::local_error);
        CHECK(outcome.detail == test.detail);
    }
}

TEST_CASE("probe: a silent server is left at the deadline") {
    auto loop = event_loop();
    auto prober = make_prober(*loop, {});
    ProbeRequest silent = chain_request("mx-silent.chain.test", 32);
    const auto start = dns::Clock::now();
    silent.deadline = start + 1500ms;
    std::optional<ProbeOutcome> outcome;
    prober->probe(std::move(silent), [&](ProbeOutcome&& done) { outcome = std::move(done); });
    loop->run();
    const auto took = dns::Clock::now() - start;
    REQUIRE(outcome);
    CHECK(outcome->stage == ProbeStage::banner);
    CHECK(outcome->ending == ProbeEnding::timed_out);
    CHECK(outcome->elapsed >= 1400ms);
    CHECK(took >= 1500ms);
    CHECK(took < 1500ms + 10s);
    const TlsVerdict judged = verdict(*outcome, PolicyType::sts);
    CHECK(judged.transient);
    CHECK(judged.failure_reason_code == "timed-out in banner");
}

TEST_CASE("probe: max_concurrent connections at most, the others wait with deadlines running") {
    SmtpResponder holding(SmtpFault::silent);
    auto loop = event_loop();
    ProbeOptions options;
    options.max_concurrent = 3;
    auto prober = make_prober(*loop, options);
    const auto deadline = dns::Clock::now() + 2s;
    std::vector<ProbeOutcome> outcomes;
    for (int i = 0; i < 9; ++i) {
        ProbeRequest held = responder_request(holding);
        held.deadline = deadline;
        prober->probe(std::move(held), [&](ProbeOutcome&& done) {
            CHECK(prober->connections() <= 3);
            outcomes.push_back(std::move(done));
        });
    }
    CHECK(prober->waiting() == 9);
    CHECK(prober->connections() == 0);
    loop->run();
    CHECK(prober->waiting() == 0);
    CHECK(prober->connections() == 0);
    REQUIRE(outcomes.size() == 9);
    std::size_t connected = 0;
    for (const ProbeOutcome& outcome : outcomes) {
        CHECK(outcome.ending == ProbeEnding::timed_out);
        if (outcome.stage == ProbeStage::banner) {
            ++connected;
        } else {
            // Never connected: nothing to time.
            CHECK(outcome.stage == ProbeStage::queued);
            CHECK(outcome.elapsed == 0ms);
        }
    }
    CHECK(connected == 3);
    // The server saw as many connections as the prober made, no more.
    CHECK(holding.stop() == 3);
}

TEST_CASE("probe: waiting probes start as others end, in turn") {
    auto loop = event_loop();
    ProbeOptions options;
    options.max_concurrent = 2;
    auto prober = make_prober(*loop, options);
    std::vector<ProbeOutcome> outcomes;
    for (int i = 0; i < 10; ++i) {
        prober->probe(chain_request("mx-busy.chain.test", 34), [&](ProbeOutcome&& done) {
            CHECK(prober->connections() <= 2);
            outcomes.push_back(std::move(done));
        });
    }
    loop->run();
    REQUIRE(outcomes.size() == 10);
    for (const ProbeOutcome& outcome : outcomes) {
        CHECK(outcome.ending == ProbeEnding::rejected);
        CHECK(outcome.last_reply_code == 421);
    }
}

TEST_CASE("probe: abandon_all ends every probe at once, with no callback and nothing left") {
    const std::size_t descriptors_before = open_descriptors();
    for (const bool destroy : {false, true}) {
        INFO((destroy ? "by destroying the prober" : "by abandon_all()"));
        SmtpResponder handshaking(SmtpFault::starttls_then_silent);
        SmtpResponder holding(SmtpFault::silent);
        auto loop = event_loop();
        ProbeOptions options;
        options.max_concurrent = 2;
        auto prober = make_prober(*loop, options);
        int calls = 0;
        const auto count = [&](ProbeOutcome&&) { ++calls; };
        // In the TLS handshake, connected and silent, and two waiting for their turn.
        prober->probe(responder_request(handshaking), count);
        prober->probe(responder_request(holding), count);
        prober->probe(responder_request(holding), count);
        prober->probe(chain_request("mx-good.chain.test", 25), count);
        // Once the first is in its handshake and the second connected, all go.
        int notices = 0;
        for (const SmtpResponder* responder : {&handshaking, &holding}) {
            const int fd = responder->notices();
            REQUIRE(loop->watch(fd, EPOLLIN, [&, fd](std::uint32_t) {
                char byte = 0;
                REQUIRE(read(fd, &byte, 1) == 1);
                loop->unwatch(fd);
                if (++notices < 2) return;
                CHECK(prober->connections() == 2);
                CHECK(prober->waiting() == 2);
                if (destroy) {
                    prober.reset();
                } else {
                    prober->abandon_all();
                }
            }));
        }
        const auto start = dns::Clock::now();
        loop->run();  // with nothing left on the loop, at once: the deadlines are a minute off
        CHECK(dns::Clock::now() - start < 30s);
        CHECK(notices == 2);
        CHECK(calls == 0);
        if (!destroy) {
            CHECK(prober->connections() == 0);
            CHECK(prober->waiting() == 0);
        }
    }
    // Every socket is closed (the TLS sessions are freed: AddressSanitizer's leak check).
    CHECK(open_descriptors() == descriptors_before);
}
