// Shell completion scripts for bash, zsh and fish, generated from the app's own subcommands and
// options (`tlsrpt-check completion bash|zsh|fish`), so that they offer what --help lists.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"

namespace tlsrpt::cli {

// The script that completes the visible subcommands of `app` and their options for `shell`;
// a first word that is no subcommand runs `default_command`.
std::string completion_script(const CLI::App& app, std::string_view default_command,
                              CompletionShell shell);

}  // namespace tlsrpt::cli
