// Shell completion scripts for bash, zsh and fish, generated from the app's own subcommands and
// options (`tlsrpt-check completion bash|zsh|fish`), so that they offer what --help lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"

namespace tlsrpt::cli {

// What a script completes, read from the app.
struct CompletedOption {
    enum class Value { none, file, choice, other };
    std::vector<std::string> short_names;  // without the dash: "f"
    std::vector<std::string> long_names;   // without the dashes: "file"
    std::string description;
    Value value = Value::none;
    std::string value_name;            // FILE, N, ADDR[:PORT]... as --help shows it
    std::vector<std::string> choices;  // Value::choice
};

struct CompletedCommand {
    std::string name;
    std::string description;
    std::vector<CompletedOption> options;
};

struct CompletionModel {
    std::string program;
    // Options before any subcommand that the default command does not have (--version).
    std::vector<CompletedOption> global_options;
    std::vector<CompletedCommand> commands;
    // The command that a first word other than a subcommand runs (`tlsrpt-check DOMAIN`).
    std::string default_command;
};

// The visible subcommands and options of `app`, as --help lists them.
CompletionModel completion_model(const CLI::App& app, std::string_view default_command);

std::string completion_script(const CompletionModel& model, CompletionShell shell);

}  // namespace tlsrpt::cli
