// Options several commands share, and the checks of number values.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

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

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max, const std::string& what) {
    return CLI::Validator(
        [min, max, what](const std::string& value) {
            std::uint64_t number = 0;
            const char* const end = value.data() + value.size();
            const auto [stop, error] = std::from_chars(value.data(), end, number);
            if (value.empty() || error != std::errc() || stop != end || number < min ||
                number > max) {
                return fmt::format("expected a number of {} from {} to {}, got '{}'", what, min,
                                   max, value);
            }
            return std::string();
        },
        "");
}

CLI::Validator positive_number(const std::string& what) {
    return CLI::Validator(
        [what](const std::string& value) {
            char* stop = nullptr;
            const double number = std::strtod(value.c_str(), &stop);
            if (value.empty() || stop != value.c_str() + value.size() || !std::isfinite(number) ||
                number <= 0) {
                return fmt::format("expected a number of {} above 0, got '{}'", what, value);
            }
            return std::string();
        },
        "");
}

}  // namespace tlsrpt::cli
