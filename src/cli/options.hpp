// Everything the command line can say, filled by CLI11 and read by the commands.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "audit/bulk.hpp"
#include "dns/resolver.hpp"
#include "output/formatter.hpp"
#include "tlsrpt/generate.hpp"

namespace tlsrpt::cli {

struct LintOptions {
    std::vector<std::string> records;  // one TXT RR each; "-" reads standard input
    std::string file;                  // one TXT RR per line; "-" is standard input
    output::Format format = output::Format::text;
};

enum class GenerateFormat { value, zone, json };

struct GenerateOptions {
    std::vector<std::string> destinations;  // positional: mailto:.., https://.., user@host
    std::vector<std::string> mailto;        // --mailto, with or without "mailto:"
    std::vector<std::string> https;         // --https
    GenerateFormat format = GenerateFormat::value;
    std::string domain;  // owner of the zone line; empty: relative `_smtp._tls`
    std::uint32_t ttl = default_zone_ttl;
};

// Monitoring: the plugin mode and -o (src/cli/monitoring_options.cpp). The expectations
// (--expect-rua, --min-ttl) live in CheckOptions::audit.
struct MonitoringOptions {
    std::vector<std::string> hostnames;  // -H: checked like the DOMAIN arguments
    output::FormatterOptions formatter;  // nagios: --missing, -v, -t, --min-ttl
    std::string output_file;             // -o: written atomically; empty: standard output
};

struct CheckOptions {
    std::vector<std::string> domains;  // positional, as typed (normalised by the audit)
    std::string list_file;             // -f: one domain per line; "-" is standard input
    dns::ResolverOptions resolver;     // --server, --timeout, --tries
    audit::AuditOptions audit;         // --deadline, --deep, --allow-private, --fetch-timeout
    std::string ca_file;               // --ca-file
    audit::BulkOptions bulk;           // --concurrency, --rate, --ordered
    bool progress = false;             // --progress: also when stderr is not a terminal
    output::Format format = output::Format::text;
    MonitoringOptions monitoring;
};

// The hidden `completion` command: which shell's script to print.
enum class CompletionShell { bash, zsh, fish };

struct Options {
    CheckOptions check;
    LintOptions lint;
    GenerateOptions generate;
    CompletionShell completion_shell = CompletionShell::bash;
};

}  // namespace tlsrpt::cli
