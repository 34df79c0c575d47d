// Standard output and its siblings as a tool in a pipeline must treat them: a reader that left
// (`tlsrpt-check ... | head -1`) or a closed descriptor makes writing fail with a message and
// exit code 74, never a SIGPIPE death, and never sends output anywhere else.
#pragma once

#include <optional>
#include <string_view>

#include "cli/command.hpp"

namespace tlsrpt::cli {

// Call before anything opens a file or socket. Ignores SIGPIPE, so that writing to a pipe
// whose reader left fails with EPIPE. A descriptor 0, 1 or 2 closed at start-up is held open
// on /dev/null in the direction it is not used in: using it fails with EBADF as before, but no
// socket or file the run opens can take its number (rows written to descriptor 1 would go to a
// DNS server's socket).
void prepare_standard_streams();

// Writes all of `text` to standard output; on failure says why (exit code 74).
std::optional<Failure> write_to_stdout(std::string_view text);

// A write to standard output failed with `error` (an errno).
Failure stdout_failure(int error);

}  // namespace tlsrpt::cli
