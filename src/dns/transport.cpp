// Queries go out in batches: send() only queues, and poll() hands each socket's queue to one
// sendmmsg call and drains answers with recvmmsg, so that a round of the event loop costs a
// few system calls instead of one per query. A query keeps its message ID for all its tries:
// try N goes to server (first + N) mod servers, waits timeout << (N / servers),
// and the query fails after `tries` passes over the servers. A server that refuses (ICMP port
// unreachable, a failed TCP connection) is skipped for the rest of the query when there are
// others to ask. An answer counts only when it comes where its query went: the UDP socket of
// the current try, or the TCP connection to its server; and only a reply (QR set) to a
// standard query (opcode QUERY) counts at all.
#include "dns/transport.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "dns/carrier.hpp"
#include "dns/event_poller.hpp"
#include "dns/query_table.hpp"

namespace tlsrpt::dns {
namespace {

// Servers are skipped per query with a bit each.
constexpr std::size_t max_servers = 64;

// Answers up to this size are taken over UDP, even above the 1232 octets asked for (a server
// may ignore the EDNS size); a datagram larger still counts as truncated.
constexpr std::size_t datagram_size = 4096;
constexpr unsigned datagrams_per_call = 64;
constexpr unsigned queries_per_call = 256;
// Room for the answers of a large window of lookups arriving together.
constexpr int socket_receive_buffer = 1 << 20;
// Then the next query goes out through a new socket: the kernel binds each one to a random
// source port, which a forged answer has to guess besides the ID and the question. Few per
// port, so that a flood of forged answers to one port can hit only a few queries.
constexpr std::uint32_t queries_per_socket = 256;
// A TCP connection is read a message at a time, this many at most per event: a server that
// streams without end holds neither the event loop nor more than one message of memory.
constexpr int tcp_messages_per_event = 16;

}  // namespace

struct Transport::Impl {
    using Query = QueryTable::Query;
    struct UdpSocket {
        int fd = -1;
        std::size_t server = 0;
        std::uint32_t queries_sent = 0;
        std::uint32_t in_flight = 0;  // queries whose current try is here
        bool retired = false;         // takes no more queries; closed once in_flight is 0
        bool waiting_writable = false;
        std::vector<QueryTable::Try> unsent;
    };
    struct TcpConnection {
        int fd = -1;
        bool connected = false;
        bool watching_writable = false;
        std::vector<unsigned char> outgoing;  // length-prefixed queries not yet written
        std::vector<unsigned char> incoming;  // bytes read of the next message, at most one
        int messages_due = 0;                 // one per query sent: no more are read
    };
    struct Server {
        ServerAddress address;
        std::uint32_t socket = none;  // takes the next UDP queries
        TcpConnection tcp;
    };

    std::vector<Server> servers;
    std::chrono::milliseconds timeout{};
    int tries = 1;
    Completion completion;
    EventPoller poller;

    QueryTable queries;
    std::size_t next_server = 0;  // rotation: each query starts at the next one
    std::vector<UdpSocket> sockets;

    std::vector<mmsghdr> headers;
    std::vector<iovec> vectors;
    std::vector<unsigned char> datagrams;

    explicit Impl(std::size_t passes) : queries(passes) {}

    ~Impl() {
        for (const UdpSocket& socket : sockets) {
            if (socket.fd >= 0) close(socket.fd);
        }
        for (const Server& server : servers) {
            if (server.tcp.fd >= 0) close(server.tcp.fd);
        }
    }

    Handle send(std::span<const unsigned char> message, std::uint64_t tag) {
        const std::uint32_t slot = queries.add(message, tag, next_server);
        next_server = (next_server + 1) % servers.size();
        const Handle handle{slot, queries[slot].incarnation};
        if (queries[slot].has_id) start_try(slot);
        return handle;
    }

