// SIGINT, SIGTERM and SIGHUP during a check: the first asks the run to stop (it then completes
// and flushes its rows); the second exits at once with 130, but never in the middle of a write,
// so that no output line is cut, and without the temporary file of -o.
#pragma once

#include <signal.h>

#include <array>
#include <streambuf>
#include <string_view>

namespace tlsrpt::cli {

void install_interruption_handlers();
// Keeps those signals off the calling thread while it lives, and off every thread it
// starts meanwhile (they inherit the mask): the signals then go to the event loop's thread,
// whose wait they must wake.
class InterruptionsBlocked {
  public:
    InterruptionsBlocked();
    ~InterruptionsBlocked();
    InterruptionsBlocked(const InterruptionsBlocked&) = delete;
    InterruptionsBlocked& operator=(const InterruptionsBlocked&) = delete;

  private:
    sigset_t previous_;
};
bool interruption_requested();

// Writes all of `bytes` to `fd`; a second signal arriving meanwhile takes effect afterwards.
// Returns 0, or the errno of the write that failed (EPIPE: the reader of a pipe left).
int write_whole(int fd, std::string_view bytes);

// Reads a file descriptor for an istream, and ends the input when an interruption arrives
// while a read is blocked (a pipe that stays open): std::cin and std::ifstream retry such reads.
// Unless `read_after_interruption` (a regular file, whose lines left still get their rows),
// it also ends at the first read after an interruption, so that an input that never blocks
// (/dev/zero, a pipe of one endless line) cannot hold the run. A read that fails also ends the
// input; error() then tells why, so that it is not taken for the end of the list.
class InterruptibleInput : public std::streambuf {
  public:
    InterruptibleInput(int fd, bool read_after_interruption)
        : fd_(fd), read_after_interruption_(read_after_interruption) {}

    // The errno of the read that failed, or 0.
    int error() const { return error_; }

    // Whether the next line can be read without waiting: a whole line is buffered, or the
    // descriptor has more (read now), or the input has ended.
    bool line_ready();

  protected:
    int_type underflow() override;

  private:
    // Reads after what is left in the buffer; false once the input has ended.
    bool fill();

    int fd_;
    bool read_after_interruption_;
    int error_ = 0;
    bool ended_ = false;  // at the end, after an error or an interruption: no more reads
    std::array<char, 64 * 1024> buffer_{};
};

}  // namespace tlsrpt::cli
