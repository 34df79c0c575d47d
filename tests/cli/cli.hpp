// Runs the tlsrpt-check binary under test.
#pragma once

#include <string>
#include <vector>

#include "run_process.hpp"

namespace tlsrpt::testing {

inline ProcessResult run_cli(std::vector<std::string> arguments, const std::string& input = {},
                             const std::vector<std::string>& extra_env = {}) {
    arguments.insert(arguments.begin(), TLSRPT_BINARY);
    return run_process(arguments, input, extra_env);
}

// Where sources live, for tests that read the man page or the corpus.
inline std::string source_path(const std::string& relative) {
    return std::string(TLSRPT_SOURCE_DIR) + "/" + relative;
}

}  // namespace tlsrpt::testing
