// One probe is a small state machine over its stages (probe_outcome.hpp), moved on by the
// events of its socket and by one timer: its deadline, or after the handshake the short wait
// for the reply to QUIT. Probes are found by id, so that an event or timer of a probe that
// has ended finds nothing.
#include "live/starttls_prober.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

#include "live/peer_certificate.hpp"
#include "live/smtp_reply.hpp"
#include "live/socket_bio.hpp"
#include "policy/ascii.hpp"

namespace tlsrpt::live {
namespace {

// After the handshake everything is known: the reply to QUIT is waited for this long at most.
constexpr auto quit_wait = std::chrono::seconds(1);
// Bytes read per event: a server that streams without end holds neither the event loop nor
// memory (the reply reader bounds what it keeps).
constexpr std::size_t read_chunk = 4096;
constexpr std::size_t max_reply_text = 512;

struct SslContextFree {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct SslFree {
    void operator()(SSL* connection) const { SSL_free(connection); }
};
using SslContextPointer = std::unique_ptr<SSL_CTX, SslContextFree>;
using SslPointer = std::unique_ptr<SSL, SslFree>;

std::optional<dns::ServerAddress> socket_address(const std::string& literal, std::uint16_t port) {
    in_addr v4{};
    if (inet_pton(AF_INET, literal.c_str(), &v4) == 1) return dns::server_address(v4, port);
    in6_addr v6{};
    if (inet_pton(AF_INET6, literal.c_str(), &v6) == 1) return dns::server_address(v6, port);
    return std::nullopt;
}

// The local end of a connection as an EHLO address literal (RFC 5321 §4.1.3).
std::string address_literal(int fd) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    char text[INET6_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return "[127.0.0.1]";
    if (local.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr, text, sizeof text);
        return fmt::format("[IPv6:{}]", text);
    }
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, text, sizeof text);
    return fmt::format("[{}]", text);
}

// A name for SNI and certificate checks: letters, digits, '-', '_' and dots, without the
// final dot of a DNS name (certificates never have one).
std::optional<std::string> host_name(std::string host) {
    if (!host.empty() && host.back() == '.') host.pop_back();
    const bool valid =
        !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
            return policy::is_alnum(c) || c == '-' || c == '_' || c == '.';
        });
    if (!valid) return std::nullopt;
    return host;
}

// What OpenSSL says about a failed TLS call.
std::string tls_error(int error) {
    const unsigned long queued = ERR_get_error();
    ERR_clear_error();
    if (queued != 0) {
        const char* reason = ERR_reason_error_string(queued);
        return reason != nullptr ? reason : fmt::format("OpenSSL error {:#x}", queued);
    }
    if (error == SSL_ERROR_SYSCALL && errno != 0) return std::strerror(errno);
    return "connection closed";
}

std::string reply_text(const SmtpReply& reply) {
    std::string text;
    for (const std::string& line : reply.lines) {
        if (!text.empty()) text += '\n';
        text += line;
        if (text.size() >= max_reply_text) break;
    }
    if (text.size() > max_reply_text) text.resize(max_reply_text);
    return text;
}

}  // namespace

struct StarttlsProber::Impl {
    struct Probe {
        std::uint64_t id = 0;
        ProbeRequest request;
        std::string host;  // request.host as SNI and certificates name it
        Done done;
        ProbeOutcome outcome;
        dns::Resolver::TimerId timer = 0;  // the deadline, or the end of the wait for QUIT
        dns::Clock::time_point started;
        int fd = -1;
        std::uint32_t events = 0;  // what the socket is watched for
        SmtpReplyReader replies;
        std::string outgoing;  // the rest of a command not yet written
        SslPointer tls;
        bool dane_active = false;
        // Filled by the handshake's verify callback, through the SSL object's app data.
        std::vector<VerifyError> handshake_errors;
        bool quit_sent = false;
    };

    dns::Resolver& loop;
    ProbeOptions options;
    SslContextPointer context;
    std::unordered_map<std::uint64_t, std::unique_ptr<Probe>> probes;
    // Ids in the order probe() was called; those of probes that ended while waiting are
    // skipped.
    std::deque<std::uint64_t> queue;
    std::size_t queued = 0;
    std::size_t connected = 0;
    std::uint64_t last_id = 0;
    // The timer that starts waiting probes from within run().
    std::optional<dns::Resolver::TimerId> kick;

