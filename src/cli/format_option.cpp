#include "cli/command.hpp"

namespace tlsrpt::cli {

CLI::Option* add_format_option(CLI::App& command, output::Format& target,
                               const std::vector<output::Format>& formats) {
    std::vector<std::pair<std::string, output::Format>> choices;
    for (const output::Format format : formats) {
        choices.emplace_back(std::string(output::to_string(format)), format);
    }
    target = formats.front();
    return add_choice_option(command, "--format", target, choices,
                             "Output format (default: " + choices.front().first + ")");
}

}  // namespace tlsrpt::cli
