#include "cli/app.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "cli/monitoring_options.hpp"
#include "cli/standard_streams.hpp"
#include "output/escape.hpp"
#include "policy/ascii.hpp"

namespace tlsrpt::cli {
namespace {

constexpr std::string_view program_name = "tlsrpt-check";
constexpr std::string_view default_command = "check";

constexpr std::string_view json_shapes =
    "JSON output: one result is one object, several results an array of them, and -f makes\n"
    "one document {\"schema_version\": 1, \"results\": [...], \"summary\": {...}}; jsonl\n"
    "writes one object per line. The JSON Schema files in schema/ describe each shape.\n";

constexpr std::string_view check_exit_codes =
    "Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 4 lookup error, 64 usage error,\n"
    "65 bad input data, 66 input file cannot be opened or read, 70 internal error, 71 system\n"
    "error (e.g. too many open files), 73 -o file cannot be written, 74 standard output cannot\n"
    "be written, 130 interrupted; with several results, the highest. --format nagios exits\n"
    "0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN only.\n";

std::string error_line(std::string_view message) {
    return std::string(program_name) + ": error: " + output::escape_prose(message) + "\n";
}

bool is_command(const std::vector<Command>& commands, std::string_view name) {
    return std::any_of(commands.begin(), commands.end(),
                       [&](const Command& command) { return command.app->get_name() == name; });
}

// The subcommand of that name, or null.
const CLI::App* find_command(const CLI::App& app, std::string_view name) {
    const auto found =
        app.get_subcommands([&](const CLI::App* command) { return command->get_name() == name; });
    return found.empty() ? nullptr : found.front();
}

bool is_global_option(const CLI::App& app, const std::string& argument) {
    if (argument.size() < 2 || argument.front() != '-') return false;
    return app.get_option_no_throw(argument.substr(0, argument.find('='))) != nullptr;
}

// Mistakes allowed for `word` to count as a near miss of `name`: one in a short name, two in
// a long one.
bool near_miss(std::string_view word, std::string_view name) {
    return policy::typo_distance(word, name) <= (name.size() >= 7 ? 2U : 1U);
}

// What a first argument that is a single-label word close to a command (or to `help` or
// `version`, which are options) was probably meant to be. No domain worth checking is such a
// word: domains have a dot.
std::optional<std::string> meant_command(const std::vector<Command>& commands,
                                         std::string_view word) {
    if (word.empty() ||
        !std::all_of(word.begin(), word.end(), [](char c) { return policy::is_alpha(c); })) {
        return std::nullopt;
    }
    for (const char* option : {"help", "version"}) {
        if (near_miss(word, option)) return std::string("--") + option;
    }
    for (const Command& command : commands) {
        if (near_miss(word, command.app->get_name())) return command.app->get_name();
    }
    return std::nullopt;
}

// The long options of `command` and of the program, for naming the one an unknown option
// was meant to be.
std::vector<std::string> long_options(const CLI::App& app, const CLI::App* command) {
    std::vector<std::string> names;
    for (const CLI::App* scope : {&app, command}) {
        if (scope == nullptr) continue;
        for (const CLI::Option* option : scope->get_options()) {
            for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
        }
    }
    return names;
}

// "unknown option --formt: did you mean --format?" for the first unknown long option among
// `arguments` (`command` first), or nullopt.
std::optional<std::string> unknown_option_message(const CLI::App& app,
                                                  const std::vector<std::string>& arguments) {
    const CLI::App* command = arguments.empty() ? nullptr : find_command(app, arguments.front());
    const std::vector<std::string> known = long_options(app, command);
    for (const std::string& argument : arguments) {
        if (!argument.starts_with("--") || argument.size() < 3) continue;
        const std::string name = argument.substr(0, argument.find('='));
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        const auto closest = std::min_element(
            known.begin(), known.end(), [&](const std::string& a, const std::string& b) {
                return policy::typo_distance(name, a) < policy::typo_distance(name, b);
            });
        std::string message = "unknown option " + name;
        if (closest != known.end() && near_miss(name.substr(2), closest->substr(2))) {
            message += ": did you mean " + *closest + "?";
        }
        return message + " (see --help)";
    }
    return std::nullopt;
}

// The help of the program puts the default command's options first: they are what most runs
// use. Commands print CLI11's help.
class HelpFormatter : public CLI::Formatter {
  public:
    std::string make_help(const CLI::App* app, std::string name,
                          CLI::AppFormatMode mode) const override {
        const CLI::App* check = app->get_parent() == nullptr && mode == CLI::AppFormatMode::Normal
                                    ? find_command(*app, default_command)
                                    : nullptr;
        if (check == nullptr) return CLI::Formatter::make_help(app, std::move(name), mode);
        std::string help = make_description(app);
        help +=
            "Usage: tlsrpt-check [check] [OPTIONS] [DOMAIN...] [-f FILE]\n"
            "       tlsrpt-check lint [OPTIONS] [RECORD...]\n"
            "       tlsrpt-check generate [OPTIONS] [DESTINATION...]\n";
        help += make_group(
            "Positionals of check, the default command", true,
            check->get_options([](const CLI::Option* option) { return option->get_positional(); }));
        help += make_group("Options of check", false,
                           check->get_options([check](const CLI::Option* option) {
                               return option->nonpositional() && option != check->get_help_ptr();
                           }));
        help += make_group(
            "Options of the program", false,
            app->get_options([](const CLI::Option* option) { return option->nonpositional(); }));
        help += make_subcommands(app, mode);
        return help + '\n' + make_footer(app);
    }
};

}  // namespace

void configure_app(CLI::App& app) {
    app.name(std::string(program_name));
    app.description("Checks SMTP TLS Reporting (TLS-RPT, RFC 8460) records.");
    app.set_version_flag("--version", std::string(program_name) + " " TLSRPT_VERSION);
    // At most one subcommand; with none, run_selected_command says so (a required subcommand
    // would hide CLI11's message naming an unknown word).
    app.require_subcommand(0, 1);
    app.formatter(std::make_shared<HelpFormatter>());
    // Inherited by `check`; the other commands have their own.
    app.footer(std::string(json_shapes) + std::string(check_exit_codes) + "See tlsrpt-check(1).");
}

std::vector<Command> add_commands(CLI::App& app, Options& options) {
    return {
        add_check_command(app, options.check),
        add_lint_command(app, options.lint),
        add_generate_command(app, options.generate),
        add_completion_command(app, options.completion_shell, default_command),
    };
}

std::optional<ExitCode> parse_arguments(CLI::App& app, const std::vector<Command>& commands,
                                        std::vector<std::string> arguments) {
    const bool plugin_mode = plugin_format_requested(arguments);
    // A monitoring system reads only standard output and exit codes 0-3.
    const auto usage_error = [plugin_mode](const std::string& message) {
        if (plugin_mode) return report_plugin_unknown(message);
        print_error(message);
        return ExitCode::usage;
    };
    if (!arguments.empty() && !is_command(commands, arguments.front()) &&
        !is_global_option(app, arguments.front())) {
        if (const auto meant = meant_command(commands, arguments.front())) {
            return usage_error("'" + arguments.front() +
                               "' is not a command, nor a domain name (it has no dot): did you "
                               "mean " +
                               *meant + "?");
        }
        // A bare domain means `check <domain>`.
        arguments.insert(arguments.begin(), std::string(default_command));
    }
    const std::vector<std::string> given = arguments;
    std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
    try {
        app.parse(arguments);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() != 0) {
            const auto unknown = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr
                                     ? unknown_option_message(app, given)
                                     : std::nullopt;
            return usage_error(unknown.value_or(error.what()));
        }
        // --help and --version print here: through write_to_stdout, so that a failed write
        // is reported like any other.
        std::ostringstream printed;
        app.exit(error, printed);
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
