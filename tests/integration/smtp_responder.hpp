// An SMTP server on a loopback address for tests of the STARTTLS prober, with the faults the
// testbed's servers do not make: a reply that never ends, a line that never ends, a flood of
// long lines, an EHLO refused, a server silent once STARTTLS was answered. It serves from a
// thread of its own, and counts the connections it accepted. A test waits for a connection
// to reach the point of its fault by watching notices(): one byte becomes readable there per
// connection (accepted, for `silent`; the first TLS bytes read, for `starttls_then_silent`).
// The commands it was sent can be read once it has stopped.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tlsrpt::testing {

enum class SmtpFault {
    silent,                // accepts, never sends a byte
    endless_reply,         // "220-" continuation lines, as fast as they are read
    endless_line,          // "220 " and then bytes without a line end
    flood,                 // a 220 greeting, then an EHLO reply of ever more long lines
    ehlo_refused,          // a 220 greeting, then "550" to EHLO
    starttls_then_silent,  // STARTTLS offered and answered 220, then silence
};

class SmtpResponder {
  public:
    // `address`: an IPv4 or IPv6 loopback address to listen on, on a port the kernel picks.
    explicit SmtpResponder(SmtpFault fault, std::string address = "127.0.0.1")
        : fault_(fault), address_(std::move(address)) {
        sockaddr_storage bound{};
        socklen_t length = 0;
        const bool v6 = address_.find(':') != std::string::npos;
        if (v6) {
            auto* in6 = reinterpret_cast<sockaddr_in6*>(&bound);
            in6->sin6_family = AF_INET6;
            inet_pton(AF_INET6, address_.c_str(), &in6->sin6_addr);
            length = sizeof *in6;
        } else {
            auto* in4 = reinterpret_cast<sockaddr_in*>(&bound);
            in4->sin_family = AF_INET;
            inet_pton(AF_INET, address_.c_str(), &in4->sin_addr);
            length = sizeof *in4;
        }
        listener_ = socket(bound.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&bound), length) != 0 ||
            listen(listener_, 128) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length) != 0 ||
            pipe2(notices_, O_CLOEXEC | O_NONBLOCK) != 0) {
            throw std::runtime_error("SmtpResponder: cannot listen on " + address_);
        }
        port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                         : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    SmtpResponder(const SmtpResponder&) = delete;
    SmtpResponder& operator=(const SmtpResponder&) = delete;
    ~SmtpResponder() {
        stop();
        close(notices_[0]);
        close(notices_[1]);
    }

    const std::string& address() const { return address_; }
    std::uint16_t port() const { return port_; }
    int notices() const { return notices_[0]; }

    // The commands received, with their line ends, in order: after stop().
    const std::vector<std::string>& commands() const { return commands_; }

    // Stops serving, after accepting what the kernel has queued, and returns how many
    // connections were accepted in all.
    std::size_t stop() {
        if (thread_.joinable()) {
            stop_ = true;
            thread_.join();
            for (const Connection& connection : connections_) close(connection.fd);
            connections_.clear();
            close(listener_);
        }
        return accepted_;
    }

  private:
    struct Connection {
        int fd = -1;
        std::string input;   // bytes of the command not yet ended
        std::string output;  // bytes not yet sent
        bool greeted = false;
        bool in_tls = false;  // STARTTLS answered: what comes is the client's handshake
        bool noticed = false;
    };

    void notice() {
        const char byte = 'n';
        [[maybe_unused]] const ssize_t written = write(notices_[1], &byte, 1);
    }

    void accept_all() {
        for (;;) {
            const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) return;
            ++accepted_;
            Connection connection;
            connection.fd = fd;
            switch (fault_) {
                case SmtpFault::silent:
                    notice();
                    break;
                case SmtpFault::endless_line:
                    connection.output = "220 ";
                    break;
                case SmtpFault::endless_reply:
                    break;
                case SmtpFault::flood:
                case SmtpFault::ehlo_refused:
                case SmtpFault::starttls_then_silent:
                    connection.output = "220 responder ESMTP\r\n";
                    break;
            }
            connections_.push_back(std::move(connection));
        }
    }

    // Keeps writing for the faults that never stop; false when the client has gone.
    void refill(Connection& connection) {
        if (!connection.output.empty()) return;
        switch (fault_) {
            case SmtpFault::endless_reply:
                connection.output = "220-and there is more\r\n";
                break;
            case SmtpFault::endless_line:
                connection.output = std::string(512, 'x');
                break;
            case SmtpFault::flood:
                if (connection.greeted) connection.output = "250-" + std::string(900, 'f') + "\r\n";
                break;
            default:
                break;
        }
    }

    void answer(Connection& connection, const std::string& command) {
        commands_.push_back(command);
        std::string verb = command.substr(0, command.find_first_of(" \r\n"));
        std::transform(verb.begin(), verb.end(), verb.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (verb == "EHLO" && fault_ == SmtpFault::flood) {
            connection.greeted = true;
        } else if (verb == "EHLO" && fault_ == SmtpFault::ehlo_refused) {
            connection.output += "550 5.7.1 not you\r\n";
        } else if (verb == "EHLO") {
            connection.output += "250-responder\r\n250 STARTTLS\r\n";
        } else if (verb == "STARTTLS") {
            connection.output += "220 2.0.0 go ahead\r\n";
            connection.in_tls = true;
        } else if (verb == "QUIT") {
            connection.output += "221 2.0.0 bye\r\n";
        } else {
            connection.output += "500 5.5.2 what\r\n";
        }
    }

    // Reads what came; false when the client has gone.
    bool read_from(Connection& connection) {
        char buffer[4096];
        const ssize_t got = recv(connection.fd, buffer, sizeof buffer, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return false;
        if (got < 0) return true;
        if (connection.in_tls) {
            // The ClientHello: the prober is in its handshake, and stays there.
            if (!connection.noticed) notice();
            connection.noticed = true;
            return true;
        }
        if (fault_ == SmtpFault::silent) return true;
        connection.input.append(buffer, static_cast<std::size_t>(got));
        for (std::size_t end; (end = connection.input.find('\n')) != std::string::npos;) {
            answer(connection, connection.input.substr(0, end + 1));
            connection.input.erase(0, end + 1);
        }
        return true;
    }

    // Writes what is due; false when the client has gone.
    bool write_to(Connection& connection) {
        refill(connection);
        if (connection.output.empty()) return true;
        const ssize_t sent =
            send(connection.fd, connection.output.data(), connection.output.size(), MSG_NOSIGNAL);
        if (sent < 0) return errno == EAGAIN || errno == EINTR;
        connection.output.erase(0, static_cast<std::size_t>(sent));
        return true;
    }

    void serve() {
        while (!stop_) {
            std::vector<pollfd> ready{{listener_, POLLIN, 0}};
            for (Connection& connection : connections_) {
                refill(connection);
                const short events = connection.output.empty() ? POLLIN : (POLLIN | POLLOUT);
                ready.push_back({connection.fd, events, 0});
            }
            if (poll(ready.data(), ready.size(), 20) <= 0) continue;
            if (ready[0].revents != 0) accept_all();
            std::vector<Connection> open;
            for (std::size_t i = 1; i < ready.size(); ++i) {
                Connection& connection = connections_[i - 1];
                const short events = ready[i].revents;
                const bool alive =
                    ((events & (POLLIN | POLLHUP | POLLERR)) == 0 || read_from(connection)) &&
                    ((events & POLLOUT) == 0 || write_to(connection));
                if (alive) {
                    open.push_back(std::move(connection));
                } else {
                    close(connection.fd);
                }
            }
            // Connections accepted in this round come after those polled.
            for (std::size_t i = ready.size() - 1; i < connections_.size(); ++i) {
                open.push_back(std::move(connections_[i]));
            }
            connections_ = std::move(open);
        }
        accept_all();  // what the kernel had queued counts too
    }

    SmtpFault fault_;
    std::string address_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    int notices_[2] = {-1, -1};
    std::atomic<bool> stop_{false};
    std::size_t accepted_ = 0;
    std::vector<std::string> commands_;
    std::vector<Connection> connections_;
    std::thread thread_;
};

}  // namespace tlsrpt::testing
