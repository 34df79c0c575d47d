// Queries go out in batches: send() only queues, and poll() hands each socket's queue to one
// sendmmsg call and drains answers with recvmmsg, so that a round of the event loop costs a
// few system calls instead of one per query. A query keeps its message ID for all its tries:
// try N goes to server (first + N) mod servers, waits timeout << (N / servers),
// and the query fails after `tries` passes over the servers. A server that refuses (ICMP port
// unreachable, a failed TCP connection) is skipped for the rest of the query when there are
// others to ask. A query of send_to() has one server: its `tries` tries all go there. An answer
// counts only when it comes where its query went: the UDP socket of the current try, or the
// TCP connection to its server; and only a reply (QR set) to a standard query (opcode QUERY)
// counts at all.
#include "dns/transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>

#include "dns/carrier.hpp"
#include "dns/event_poller.hpp"
#include "dns/query_table.hpp"
#include "dns/tcp_connections.hpp"
#include "dns/udp_sockets.hpp"

namespace tlsrpt::dns {
namespace {

// Servers are skipped per query with a bit each.
constexpr std::size_t max_servers = 64;

}  // namespace

struct Transport::Impl final : CarrierEvents {
    using Query = QueryTable::Query;

    // The servers of the options come first: send() rotates over them. The servers of send_to()
    // follow, each in a place of its own while queries to it are in flight, the place reused
    // after. A deque: a new place moves no server that the carriers or an exchange refer to.
    std::deque<ServerAddress> servers;
    std::size_t rotation = 0;  // the servers of the options
    std::chrono::milliseconds timeout{};
    int tries = 1;
    Completion completion;
    std::size_t next_server = 0;  // rotation: each query starts at the next one
    // send_to(): the place of each server by its address text, the queries in flight to each
    // place (by place; 0 for the rotation), places whose last query ended this round, free
    // places.
    std::unordered_map<std::string, std::size_t> direct_places;
    std::vector<std::uint32_t> direct_queries;
    std::vector<std::size_t> idle_places;
    std::vector<std::size_t> free_places;
    EventPoller poller;
    QueryTable queries;
    UdpSockets udp{CarrierContext{servers, poller, queries, *this}};
    TcpConnections tcp{CarrierContext{servers, poller, queries, *this}};
    // By descriptor; an empty function is a descriptor not watched.
    std::vector<Ready> watchers;
    std::size_t watched = 0;

    Impl(TransportOptions options, Completion completion)
        : servers(options.servers.begin(), options.servers.end()),
          rotation(options.servers.size()),
          timeout(options.timeout),
          tries(options.tries),
          completion(std::move(completion)),
          direct_queries(rotation, 0),
          queries(static_cast<std::size_t>(options.tries)) {}

    Handle send(std::span<const unsigned char> message, std::uint64_t tag) {
        const std::uint32_t slot = queries.add(message, tag, next_server);
        next_server = (next_server + 1) % rotation;
        const Handle handle{slot, queries[slot].incarnation};
        if (queries[slot].has_id) start_try(slot);
        return handle;
    }

    Handle send_to(const ServerAddress& server, std::span<const unsigned char> message,
                   std::uint64_t tag) {
        const std::size_t place = place_of(server);
        const std::uint32_t slot = queries.add(message, tag, place);
        ++direct_queries[place];
        const Handle handle{slot, queries[slot].incarnation};
        if (queries[slot].has_id) start_try(slot);
        return handle;
    }

    // A query of send_to(): its server is not in the rotation.
    bool is_direct(const Query& query) const { return query.server >= rotation; }

    std::size_t place_of(const ServerAddress& server) {
        const auto [found, added] = direct_places.try_emplace(server.text, 0);
        if (!added) return found->second;
        if (free_places.empty()) {
            found->second = servers.size();
            servers.push_back(server);
            direct_queries.push_back(0);
            udp.add_server();
            tcp.add_server();
        } else {
            found->second = free_places.back();
            free_places.pop_back();
            servers[found->second] = server;
        }
        return found->second;
    }

