#include "cli/app.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/monitoring_options.hpp"
#include "cli/standard_streams.hpp"
#include "output/escape.hpp"

namespace tlsrpt::cli {
namespace {

constexpr std::string_view program_name = "tlsrpt-check";
constexpr std::string_view default_command = "check";

std::string error_line(std::string_view message) {
    return std::string(program_name) + ": error: " + output::escape_prose(message) + "\n";
}

bool is_command(const std::vector<Command>& commands, std::string_view name) {
    return std::any_of(commands.begin(), commands.end(),
                       [&](const Command& command) { return command.app->get_name() == name; });
}

bool is_global_option(const CLI::App& app, const std::string& argument) {
    if (argument.size() < 2 || argument.front() != '-') return false;
    return app.get_option_no_throw(argument.substr(0, argument.find('='))) != nullptr;
}

}  // namespace

void configure_app(CLI::App& app) {
    app.name(std::string(program_name));
    app.description("Checks SMTP TLS Reporting (TLS-RPT, RFC 8460) records.");
    app.set_version_flag("--version", std::string(program_name) + " " TLSRPT_VERSION);
    // At most one subcommand; with none, run_selected_command says so (a required subcommand
    // would hide CLI11's message naming an unknown word).
    app.require_subcommand(0, 1);
    app.failure_message(
        [](const CLI::App*, const CLI::Error& error) { return error_line(error.what()); });
    app.footer(
        "Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 4 lookup error, 64 usage error,\n"
        "65 bad input data, 66 input file cannot be opened or read, 70 internal error, 71 system\n"
        "error (e.g. too many open files), 73 -o file cannot be written, 74 standard output\n"
        "cannot be written; with several results,\n"
        "the highest. --format nagios exits 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN only.\n"
        "See tlsrpt-check(1).");
}

std::vector<Command> add_commands(CLI::App& app, Options& options) {
    return {
        add_check_command(app, options.check),
        add_lint_command(app, options.lint),
        add_generate_command(app, options.generate),
        add_completion_command(app, options.completion_shell, default_command),
    };
}

std::vector<std::string> arguments_with_default_command(int argc, char** argv, const CLI::App& app,
                                                        const std::vector<Command>& commands) {
    std::vector<std::string> arguments(argv + std::min(argc, 1), argv + argc);
    if (!arguments.empty() && !is_command(commands, arguments.front()) &&
        !is_global_option(app, arguments.front())) {
        arguments.insert(arguments.begin(), std::string(default_command));
    }
    return arguments;
}

std::optional<ExitCode> parse_arguments(CLI::App& app, std::vector<std::string> arguments) {
    const bool plugin_mode = plugin_format_requested(arguments);
    std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
    try {
        app.parse(arguments);
    } catch (const CLI::ParseError& error) {
        // A monitoring system reads only standard output and exit codes 0-3.
        if (plugin_mode && error.get_exit_code() != 0) return report_plugin_unknown(error.what());
        // --help and --version print here: through write_to_stdout, so that a failed write
        // is reported like any other.
        std::ostringstream printed;
        if (app.exit(error, printed) != 0) return ExitCode::usage;
        if (auto failure = write_to_stdout(printed.str())) {
            print_error(failure->message);
            return failure->code;
        }
        return ExitCode::valid;
    }
    return std::nullopt;
}

ExitCode run_selected_command(const std::vector<Command>& commands) {
    for (const Command& command : commands) {
        if (!command.app->parsed()) continue;
        const CommandResult result = command.run();
        if (result) return *result;
        print_error(result.error().message);
        return result.error().code;
    }
    print_error("a subcommand is required (see --help)");
    return ExitCode::usage;
}

void print_error(std::string_view message) {
    std::cerr << error_line(message) << std::flush;
}

}  // namespace tlsrpt::cli
