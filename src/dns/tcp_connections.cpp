#include "dns/tcp_connections.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tlsrpt::dns {
namespace {

// A connection is read a message at a time, this many at most per event: a server that
// streams without end holds neither the event loop nor more than one message of memory.
constexpr int messages_per_event = 16;

}  // namespace

TcpConnections::TcpConnections(const CarrierContext& context)
    : context_(context), connections_(context.servers.size()) {}

TcpConnections::~TcpConnections() {
    for (const Connection& connection : connections_) {
        if (connection.fd >= 0) close(connection.fd);
    }
}

bool TcpConnections::open(std::size_t server) {
    const ServerAddress& address = context_.servers[server];
    const int fd = socket(address.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int status =
        connect(fd, reinterpret_cast<const sockaddr*>(&address.address), address.length);
    if ((status != 0 && errno != EINPROGRESS) ||
        !context_.poller.watch(fd, EPOLLIN | EPOLLOUT, Carrier::tcp,
                               static_cast<std::uint32_t>(server))) {
        close(fd);
        return false;
    }
    Connection& connection = connections_[server];
    connection = Connection{};
    connection.fd = fd;
    connection.connected = status == 0;
    connection.watching_writable = true;
    return true;
}

bool TcpConnections::send(std::uint32_t slot) {
    const QueryTable::Query& query = context_.queries[slot];
    Connection& connection = connections_[query.server];
    if (connection.fd < 0 && !open(query.server)) return false;
    connection.outgoing.push_back(static_cast<unsigned char>(query.length >> 8));
    connection.outgoing.push_back(static_cast<unsigned char>(query.length & 0xff));
    connection.outgoing.insert(connection.outgoing.end(), query.bytes.begin(),
                               query.bytes.begin() + query.length);
    ++connection.messages_due;
    // Written when the socket says it has room, in the next round.
    if (connection.connected) watch_writable(query.server, true);
    return true;
}

// The connection goes, and every query waiting on it moves on.
void TcpConnections::fail(std::size_t server) {
    Connection& connection = connections_[server];
    close(connection.fd);
    connection = Connection{};
    const std::vector<std::uint32_t> affected =
        context_.queries.slots_where([server](const QueryTable::Query& query) {
            return query.over_tcp && query.server == server;
        });
    for (const std::uint32_t slot : affected) context_.events.refused(slot);
}

void TcpConnections::add_server() {
    connections_.emplace_back();
}

void TcpConnections::forget_server(std::size_t server) {
    Connection& connection = connections_[server];
    if (connection.fd >= 0) close(connection.fd);
    connection = Connection{};
}

void TcpConnections::watch_writable(std::size_t server, bool writable) {
    Connection& connection = connections_[server];
    if (connection.watching_writable == writable) return;
    connection.watching_writable = writable;
    context_.poller.rewatch(connection.fd, EPOLLIN | (writable ? EPOLLOUT : 0u), Carrier::tcp,
                            static_cast<std::uint32_t>(server));
}

void TcpConnections::write(std::size_t server) {
    Connection& connection = connections_[server];
    std::size_t written = 0;
    while (written < connection.outgoing.size()) {
        const ssize_t n = ::send(connection.fd, connection.outgoing.data() + written,
                                 connection.outgoing.size() - written, MSG_NOSIGNAL);
        if (n >= 0) {
            written += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        fail(server);
        return;
    }
    connection.outgoing.erase(connection.outgoing.begin(),
                              connection.outgoing.begin() + static_cast<std::ptrdiff_t>(written));
    watch_writable(server, !connection.outgoing.empty());
}

void TcpConnections::on_event(std::size_t server, std::uint32_t what) {
    // An event of a connection closed by an earlier event of this round is stale.
    Connection& connection = connections_[server];
    if (connection.fd < 0) return;
    if ((what & EPOLLOUT) != 0) {
        if (!connection.connected) {
            int error = 0;
            socklen_t length = sizeof error;
            if (getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 ||
                error != 0) {
                fail(server);
                return;
            }
            connection.connected = true;
        }
        write(server);
    }
    if (connection.fd >= 0 && (what & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read(server);
}

// Reads the next message, a part at a time as it arrives: never more than one message is held,
// never more messages than queries were sent on the connection, and at most messages_per_event
// before the event loop gets its turn again (epoll is level-triggered: the rest comes with the
// next round).
void TcpConnections::read(std::size_t server) {
    for (int messages = 0; messages < messages_per_event;) {
        Connection& connection = connections_[server];
        if (connection.messages_due == 0) {
            // Whatever else the server sends answers nothing: the connection goes.
            fail(server);
            return;
        }
        std::vector<unsigned char>& incoming = connection.incoming;
        const std::size_t have = incoming.size();
        const std::size_t want = have < 2 ? 2 : 2 + ((std::size_t{incoming[0]} << 8) | incoming[1]);
        if (have == want) {
            const std::vector<unsigned char> message = std::move(incoming);
            incoming.clear();
            --connection.messages_due;
            ++messages;
            context_.events.received({message.data() + 2, message.size() - 2},
                                     Arrival{Carrier::tcp, server}, Truncation::ignored);
            if (connections_[server].fd < 0) return;  // the answer ended the connection
            continue;
        }
        incoming.resize(want);
        const ssize_t n = recv(connection.fd, incoming.data() + have, want - have, 0);
        incoming.resize(have + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        fail(server);  // closed by the server, or broken
        return;
    }
}

}  // namespace tlsrpt::dns