    // Places whose last query has ended (and no other has come since) lose their sockets and
    // are free again: at the end of a round, so that no event of this round's wait still
    // names one of their sockets.
    void free_idle_places() {
        for (const std::size_t place : idle_places) {
            if (direct_queries[place] != 0 || !direct_places.contains(servers[place].text)) {
                continue;
            }
            udp.forget_server(place);
            tcp.forget_server(place);
            direct_places.erase(servers[place].text);
            free_places.push_back(place);
        }
        idle_places.clear();
    }

    // A query of send_to() has ended: its place goes idle with the last one.
    void leave_place(std::size_t place) {
        if (--direct_queries[place] == 0) idle_places.push_back(place);
    }

    void release(std::uint32_t slot) {
        udp.leave(queries[slot]);
        if (is_direct(queries[slot])) [[unlikely]] {
            leave_place(queries[slot].server);
        }
        // A query that waited for an ID takes this one and starts.
        const std::uint32_t waited = queries.release(slot);
        if (waited != none) start_try(waited);
    }

    int cancel(Handle handle) {
        if (!queries.holds(handle.slot, handle.incarnation)) return 0;
        const int tries_sent = queries[handle.slot].tries_sent;
        release(handle.slot);
        return tries_sent;
    }

    void cancel_all() {
        queries.drop_waiting();
        for (const std::uint32_t slot : queries.slots_where([](const Query&) { return true; })) {
            release(slot);
        }
    }

    void end(std::uint32_t slot, Exchange exchange) {
        const std::uint64_t tag = queries[slot].tag;
        exchange.tries_sent = queries[slot].tries_sent;
        release(slot);
        completion(tag, exchange);
    }

    // Sends the current try of the query to its server. A UDP try's timer starts when the
    // query leaves (sent()), not when it is queued: a caller that blocks before the round
    // ends (reading a pipe that waits for its next line) must not use up the try's time.
    void start_try(std::uint32_t slot) {
        Query& query = queries[slot];
        queries.new_try(slot);
        if (query.over_tcp) {
            ++query.tries_sent;
            arm_timer(slot, Clock::now());
            if (!tcp.send(slot)) refused(slot);
        } else {
            if (!udp.send(slot)) refused(slot);
        }
    }

    // A truncated answer: the same try again over TCP, to the same server, with a fresh timer.
    void repeat_over_tcp(std::uint32_t slot) {
        Query& query = queries[slot];
        udp.leave(query);
        query.over_tcp = true;
        queries.new_try(slot);
        arm_timer(slot, Clock::now());
        if (!tcp.send(slot)) refused(slot);
    }

    void arm_timer(std::uint32_t slot, Clock::time_point sent) {
        const std::size_t asked = is_direct(queries[slot]) ? 1 : rotation;
        const auto pass = static_cast<std::size_t>(queries[slot].try_count) / asked;
        queries.arm(slot, pass, sent + try_timeout(pass));
    }

    // Doubled on each pass; past 20 passes (a million times the first) no deadline is left.
    std::chrono::milliseconds try_timeout(std::size_t pass) const {
        return timeout * (std::int64_t{1} << std::min<std::size_t>(pass, 20));
    }

    // The next server that is not skipped (the same one for a query of send_to()), or the end
    // of the query after `tries` passes.
    void next_try(std::uint32_t slot) {
        Query& query = queries[slot];
        const bool direct = is_direct(query);
        const int all_tries = static_cast<int>(direct ? 1 : rotation) * tries;
        while (++query.try_count < all_tries) {
            if (direct) {
                start_try(slot);
                return;
            }
            query.server = (query.server + 1) % rotation;
            if ((query.skipped_servers & (std::uint64_t{1} << query.server)) == 0) {
                start_try(slot);
                return;
            }
        }
        Exchange exchange;
        exchange.ending =
            query.timed_out ? Exchange::Ending::timed_out : Exchange::Ending::unreachable;
        end(slot, exchange);
    }

    void sent(std::uint32_t slot, Clock::time_point when) override {
        ++queries[slot].tries_sent;
        arm_timer(slot, when);
    }

    void refused(std::uint32_t slot) override {
        Query& query = queries[slot];
        udp.leave(query);
        if (!is_direct(query) && rotation > 1) {
            query.skipped_servers |= std::uint64_t{1} << query.server;
        }
        next_try(slot);
    }

    void timed_out(std::uint32_t slot) {
        Query& query = queries[slot];
        udp.leave(query);
        query.timed_out = true;
        next_try(slot);
    }

