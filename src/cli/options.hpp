// Everything the command line can say, filled by CLI11 and read by the commands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "dns/resolver.hpp"
#include "output/formatter.hpp"

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
    std::uint32_t ttl = 86400;
};

struct CheckOptions {
    std::vector<std::string> domains;  // positional, as typed (normalised by the audit)
    dns::ResolverOptions resolver;     // --server, --timeout, --tries
    audit::AuditOptions audit;         // --deadline
    output::Format format = output::Format::text;
};

struct Options {
    CheckOptions check;
    LintOptions lint;
    GenerateOptions generate;
};

}  // namespace tlsrpt::cli
