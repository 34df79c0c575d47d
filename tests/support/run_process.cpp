#include "run_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace tlsrpt::testing {
namespace {

void make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::strerror(errno));
}

// The descriptor the child gets as standard output, or -1 for none; `out` is the capture pipe.
int child_stdout(StandardOutput kind, const int out[2]) {
    switch (kind) {
        case StandardOutput::captured:
            return out[1];
        case StandardOutput::closed:
            return -1;
        case StandardOutput::reader_gone:
            return out[1];  // the parent closes the read end before the child runs
        case StandardOutput::full_disk:
            return open("/dev/full", O_WRONLY | O_CLOEXEC);
    }
    return -1;
}

// The peak resident memory of a process since its last exec, in KiB; 0 once it has exited.
long peak_memory_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    }
    return 0;
}

// How often a running program's memory is read, at least.
constexpr auto memory_reading_interval = std::chrono::milliseconds(10);

// Whether the command line asks for `--format json` or `jsonl`, also inside a `sh -c` script.
bool asks_for_json(const std::vector<std::string>& argv) {
    std::vector<std::string> words;
    for (const std::string& argument : argv) {
        std::istringstream split(argument);
        for (std::string word; split >> word;) words.push_back(word);
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string format = words[i] == "--format" && i + 1 < words.size() ? words[i + 1]
                                   : words[i].starts_with("--format=") ? words[i].substr(9)
                                                                       : std::string();
        if (format == "json" || format == "jsonl") return true;
    }
    return false;
}

// Keeps a JSON output of the program for tests/schema/validate_outputs.py, which checks every
// one against schema/ once the tests have run (tests/CMakeLists.txt): the output in a file of
// its own and the command line beside it (.argv, each argument ended by a NUL).
void keep_json_output(const std::vector<std::string>& argv, const std::string& out, int exit_code) {
    // A program killed by a signal (other than the 130 it exits with when interrupted) may
    // have been cut anywhere.
    if (out.empty() || (exit_code > 128 && exit_code != 130) || !asks_for_json(argv)) return;
    std::filesystem::create_directories(TLSRPT_JSON_OUTPUT_DIR);
    std::string name = TLSRPT_JSON_OUTPUT_DIR "/output-XXXXXX";
    const int fd = mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("cannot keep a JSON output: " + name);
    close(fd);
    std::ofstream(name, std::ios::binary) << out;
    std::ofstream arguments(name + ".argv", std::ios::binary);
    for (const std::string& argument : argv) arguments << argument << '\0';
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    int in[2], out[2], err[2], exec_done[2];
    make_pipe(in);
    make_pipe(out);
    make_pipe(err);
    make_pipe(exec_done);  // closed by the child's exec (close-on-exec)
    const bool captured = options.standard_output == StandardOutput::captured;
    if (!captured) close(out[0]);
    const int stdout_fd = child_stdout(options.standard_output, out);

    // The extra variables replace those of the same name.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view variable(*e);
        const std::string_view name = variable.substr(0, variable.find('=') + 1);
        const bool replaced =
            std::any_of(options.extra_env.begin(), options.extra_env.end(),
                        [&](const std::string& extra) { return extra.starts_with(name); });
        if (!replaced) env_strings.emplace_back(variable);
    }
    env_strings.insert(env_strings.end(), options.extra_env.begin(), options.extra_env.end());
    std::vector<char*> env_pointers;
    for (auto& e : env_strings) env_pointers.push_back(e.data());
    env_pointers.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> arg_pointers;
    for (auto& a : args) arg_pointers.push_back(a.data());
    arg_pointers.push_back(nullptr);

    const auto started = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        if (stdout_fd >= 0) {
            dup2(stdout_fd, 1);
        } else {
            close(1);
        }
        dup2(err[1], 2);
        // The default, not the SIG_IGN this process set and exec would pass on: what the
        // program does about a pipe without reader must be its own doing.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        sigaction(SIGPIPE, &default_action, nullptr);
        execve(arg_pointers[0], arg_pointers.data(), env_pointers.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    // Until the exec, /proc shows the memory of the fork, a copy of this process.
    close(exec_done[1]);
    char byte;
    while (read(exec_done[0], &byte, 1) < 0 && errno == EINTR) {
    }
    close(exec_done[0]);
    if (options.standard_output == StandardOutput::full_disk && stdout_fd >= 0) close(stdout_fd);

    // Feed stdin and drain both outputs together so that no pipe fills up and blocks.
    signal(SIGPIPE, SIG_IGN);
    ProcessResult result;
    std::size_t written = 0;
    const std::string& input = options.input;
    int stdin_fd = in[1];
    if (input.empty()) {
        close(stdin_fd);
        stdin_fd = -1;
    }
    const auto deadline = started + std::chrono::seconds(options.timeout_seconds);
    bool out_open = captured, err_open = true, timed_out = false;
    while (out_open || err_open) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0},
                         {err_open ? err[0] : -1, POLLIN, 0},
                         {stdin_fd, POLLOUT, 0}};
        const auto wait = std::min(left, memory_reading_interval);
        const int ready = poll(fds, 3, static_cast<int>(wait.count()));
        result.max_rss_kib = std::max(result.max_rss_kib, peak_memory_kib(pid));
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buffer[65536];
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) continue;
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            } else {
                close(fds[i].fd);
                (i == 0 ? out_open : err_open) = false;
            }
        }
        if (stdin_fd >= 0 && fds[2].revents != 0) {
            ssize_t n = write(stdin_fd, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n <= 0 || written == input.size()) {
                close(stdin_fd);
                stdin_fd = -1;
            }
        }
    }
    if (stdin_fd >= 0) close(stdin_fd);
    if (out_open) close(out[0]);
    if (err_open) close(err[0]);
    if (timed_out) kill(pid, SIGKILL);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.wall = std::chrono::steady_clock::now() - started;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (captured) keep_json_output(argv, result.out, result.exit_code);
    return result;
}

