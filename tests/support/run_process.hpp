// Runs a program the way a user or script would, for tests that exercise the real binary.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tlsrpt::testing {

struct ProcessResult {
    int exit_code = -1;  // 128 + signal number when killed by a signal
    std::string out;
    std::string err;
    // Peak resident memory of the program (VmHWM), as last read while it ran: at most 10 ms
    // before its end. (The rusage of a child would count the pages of the test process it
    // was forked from.)
    long max_rss_kib = 0;
    std::chrono::steady_clock::duration wall{};
};

// Where the program's standard output goes.
enum class StandardOutput {
    captured,     // a pipe read into ProcessResult::out
    closed,       // no descriptor 1 at all (`>&-`)
    reader_gone,  // a pipe whose read end is already closed (`| head -1` after its line)
    full_disk,    // /dev/full: every write fails with ENOSPC
};

struct ProcessOptions {
    std::string input;                   // standard input
    std::vector<std::string> extra_env;  // "NAME=value", replacing any NAME in the environment
    int timeout_seconds = 60;            // then the program is killed
    StandardOutput standard_output = StandardOutput::captured;
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// Runs `argv` (argv[0] is a path) with `input` on its standard input and `extra_env`
// ("NAME=value") set in the environment; waits at most `timeout_seconds`, then kills it.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::vector<std::string>& extra_env = {}, int timeout_seconds = 60);

// A program whose standard input the test writes piece by piece, reading its standard output
// as it comes: for what a program does between two lines of its input. Standard error is
// discarded. The destructor kills a program still running.
class FedProcess {
  public:
    explicit FedProcess(const std::vector<std::string>& argv);
    ~FedProcess();
    FedProcess(const FedProcess&) = delete;
    FedProcess& operator=(const FedProcess&) = delete;

    void write(const std::string& text);
    void close_input();
    // The next whole line of standard output (without its line feed), waiting at most `limit`
    // for it; nullopt when none came.
    std::optional<std::string> read_line(std::chrono::milliseconds limit);
    // Closes the input, reads the rest of the output and returns it with the exit code.
    ProcessResult finish();

  private:
    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    int input_ = -1;
    int output_ = -1;
    std::string received_;     // read, not yet returned by read_line
    std::string output_read_;  // returned by read_line
};

}  // namespace tlsrpt::testing
