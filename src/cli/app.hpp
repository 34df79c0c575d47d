// The steps main() takes: build the app, parse, run the chosen subcommand.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/options.hpp"
#include "tlsrpt/exit_code.hpp"

namespace tlsrpt::cli {

// Name, version flag, help (the default command's options first) and its footer.
void configure_app(CLI::App& app);

// Registers every subcommand on `app`, its options bound to `options`.
std::vector<Command> add_commands(CLI::App& app, Options& options);

// Fills the options from the arguments after the program name. `check` is put in front when
// the first argument is neither a subcommand nor a global option (`tlsrpt-check example.com`
// runs `tlsrpt-check check example.com`), unless it is a word close to a command name: a
// usage error then asks "did you mean". Returns an exit code when parsing ends the program:
// after --help or --version (0) or a usage error (64, printed).
std::optional<ExitCode> parse_arguments(CLI::App& app, const std::vector<Command>& commands,
                                        std::vector<std::string> arguments);

// Runs the subcommand the arguments chose; prints its failure, if any.
ExitCode run_selected_command(const std::vector<Command>& commands);

// `tlsrpt-check: error: <message>` on standard error, the message escaped.
void print_error(std::string_view message);

}  // namespace tlsrpt::cli