FedProcess::FedProcess(const std::vector<std::string>& argv) : argv_(argv) {
    int in[2], out[2];
    make_pipe(in);
    make_pipe(out);
    std::vector<std::string> args = argv;
    std::vector<char*> arg_pointers;
    for (auto& a : args) arg_pointers.push_back(a.data());
    arg_pointers.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error(std::strerror(errno));
    if (pid_ == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execv(arg_pointers[0], arg_pointers.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    input_ = in[1];
    output_ = out[0];
    signal(SIGPIPE, SIG_IGN);
}

FedProcess::~FedProcess() {
    if (input_ >= 0) close(input_);
    if (output_ >= 0) close(output_);
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void FedProcess::write(const std::string& text) {
    for (std::size_t written = 0; written < text.size();) {
        const ssize_t n = ::write(input_, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("cannot write to the program");
        written += static_cast<std::size_t>(n);
    }
}

void FedProcess::close_input() {
    if (input_ >= 0) close(input_);
    input_ = -1;
}

std::optional<std::string> FedProcess::read_line(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (const auto end = received_.find('\n'); end != std::string::npos) {
            std::string line = received_.substr(0, end);
            received_.erase(0, end + 1);
            output_read_ += line + '\n';
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || output_ < 0) return std::nullopt;
        pollfd ready{output_, POLLIN, 0};
        if (poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[4096];
        const ssize_t n = read(output_, buffer, sizeof buffer);
        if (n <= 0) {
            close(output_);
            output_ = -1;
            continue;
        }
        received_.append(buffer, static_cast<std::size_t>(n));
    }
}

ProcessResult FedProcess::finish() {
    close_input();
    ProcessResult result;
    char buffer[4096];
    for (ssize_t n; output_ >= 0 && (n = read(output_, buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        received_.append(buffer, static_cast<std::size_t>(n));
    }
    result.out = std::move(received_);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    keep_json_output(argv_, output_read_ + result.out, result.exit_code);
    return result;
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const std::vector<std::string>& extra_env, int timeout_seconds) {
    return run_process(argv, ProcessOptions{input, extra_env, timeout_seconds});
}

}  // namespace tlsrpt::testing
