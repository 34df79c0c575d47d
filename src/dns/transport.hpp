// The sockets behind dns::Resolver: queries over UDP to one or more servers (or to one server
// named per query), batched per round of the event loop (sendmmsg/recvmmsg), with per-try
// timeouts, rotation over the servers and truncated answers repeated over TCP. Internal to
// src/dns/.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/response.hpp"
#include "dns/server_address.hpp"
#include "tlsrpt/expected.hpp"

namespace tlsrpt::dns {

struct TransportOptions {
    std::vector<ServerAddress> servers;
    // Wait for a try; doubled after each pass over all servers.
    std::chrono::milliseconds timeout{2000};
    // Passes over the servers before a query fails.
    int tries = 2;
};

// How a query ended.
struct Exchange {
    enum class Ending { answered, timed_out, unreachable };
    Ending ending = Ending::timed_out;
    std::span<const unsigned char> message;  // the answer; valid during the callback only
    std::string_view server;                 // the server that answered
    int tries_sent = 0;                      // tries that left, the answered one included
};

class Transport {
  public:
    // Gets every query that ends, with the tag it was sent with.
    using Completion = std::function<void(std::uint64_t tag, const Exchange& exchange)>;
    // Names a query in flight, to cancel it; stays harmless after the query has ended.
    struct Handle {
        std::uint32_t slot = 0;
        std::uint64_t incarnation = 0;
    };

    static Expected<std::unique_ptr<Transport>, std::string> create(TransportOptions options,
                                                                    Completion completion);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Queues `query` (a whole message; its ID is replaced by a random one unique among the
    // queries in flight). It leaves with the next poll(), or, while 65,536 queries are in
    // flight already, once one of them ends. Throws std::system_error when no socket can be
    // had for it (too many open files): a local failure, not the server's.
    Handle send(std::span<const unsigned char> query, std::uint64_t tag);
    // The same, but every try goes to `server` alone, whichever servers the transport rotates
    // over: an authoritative server asked directly. Its answer counts only where it comes from
    // that server, as for the others. The server's sockets close once no query to it is left.
    Handle send_to(const ServerAddress& server, std::span<const unsigned char> query,
                   std::uint64_t tag);
    // Forgets a query without completing it; a late answer is ignored. Returns how many of its
    // tries had left.
    int cancel(Handle handle);
    void cancel_all();

    // Other work sharing the event loop (HTTPS fetches, SMTP probes): `fd` is watched for
    // `events` (EPOLLIN, EPOLLOUT) until unwatch(), which must come before the descriptor is
    // closed; poll() calls `ready` with the events that came. Watching a watched descriptor
    // again changes its events and callback. False when epoll refuses the descriptor.
    using Ready = std::function<void(std::uint32_t events)>;
    bool watch(int fd, std::uint32_t events, Ready ready);
    void unwatch(int fd);
    // Descriptors being watched.
    std::size_t watched() const;

    // Sends every queued query, waits until an answer comes, `wake` or the next try timeout
    // (a signal ends the wait early too), and completes the queries that ended meanwhile.
    // Throws std::system_error as send() does.
    void poll(Clock::time_point wake);

  private:
    struct Impl;
    explicit Transport(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tlsrpt::dns
