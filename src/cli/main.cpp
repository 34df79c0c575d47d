// tlsrpt-check: parse the command line into Options, then run one subcommand.
#include <algorithm>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/app.hpp"
#include "cli/standard_streams.hpp"

int main(int argc, char** argv) {
    using namespace tlsrpt::cli;
    // Before any file or socket is opened: see the header.
    prepare_standard_streams();
    try {
        CLI::App app;
        configure_app(app);

        // Each subcommand registers its options and says how to run it.
        Options options;
        const std::vector<Command> commands = add_commands(app, options);

        // --help, --version and usage errors end here; a bare domain means `check <domain>`.
        if (const auto exit_code = parse_arguments(
                app, commands, std::vector<std::string>(argv + std::min(argc, 1), argv + argc))) {
            return static_cast<int>(*exit_code);
        }

        return static_cast<int>(run_selected_command(commands));
    } catch (const std::system_error& error) {
        // A local failure (no descriptor left for a socket): neither the DNS nor a bug.
        print_error(error.what());
        return static_cast<int>(tlsrpt::ExitCode::system_error);
    } catch (const std::exception& error) {
        // Recoverable failures are values; an exception here is a bug or exhausted memory.
        print_error(std::string("internal error: ") + error.what());
        return static_cast<int>(tlsrpt::ExitCode::internal);
    }
}