    Impl(dns::Resolver& resolver, ProbeOptions probe_options, SslContextPointer ssl_context)
        : loop(resolver), options(std::move(probe_options)), context(std::move(ssl_context)) {}

    Probe* find(std::uint64_t id) {
        const auto found = probes.find(id);
        return found == probes.end() ? nullptr : found->second.get();
    }

    void add(ProbeRequest request, Done done) {
        auto probe = std::make_unique<Probe>();
        const std::uint64_t id = ++last_id;
        probe->id = id;
        probe->request = std::move(request);
        probe->done = std::move(done);
        probe->timer = loop.set_timer(probe->request.deadline, [this, id] { on_timer(id); });
        probes.emplace(id, std::move(probe));
        queue.push_back(id);
        ++queued;
        arm_kick();
    }

    // Probes start from a timer, never inside probe(): whatever ends them at once (an
    // address refused on the spot) calls back from run(), and a long queue of such probes
    // starts in a loop rather than a recursion.
    void arm_kick() {
        if (!kick) kick = loop.set_timer(loop.now(), [this] { start_waiting(); });
    }

    void start_waiting() {
        kick.reset();
        while (connected < options.max_concurrent && !queue.empty()) {
            const std::uint64_t id = queue.front();
            queue.pop_front();
            Probe* probe = find(id);
            if (probe == nullptr) continue;
            if (loop.now() >= probe->request.deadline) {
                finish(*probe, ProbeEnding::timed_out);
            } else {
                --queued;
                ++connected;
                connect_to(*probe);
            }
        }
    }

