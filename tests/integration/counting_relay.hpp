// A relay between the program and a real resolver that counts what the program asks: it listens
// on 127.0.0.1 (UDP), passes each query on to the resolver and each answer back, and counts the
// lookups by name and type: queries with distinct message IDs (the tries of one query keep its
// ID). Run from a thread of its own; answers that are truncated are passed on as they are (the
// tests that use it ask nothing that large).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "dns_question.hpp"
#include "loopback_socket.hpp"

namespace tlsrpt::testing {

class CountingRelay {
  public:
    // `upstream_port`: the resolver's port on 127.0.0.1.
    explicit CountingRelay(int upstream_port) {
        listening_ = open_socket();
        upstream_ = open_socket();
        const sockaddr_in resolver = loopback_address(static_cast<std::uint16_t>(upstream_port));
        if (connect(upstream_, reinterpret_cast<const sockaddr*>(&resolver), sizeof resolver) !=
            0) {
            throw std::runtime_error("CountingRelay: cannot connect to the resolver");
        }
        port_ = bound_port(listening_);
        thread_ = std::thread([this] { serve(); });
    }
    CountingRelay(const CountingRelay&) = delete;
    CountingRelay& operator=(const CountingRelay&) = delete;
    ~CountingRelay() {
        stop_ = true;
        thread_.join();
        close(listening_);
        close(upstream_);
    }

    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

    // Lookups of `name` (dotted, no final dot, as asked) and `type` so far.
    std::size_t lookups(const std::string& name, std::uint16_t type) const {
        const std::lock_guard lock(mutex_);
        const auto found = ids_.find({name, type});
        return found == ids_.end() ? 0 : found->second.size();
    }

  private:
    static int open_socket() {
        const int fd = bind_loopback(SOCK_DGRAM);
        // Past the system's limit where allowed (as root): bursts of queries are not dropped.
        const int buffer = 4 << 20;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        }
        return fd;
    }

    void serve() {
        std::array<unsigned char, 4096> message{};
        while (!stop_) {
            pollfd ready[2] = {{listening_, POLLIN, 0}, {upstream_, POLLIN, 0}};
            if (poll(ready, 2, 20) <= 0) continue;
            if ((ready[0].revents & POLLIN) != 0) from_client(message);
            if ((ready[1].revents & POLLIN) != 0) from_resolver(message);
        }
    }

    void from_client(std::array<unsigned char, 4096>& message) {
        sockaddr_in client{};
        socklen_t length = sizeof client;
        const ssize_t size = recvfrom(listening_, message.data(), message.size(), MSG_DONTWAIT,
                                      reinterpret_cast<sockaddr*>(&client), &length);
        if (size < 12) return;
        const auto asked = read_named_question(message.data(), static_cast<std::size_t>(size));
        if (!asked) return;
        // The program keeps its IDs unique among the queries it has in flight.
        const auto id = static_cast<std::uint16_t>((message[0] << 8) | message[1]);
        {
            const std::lock_guard lock(mutex_);
            ids_[{asked->name, asked->question.type}].insert(id);
        }
        clients_[id] = client;
        send(upstream_, message.data(), static_cast<std::size_t>(size), 0);
    }

    void from_resolver(std::array<unsigned char, 4096>& message) {
        const ssize_t size = recv(upstream_, message.data(), message.size(), MSG_DONTWAIT);
        if (size < 12) return;
        const sockaddr_in& client = clients_[(message[0] << 8) | message[1]];
        sendto(listening_, message.data(), static_cast<std::size_t>(size), 0,
               reinterpret_cast<const sockaddr*>(&client), sizeof client);
    }

    int listening_ = -1;
    int upstream_ = -1;
    unsigned short port_ = 0;
    std::vector<sockaddr_in> clients_ = std::vector<sockaddr_in>(1 << 16);  // by message ID
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::uint16_t>, std::set<std::uint16_t>> ids_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace tlsrpt::testing
