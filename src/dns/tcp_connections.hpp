// The TCP connections of a transport, one per server at most, for the tries that follow a
// truncated answer: connected without blocking, queries written length-prefixed as the socket
// has room, answers read one message at a time and no more messages than queries sent on the
// connection. A connection that fails goes, and its queries move on. Internal to src/dns/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dns/carrier.hpp"
#include "dns/event_poller.hpp"
#include "dns/query_table.hpp"

namespace tlsrpt::dns {

class TcpConnections {
  public:
    explicit TcpConnections(const CarrierContext& context);
    ~TcpConnections();
    TcpConnections(const TcpConnections&) = delete;
    TcpConnections& operator=(const TcpConnections&) = delete;

    // Queues the query on the connection to its server, opened first if need be; it is written
    // once the socket has room. False when no connection can be had (the try is refused).
    bool send(std::uint32_t slot);
    // What epoll reported for the connection to `server`.
    void on_event(std::size_t server, std::uint32_t what);
    // A server was added to the end of the context's servers.
    void add_server();
    // No query to the server is left: its connection closes, and its place may be given to
    // another server.
    void forget_server(std::size_t server);

  private:
    struct Connection {
        int fd = -1;
        bool connected = false;
        bool watching_writable = false;
        std::vector<unsigned char> outgoing;  // length-prefixed queries not yet written
        std::vector<unsigned char> incoming;  // bytes read of the next message, at most one
        int messages_due = 0;                 // one per query sent: no more are read
    };

    bool open(std::size_t server);
    void fail(std::size_t server);
    void watch_writable(std::size_t server, bool writable);
    void write(std::size_t server);
    void read(std::size_t server);

    CarrierContext context_;
    std::vector<Connection> connections_;  // per server
};

}  // namespace tlsrpt::dns
