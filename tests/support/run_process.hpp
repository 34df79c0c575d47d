// Runs a program the way a user or script would, for tests that exercise the real binary.
#pragma once

#include <string>
#include <vector>

namespace tlsrpt::testing {

struct ProcessResult {
    int exit_code = -1;  // 128 + signal number when killed by a signal
    std::string out;
    std::string err;
};

// Runs `argv` (argv[0] is a path) with `input` on its standard input and `extra_env`
// ("NAME=value") added to the environment; waits at most `timeout_seconds`, then kills it.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::vector<std::string>& extra_env = {}, int timeout_seconds = 60);

}  // namespace tlsrpt::testing
