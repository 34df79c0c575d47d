#include "cli/interruption.hpp"

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "output/atomic_file.hpp"
#include "tlsrpt/exit_code.hpp"

namespace tlsrpt::cli {
namespace {

// Atomics, not volatile sig_atomic_t: rows are written on a thread of their own, and the
// handler runs on another (lock-free atomics are safe in a signal handler).
std::atomic<int> signals_received{0};
// Threads inside write_whole, and the exit bit: set by the second signal, in the same atomic
// step as it sees whether a write is under way. A write that comes after it never starts (so
// the handler may exit at once when none was busy); the last busy writer exits when done.
std::atomic<unsigned> writes{0};
constexpr unsigned exit_due = 1u << 31;
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<unsigned>::is_always_lock_free);

// Ends the process at once, without an -o file's temporary file.
[[noreturn]] void exit_interrupted() {
    output::remove_uncommitted_file();
    _exit(static_cast<int>(ExitCode::interrupted));
}

// Leaves the writers: the last one out after the second signal ends the process.
void leave_writes() {
    if (writes.fetch_sub(1) == (exit_due | 1)) exit_interrupted();
}

void on_signal(int) {
    if (signals_received.fetch_add(1) + 1 < 2) return;
    if ((writes.fetch_or(exit_due) & ~exit_due) == 0) exit_interrupted();
}

// SIGHUP: the terminal or the session went away, which stops a run as SIGTERM does.
constexpr int interruptions[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

void install_interruption_handlers() {
    struct sigaction action {};
    action.sa_handler = &on_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a read blocked on a pipe that stays open must return, so that the run
    // stops without waiting for the next line (the reader then sees the end of its input).
    // Writes and the event loop retry on EINTR themselves.
    action.sa_flags = 0;
    for (const int signal : interruptions) {
        // Under nohup, SIGHUP stays ignored.
        struct sigaction current {};
        if (signal == SIGHUP && sigaction(signal, nullptr, &current) == 0 &&
            current.sa_handler == SIG_IGN) {
            continue;
        }
        sigaction(signal, &action, nullptr);
    }
}

InterruptionsBlocked::InterruptionsBlocked() {
    sigset_t blocked;
    sigemptyset(&blocked);
    for (const int signal : interruptions) sigaddset(&blocked, signal);
    pthread_sigmask(SIG_BLOCK, &blocked, &previous_);
}

InterruptionsBlocked::~InterruptionsBlocked() {
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

bool interruption_requested() {
    return signals_received.load() > 0;
}

int write_whole(int fd, std::string_view bytes) {
    if ((writes.fetch_add(1) & exit_due) != 0) {
        leave_writes();
        for (;;) pause();  // until the writer still busy ends the process
    }
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
    leave_writes();
    return error;
}

bool InterruptibleInput::fill() {
    if (ended_) return false;
    if (!read_after_interruption_ && interruption_requested()) {
        ended_ = true;
        return false;
    }
    // What is left moves to the front: a line begun in one read ends in the next.
    const auto left = static_cast<std::size_t>(egptr() - gptr());
    if (left > 0) std::memmove(buffer_.data(), gptr(), left);
    setg(buffer_.data(), buffer_.data(), buffer_.data() + left);
    if (left == buffer_.size()) return true;
    for (;;) {
        const ssize_t got = ::read(fd_, buffer_.data() + left, buffer_.size() - left);
        if (got > 0) {
            setg(buffer_.data(), buffer_.data(), buffer_.data() + left + got);
            return true;
        }
        if (got < 0 && errno == EINTR) {
            if (!interruption_requested()) continue;
        } else if (got < 0) {
            error_ = errno;
        }
        ended_ = true;  // the end, an error, or an interruption
        return false;
    }
}

InterruptibleInput::int_type InterruptibleInput::underflow() {
    if (gptr() == egptr() && !fill()) return traits_type::eof();
    return traits_type::to_int_type(*gptr());
}

bool InterruptibleInput::line_ready() {
    for (;;) {
        const auto left = static_cast<std::size_t>(egptr() - gptr());
        if (ended_ || left == buffer_.size() || (left > 0 && std::memchr(gptr(), '\n', left))) {
            return true;
        }
        pollfd input{fd_, POLLIN, 0};
        if (::poll(&input, 1, 0) <= 0) return false;
        fill();
    }
}

}  // namespace tlsrpt::cli
