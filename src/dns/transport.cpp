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
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>
#include <system_error>

#include "dns/query.hpp"

namespace tlsrpt::dns {
namespace {

constexpr std::size_t header_size = 12;
// One query per message ID at most: more wait for an ID to come free.
constexpr std::size_t max_in_flight = 1 << 16;
constexpr std::uint32_t none = UINT32_MAX;
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
constexpr int max_epoll_events = 64;

// What an epoll event is about: a UDP socket (by index) or a server's TCP connection.
enum class Carrier : std::uint32_t { udp, tcp };

std::uint64_t event_data(Carrier carrier, std::size_t index) {
    return (static_cast<std::uint64_t>(carrier) << 32) | index;
}

std::size_t question_end(std::span<const unsigned char> query) {
    std::size_t offset = header_size;
    while (offset < query.size() && query[offset] != 0) offset += 1 + query[offset];
    return offset + 1 + 4;  // root label, type, class
}

unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

}  // namespace

struct Transport::Impl {
    struct Query {
        std::uint64_t tag = 0;
        std::uint64_t incarnation = 0;  // 0 while the slot is free
        std::uint64_t try_serial = 0;   // tells a current timer or queue entry from a stale one
        std::array<unsigned char, max_query_size> bytes{};
        std::uint16_t length = 0;
        std::uint16_t question_end = 0;
        std::uint16_t id = 0;
        bool has_id = false;  // false while it waits for an ID to come free
        int try_count = 0;
        int tries_sent = 0;
        bool timed_out = false;  // a try timed out: the query ends as a timeout, not unreachable
        bool over_tcp = false;   // after a truncated answer, for the rest of its tries
        std::size_t server = 0;
        std::uint64_t skipped_servers = 0;
        std::uint32_t socket = none;  // the UDP socket of the current try
    };
    struct QueueEntry {
        std::uint32_t slot = 0;
        std::uint64_t try_serial = 0;
    };
    struct UdpSocket {
        int fd = -1;
        std::size_t server = 0;
        std::uint32_t queries_sent = 0;
        std::uint32_t in_flight = 0;  // queries whose current try is here
        bool retired = false;         // takes no more queries; closed once in_flight is 0
        bool waiting_writable = false;
        std::vector<QueueEntry> unsent;
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
    struct Timer {
        Clock::time_point expiry;
        std::uint32_t slot = 0;
        std::uint64_t try_serial = 0;
    };

    std::vector<Server> servers;
    std::chrono::milliseconds timeout{};
    int tries = 1;
    Completion completion;
    int epoll_fd = -1;

    std::vector<Query> slots;
    std::vector<std::uint32_t> free_slots;
    std::vector<std::uint32_t> slot_by_id = std::vector<std::uint32_t>(max_in_flight, none);
    std::size_t in_flight = 0;  // queries with an ID
    // Queries sent while every ID was in use, oldest first; entries of cancelled ones are
    // skipped when they come up.
    std::deque<std::pair<std::uint32_t, std::uint64_t>> waiting_for_id;
    std::uint64_t incarnations = 0;
    std::uint64_t try_serials = 0;
    std::size_t next_server = 0;  // rotation: each query starts at the next one
    std::vector<UdpSocket> sockets;
    // One queue per pass over the servers: a pass has one timeout, so each queue is in expiry
    // order. Entries of tries that ended otherwise are skipped when they come up.
    std::vector<std::deque<Timer>> timers;
    std::mt19937 random{std::random_device{}()};

    std::vector<mmsghdr> headers;
    std::vector<iovec> vectors;
    std::vector<unsigned char> datagrams;

    ~Impl() {
        for (const UdpSocket& socket : sockets) {
            if (socket.fd >= 0) close(socket.fd);
        }
        for (const Server& server : servers) {
            if (server.tcp.fd >= 0) close(server.tcp.fd);
        }
        if (epoll_fd >= 0) close(epoll_fd);
    }