    void connect_to(Probe& probe) {
        probe.outcome.stage = ProbeStage::connect;
        probe.started = loop.now();
        const std::optional<std::string> host = host_name(probe.request.host);
        if (!host) return finish(probe, ProbeEnding::local_error, "not a host name");
        probe.host = *host;
        const auto address = socket_address(probe.request.address, probe.request.port);
        if (!address) return finish(probe, ProbeEnding::local_error, "not an IP address");
        probe.fd =
            socket(address->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (probe.fd < 0) return finish(probe, ProbeEnding::local_error, std::strerror(errno));
        if (connect(probe.fd, reinterpret_cast<const sockaddr*>(&address->address),
                    address->length) != 0 &&
            errno != EINPROGRESS) {
            return finish(probe, ProbeEnding::connect_failed, std::strerror(errno));
        }
        // Connected at once or not, writable says so.
        const std::uint64_t id = probe.id;
        if (!loop.watch(probe.fd, EPOLLOUT,
                        [this, id](std::uint32_t ready) { on_ready(id, ready); })) {
            return finish(probe, ProbeEnding::local_error, "the socket cannot be watched");
        }
        probe.events = EPOLLOUT;
    }

    // Changes what the watched socket is waited for (epoll refuses no change of a descriptor
    // it watches: the event loop throws if it ever does).
    void watch(Probe& probe, std::uint32_t events) {
        if (probe.events == events) return;
        const std::uint64_t id = probe.id;
        loop.watch(probe.fd, events, [this, id](std::uint32_t ready) { on_ready(id, ready); });
        probe.events = events;
    }

    void on_ready(std::uint64_t id, std::uint32_t ready) {
        Probe* probe = find(id);
        if (probe == nullptr) return;
        switch (probe->outcome.stage) {
            case ProbeStage::connect:
                return on_connect(*probe, ready);
            case ProbeStage::banner:
            case ProbeStage::ehlo:
            case ProbeStage::starttls:
                if ((ready & EPOLLOUT) != 0 && !probe->outgoing.empty() && !write(*probe)) return;
                if ((ready & ~static_cast<std::uint32_t>(EPOLLOUT)) != 0) read(*probe);
                return;
            case ProbeStage::handshake:
                return handshake(*probe);
            case ProbeStage::done:
                return quit(*probe);
            case ProbeStage::queued:
                return;
        }
    }

    void on_connect(Probe& probe, std::uint32_t ready) {
        int error = 0;
        socklen_t length = sizeof error;
        if (getsockopt(probe.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error != 0) return finish(probe, ProbeEnding::connect_failed, std::strerror(error));
        sockaddr_storage peer{};
        socklen_t peer_length = sizeof peer;
        if (getpeername(probe.fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) {
            // An event meant for an earlier socket of the same number: still connecting.
            if (errno == ENOTCONN && (ready & (EPOLLERR | EPOLLHUP)) == 0) return;
            return finish(probe, ProbeEnding::connect_failed, std::strerror(errno));
        }
        probe.outcome.stage = ProbeStage::banner;
        watch(probe, EPOLLIN);
    }

    // Writes what is left of the command; false when the probe ended.
    bool write(Probe& probe) {
        while (!probe.outgoing.empty()) {
            const ssize_t sent =
                send(probe.fd, probe.outgoing.data(), probe.outgoing.size(), MSG_NOSIGNAL);
            if (sent < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    watch(probe, EPOLLIN | EPOLLOUT);
                    return true;
                }
                finish(probe, ProbeEnding::closed, std::strerror(errno));
                return false;
            }
            probe.outgoing.erase(0, static_cast<std::size_t>(sent));
        }
        watch(probe, EPOLLIN);
        return true;
    }

    bool send_command(Probe& probe, std::string command) {
        probe.outgoing = std::move(command);
        return write(probe);
    }

    void read(Probe& probe) {
        char buffer[read_chunk];
        const ssize_t got = recv(probe.fd, buffer, sizeof buffer, 0);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            return finish(probe, ProbeEnding::closed, std::strerror(errno));
        }
        if (got == 0) return finish(probe, ProbeEnding::closed);
        probe.replies.append(std::string_view(buffer, static_cast<std::size_t>(got)));
        for (;;) {
            auto next = probe.replies.next();
            if (!next) {
                return finish(probe, ProbeEnding::malformed_reply,
                              std::string(to_string(next.error())));
            }
            if (!*next) return;
            if (!on_reply(probe, std::move(**next))) return;
        }
    }

    // Moves the dialogue on; false when the plaintext part of it is over.
    bool on_reply(Probe& probe, SmtpReply reply) {
        probe.outcome.last_reply_code = reply.code;
        probe.outcome.last_reply_text = reply_text(reply);
        switch (probe.outcome.stage) {
            case ProbeStage::banner: {
                if (reply.code != 220) break;
                probe.outcome.stage = ProbeStage::ehlo;
                const std::string name =
                    options.helo_name.empty() ? address_literal(probe.fd) : options.helo_name;
                return send_command(probe, fmt::format("EHLO {}\r\n", name));
            }
            case ProbeStage::ehlo: {
                if (reply.code / 100 != 2) break;
                const auto keywords = ehlo_keywords(reply);
                if (std::find(keywords.begin(), keywords.end(), "STARTTLS") == keywords.end()) {
                    finish(probe, ProbeEnding::starttls_not_offered);
                    return false;
                }
                probe.outcome.stage = ProbeStage::starttls;
                // Alone: a command after STARTTLS in the same write could be taken as sent
                // over TLS (RFC 3207 §4).
                return send_command(probe, "STARTTLS\r\n");
            }
            case ProbeStage::starttls:
                if (reply.code != 220) break;
                // RFC 3207 §4.2: nothing the server sent before TLS counts after it.
                probe.replies.clear();
                probe.outcome.stage = ProbeStage::handshake;
                start_tls(probe);
                return false;
            default:
                break;
        }
        finish(probe, ProbeEnding::rejected);
        return false;
    }

    void start_tls(Probe& probe) {
        probe.tls.reset(SSL_new(context.get()));
        BIO* bio = probe.tls ? new_socket_bio(probe.fd) : nullptr;
        if (bio == nullptr) return finish(probe, ProbeEnding::local_error, "no TLS session");
        SSL* tls = probe.tls.get();
        SSL_set_bio(tls, bio, bio);
        SSL_set_app_data(tls, &probe.handshake_errors);
        SSL_set_tlsext_host_name(tls, probe.host.c_str());
        const std::vector<TlsaRecord> usable = usable_for_smtp(probe.request.tlsa);
        if (!probe.request.tlsa.empty()) probe.outcome.dane = DaneState::no_usable_records;
        if (!usable.empty()) {
            if (SSL_dane_enable(tls, probe.host.c_str()) <= 0) {
                return finish(probe, ProbeEnding::local_error, tls_error(SSL_ERROR_SSL));
            }
            // DANE-EE(3) binds the key alone: its name and dates do not count (RFC 7672
            // §3.1.1).
            SSL_dane_set_flags(tls, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
            for (const TlsaRecord& record : usable) {
                if (SSL_dane_tlsa_add(tls, record.usage, record.selector, record.matching_type,
                                      record.data.data(), record.data.size()) > 0) {
                    probe.dane_active = true;
                }
            }
            ERR_clear_error();  // a record OpenSSL could not use (a digest that is no key)
        }
        if (probe.dane_active) {
            // DANE-TA(2) checks the name: a DNS-ID, or the CN without one (RFC 7672 §3.2.3).
            SSL_set_hostflags(tls, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        } else {
            SSL_set1_host(tls, probe.host.c_str());
            SSL_set_hostflags(tls, pkix_host_flags);
        }
        handshake(probe);
    }

    // Waits as OpenSSL asks; false when it asks for nothing (the call failed).
    bool wait_for_tls(Probe& probe, int error) {
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
        watch(probe, error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
        return true;
    }

    void handshake(Probe& probe) {
        ERR_clear_error();
        const int done = SSL_connect(probe.tls.get());
        if (done == 1) return handshake_done(probe);
        const int error = SSL_get_error(probe.tls.get(), done);
        if (!wait_for_tls(probe, error)) {
            finish(probe, ProbeEnding::handshake_failed, tls_error(error));
        }
    }

    void handshake_done(Probe& probe) {
        SSL* tls = probe.tls.get();
        ProbeOutcome& outcome = probe.outcome;
        outcome.stage = ProbeStage::done;
        outcome.ending = ProbeEnding::completed;
        outcome.tls_version = SSL_get_version(tls);
        outcome.cipher = SSL_get_cipher_name(tls);
        X509* leaf = SSL_get0_peer_certificate(tls);
        if (leaf != nullptr) outcome.certificate = certificate_facts(leaf);
        // With every error passed over, the result is the last error found: none must not
        // be recorded for a verification that failed.
        const long result = SSL_get_verify_result(tls);
        if (probe.handshake_errors.empty() && result != X509_V_OK) {
            probe.handshake_errors.push_back(VerifyError{static_cast<int>(result), 0});
        }
        if (probe.dane_active) {
            outcome.dane_errors = std::move(probe.handshake_errors);
            // OpenSSL says X509_V_ERR_DANE_NO_MATCH exactly when no record matched; other
            // errors (DANE-TA's name and date checks) may follow a match.
            const bool no_match = std::any_of(
                outcome.dane_errors.begin(), outcome.dane_errors.end(),
                [](const VerifyError& error) { return error.code == X509_V_ERR_DANE_NO_MATCH; });
            outcome.dane = no_match ? DaneState::no_match : DaneState::matched;
            // Where it matched OpenSSL tells of a verification without errors only.
            outcome.dane_depth = SSL_get0_dane_authority(tls, nullptr, nullptr);
            if (outcome.dane_depth >= 0) {
                SSL_get0_dane_tlsa(tls, &outcome.dane_usage, nullptr, nullptr, nullptr, nullptr);
            }
            // What MTA-STS would say of the same chain.
            outcome.pkix_errors = verify_for_host(SSL_CTX_get_cert_store(context.get()), leaf,
                                                  SSL_get_peer_cert_chain(tls), probe.host);
        } else {
            outcome.pkix_errors = std::move(probe.handshake_errors);
        }
        loop.cancel_timer(probe.timer);
        const std::uint64_t id = probe.id;
        probe.timer = loop.set_timer(std::min(probe.request.deadline, loop.now() + quit_wait),
                                     [this, id] { on_timer(id); });
        quit(probe);
    }

    // QUIT over TLS, then its reply or the end of the connection, whichever comes first.
    void quit(Probe& probe) {
        SSL* tls = probe.tls.get();
        if (!probe.quit_sent) {
            ERR_clear_error();
            static constexpr char command[] = "QUIT\r\n";
            const int sent = SSL_write(tls, command, sizeof command - 1);
            if (sent <= 0) {
                if (!wait_for_tls(probe, SSL_get_error(tls, sent))) finish(probe);
                return;
            }
            probe.quit_sent = true;
        }
        char buffer[read_chunk];
        ERR_clear_error();
        const int got = SSL_read(tls, buffer, sizeof buffer);
        if (got <= 0) {
            const int error = SSL_get_error(tls, got);
            if (error == SSL_ERROR_ZERO_RETURN) SSL_shutdown(tls);
            if (!wait_for_tls(probe, error)) finish(probe);
            return;
        }
        probe.replies.append(std::string_view(buffer, static_cast<std::size_t>(got)));
        const auto reply = probe.replies.next();
        if (reply && !*reply) return;  // more to come
        if (reply) SSL_shutdown(tls);  // a clean end: say so (close_notify)
        finish(probe);
    }

    void on_timer(std::uint64_t id) {
        Probe* probe = find(id);
        if (probe == nullptr) return;
        probe->timer = 0;
        // After the handshake the wait for QUIT's reply is over; before, the deadline came.
        finish(*probe, probe->outcome.stage == ProbeStage::done ? ProbeEnding::completed
                                                                : ProbeEnding::timed_out);
    }

    // Frees what the probe holds on the loop and in the kernel and OpenSSL.
    void release(Probe& probe) {
        if (probe.timer != 0) loop.cancel_timer(probe.timer);
        probe.timer = 0;
        probe.tls.reset();
        if (probe.fd >= 0) {
            if (probe.events != 0) loop.unwatch(probe.fd);
            close(probe.fd);
        }
        probe.fd = -1;
    }

    void finish(Probe& probe, ProbeEnding ending = ProbeEnding::completed,
                std::string detail = {}) {
        if (probe.outcome.stage == ProbeStage::queued) {
            --queued;
        } else {
            --connected;
            probe.outcome.elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(loop.now() - probe.started);
        }
        // A server that refused is told goodbye (RFC 5321 §3.1, §4.1.1.10), as far as its
        // socket takes it at once.
        if (probe.fd >= 0 && !probe.tls &&
            (ending == ProbeEnding::rejected || ending == ProbeEnding::starttls_not_offered)) {
            send(probe.fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        release(probe);
        probe.outcome.ending = ending;
        probe.outcome.detail = std::move(detail);
        Done done = std::move(probe.done);
        ProbeOutcome outcome = std::move(probe.outcome);
        probes.erase(probe.id);
        if (queued == 0) {
            queue.clear();  // only ids of probes that ended while waiting
        } else if (connected < options.max_concurrent) {
            arm_kick();
        }
        done(std::move(outcome));
    }

    void abandon_all() {
        for (auto& [id, probe] : probes) release(*probe);
        probes.clear();
        queue.clear();
        queued = 0;
        connected = 0;
        if (kick) loop.cancel_timer(*kick);
        kick.reset();
    }
};

Expected<std::unique_ptr<StarttlsProber>, std::string> StarttlsProber::create(dns::Resolver& loop,
                                                                              ProbeOptions options,
                                                                              X509_STORE* anchors) {
    if (options.max_concurrent == 0) {
        return unexpected(std::string("at least one probe must be allowed at a time"));
    }
    const bool helo_sendable = options.helo_name.size() <= 255 &&
                               std::none_of(options.helo_name.begin(), options.helo_name.end(),
                                            [](char c) { return c <= ' ' || c >= 0x7f; });
    if (!helo_sendable) {
        return unexpected(std::string(
            "the EHLO name must be at most 255 printable ASCII characters, without spaces"));
    }
    ERR_clear_error();
    SslContextPointer context(SSL_CTX_new(TLS_client_method()));
    if (context == nullptr || SSL_CTX_dane_enable(context.get()) <= 0) {
        return unexpected(fmt::format("cannot set up TLS: {}", tls_error(SSL_ERROR_SSL)));
    }
    SSL_CTX_set1_cert_store(context.get(), anchors);
    // Verification never stops a handshake: its errors are collected and judged afterwards.
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, record_handshake_error);
    auto impl = std::make_unique<Impl>(loop, std::move(options), std::move(context));
    return std::unique_ptr<StarttlsProber>(new StarttlsProber(std::move(impl)));
}

StarttlsProber::StarttlsProber(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StarttlsProber::~StarttlsProber() {
    impl_->abandon_all();
}

void StarttlsProber::probe(ProbeRequest request, Done done) {
    impl_->add(std::move(request), std::move(done));
}

void StarttlsProber::abandon_all() {
    impl_->abandon_all();
}

std::size_t StarttlsProber::connections() const {
    return impl_->connected;
}

std::size_t StarttlsProber::waiting() const {
    return impl_->queued;
}

}  // namespace tlsrpt::live
