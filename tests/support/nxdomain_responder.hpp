// A DNS server on 127.0.0.1 for tests of the resolver inside the test process: answers every
// UDP query NXDOMAIN (or with the rcode it is given) from a thread of its own, and tells
// `on_query` each name it is asked for. It allocates nothing per query, so that tests can
// measure the heap of the code they test.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "dns_question.hpp"
#include "loopback_socket.hpp"

namespace tlsrpt::testing {

class NxdomainResponder {
  public:
    // Called from the responder's thread with the query name, dotted, without the final dot,
    // and whether the query has the RD bit.
    using OnQuery = std::function<void(std::string_view name, bool recursion_desired)>;

    static constexpr unsigned char nxdomain = 3;

    explicit NxdomainResponder(OnQuery on_query = {}, unsigned char rcode = nxdomain)
        : on_query_(std::move(on_query)), rcode_(rcode) {
        socket_ = bind_loopback(SOCK_DGRAM);
        const int buffer = 1 << 20;
        setsockopt(socket_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        port_ = bound_port(socket_);
        thread_ = std::thread([this] { serve(); });
    }
    NxdomainResponder(const NxdomainResponder&) = delete;
    NxdomainResponder& operator=(const NxdomainResponder&) = delete;
    ~NxdomainResponder() {
        stop_ = true;
        thread_.join();
        close(socket_);
    }

    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    void serve() {
        unsigned char message[512];
        char name[256];
        while (!stop_) {
            pollfd ready{socket_, POLLIN, 0};
            if (poll(&ready, 1, 20) <= 0) continue;
            sockaddr_in peer{};
            socklen_t peer_length = sizeof peer;
            const ssize_t size = recvfrom(socket_, message, sizeof message, 0,
                                          reinterpret_cast<sockaddr*>(&peer), &peer_length);
            if (size < 12) continue;
            std::size_t name_length = 0;
            const auto question =
                read_question(message, static_cast<std::size_t>(size),
                              [&](const unsigned char* label, std::size_t length) {
                                  if (name_length != 0) name[name_length++] = '.';
                                  for (std::size_t i = 0; i < length; ++i) {
                                      name[name_length++] = static_cast<char>(label[i]);
                                  }
                              });
            if (!question) continue;
            if (on_query_) on_query_(std::string_view(name, name_length), (message[2] & 1) != 0);
            // The query's header and question, as an answer with nothing else.
            message[2] |= 0x80;
            message[3] = static_cast<unsigned char>(0x80 | rcode_);
            for (std::size_t i = 6; i < 12; ++i) message[i] = 0;
            sendto(socket_, message, question->end, 0, reinterpret_cast<sockaddr*>(&peer),
                   peer_length);
        }
    }

    OnQuery on_query_;
    unsigned char rcode_;
    int socket_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace tlsrpt::testing
