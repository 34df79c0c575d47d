// Subcommands: each registers its options on the app and returns how to run it. A command that
// cannot do its work returns a Failure; main prints it and exits with its code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"
#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/expected.hpp"
#include "tlsrpt/shard.hpp"

namespace tlsrpt::cli {

struct Failure {
    ExitCode code = ExitCode::internal;
    std::string message;  // one line; it may quote user input, print_error escapes it
};

using CommandResult = Expected<ExitCode, Failure>;

struct Command {
    CLI::App* app = nullptr;  // the registered subcommand
    std::function<CommandResult()> run;
};

Command add_check_command(CLI::App& app, CheckOptions& options);
Command add_lint_command(CLI::App& app, LintOptions& options);
Command add_generate_command(CLI::App& app, GenerateOptions& options);
// `completion bash|zsh|fish`, hidden from --help: the scripts list the other commands of `app`.
Command add_completion_command(CLI::App& app, CompletionShell& shell,
                               std::string_view default_command);

// An option taking one of `choices` (case-insensitive), shown as `a|b|c` in --help.
template <typename Enum>
CLI::Option* add_choice_option(CLI::App& command, const std::string& name, Enum& target,
                               const std::vector<std::pair<std::string, Enum>>& choices,
                               const std::string& description) {
    std::vector<std::string> names;
    for (const auto& choice : choices) names.push_back(choice.first);
    return command
        .add_option_function<std::string>(
            name,
            [&target, choices](const std::string& chosen) {
                for (const auto& [choice_name, value] : choices) {
                    if (choice_name == chosen) target = value;
                }
            },
            description)
        ->transform(CLI::IsMember(names, CLI::ignore_case))
        ->option_text(CLI::detail::join(names, "|"));
}

// `--shard K/N` of the bulk checks; needs the command's -f option registered first.
CLI::Option* add_shard_option(CLI::App& check, std::optional<Shard>& target);

// Checks of number values whose error says what is expected, e.g. "expected a number of
// milliseconds from 1 to 600000, got 'abc'" (`what` is "milliseconds").
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what);
// A number above 0, fractions allowed.
CLI::Validator positive_number(const std::string& what);

// `--format` with the given output formats, the first one being the default.
CLI::Option* add_format_option(CLI::App& command, output::Format& target,
                               const std::vector<output::Format>& formats);

}  // namespace tlsrpt::cli