    Query* current(std::uint32_t slot, std::uint64_t try_serial) {
        if (slot >= slots.size()) return nullptr;
        Query& query = slots[slot];
        return query.incarnation != 0 && query.try_serial == try_serial ? &query : nullptr;
    }

    std::uint16_t unused_id() {
        std::uniform_int_distribution<unsigned> distribution(0, 0xffff);
        for (;;) {
            const auto id = static_cast<std::uint16_t>(distribution(random));
            if (slot_by_id[id] == none) return id;
        }
    }

    Handle send(std::span<const unsigned char> message, std::uint64_t tag) {
        if (message.size() < header_size || message.size() > max_query_size) {
            throw std::invalid_argument("a DNS query of an impossible size");
        }
        std::uint32_t slot = 0;
        if (free_slots.empty()) {
            slot = static_cast<std::uint32_t>(slots.size());
            slots.emplace_back();
        } else {
            slot = free_slots.back();
            free_slots.pop_back();
        }
        Query& query = slots[slot];
        query = Query{};
        query.tag = tag;
        query.incarnation = ++incarnations;
        std::copy(message.begin(), message.end(), query.bytes.begin());
        query.length = static_cast<std::uint16_t>(message.size());
        query.question_end = static_cast<std::uint16_t>(question_end(message));
        query.server = next_server;
        next_server = (next_server + 1) % servers.size();
        const Handle handle{slot, query.incarnation};
        if (in_flight == max_in_flight) {
            waiting_for_id.emplace_back(slot, query.incarnation);
        } else {
            take_id(slot);
        }
        return handle;
    }

    // Gives the query an ID and starts its first try.
    void take_id(std::uint32_t slot) {
        Query& query = slots[slot];
        query.id = unused_id();
        query.has_id = true;
        slot_by_id[query.id] = slot;
        ++in_flight;
        query.bytes[0] = static_cast<unsigned char>(query.id >> 8);
        query.bytes[1] = static_cast<unsigned char>(query.id & 0xff);
        start_try(slot);
    }

    void release(std::uint32_t slot) {
        Query& query = slots[slot];
        leave_socket(query);
        query.incarnation = 0;
        free_slots.push_back(slot);
        if (!query.has_id) return;
        slot_by_id[query.id] = none;
        --in_flight;
        // The ID goes to the query that has waited longest for one.
        while (!waiting_for_id.empty()) {
            const auto [waiting, incarnation] = waiting_for_id.front();
            waiting_for_id.pop_front();
            if (slots[waiting].incarnation == incarnation) {
                take_id(waiting);
                return;
            }
        }
    }

    int cancel(Handle handle) {
        if (handle.slot >= slots.size() || slots[handle.slot].incarnation != handle.incarnation ||
            handle.incarnation == 0) {
            return 0;
        }
        const int tries_sent = slots[handle.slot].tries_sent;
        release(handle.slot);
        return tries_sent;
    }

    void cancel_all() {
        waiting_for_id.clear();
        for (std::uint32_t slot = 0; slot < slots.size(); ++slot) {
            if (slots[slot].incarnation != 0) release(slot);
        }
    }

    void end(std::uint32_t slot, Exchange exchange) {
        const std::uint64_t tag = slots[slot].tag;
        exchange.tries_sent = slots[slot].tries_sent;
        release(slot);
        completion(tag, exchange);
    }

    // Sends the current try of the query to its server. A UDP try's timer starts when the
    // query leaves (flush_udp), not when it is queued: a caller that blocks before the round
    // ends (reading a pipe that waits for its next line) must not use up the try's time.
    void start_try(std::uint32_t slot) {
        Query& query = slots[slot];
        query.try_serial = ++try_serials;
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
        Query& query = slots[slot];
        leave_socket(query);
        query.over_tcp = true;
        query.try_serial = ++try_serials;
        arm_timer(slot, Clock::now());
        send_over_tcp(slot);
    }

