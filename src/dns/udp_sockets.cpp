#include "dns/udp_sockets.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace tlsrpt::dns {
namespace {

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

// A socket of our own that cannot be had is a local failure, not the server's: the run cannot
// go on as it should, and says so (std::system_error) rather than report the domains left as
// unreachable.
bool is_local_failure(int error) {
    return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

}  // namespace

UdpSockets::UdpSockets(const CarrierContext& context)
    : context_(context),
      current_(context.servers.size(), none),
      headers_(std::max(datagrams_per_call, queries_per_call)),
      vectors_(headers_.size()),
      datagrams_(datagrams_per_call * datagram_size) {}

UdpSockets::~UdpSockets() {
    for (const Socket& socket : sockets_) {
        if (socket.fd >= 0) close(socket.fd);
    }
}

void UdpSockets::leave(QueryTable::Query& query) {
    if (query.socket == none) return;
    --sockets_[query.socket].in_flight;
    query.socket = none;
}

std::uint32_t UdpSockets::open(std::size_t server) {
    const ServerAddress& address = context_.servers[server];
    const int fd = socket(address.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (is_local_failure(errno))
            throw std::system_error(errno, std::generic_category(), "socket");
        return none;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &socket_receive_buffer, sizeof socket_receive_buffer);
    const auto free = std::find_if(sockets_.begin(), sockets_.end(),
                                   [](const Socket& socket) { return socket.fd < 0; });
    const auto index = static_cast<std::uint32_t>(free - sockets_.begin());
    // Connected: the kernel delivers only the server's datagrams, and reports its ICMP port
    // unreachable as ECONNREFUSED.
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address.address), address.length) != 0 ||
        !context_.poller.watch(fd, EPOLLIN, Carrier::udp, index)) {
        close(fd);
        return none;
    }
    if (free == sockets_.end()) sockets_.emplace_back();
    sockets_[index] = Socket{};
    sockets_[index].fd = fd;
    sockets_[index].server = server;
    return index;
}

// The server's current socket, or a new one once that has carried its share of queries. With
// no descriptor to spare for the new one, the current one carries on.
std::uint32_t UdpSockets::socket_for(std::size_t server) {
    const std::uint32_t current = current_[server];
    if (current != none && sockets_[current].queries_sent < queries_per_socket) return current;
    std::uint32_t fresh = none;
    try {
        fresh = open(server);
    } catch (const std::system_error&) {
        if (current == none) throw;
        sockets_[current].queries_sent = 0;
        return current;
    }
    if (current != none) sockets_[current].retired = true;
    current_[server] = fresh;
    return fresh;
}

bool UdpSockets::send(std::uint32_t slot) {
    QueryTable::Query& query = context_.queries[slot];
    const std::uint32_t index = socket_for(query.server);
    if (index == none) return false;
    Socket& socket = sockets_[index];
    ++socket.queries_sent;
    ++socket.in_flight;
    query.socket = index;
    socket.unsent.push_back({slot, query.try_serial});
    return true;
}

// Every query whose try is on the socket moves on, and the socket goes: the next try gets a new
// one.
void UdpSockets::fail(std::uint32_t index) {
    Socket& socket = sockets_[index];
    close(socket.fd);
    socket.fd = -1;
    socket.unsent.clear();
    if (current_[socket.server] == index) current_[socket.server] = none;
    const std::vector<std::uint32_t> affected = context_.queries.slots_where(
        [index](const QueryTable::Query& query) { return query.socket == index; });
    for (const std::uint32_t slot : affected) context_.events.refused(slot);
}

// A failed socket requeues its queries on another, perhaps one already passed (each such try
// counts, so this ends).
void UdpSockets::flush() {
    for (bool queued = true; queued;) {
        queued = false;
        for (std::uint32_t index = 0; index < sockets_.size(); ++index) {
            if (sockets_[index].fd >= 0 && !sockets_[index].waiting_writable &&
                !sockets_[index].unsent.empty()) {
                flush(index);
                queued = true;
            }
        }
    }
}

