// What the transport's UDP sockets and TCP connections (the carriers of its queries) work with
// and tell it: where a message arrived, whether it may be cut short, and the calls back into
// the try logic. Internal to src/dns/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "dns/response.hpp"
#include "dns/server_address.hpp"

namespace tlsrpt::dns {

class EventPoller;
class QueryTable;

// `external`: a descriptor of other work sharing the event loop (Transport::watch), by fd.
enum class Carrier : std::uint32_t { udp, tcp, external };

// Where a message came from: a UDP socket (by index) or a server's TCP connection.
struct Arrival {
    Carrier carrier;
    std::size_t index;
};

// Whether an answer may be cut short: TCP answers are whole, a UDP answer is when its TC bit is
// clear and it fitted the buffer.
enum class Truncation { ignored, as_flagged, cut };

// The try logic, as the carriers see it. Each call may end queries and start others, on any
// carrier, the calling one included.
class CarrierEvents {
  public:
    // The current try of the query in `slot` left at `when`.
    virtual void sent(std::uint32_t slot, Clock::time_point when) = 0;
    // The current try of the query in `slot` failed where it went: it moves on.
    virtual void refused(std::uint32_t slot) = 0;
    // A message came in; valid during the call only.
    virtual void received(std::span<const unsigned char> message, Arrival arrival,
                          Truncation truncation) = 0;

  protected:
    ~CarrierEvents() = default;
};

// What a carrier works with: the servers (a carrier's index for one is its place here; places
// are added and reused, see add_server and forget_server), the epoll instance, the queries and
// the try logic. All of it outlives the carrier.
struct CarrierContext {
    const std::deque<ServerAddress>& servers;
    EventPoller& poller;
    QueryTable& queries;
    CarrierEvents& events;
};

}  // namespace tlsrpt::dns
