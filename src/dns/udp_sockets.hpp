// The UDP sockets of a transport: connected ones per server, a new one (a new source port) every
// 256 queries, each with a queue of unsent tries that flush() hands to sendmmsg; answers are
// read with recvmmsg. A socket the server refuses (ICMP port unreachable) fails, and its
// queries move on. A socket that cannot be had for a local reason (too many open files) throws
// std::system_error. Internal to src/dns/.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dns/carrier.hpp"
#include "dns/event_poller.hpp"
#include "dns/query_table.hpp"

namespace tlsrpt::dns {

class UdpSockets {
  public:
    explicit UdpSockets(const CarrierContext& context);
    ~UdpSockets();
    UdpSockets(const UdpSockets&) = delete;
    UdpSockets& operator=(const UdpSockets&) = delete;

    // Queues the current try of the query to its server; it leaves with flush(). False when no
    // socket can be had for the server (the try is refused); throws std::system_error for a
    // local failure.
    bool send(std::uint32_t slot);
    // The query's try is no longer on its socket, if it was on one.
    void leave(QueryTable::Query& query);
    // Sends the queues until each is empty or waits for room.
    void flush();
    // What epoll reported for socket `index`.
    void on_event(std::uint32_t index, std::uint32_t what);
    // Closes the retired sockets that their last query has left.
    void close_idle_retired();
    // A server was added to the end of the context's servers.
    void add_server();
    // No query to the server is left: its sockets retire (and close once idle), and its place
    // may be given to another server.
    void forget_server(std::size_t server);

  private:
    struct Socket {
        int fd = -1;
        std::size_t server = 0;
        std::uint32_t queries_sent = 0;
        std::uint32_t in_flight = 0;  // queries whose current try is here
        bool retired = false;         // takes no more queries; closed once in_flight is 0
        bool waiting_writable = false;
        std::vector<QueryTable::Try> unsent;
    };

    std::uint32_t open(std::size_t server);
    std::uint32_t socket_for(std::size_t server);
    void fail(std::uint32_t index);
    void flush(std::uint32_t index);
    void read(std::uint32_t index);

    CarrierContext context_;
    std::vector<Socket> sockets_;
    std::vector<std::uint32_t> current_;  // per server, the socket that takes its next queries
    std::vector<mmsghdr> headers_;
    std::vector<iovec> vectors_;
    std::vector<unsigned char> datagrams_;
};

}  // namespace tlsrpt::dns
