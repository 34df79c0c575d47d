// `completion bash|zsh|fish`: prints the shell's completion script, made from the commands and
// options registered on the app. Hidden from --help: packages install the scripts.
#include "cli/command.hpp"
#include "cli/completion.hpp"
#include "cli/standard_streams.hpp"

namespace tlsrpt::cli {

Command add_completion_command(CLI::App& app, CompletionShell& shell,
                               std::string_view default_command) {
    CLI::App* completion =
        app.add_subcommand("completion", "Print the shell completion script for SHELL");
    completion->group("");
    add_choice_option(*completion, "SHELL", shell,
                      {{"bash", CompletionShell::bash},
                       {"zsh", CompletionShell::zsh},
                       {"fish", CompletionShell::fish}},
                      "bash, zsh or fish")
        ->required();
    return {completion, [&app, &shell, default_command]() -> CommandResult {
                const std::string script = completion_script(app, default_command, shell);
                if (auto failure = write_to_stdout(script)) return unexpected(*failure);
                return ExitCode::valid;
            }};
}

}  // namespace tlsrpt::cli
