// A fault_responder of a test's own (see fault_responder.cpp), beside the testbed's.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace tlsrpt::testing {

// A fault_responder of the test's own, on a free port, that the test can kill and start again
// on the same port. No Catch2 assertion inside: it is also driven from a thread of its own.
class OwnResponder {
  public:
    // `port` 0: a free port chosen by the kernel.
    explicit OwnResponder(int drop_percent = 0, int port = 0)
        : drop_percent_(drop_percent), port_(port) {}
    ~OwnResponder() { kill(); }
    OwnResponder(const OwnResponder&) = delete;
    OwnResponder& operator=(const OwnResponder&) = delete;

    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

    // Without warning, as a crash would.
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // Returns once the responder has bound its sockets (it prints its port then); false if
    // it could not start. One still running is killed first: no responder outlives the test
    // (one would hold the test's standard error open, and ctest would wait for it).
    bool start() {
        kill();
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) != 0) return false;
        const std::string port = std::to_string(port_);
        const std::string drop = std::to_string(drop_percent_);
        pid_ = fork();
        if (pid_ == 0) {
            dup2(ready[1], STDOUT_FILENO);
            execl(FAULT_RESPONDER, FAULT_RESPONDER, port.c_str(), drop.c_str(), nullptr);
            _exit(127);
        }
        close(ready[1]);
        FILE* printed = fdopen(ready[0], "r");
        const bool started =
            pid_ > 0 && printed != nullptr && std::fscanf(printed, "%d", &port_) == 1;
        if (printed != nullptr) std::fclose(printed);
        return started;
    }

  private:
    int drop_percent_;
    int port_;  // 0 until the first start chose one
    pid_t pid_ = -1;
};

}  // namespace tlsrpt::testing