// Indices, not references, into `sockets_` below: a failed try may open a new socket.
void UdpSockets::flush(std::uint32_t index) {
    // Tries that ended while queued (timed out, cancelled) are not sent.
    std::erase_if(sockets_[index].unsent, [&](const QueryTable::Try& attempt) {
        const QueryTable::Query* query = context_.queries.current(attempt);
        return query == nullptr || query->socket != index;
    });
    std::size_t done = 0;
    while (done < sockets_[index].unsent.size()) {
        const std::vector<QueryTable::Try>& unsent = sockets_[index].unsent;
        const std::size_t count = std::min<std::size_t>(unsent.size() - done, queries_per_call);
        for (std::size_t i = 0; i < count; ++i) {
            QueryTable::Query& query = context_.queries[unsent[done + i].slot];
            vectors_[i] = iovec{query.bytes.data(), query.length};
            headers_[i] = mmsghdr{};
            headers_[i].msg_hdr.msg_iov = &vectors_[i];
            headers_[i].msg_hdr.msg_iovlen = 1;
        }
        const int sent =
            sendmmsg(sockets_[index].fd, headers_.data(), static_cast<unsigned>(count), 0);
        if (sent > 0) {
            const auto now = Clock::now();
            for (std::size_t i = done; i < done + static_cast<std::size_t>(sent); ++i) {
                context_.events.sent(sockets_[index].unsent[i].slot, now);
            }
            done += static_cast<std::size_t>(sent);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            std::vector<QueryTable::Try>& waiting = sockets_[index].unsent;
            waiting.erase(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(done));
            sockets_[index].waiting_writable = true;
            context_.poller.rewatch(sockets_[index].fd, EPOLLIN | EPOLLOUT, Carrier::udp, index);
            return;
        }
        if (errno == ECONNREFUSED) {
            fail(index);
            return;
        }
        // This query alone cannot go out this way: its try fails.
        const std::uint32_t slot = unsent[done].slot;
        ++done;
        context_.events.refused(slot);
    }
    sockets_[index].unsent.clear();
}

void UdpSockets::on_event(std::uint32_t index, std::uint32_t what) {
    // An event of a socket closed by an earlier event of this round is stale.
    if (sockets_[index].fd < 0) return;
    if ((what & EPOLLOUT) != 0 && sockets_[index].waiting_writable) {
        sockets_[index].waiting_writable = false;
        context_.poller.rewatch(sockets_[index].fd, EPOLLIN, Carrier::udp, index);
        flush(index);
    }
    if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read(index);
}

void UdpSockets::read(std::uint32_t index) {
    for (;;) {
        if (sockets_[index].fd < 0) return;
        for (unsigned i = 0; i < datagrams_per_call; ++i) {
            vectors_[i] = iovec{datagrams_.data() + i * datagram_size, datagram_size};
            headers_[i] = mmsghdr{};
            headers_[i].msg_hdr.msg_iov = &vectors_[i];
            headers_[i].msg_hdr.msg_iovlen = 1;
        }
        const int received = recvmmsg(sockets_[index].fd, headers_.data(), datagrams_per_call,
                                      MSG_DONTWAIT, nullptr);
        if (received < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) fail(index);
            return;
        }
        for (int i = 0; i < received; ++i) {
            const bool cut = (headers_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
            const std::span<const unsigned char> datagram(
                datagrams_.data() + static_cast<std::size_t>(i) * datagram_size,
                std::min<std::size_t>(headers_[i].msg_len, datagram_size));
            context_.events.received(datagram, Arrival{Carrier::udp, index},
                                     cut ? Truncation::cut : Truncation::as_flagged);
        }
        if (received < static_cast<int>(datagrams_per_call)) return;
    }
}

void UdpSockets::add_server() {
    current_.push_back(none);
}

void UdpSockets::forget_server(std::size_t server) {
    const std::uint32_t current = current_[server];
    if (current != none) sockets_[current].retired = true;
    current_[server] = none;
}

void UdpSockets::close_idle_retired() {
    for (Socket& socket : sockets_) {
        if (socket.fd >= 0 && socket.retired && socket.in_flight == 0) {
            close(socket.fd);
            socket.fd = -1;
            socket.unsent.clear();
        }
    }
}

}  // namespace tlsrpt::dns
