// `check`, the default command: looks up the TLS-RPT record of each domain given and
// evaluates it. Lookups run concurrently; rows are printed in the order the domains were given,
// each as soon as the rows before it are out.
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "cli/command.hpp"
#include "dns/resolver.hpp"
#include "output/formatter.hpp"

namespace tlsrpt::cli {
namespace {

// Holds rows that complete early until the rows given before them are written.
class OrderedRows {
  public:
    OrderedRows(std::size_t count, output::Formatter& formatter)
        : rows_(count), formatter_(formatter) {}

    void complete(std::size_t index, CheckResult&& row) {
        rows_[index] = std::move(row);
        while (next_ < rows_.size() && rows_[next_]) {
            formatter_.write(*rows_[next_]);
            rows_[next_].reset();
            ++next_;
        }
    }

  private:
    std::vector<std::optional<CheckResult>> rows_;
    std::size_t next_ = 0;
    output::Formatter& formatter_;
};

CommandResult run_check(const CheckOptions& options) {
    if (options.domains.empty()) {
        return unexpected(Failure{ExitCode::usage, "check needs at least one domain"});
    }
    auto resolver = dns::Resolver::create(options.resolver);
    if (!resolver) return unexpected(Failure{ExitCode::lookup_error, resolver.error()});

    const auto formatter = output::make_formatter(options.format, std::cout,
                                                  {.colour = output::colour_wanted(STDOUT_FILENO)});
    OrderedRows rows(options.domains.size(), *formatter);
    audit::Auditor auditor(**resolver, options.audit);
    for (std::size_t i = 0; i < options.domains.size(); ++i) {
        auditor.submit(options.domains[i],
                       [&rows, i](CheckResult&& row) { rows.complete(i, std::move(row)); });
    }
    auditor.run();
    formatter->finish();
    return formatter->summary().exit_code();
}

// A whole number of milliseconds in [1, 600000], stored as a duration.
CLI::Option* add_milliseconds_option(CLI::App& command, const std::string& name,
                                     std::chrono::milliseconds& target,
                                     const std::string& description) {
    return command
        .add_option_function<int>(
            name, [&target](int value) { target = std::chrono::milliseconds(value); }, description)
        ->check(CLI::Range(1, 600'000))
        ->type_name("MS")
        ->default_str(std::to_string(target.count()));
}

}  // namespace

Command add_check_command(CLI::App& app, CheckOptions& options) {
    CLI::App* check = app.add_subcommand(
        "check",
        "Look up and check the TLS-RPT record of each DOMAIN (the default command: "
        "`tlsrpt-check DOMAIN...` is `tlsrpt-check check DOMAIN...`)");
    check->add_option("DOMAIN", options.domains,
                      "A domain name; IDN names are converted to A-labels, a trailing dot is "
                      "accepted. The record is looked up at _smtp._tls.DOMAIN");
    check
        ->add_option("--server", options.resolver.servers,
                     "DNS server to ask, IPv4[:PORT] or [IPv6]:PORT; repeat for several "
                     "(default: the servers in /etc/resolv.conf)")
        ->type_name("ADDR[:PORT]")
        ->allow_extra_args(false)  // one address per --server, so that DOMAIN can follow
        ->check([](const std::string& server) {
            auto normalised = dns::normalise_server(server);
            return normalised ? std::string() : normalised.error();
        });
    add_milliseconds_option(*check, "--timeout", options.resolver.timeout,
                            "Wait for the first try of a query; doubled on each pass over the "
                            "servers");
    check
        ->add_option("--tries", options.resolver.tries,
                     "Passes over the servers before a query times out; SERVFAIL is asked "
                     "again as often")
        ->check(CLI::Range(1, 10))
        ->type_name("N")
        ->capture_default_str();
    add_milliseconds_option(*check, "--deadline", options.audit.deadline,
                            "Hard limit for each domain, retries included: a domain still "
                            "unanswered then is reported as dns-timeout");
    add_format_option(
        *check, options.format,
        {output::Format::text, output::Format::json, output::Format::jsonl, output::Format::csv});
    return {check, [&options] { return run_check(options); }};
}

}  // namespace tlsrpt::cli
