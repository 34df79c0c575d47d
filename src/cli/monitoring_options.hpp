// The check command's options for monitoring: the plugin mode (--format nagios) and its
// options, expectations, and -o for every format.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/options.hpp"

namespace tlsrpt::cli {

// Registers -H, -t, -v, --missing, --expect-rua, --min-ttl and -o on `check`.
void add_monitoring_options(CLI::App& check, CheckOptions& options);

// Whether the arguments ask for `--format nagios`, before they are parsed: a usage error is
// then reported as a plugin's UNKNOWN.
bool plugin_format_requested(const std::vector<std::string>& arguments);

// Prints `TLSRPT UNKNOWN - <reason>` on standard output and returns UNKNOWN's exit code.
ExitCode report_plugin_unknown(std::string_view reason);

// Runs `run_check` with the monitoring options applied: -H joins the domains, -t caps
// --deadline, -o redirects standard output to a file replaced atomically, and in plugin mode
// every failure becomes UNKNOWN (exit codes 0-3 only).
CommandResult run_monitored(CheckOptions& options,
                            const std::function<CommandResult(const CheckOptions&)>& run_check);

}  // namespace tlsrpt::cli