    void release(std::uint32_t slot) {
        leave_socket(queries[slot]);
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
    // query leaves (flush_udp), not when it is queued: a caller that blocks before the round
    // ends (reading a pipe that waits for its next line) must not use up the try's time.
    void start_try(std::uint32_t slot) {
        Query& query = queries[slot];
        queries.new_try(slot);
        if (query.over_tcp) {
            ++query.tries_sent;
            arm_timer(slot, Clock::now());
            send_over_tcp(slot);
        } else {
            send_over_udp(slot);
        }
    }

    // A truncated answer: the same try again over TCP, to the same server, with a fresh timer.
    void repeat_over_tcp(std::uint32_t slot) {
        Query& query = queries[slot];
        leave_socket(query);
        query.over_tcp = true;
        queries.new_try(slot);
        arm_timer(slot, Clock::now());
        send_over_tcp(slot);
    }

    void arm_timer(std::uint32_t slot, Clock::time_point sent) {
        const auto pass = static_cast<std::size_t>(queries[slot].try_count) / servers.size();
        queries.arm(slot, pass, sent + try_timeout(pass));
    }

    // Doubled on each pass; past 20 passes (a million times the first) no deadline is left.
    std::chrono::milliseconds try_timeout(std::size_t pass) const {
        return timeout * (std::int64_t{1} << std::min<std::size_t>(pass, 20));
    }

    // The next server that is not skipped, or the end of the query after `tries` passes.
    void next_try(std::uint32_t slot) {
        Query& query = queries[slot];
        const int all_tries = static_cast<int>(servers.size()) * tries;
        while (++query.try_count < all_tries) {
            query.server = (query.server + 1) % servers.size();
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

    void refused(std::uint32_t slot) {
        Query& query = queries[slot];
        leave_socket(query);
        if (servers.size() > 1) query.skipped_servers |= std::uint64_t{1} << query.server;
        next_try(slot);
    }

    void timed_out(std::uint32_t slot) {
        Query& query = queries[slot];
        leave_socket(query);
        query.timed_out = true;
        next_try(slot);
    }

    // --- UDP ---

    void leave_socket(Query& query) {
        if (query.socket == none) return;
        --sockets[query.socket].in_flight;
        query.socket = none;
    }

    // A socket of our own that cannot be had is a local failure, not the server's: the run
    // cannot go on as it should, and says so (std::system_error) rather than report the
    // domains left as unreachable.
    static bool is_local_failure(int error) {
        return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
    }

    std::uint32_t open_udp_socket(std::size_t server) {
        const ServerAddress& address = servers[server].address;
        const int fd =
            socket(address.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            if (is_local_failure(errno))
                throw std::system_error(errno, std::generic_category(), "socket");
            return none;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &socket_receive_buffer, sizeof socket_receive_buffer);
        const auto free = std::find_if(sockets.begin(), sockets.end(),
                                       [](const UdpSocket& socket) { return socket.fd < 0; });
        const auto index = static_cast<std::uint32_t>(free - sockets.begin());
        // Connected: the kernel delivers only the server's datagrams, and reports its ICMP
        // port unreachable as ECONNREFUSED.
        if (connect(fd, reinterpret_cast<const sockaddr*>(&address.address), address.length) != 0 ||
            !poller.watch(fd, EPOLLIN, Carrier::udp, index)) {
            close(fd);
            return none;
        }
        if (free == sockets.end()) sockets.emplace_back();
        sockets[index] = UdpSocket{};
        sockets[index].fd = fd;
        sockets[index].server = server;
        return index;
    }

    // The server's current socket, or a new one once that has carried its share of queries.
    // With no descriptor to spare for the new one, the current one carries on.
    std::uint32_t socket_for(std::size_t server) {
        const std::uint32_t current = servers[server].socket;
        if (current != none && sockets[current].queries_sent < queries_per_socket) return current;
        std::uint32_t fresh = none;
        try {
            fresh = open_udp_socket(server);
        } catch (const std::system_error&) {
            if (current == none) throw;
            sockets[current].queries_sent = 0;
            return current;
        }
        if (current != none) sockets[current].retired = true;
        servers[server].socket = fresh;
        return fresh;
    }

    void send_over_udp(std::uint32_t slot) {
        Query& query = queries[slot];
        const std::uint32_t index = socket_for(query.server);
        if (index == none) {
            refused(slot);
            return;
        }
        UdpSocket& socket = sockets[index];
        ++socket.queries_sent;
        ++socket.in_flight;
        query.socket = index;
        socket.unsent.push_back({slot, query.try_serial});
    }

    // Every query whose try is on the socket moves on, and the socket goes: the next try gets a
    // new one.
    void fail_udp_socket(std::uint32_t index) {
        UdpSocket& socket = sockets[index];
        close(socket.fd);
        socket.fd = -1;
        socket.unsent.clear();
        if (servers[socket.server].socket == index) servers[socket.server].socket = none;
        const std::vector<std::uint32_t> affected =
            queries.slots_where([index](const Query& query) { return query.socket == index; });
        for (const std::uint32_t slot : affected) refused(slot);
    }

    // Indices, not references, into `sockets` below: a failed try may open a new socket.
    void flush_udp(std::uint32_t index) {
        // Tries that ended while queued (timed out, cancelled) are not sent.
        std::erase_if(sockets[index].unsent, [&](const QueryTable::Try& attempt) {
            const Query* query = queries.current(attempt);
            return query == nullptr || query->socket != index;
        });
        std::size_t done = 0;
        while (done < sockets[index].unsent.size()) {
            const std::vector<QueryTable::Try>& unsent = sockets[index].unsent;
            const std::size_t count = std::min<std::size_t>(unsent.size() - done, queries_per_call);
            for (std::size_t i = 0; i < count; ++i) {
                Query& query = queries[unsent[done + i].slot];
                vectors[i] = iovec{query.bytes.data(), query.length};
                headers[i] = mmsghdr{};
                headers[i].msg_hdr.msg_iov = &vectors[i];
                headers[i].msg_hdr.msg_iovlen = 1;
            }
            const int sent =
                sendmmsg(sockets[index].fd, headers.data(), static_cast<unsigned>(count), 0);
            if (sent > 0) {
                const auto now = Clock::now();
                for (std::size_t i = done; i < done + static_cast<std::size_t>(sent); ++i) {
                    const std::uint32_t slot = sockets[index].unsent[i].slot;
                    ++queries[slot].tries_sent;
                    arm_timer(slot, now);
                }
                done += static_cast<std::size_t>(sent);
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                std::vector<QueryTable::Try>& waiting = sockets[index].unsent;
                waiting.erase(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(done));
                sockets[index].waiting_writable = true;
                poller.rewatch(sockets[index].fd, EPOLLIN | EPOLLOUT, Carrier::udp, index);
                return;
            }
            if (errno == ECONNREFUSED) {
                fail_udp_socket(index);
                return;
            }
            // This query alone cannot go out this way: its try fails.
            const std::uint32_t slot = unsent[done].slot;
            ++done;
            refused(slot);
        }
        sockets[index].unsent.clear();
    }

    void on_udp_writable(std::uint32_t index) {
        sockets[index].waiting_writable = false;
        poller.rewatch(sockets[index].fd, EPOLLIN, Carrier::udp, index);
        flush_udp(index);
    }

    void read_udp(std::uint32_t index) {
        for (;;) {
            if (sockets[index].fd < 0) return;
            for (unsigned i = 0; i < datagrams_per_call; ++i) {
                vectors[i] = iovec{datagrams.data() + i * datagram_size, datagram_size};
                headers[i] = mmsghdr{};
                headers[i].msg_hdr.msg_iov = &vectors[i];
                headers[i].msg_hdr.msg_iovlen = 1;
            }
            const int received = recvmmsg(sockets[index].fd, headers.data(), datagrams_per_call,
                                          MSG_DONTWAIT, nullptr);
            if (received < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) fail_udp_socket(index);
                return;
            }
            for (int i = 0; i < received; ++i) {
                const bool cut = (headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
                const std::span<const unsigned char> datagram(
                    datagrams.data() + static_cast<std::size_t>(i) * datagram_size,
                    std::min<std::size_t>(headers[i].msg_len, datagram_size));
                on_answer(datagram, Arrival{Carrier::udp, index},
                          cut ? Truncation::cut : Truncation::as_flagged);
            }
            if (received < static_cast<int>(datagrams_per_call)) return;
        }
    }

    void close_idle_retired_sockets() {
        for (UdpSocket& socket : sockets) {
            if (socket.fd >= 0 && socket.retired && socket.in_flight == 0) {
                close(socket.fd);
                socket.fd = -1;
                socket.unsent.clear();
            }
        }
    }

    // --- TCP ---

    bool open_tcp(std::size_t server) {
        const ServerAddress& address = servers[server].address;
        TcpConnection& tcp = servers[server].tcp;
        const int fd =
            socket(address.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        const int status =
            connect(fd, reinterpret_cast<const sockaddr*>(&address.address), address.length);
        if ((status != 0 && errno != EINPROGRESS) ||
            !poller.watch(fd, EPOLLIN | EPOLLOUT, Carrier::tcp,
                          static_cast<std::uint32_t>(server))) {
            close(fd);
            return false;
        }
        tcp = TcpConnection{};
        tcp.fd = fd;
        tcp.connected = status == 0;
        tcp.watching_writable = true;
        return true;
    }

    void send_over_tcp(std::uint32_t slot) {
        const Query& query = queries[slot];
        TcpConnection& tcp = servers[query.server].tcp;
        if (tcp.fd < 0 && !open_tcp(query.server)) {
            refused(slot);
            return;
        }
        tcp.outgoing.push_back(static_cast<unsigned char>(query.length >> 8));
        tcp.outgoing.push_back(static_cast<unsigned char>(query.length & 0xff));
        tcp.outgoing.insert(tcp.outgoing.end(), query.bytes.begin(),
                            query.bytes.begin() + query.length);
        ++tcp.messages_due;
        // Written when the socket says it has room, in the next round.
        if (tcp.connected) watch_writable(query.server, true);
    }

    // The connection goes, and every query waiting on it moves on.
    void fail_tcp(std::size_t server) {
        TcpConnection& tcp = servers[server].tcp;
        close(tcp.fd);
        tcp = TcpConnection{};
        const std::vector<std::uint32_t> affected = queries.slots_where(
            [server](const Query& query) { return query.over_tcp && query.server == server; });
        for (const std::uint32_t slot : affected) refused(slot);
    }

    void watch_writable(std::size_t server, bool writable) {
        TcpConnection& tcp = servers[server].tcp;
        if (tcp.watching_writable == writable) return;
        tcp.watching_writable = writable;
        poller.rewatch(tcp.fd, EPOLLIN | (writable ? EPOLLOUT : 0u), Carrier::tcp,
                       static_cast<std::uint32_t>(server));
    }

    void write_tcp(std::size_t server) {
        TcpConnection& tcp = servers[server].tcp;
        std::size_t written = 0;
        while (written < tcp.outgoing.size()) {
            const ssize_t n = ::send(tcp.fd, tcp.outgoing.data() + written,
                                     tcp.outgoing.size() - written, MSG_NOSIGNAL);
            if (n >= 0) {
                written += static_cast<std::size_t>(n);
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            fail_tcp(server);
            return;
        }
        tcp.outgoing.erase(tcp.outgoing.begin(),
                           tcp.outgoing.begin() + static_cast<std::ptrdiff_t>(written));
        watch_writable(server, !tcp.outgoing.empty());
    }

    void on_tcp_writable(std::size_t server) {
        TcpConnection& tcp = servers[server].tcp;
        if (!tcp.connected) {
            int error = 0;
            socklen_t length = sizeof error;
            if (getsockopt(tcp.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
                fail_tcp(server);
                return;
            }
            tcp.connected = true;
        }
        write_tcp(server);
    }

    // Reads the next message, a part at a time as it arrives: never more than one message is
    // held, never more messages than queries were sent on the connection, and at most
    // tcp_messages_per_event before the event loop gets its turn again (epoll is
    // level-triggered: the rest comes with the next round).
    void read_tcp(std::size_t server) {
        for (int messages = 0; messages < tcp_messages_per_event;) {
            TcpConnection& tcp = servers[server].tcp;
            if (tcp.messages_due == 0) {
                // Whatever else the server sends answers nothing: the connection goes.
                fail_tcp(server);
                return;
            }
            std::vector<unsigned char>& incoming = tcp.incoming;
            const std::size_t have = incoming.size();
            const std::size_t want =
                have < 2 ? 2 : 2 + ((std::size_t{incoming[0]} << 8) | incoming[1]);
            if (have == want) {
                const std::vector<unsigned char> message = std::move(incoming);
                incoming.clear();
                --tcp.messages_due;
                ++messages;
                on_answer({message.data() + 2, message.size() - 2}, Arrival{Carrier::tcp, server},
                          Truncation::ignored);
                if (servers[server].tcp.fd < 0) return;  // the answer ended the connection
                continue;
            }
            incoming.resize(want);
            const ssize_t n = recv(tcp.fd, incoming.data() + have, want - have, 0);
            incoming.resize(have + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
            if (n > 0) continue;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            fail_tcp(server);  // closed by the server, or broken
            return;
        }
    }

    // --- answers and timeouts ---

    // Whether an answer may be cut short: TCP answers are whole, a UDP answer is when its
    // TC bit is clear and it fitted the buffer.
    enum class Truncation { ignored, as_flagged, cut };

    // Where a message came from: a UDP socket (by index) or a server's TCP connection.
    struct Arrival {
        Carrier carrier;
        std::size_t index;
    };

    // Whether the query's current try went where `arrival` is: its UDP socket, or the TCP
    // connection to its server.
    static bool sent_to(const Query& query, Arrival arrival) {
        return arrival.carrier == Carrier::udp ? !query.over_tcp && query.socket == arrival.index
                                               : query.over_tcp && query.server == arrival.index;
    }

    void on_answer(std::span<const unsigned char> message, Arrival arrival, Truncation truncation) {
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
        exchange.server = servers[queries[slot].server].address.text;
        end(slot, exchange);
    }

    // UDP queues until each is empty or waits for room: a failed socket requeues its queries
    // on another, perhaps one already passed (each such try counts, so this ends). TCP
    // connections write when epoll says they have room.
    void flush() {
        for (bool queued = true; queued;) {
            queued = false;
            for (std::uint32_t index = 0; index < sockets.size(); ++index) {
                if (sockets[index].fd >= 0 && !sockets[index].waiting_writable &&
                    !sockets[index].unsent.empty()) {
                    flush_udp(index);
                    queued = true;
                }
            }
        }
    }

    void poll(Clock::time_point wake) {
        flush();
        if (const auto timeout = queries.next_timeout()) wake = std::min(wake, *timeout);
        for (const EventPoller::Event& event : poller.wait(wake)) {
            const std::uint32_t index = event.index;
            const std::uint32_t what = event.events;
            if (event.carrier == Carrier::udp) {
                // An event of a socket closed by an earlier event of this round is stale.
                if (sockets[index].fd < 0) continue;
                if ((what & EPOLLOUT) != 0 && sockets[index].waiting_writable)
                    on_udp_writable(index);
                if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read_udp(index);
            } else {
                if (servers[index].tcp.fd < 0) continue;
                if ((what & EPOLLOUT) != 0) on_tcp_writable(index);
                if (servers[index].tcp.fd >= 0 && (what & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
                    read_tcp(index);
                }
            }
        }
        const auto now = Clock::now();
        for (std::uint32_t slot = queries.next_expired(now); slot != none;
             slot = queries.next_expired(now)) {
            timed_out(slot);
        }
        close_idle_retired_sockets();
    }
};

Expected<std::unique_ptr<Transport>, std::string> Transport::create(TransportOptions options,
                                                                    Completion completion) {
    if (options.servers.empty() || options.servers.size() > max_servers) {
        return unexpected(fmt::format("between 1 and {} DNS servers can be used", max_servers));
    }
    auto impl = std::make_unique<Impl>(static_cast<std::size_t>(options.tries));
    for (ServerAddress& address : options.servers) {
        impl->servers.emplace_back().address = std::move(address);
    }
    impl->timeout = options.timeout;
    impl->tries = options.tries;
    impl->completion = std::move(completion);
    impl->headers.resize(std::max(datagrams_per_call, queries_per_call));
    impl->vectors.resize(impl->headers.size());
    impl->datagrams.resize(datagrams_per_call * datagram_size);
    return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Transport::~Transport() = default;

Transport::Handle Transport::send(std::span<const unsigned char> query, std::uint64_t tag) {
    return impl_->send(query, tag);
}

int Transport::cancel(Handle handle) {
    return impl_->cancel(handle);
}

void Transport::cancel_all() {
    impl_->cancel_all();
}

void Transport::poll(Clock::time_point wake) {
    impl_->poll(wake);
}

}  // namespace tlsrpt::dns
