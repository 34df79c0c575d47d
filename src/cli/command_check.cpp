// `check`, the default command: looks up the TLS-RPT record of each domain given, on the
// command line or in a list (-f), and evaluates it. Lookups run concurrently in a bounded
// window (audit::BulkAudit); domains from the command line print in the order given, rows from
// a list as they complete unless --ordered.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "audit/bulk.hpp"
#include "cli/command.hpp"
#include "cli/interruption.hpp"
#include "cli/monitoring_options.hpp"
#include "cli/row_writer.hpp"
#include "cli/standard_streams.hpp"
#include "dns/resolver.hpp"
#include "input/domain_list.hpp"
#include "live/https_fetcher.hpp"
#include "live/starttls_prober.hpp"
#include "live/trust_store.hpp"
#include "output/escape.hpp"
#include "output/formatter.hpp"
#include "output/progress.hpp"
#include "output/run_summary.hpp"

namespace tlsrpt::cli {
namespace {

// Standard output, or the -o file behind it, could not be written (`error` is the errno).
Failure output_failure(const CheckOptions& options, int error) {
    const std::string& path = options.monitoring.output_file;
    if (path.empty()) return stdout_failure(error);
    return Failure{ExitCode::cannot_create_output,
                   fmt::format("cannot write {}: {}", path, std::strerror(error))};
}

std::string list_name(const CheckOptions& options) {
    return options.list_file == "-" ? "standard input" : options.list_file;
}

// A list that could not be read to its end (`error` is the errno): its rows so far are out.
Failure list_read_failure(const CheckOptions& options, int error) {
    return Failure{ExitCode::cannot_open_input,
                   fmt::format("cannot read {}: {}", list_name(options), std::strerror(error))};
}

// The size of a regular file (for progress), nullopt for pipes and terminals; `stat_result`
// is what fstat or stat returned for `status`.
std::optional<std::uint64_t> regular_file_size(int stat_result, const struct stat& status) {
    if (stat_result != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
    return static_cast<std::uint64_t>(status.st_size);
}

// The list file, closed on every return (standard input is left open).
struct ListDescriptor {
    int fd = -1;
    ListDescriptor() = default;
    ListDescriptor(const ListDescriptor&) = delete;
    ListDescriptor& operator=(const ListDescriptor&) = delete;
    ~ListDescriptor() {
        if (fd > STDIN_FILENO) close(fd);
    }
};

CommandResult run_check(const CheckOptions& options) {
    const bool list_mode = !options.list_file.empty();
    if (options.domains.empty() && !list_mode) {
        return unexpected(Failure{ExitCode::usage, "check needs at least one domain or -f FILE"});
    }
    if (options.audit.allow_private && !options.audit.deep && !options.audit.authoritative) {
        return unexpected(
            Failure{ExitCode::usage, "--allow-private needs --deep or --authoritative"});
    }
    // Read through InterruptibleInput so that Ctrl-C also stops a run waiting on a pipe.
    ListDescriptor list;
    if (options.list_file == "-") {
        list.fd = STDIN_FILENO;
    } else if (list_mode) {
        list.fd = ::open(options.list_file.c_str(), O_RDONLY | O_CLOEXEC);
        if (list.fd < 0) {
            return unexpected(Failure{
                ExitCode::cannot_open_input,
                fmt::format("cannot open {}: {}", options.list_file, std::strerror(errno))});
        }
    }
    std::optional<std::uint64_t> list_size;
    std::optional<InterruptibleInput> list_buffer;
    std::optional<std::istream> list_stream;
    if (list_mode) {
        struct stat list_status {};
        list_size = regular_file_size(fstat(list.fd, &list_status), list_status);
        // Lines not yet read get their rows after an interruption when that cannot block:
        // files, not pipes.
        list_buffer.emplace(list.fd, list_size.has_value());
        list_stream.emplace(&*list_buffer);
    }
    auto resolver = dns::Resolver::create(options.resolver);
    if (!resolver) return unexpected(Failure{ExitCode::lookup_error, resolver.error()});
    audit::LiveChecks live;
    std::unique_ptr<live::HttpsFetcher> fetcher;
    std::unique_ptr<live::StarttlsProber> prober;
    if (options.audit.deep) {
        auto anchors = live::trust_store(options.ca_file);
        if (!anchors) return unexpected(Failure{ExitCode::cannot_open_input, anchors.error()});
        auto created = live::HttpsFetcher::create(**resolver, {}, anchors->get());
        if (!created) return unexpected(Failure{ExitCode::cannot_open_input, created.error()});
        fetcher = std::move(*created);
        live.fetcher = fetcher.get();
        if (options.audit.probe) {
            auto made = live::StarttlsProber::create(**resolver, {}, anchors->get());
            if (!made) return unexpected(Failure{ExitCode::cannot_open_input, made.error()});
            prober = std::move(*made);
            live.prober = prober.get();
        }
    }

    std::optional<input::DomainListReader> reader;
    if (list_stream) reader.emplace(*list_stream);
    std::size_t next_argument = 0;
    std::size_t list_entries = 0;  // lines of the list that named a domain, or tried to
    // Declared before the source, which stops reading once the output is gone: a reader that
    // left (`| head -1`) needs no more rows.
    output::FormatterOptions formatter_options = options.monitoring.formatter;
    formatter_options.colour =
        options.format == output::Format::text && output::colour_wanted(STDOUT_FILENO);
    formatter_options.deep = options.audit.deep;
    formatter_options.probe = options.audit.probe;
    formatter_options.authoritative = options.audit.authoritative;
    const bool show_progress = list_mode && (options.progress || isatty(STDERR_FILENO) == 1);
    output::ProgressLine progress(isatty(STDERR_FILENO) == 1);
    RowWriter::AfterBatch show_progress_line;
    if (show_progress) {
        show_progress_line = [&progress](const output::RunSummary& summary,
                                         const RowWriter::RunState& state) {
            if (auto line = progress.update(summary, state.in_flight, state.done_fraction)) {
                write_whole(STDERR_FILENO, *line);
            }
        };
    }
    RowWriter rows(options.format, list_mode && options.format == output::Format::json,
                   formatter_options, std::move(show_progress_line));
    auto source = [&]() -> std::optional<audit::BulkItem> {
        if (rows.failed()) return std::nullopt;
        if (next_argument < options.domains.size()) {
            return audit::BulkItem{options.domains[next_argument++], std::nullopt, std::nullopt};
        }
        if (!reader) return std::nullopt;
        auto line = reader->next();
        if (!line) return std::nullopt;
        ++list_entries;
        return audit::BulkItem{std::move(line->domain), line->number, std::move(line->problem)};
    };
    auto sink = [&](audit::BulkRow&& row) { rows.add(std::move(row)); };

    // A few domains on the command line print in the order given, as before lists existed.
    audit::BulkOptions bulk = options.bulk;
    if (!list_mode) bulk.ordered = true;
    audit::AuditOptions audit_options = options.audit;
    audit_options.max_in_flight = bulk.concurrency;
    audit::Auditor auditor(**resolver, audit_options, live);
    // A pipe fed slowly must not hold back the rows of lines already read.
    auto source_ready = [&] {
        return next_argument < options.domains.size() || !list_buffer || list_buffer->line_ready();
    };
    audit::BulkAudit run(auditor, bulk, source, sink, source_ready);

    auto between = [&](const audit::BulkProgress& state) {
        RowWriter::RunState run_state{state.in_flight, std::nullopt};
        if (list_size && *list_size > 0 && reader) {
            run_state.done_fraction = static_cast<double>(reader->bytes_read()) / *list_size;
        }
        rows.hand_over(run_state);
    };

    install_interruption_handlers();
    const auto started = std::chrono::steady_clock::now();
    const bool completed =
        run.run([&] { return interruption_requested() || rows.failed(); }, between);
    // After a failed write, no row can be written any more.
    if (!completed && !rows.failed()) {
        run.interrupt(!reader || list_size.has_value());
    }
    rows.drain();
    output::RunSummary& summary = rows.summary();
    summary.finish(std::chrono::steady_clock::now() - started, run.progress().lookups_started,
                   !completed);
    if (options.bulk.shard) summary.set_shard(*options.bulk.shard);
    if (show_progress) write_whole(STDERR_FILENO, progress.clear());
    rows.finish();
    if (rows.failed()) return unexpected(output_failure(options, rows.write_error()));
    if (list_mode && options.format != output::Format::json) {
        write_whole(STDERR_FILENO, summary.text());
    }
    if (list_buffer && list_buffer->error() != 0) {
        return unexpected(list_read_failure(options, list_buffer->error()));
    }
    if (list_mode && completed && list_entries == 0) {
        write_whole(STDERR_FILENO,
                    fmt::format("tlsrpt-check: note: {} names no domain: it is empty, or holds "
                                "only blank lines, comments and a header\n",
                                output::escape_prose(list_name(options))));
    }
    return completed ? rows.exit_code() : ExitCode::interrupted;
}

// A whole number of milliseconds in [1, 600000], stored as a duration.
CLI::Option* add_milliseconds_option(CLI::App& command, const std::string& name,
                                     std::chrono::milliseconds& target,
                                     const std::string& description) {
    return command
        .add_option_function<int>(
            name, [&target](int value) { target = std::chrono::milliseconds(value); }, description)
        ->check(whole_number(1, 600'000, "milliseconds"))
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
                      "accepted. The record is looked up at _smtp._tls.DOMAIN. From a URL, an "
                      "e-mail address or a name with _smtp._tls. in front, the domain is taken");
    check
        ->add_option("-f,--file", options.list_file,
                     "Also check the domains listed in FILE ('-': standard input): one per line, "
                     "RANK,DOMAIN, or CSV with a domain column; a header line, blank lines and "
                     "# comments are skipped")
        ->type_name("FILE");
    check->add_option("--concurrency", options.bulk.concurrency, "Domains looked up at once")
        ->check(whole_number(1, 4096, "domains"))
        ->type_name("N")
        ->capture_default_str();
    check
        ->add_option("--rate", options.bulk.rate,
                     "Start at most QPS domain lookups per second (default: no limit)")
        ->check(positive_number("lookups per second"))
        ->type_name("QPS");
    check->add_flag("--ordered", options.bulk.ordered,
                    "With -f, print rows in input order rather than as they complete");
    CLI::Option* deep =
        check->add_flag("--deep", options.audit.deep,
                        "Also check MX hosts, MTA-STS (record and policy file), DANE at each MX "
                        "host, that report destinations can receive, and misplaced records (more "
                        "lookups per domain, and an HTTPS fetch)");
    add_milliseconds_option(*check, "--fetch-timeout", options.audit.fetch_timeout,
                            "With --deep, limit for each fetch of an MTA-STS policy file")
        ->needs(deep);
    CLI::Option* probe =
        check
            ->add_flag("--probe", options.audit.probe,
                       "With --deep, also connect to each MX host (port 25) and try STARTTLS, "
                       "verifying the certificate as senders do (WebPKI, DANE)")
            ->needs(deep);
    add_milliseconds_option(*check, "--probe-timeout", options.audit.probe_timeout,
                            "With --probe, limit for each STARTTLS probe, from its connection")
        ->needs(probe);
    check
        ->add_option("--ca-file", options.ca_file,
                     "With --deep, also trust the CA certificates in FILE (PEM), besides the "
                     "system's, for the MTA-STS policy host and the MX hosts")
        ->check(CLI::ExistingFile)
        ->type_name("FILE")
        ->needs(deep);
    check->add_flag("--authoritative", options.audit.authoritative,
                    "Also ask each name server of the zone directly: whether they all answer "
                    "and agree, and the TTL as published (for --min-ttl)");
    // With --deep or --authoritative: run_check says so, CLI11 knows no "needs either".
    check->add_flag("--allow-private", options.audit.allow_private,
                    "With --deep or --authoritative, also connect to private, loopback and other "
                    "non-public addresses; without it they are never connected to, and a "
                    "finding says so");
    check->add_flag("--progress", options.progress,
                    "With -f, show progress on stderr also when it is not a terminal");
    add_shard_option(*check, options.bulk.shard);
    // Parsed here, once, into the addresses the sockets use.
    check
        ->add_option_function<std::vector<std::string>>(
            "--server",
            [&options](const std::vector<std::string>& servers) {
                for (const std::string& server : servers) {
                    auto parsed = dns::parse_server(server);
                    if (!parsed) throw CLI::ValidationError("--server", parsed.error());
                    options.resolver.servers.push_back(std::move(*parsed));
                }
            },
            "DNS server to ask, IPv4[:PORT] or [IPv6]:PORT; repeat for several "
            "(default: the servers in /etc/resolv.conf)")
        ->type_name("ADDR[:PORT]")
        ->allow_extra_args(false);  // one address per --server, so that DOMAIN can follow
    add_milliseconds_option(*check, "--timeout", options.resolver.timeout,
                            "Wait for the first try of a query; doubled on each pass over the "
                            "servers");
    check
        ->add_option("--tries", options.resolver.tries,
                     "Passes over the servers before a query times out; SERVFAIL is asked "
                     "again as often")
        ->check(whole_number(1, 10, "passes"))
        ->type_name("N")
        ->capture_default_str();
    add_milliseconds_option(*check, "--deadline", options.audit.deadline,
                            "Hard limit for each domain, retries included: a domain still "
                            "unanswered then is reported as dns-timeout");
    add_format_option(*check, options.format,
                      {output::Format::text, output::Format::json, output::Format::jsonl,
                       output::Format::csv, output::Format::nagios, output::Format::prometheus});
    add_monitoring_options(*check, options);
    return {check, [&options] { return run_monitored(options, run_check); }};
}

}  // namespace tlsrpt::cli
