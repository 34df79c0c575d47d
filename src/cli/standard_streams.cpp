#include "cli/standard_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "cli/interruption.hpp"

namespace tlsrpt::cli {

void prepare_standard_streams() {
    std::signal(SIGPIPE, SIG_IGN);
    for (const int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // The lowest free number is `fd` itself: the ones below it are open by now.
        const int held = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
        if (held >= 0 && held != fd) {
            dup2(held, fd);
            close(held);
        }
    }
}

std::optional<Failure> write_to_stdout(std::string_view text) {
    if (const int error = write_whole(STDOUT_FILENO, text); error != 0) {
        return stdout_failure(error);
    }
    return std::nullopt;
}

Failure stdout_failure(int error) {
    return Failure{ExitCode::cannot_write_output,
                   fmt::format("cannot write to standard output: {}", std::strerror(error))};
}

}  // namespace tlsrpt::cli