    void arm_timer(std::uint32_t slot, Clock::time_point sent) {
        const Query& query = slots[slot];
        const auto pass = static_cast<std::size_t>(query.try_count) / servers.size();
        timers[pass].push_back({sent + try_timeout(pass), slot, query.try_serial});
    }

    // Doubled on each pass; past 20 passes (a million times the first) no deadline is left.
    std::chrono::milliseconds try_timeout(std::size_t pass) const {
        return timeout * (std::int64_t{1} << std::min<std::size_t>(pass, 20));
    }

    // The next server that is not skipped, or the end of the query after `tries` passes.
    void next_try(std::uint32_t slot) {
        Query& query = slots[slot];
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
        Query& query = slots[slot];
        leave_socket(query);
        if (servers.size() > 1) query.skipped_servers |= std::uint64_t{1} << query.server;
        next_try(slot);
    }

    void timed_out(std::uint32_t slot) {
        Query& query = slots[slot];
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

    bool watch(int fd, int operation, std::uint32_t events, std::uint64_t data) {
        epoll_event event{};
        event.events = events;
        event.data.u64 = data;
        return epoll_ctl(epoll_fd, operation, fd, &event) == 0;
    }

    // For a socket already watched, whose events change.
    void rewatch(int fd, std::uint32_t events, std::uint64_t data) {
        if (!watch(fd, EPOLL_CTL_MOD, events, data)) {
            throw std::runtime_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
        }
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
            !watch(fd, EPOLL_CTL_ADD, EPOLLIN, event_data(Carrier::udp, index))) {
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
        Query& query = slots[slot];
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
        std::vector<std::uint32_t> affected;
        for (std::uint32_t slot = 0; slot < slots.size(); ++slot) {
            if (slots[slot].incarnation != 0 && slots[slot].socket == index)
                affected.push_back(slot);
        }
        for (const std::uint32_t slot : affected) refused(slot);
    }

    // Indices, not references, into `sockets` below: a failed try may open a new socket.
    void flush_udp(std::uint32_t index) {
        // Tries that ended while queued (timed out, cancelled) are not sent.
        std::erase_if(sockets[index].unsent, [&](const QueueEntry& entry) {
            const Query* query = current(entry.slot, entry.try_serial);
            return query == nullptr || query->socket != index;
        });
        std::size_t done = 0;
        while (done < sockets[index].unsent.size()) {
            const std::vector<QueueEntry>& unsent = sockets[index].unsent;
            const std::size_t count = std::min<std::size_t>(unsent.size() - done, queries_per_call);
            for (std::size_t i = 0; i < count; ++i) {
                Query& query = slots[unsent[done + i].slot];
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
                    ++slots[slot].tries_sent;
                    arm_timer(slot, now);
                }
                done += static_cast<std::size_t>(sent);
                continue;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                std::vector<QueueEntry>& waiting = sockets[index].unsent;
                waiting.erase(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(done));
                sockets[index].waiting_writable = true;
                rewatch(sockets[index].fd, EPOLLIN | EPOLLOUT, event_data(Carrier::udp, index));
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
        rewatch(sockets[index].fd, EPOLLIN, event_data(Carrier::udp, index));
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
            !watch(fd, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT, event_data(Carrier::tcp, server))) {
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
        const Query& query = slots[slot];
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
        std::vector<std::uint32_t> affected;
        for (std::uint32_t slot = 0; slot < slots.size(); ++slot) {
            const Query& query = slots[slot];
            if (query.incarnation != 0 && query.over_tcp && query.server == server) {
                affected.push_back(slot);
            }
        }
        for (const std::uint32_t slot : affected) refused(slot);
    }

    void watch_writable(std::size_t server, bool writable) {
        TcpConnection& tcp = servers[server].tcp;
        if (tcp.watching_writable == writable) return;
        tcp.watching_writable = writable;
        rewatch(tcp.fd, EPOLLIN | (writable ? EPOLLOUT : 0u), event_data(Carrier::tcp, server));
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

    // A reply (QR) to a standard query (opcode 0) with the ID and question as sent: the name
    // compared without regard to case, type and class exactly. Anything else is not an answer
    // to this query (a server that echoes queries back answers nothing).
    static bool answers(const Query& query, std::span<const unsigned char> message) {
        if (message.size() < query.question_end) return false;
        if ((message[2] & 0xf8) != 0x80) return false;         // QR 1, opcode QUERY
        if (message[4] != 0 || message[5] != 1) return false;  // QDCOUNT 1
        std::size_t offset = header_size;
        while (query.bytes[offset] != 0) {
            const std::size_t label = query.bytes[offset];
            if (message[offset] != label) return false;
            for (std::size_t i = offset + 1; i <= offset + label; ++i) {
                if (lower(message[i]) != lower(query.bytes[i])) return false;
            }
            offset += 1 + label;
        }
        return std::equal(query.bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                          query.bytes.begin() + query.question_end, message.begin() + offset);
    }

    void on_answer(std::span<const unsigned char> message, Arrival arrival, Truncation truncation) {
        if (message.size() < header_size) return;
        const std::uint32_t slot = slot_by_id[(message[0] << 8) | message[1]];
        if (slot == none || !sent_to(slots[slot], arrival) || !answers(slots[slot], message)) {
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
        exchange.server = servers[slots[slot].server].address.text;
        end(slot, exchange);
    }

    // Stale entries at the front go, so that the first one left is the next real timeout.
    std::optional<Clock::time_point> next_timeout() {
        std::optional<Clock::time_point> next;
        for (std::deque<Timer>& queue : timers) {
            while (!queue.empty() &&
                   current(queue.front().slot, queue.front().try_serial) == nullptr) {
                queue.pop_front();
            }
            if (!queue.empty() && (!next || queue.front().expiry < *next))
                next = queue.front().expiry;
        }
        return next;
    }

    void expire_tries(Clock::time_point now) {
        for (std::deque<Timer>& queue : timers) {
            while (!queue.empty() && queue.front().expiry <= now) {
                const Timer timer = queue.front();
                queue.pop_front();
                if (current(timer.slot, timer.try_serial) != nullptr) timed_out(timer.slot);
            }
        }
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
        if (const auto timeout = next_timeout()) wake = std::min(wake, *timeout);
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
        // Rounded up: waking early would spin without any timeout due.
        const int milliseconds =
            static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(wait.count(), 0, INT_MAX));
        epoll_event events[max_epoll_events];
        const int ready = epoll_wait(epoll_fd, events, max_epoll_events, milliseconds);
        if (ready < 0 && errno != EINTR) {
            throw std::runtime_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
        }
        for (int i = 0; i < ready; ++i) {
            const auto carrier = static_cast<Carrier>(events[i].data.u64 >> 32);
            const auto index = static_cast<std::uint32_t>(events[i].data.u64 & 0xffffffff);
            const std::uint32_t what = events[i].events;
            if (carrier == Carrier::udp) {
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
        expire_tries(Clock::now());
        close_idle_retired_sockets();
    }
};

Expected<std::unique_ptr<Transport>, std::string> Transport::create(TransportOptions options,
                                                                    Completion completion) {
    if (options.servers.empty() || options.servers.size() > max_servers) {
        return unexpected(fmt::format("between 1 and {} DNS servers can be used", max_servers));
    }
    auto impl = std::make_unique<Impl>();
    impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (impl->epoll_fd < 0) throw std::system_error(errno, std::generic_category(), "epoll");
    for (ServerAddress& address : options.servers) {
        impl->servers.emplace_back().address = std::move(address);
    }
    impl->timeout = options.timeout;
    impl->tries = options.tries;
    impl->completion = std::move(completion);
    impl->timers.resize(static_cast<std::size_t>(options.tries));
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