    // Whether the query's current try went where `arrival` is: its UDP socket, or the TCP
    // connection to its server.
    static bool sent_to(const Query& query, Arrival arrival) {
        return arrival.carrier == Carrier::udp ? !query.over_tcp && query.socket == arrival.index
                                               : query.over_tcp && query.server == arrival.index;
    }

    void received(std::span<const unsigned char> message, Arrival arrival,
                  Truncation truncation) override {
        const std::uint32_t slot = queries.slot_with_id(message);
        if (slot == none || !sent_to(queries[slot], arrival) || !answers(queries[slot], message)) {
            return;
        }
        const bool truncated = truncation == Truncation::cut ||
                               (truncation == Truncation::as_flagged && (message[2] & 0x02) != 0);
        if (truncated) {
            repeat_over_tcp(slot);
            return;
        }
        Exchange exchange;
        exchange.ending = Exchange::Ending::answered;
        exchange.message = message;
        exchange.server = servers[queries[slot].server].text;
        end(slot, exchange);
    }

    bool watch(int fd, std::uint32_t events, Ready ready) {
        if (fd < 0) return false;
        const auto index = static_cast<std::uint32_t>(fd);
        if (index >= watchers.size()) watchers.resize(index + 1);
        if (watchers[index]) {
            poller.rewatch(fd, events, Carrier::external, index);
        } else if (poller.watch(fd, events, Carrier::external, index)) {
            ++watched;
        } else {
            return false;
        }
        watchers[index] = std::move(ready);
        return true;
    }

    void unwatch(int fd) {
        const auto index = static_cast<std::uint32_t>(fd);
        if (fd < 0 || index >= watchers.size() || !watchers[index]) return;
        poller.unwatch(fd);
        watchers[index] = nullptr;
        --watched;
    }

    void on_external_event(std::uint32_t fd, std::uint32_t events) {
        // An earlier callback of this round may have ended the watch.
        if (fd >= watchers.size() || !watchers[fd]) return;
        // A copy: the callback may change or end its own watch.
        const Ready ready = watchers[fd];
        ready(events);
    }

    // UDP queues go out first; TCP connections write when epoll says they have room.
    void poll(Clock::time_point wake) {
        udp.flush();
        if (const auto timeout = queries.next_timeout()) wake = std::min(wake, *timeout);
        for (const EventPoller::Event& event : poller.wait(wake)) {
            switch (event.carrier) {
                case Carrier::udp:
                    udp.on_event(event.index, event.events);
                    break;
                case Carrier::tcp:
                    tcp.on_event(event.index, event.events);
                    break;
                case Carrier::external:
                    on_external_event(event.index, event.events);
                    break;
            }
        }
        const auto now = Clock::now();
        for (std::uint32_t slot = queries.next_expired(now); slot != none;
             slot = queries.next_expired(now)) {
            timed_out(slot);
        }
        free_idle_places();
        udp.close_idle_retired();
    }
};

Expected<std::unique_ptr<Transport>, std::string> Transport::create(TransportOptions options,
                                                                    Completion completion) {
    if (options.servers.empty() || options.servers.size() > max_servers) {
        return unexpected(fmt::format("between 1 and {} DNS servers can be used", max_servers));
    }
    auto impl = std::make_unique<Impl>(std::move(options), std::move(completion));
    return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Transport::~Transport() = default;

Transport::Handle Transport::send(std::span<const unsigned char> query, std::uint64_t tag) {
    return impl_->send(query, tag);
}

Transport::Handle Transport::send_to(const ServerAddress& server,
                                     std::span<const unsigned char> query, std::uint64_t tag) {
    return impl_->send_to(server, query, tag);
}

int Transport::cancel(Handle handle) {
    return impl_->cancel(handle);
}

void Transport::cancel_all() {
    impl_->cancel_all();
}

bool Transport::watch(int fd, std::uint32_t events, Ready ready) {
    return impl_->watch(fd, events, std::move(ready));
}

void Transport::unwatch(int fd) {
    impl_->unwatch(fd);
}

std::size_t Transport::watched() const {
    return impl_->watched;
}

void Transport::poll(Clock::time_point wake) {
    impl_->poll(wake);
}

}  // namespace tlsrpt::dns
