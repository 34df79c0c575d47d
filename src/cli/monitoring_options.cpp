#include "cli/monitoring_options.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <tuple>

#include "output/atomic_file.hpp"
#include "output/formatter.hpp"
#include "tlsrpt/canonical.hpp"

namespace tlsrpt::cli {
namespace {

constexpr ExitCode plugin_unknown_exit = static_cast<ExitCode>(output::PluginState::unknown);

// Points standard output at another file until destroyed, so that every format's writer, however
// it writes, lands in the -o file.
class StdoutRedirect {
  public:
    explicit StdoutRedirect(int fd) : saved_(dup(STDOUT_FILENO)) {
        std::cout.flush();
        dup2(fd, STDOUT_FILENO);
    }
    ~StdoutRedirect() {
        std::cout.flush();
        dup2(saved_, STDOUT_FILENO);
        close(saved_);
    }
    StdoutRedirect(const StdoutRedirect&) = delete;
    StdoutRedirect& operator=(const StdoutRedirect&) = delete;

  private:
    int saved_;
};

// With -o, the output replaces FILE only when the run completed; otherwise FILE stays as it was.
CommandResult run_with_output_file(
    const CheckOptions& options,
    const std::function<CommandResult(const CheckOptions&)>& run_check) {
    const std::string& path = options.monitoring.output_file;
    if (path.empty()) return run_check(options);
    auto file = output::AtomicFile::create(path);
    if (!file) return unexpected(Failure{ExitCode::cannot_create_output, file.error()});
    CommandResult result = [&] {
        const StdoutRedirect redirect((*file)->fd());
        return run_check(options);
    }();
    if (!result || *result == ExitCode::interrupted) return result;
    if (auto committed = (*file)->commit(); !committed) {
        return unexpected(Failure{ExitCode::cannot_create_output, committed.error()});
    }
    return result;
}

}  // namespace

void add_monitoring_options(CLI::App& check, CheckOptions& options) {
    MonitoringOptions& monitoring = options.monitoring;
    check
        .add_option("-H,--hostname", monitoring.hostnames,
                    "A DOMAIN to check, as monitoring plugins name it; repeatable")
        ->type_name("DOMAIN")
        ->allow_extra_args(false);
    check
        .add_option_function<int>(
            "-t,--check-timeout",
            [&monitoring](int seconds) {
                monitoring.formatter.check_timeout = std::chrono::seconds(seconds);
            },
            "Whole-check timeout: lookups still unanswered after SECONDS end as dns-timeout, "
            "and --format nagios says UNKNOWN and at which lookup (caps --deadline)")
        ->check(whole_number(1, 600, "seconds"))
        ->type_name("SECONDS");
    check.add_flag("-v,--verbose", monitoring.formatter.verbosity,
                   "--format nagios: also notes and destinations; twice: also the records, the "
                   "suggested record and DNS details");
    add_choice_option(check, "--missing", monitoring.formatter.missing_state,
                      {{"critical", output::PluginState::critical},
                       {"warning", output::PluginState::warning},
                       {"ok", output::PluginState::ok}},
                      "--format nagios: the state a missing record gives (default: critical)");
    check
        .add_option_function<std::vector<std::string>>(
            "--expect-rua",
            [&options](const std::vector<std::string>& uris) {
                for (const std::string& uri : uris) {
                    options.audit.expectations.rua.push_back(*canonical_uri(uri));
                }
            },
            "The policy must send reports to URI (compared in canonical form), else warning "
            "expected-rua-missing; repeatable")
        ->type_name("URI")
        ->allow_extra_args(false)
        ->check([](const std::string& uri) {
            auto canonical = canonical_uri(uri);
            return canonical ? std::string() : canonical.error();
        });
    check
        .add_option_function<std::uint32_t>(
            "--min-ttl",
            [&options](std::uint32_t seconds) {
                options.audit.expectations.min_ttl = seconds;
                options.monitoring.formatter.min_ttl = seconds;
            },
            "The TXT record's TTL must be at least SECONDS, else warning ttl-below-minimum")
        ->check(whole_number(0, 2147483647, "seconds"))
        ->type_name("SECONDS");
    for (const auto& [name, target, state] :
         {std::tuple("--cert-warn", &options.monitoring.formatter.cert_warn_days, "WARNING"),
          std::tuple("--cert-crit", &options.monitoring.formatter.cert_crit_days, "CRITICAL")}) {
        check
            .add_option_function<std::uint32_t>(
                name, [target = target](std::uint32_t days) { *target = days; },
                fmt::format("With --probe and --format nagios: {} when a mail host's "
                            "certificate expires in fewer than DAYS days",
                            state))
            ->check(whole_number(0, 36500, "days"))
            ->type_name("DAYS");
    }
    check
        .add_option("-o,--output", monitoring.output_file,
                    "Write the output to FILE, replaced atomically (temporary file, fsync, "
                    "rename) and only when the check ran")
        ->type_name("FILE")
        // An empty name would mean standard output.
        ->check([](const std::string& path) {
            return path.empty() ? std::string("FILE must not be empty") : std::string();
        });
}

bool plugin_format_requested(const std::vector<std::string>& arguments) {
    const auto is_nagios = [](std::string value) {
        std::transform(value.begin(), value.end(), value.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return value == "nagios";
    };
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--format" && i + 1 < arguments.size() && is_nagios(arguments[i + 1])) {
            return true;
        }
        if (arguments[i].rfind("--format=", 0) == 0 && is_nagios(arguments[i].substr(9))) {
            return true;
        }
    }
    return false;
}

ExitCode report_plugin_unknown(std::string_view reason) {
    std::cout << output::nagios_unknown_line(reason) << std::flush;
    return plugin_unknown_exit;
}

CommandResult run_monitored(CheckOptions& options,
                            const std::function<CommandResult(const CheckOptions&)>& run_check) {
    MonitoringOptions& monitoring = options.monitoring;
    options.domains.insert(options.domains.begin(), monitoring.hostnames.begin(),
                           monitoring.hostnames.end());
    // The whole-check timeout is the per-domain deadline: the domains of a plugin check are
    // fewer than --concurrency, so they all start at once.
    if (monitoring.formatter.check_timeout) {
        options.audit.deadline =
            std::min(options.audit.deadline, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 *monitoring.formatter.check_timeout));
    }
    if (options.format != output::Format::nagios) return run_with_output_file(options, run_check);
    try {
        const CommandResult result = run_with_output_file(options, run_check);
        if (!result) return report_plugin_unknown(result.error().message);
        // Anything beyond the plugin states (an interruption) is UNKNOWN too.
        return static_cast<int>(*result) <= static_cast<int>(plugin_unknown_exit)
                   ? *result
                   : plugin_unknown_exit;
    } catch (const std::exception& error) {
        return report_plugin_unknown(std::string("internal error: ") + error.what());
    }
}

}  // namespace tlsrpt::cli
