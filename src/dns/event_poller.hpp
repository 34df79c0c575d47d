// The one epoll instance of a transport, level-triggered: each descriptor is watched under the
// carrier and index its events are reported with. Closing a descriptor ends its watch.
// Internal to src/dns/.
#pragma once

#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <span>

#include "dns/carrier.hpp"
#include "dns/response.hpp"

namespace tlsrpt::dns {

class EventPoller {
  public:
    struct Event {
        Carrier carrier = Carrier::udp;
        std::uint32_t index = 0;
        std::uint32_t events = 0;  // EPOLLIN, EPOLLOUT, ...
    };

    // Throws std::system_error when no epoll instance can be had.
    EventPoller();
    ~EventPoller();
    EventPoller(const EventPoller&) = delete;
    EventPoller& operator=(const EventPoller&) = delete;

    // Starts watching `fd` for `events`; false when epoll refuses it.
    bool watch(int fd, std::uint32_t events, Carrier carrier, std::uint32_t index);
    // For a descriptor already watched, whose events change.
    void rewatch(int fd, std::uint32_t events, Carrier carrier, std::uint32_t index);
    // Ends the watch of a descriptor that stays open (or may be closed already).
    void unwatch(int fd);
    // Waits until an event comes or `wake` (a signal ends the wait early too). The events are
    // valid until the next wait.
    std::span<const Event> wait(Clock::time_point wake);

  private:
    static constexpr int max_events = 64;

    int fd_ = -1;
    std::array<epoll_event, max_events> ready_{};
    std::array<Event, max_events> events_{};
};

}  // namespace tlsrpt::dns
