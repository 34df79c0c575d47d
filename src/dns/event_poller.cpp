#include "dns/event_poller.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace tlsrpt::dns {
namespace {

epoll_event event_for(std::uint32_t events, Carrier carrier, std::uint32_t index) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = (static_cast<std::uint64_t>(carrier) << 32) | index;
    return event;
}

}  // namespace

EventPoller::EventPoller() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll");
}

EventPoller::~EventPoller() {
    close(fd_);
}

bool EventPoller::watch(int fd, std::uint32_t events, Carrier carrier, std::uint32_t index) {
    epoll_event event = event_for(events, carrier, index);
    return epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void EventPoller::rewatch(int fd, std::uint32_t events, Carrier carrier, std::uint32_t index) {
    epoll_event event = event_for(events, carrier, index);
    if (epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &event) != 0) {
        throw std::runtime_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    }
}

void EventPoller::unwatch(int fd) {
    // ENOENT and EBADF mean there is no watch left to end.
    epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr);
}

std::span<const EventPoller::Event> EventPoller::wait(Clock::time_point wake) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
    // Rounded up: waking early would spin without any timeout due.
    const int milliseconds =
        static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(wait.count(), 0, INT_MAX));
    const int ready = epoll_wait(fd_, ready_.data(), max_events, milliseconds);
    if (ready < 0 && errno != EINTR) {
        throw std::runtime_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
    }
    const auto count = static_cast<std::size_t>(std::max(ready, 0));
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t data = ready_[i].data.u64;
        events_[i] = {static_cast<Carrier>(data >> 32), static_cast<std::uint32_t>(data),
                      ready_[i].events};
    }
    return {events_.data(), count};
}

}  // namespace tlsrpt::dns
