#include "cli/interruption.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "tlsrpt/exit_code.hpp"

namespace tlsrpt::cli {
namespace {

volatile std::sig_atomic_t signals_received = 0;
volatile std::sig_atomic_t writing = 0;

void on_signal(int) {
    signals_received = signals_received + 1;
    if (signals_received >= 2 && !writing) _exit(static_cast<int>(ExitCode::interrupted));
}

}  // namespace

void install_interruption_handlers() {
    struct sigaction action {};
    action.sa_handler = &on_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a read blocked on a pipe that stays open must return, so that the run
    // stops without waiting for the next line (the reader then sees the end of its input).
    // Writes and the event loop retry on EINTR themselves.
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interruption_requested() {
    return signals_received > 0;
}

int write_whole(int fd, std::string_view bytes) {
    writing = 1;
    int error = 0;
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            error = errno;
            break;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    writing = 0;
    if (signals_received >= 2) _exit(static_cast<int>(ExitCode::interrupted));
    return error;
}

InterruptibleInput::int_type InterruptibleInput::underflow() {
    for (;;) {
        const ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
        if (got > 0) {
            setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
            return traits_type::to_int_type(buffer_[0]);
        }
        if (got < 0 && errno == EINTR) {
            if (!interruption_requested()) continue;
        } else if (got < 0) {
            error_ = errno;
        }
        return traits_type::eof();  // the end, an error, or an interruption
    }
}

}  // namespace tlsrpt::cli
