// Runs the tlsrpt-check binary under test.
#pragma once

#include <cctype>
#include <set>
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

// Words of `text` that start with "--" or a "-x" short option.
inline std::set<std::string> options_in(const std::string& text) {
    std::set<std::string> options;
    for (std::size_t at = 0; (at = text.find('-', at)) != std::string::npos;) {
        const bool word_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == ',';
        std::size_t end = at + 1;
        if (end < text.size() && text[end] == '-') ++end;
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-'))
            ++end;
        if (word_start && end > at + 1 &&
            std::isalpha(static_cast<unsigned char>(text[at + (text[at + 1] == '-' ? 2 : 1)]))) {
            options.insert(text.substr(at, end - at));
        }
        at = end;
    }
    return options;
}

// The options that `help` (e.g. {"check", "--help"}) lists under "Options:".
inline std::set<std::string> options_of_help(const std::vector<std::string>& help) {
    const ProcessResult run = run_cli(help);
    if (run.exit_code != 0) return {};
    return options_in(run.out.substr(run.out.find("Options")));
}

// The --help of the program and of each subcommand.
inline const std::vector<std::vector<std::string>> every_help = {
    {"--help"}, {"check", "--help"}, {"lint", "--help"}, {"generate", "--help"}};

}  // namespace tlsrpt::testing
