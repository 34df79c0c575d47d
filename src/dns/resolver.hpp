// An asynchronous stub resolver: lookups are submitted with a deadline and a callback, and one
// thread runs the event loop until none is left. Sockets, epoll and c-ares stay behind this
// interface.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/response.hpp"
#include "dns/server_address.hpp"
#include "tlsrpt/expected.hpp"

namespace tlsrpt::dns {

struct ResolverOptions {
    // Empty: the servers of /etc/resolv.conf.
    std::vector<ServerAddress> servers;
    // Wait for the first try; doubled after each pass over all servers.
    std::chrono::milliseconds timeout{2000};
    // Passes over the servers for timeouts; also how often a SERVFAIL is asked (again after
    // 100 ms, then 200 ms, ...).
    int tries = 2;
};

class Resolver {
  public:
    using Callback = std::function<void(Response&&)>;

    // Fails when a server is not an address, when there are more than 64, or when the servers
    // of /etc/resolv.conf or the event loop cannot be had.
    static Expected<std::unique_ptr<Resolver>, std::string> create(const ResolverOptions& options);

    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Queues a query (class IN, recursion desired, AD requested); the queries of a round of the
    // event loop leave together at its end. `done` is called exactly once, from run(), by
    // `deadline` at the latest, postponed by as long as the query waited to leave (a lookup
    // still unanswered then ends as Outcome::timeout). Callbacks may submit further lookups.
    void submit(std::string name, RecordType type, Clock::time_point deadline, Callback done);

    // The same, but the query goes to `server` alone, on every try, with recursion not desired:
    // an authoritative server asked about a zone of its own. Its answer counts only when it
    // comes from that server's address and port, with the query's ID and question. A SERVFAIL
    // is not asked again: from an authoritative server it says that the zone is broken there,
    // not that a server behind it was slow.
    void submit_direct(const ServerAddress& server, std::string name, RecordType type,
                       Clock::time_point deadline, Callback done);

    // The time of the event loop's current round, read once per round: a deadline computed
    // from it for submit() still counts from when the query leaves.
    Clock::time_point now() const;

    // Called between rounds of the event loop, so that a caller can submit lookups at its own
    // pace or stop: returns when it wants to be called again at the latest, or nullopt when it
    // has nothing more to submit (run() then ends once the lookups in flight have completed).
    using Pacer = std::function<std::optional<Clock::time_point>()>;

    // Drives the event loop until every submitted lookup has completed (and `pacer`, if given,
    // has nothing more to submit). A signal wakes the loop early so that the pacer can react.
    void run(const Pacer& pacer = {});

    // Drops every lookup in flight without calling its callback (after an interruption).
    // Watches and timers stay: their owners end them.
    void abandon_all();

    // Other work on the same event loop (HTTPS fetches, SMTP probes), so that one thread
    // serves it all. `fd` is watched for `events` (EPOLLIN, EPOLLOUT) until unwatch(), which
    // must come before the descriptor is closed; run() calls `ready` with the events that came.
    // Watching a watched descriptor again changes its events and callback. False when epoll
    // refuses the descriptor.
    using Ready = std::function<void(std::uint32_t events)>;
    bool watch(int fd, std::uint32_t events, Ready ready);
    void unwatch(int fd);

    // run() calls `due` once `when` has come, unless the timer is cancelled first. Watched
    // descriptors and timers keep run() going: work that watches a descriptor keeps a timer
    // for its own deadline, so that run() always ends.
    using TimerId = std::uint64_t;
    TimerId set_timer(Clock::time_point when, std::function<void()> due);
    void cancel_timer(TimerId timer);

  private:
    struct Impl;
    explicit Resolver(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tlsrpt::dns
