// The csv format: a header, then one row per result, one line per row. Cells hold data
// escaped as in the text format (printable ASCII only), so no record can break a row.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "output/escape.hpp"
#include "output/formatters.hpp"

namespace tlsrpt::output {
namespace {

// Stable: scripts address columns by position. Add new columns at the end only.
constexpr std::string_view header =
    "domain,status,codes,record,suggested_record,rcode,ttl,authenticated,dns_error,cnames,server,"
    "attempts,elapsed_ms,input,line";
// With --deep, after those: lists are `|`-separated, items "<name> <state>".
constexpr std::string_view deep_header =
    ",mx,mx_authenticated,mta_sts,mta_sts_id,dane,destinations,misplaced,mta_sts_policy,"
    "mta_sts_mode";
// With --authoritative, after those: ns_servers items are "<name> <address> <state>", the
// state `answer-N` for a server that answered with authority (N numbers the distinct answers:
// servers with the same N agree), the address `-` when it has none.
constexpr std::string_view authoritative_header = ",ttl_source,ns_zone,ns_consistent,ns_servers";

// What the items of a list are: raw bytes, or names from DNS in presentation form, whose
// backslash escapes are kept (escape_name).
enum class Items { bytes, names };

// Appends escaped items joined with `|`; a `|` inside an item is escaped (\124) so the list
// splits back.
template <typename Range>
void append_joined(std::string& text, const Range& items, Items kind = Items::bytes) {
    for (const auto& item : items) {
        if (!text.empty()) text += '|';
        if (kind == Items::names) {
            append_escaped_name(text, item, "|");
        } else {
            append_escaped_bytes(text, item, "|");
        }
    }
}

template <typename Range>
std::string joined(const Range& items, Items kind = Items::bytes) {
    std::string text;
    append_joined(text, items, kind);
    return text;
}

// The mail hosts, or what stands instead of them: "null-mx", "implicit" or a dns-* code.
std::string mx_cell(const MxSection& mx) {
    if (!lookup_answered(mx.lookup)) return std::string(tlsrpt::to_string(mx.lookup));
    if (mx.null_mx) return "null-mx";
    if (mx.implicit) return "implicit";
    std::vector<std::string> hosts;
    for (const MailHost& host : mx.hosts) hosts.push_back(host.name);
    return joined(hosts, Items::names);
}

std::string dane_state(const MailHost& host) {
    if (host.tlsa != LookupState::found) return std::string(tlsrpt::to_string(host.tlsa));
    return host.tlsa_authenticated ? "authenticated" : "unauthenticated";
}

// The policy's status once fetched, else how the fetch went ("failed", "no-address", ...).
std::string policy_cell(const PolicyFetchSection& policy) {
    return std::string(policy.state == PolicyFetchState::fetched
                           ? tlsrpt::to_string(policy.evaluation.status)
                           : tlsrpt::to_string(policy.state));
}

std::string mode_cell(const PolicyFetchSection& policy) {
    if (policy.state != PolicyFetchState::fetched || !policy.evaluation.policy) return "";
    return std::string(tlsrpt::to_string(policy.evaluation.policy->mode));
}

// The --probe column: "HOST ADDRESS RESULT" per probe.
std::string probes_cell(const std::optional<DeepResult>& deep) {
    if (!deep) return "";
    std::vector<std::string> probes;
    for (const HostProbe& probe : deep->probes) {
        const std::string_view result = !probe.connected  ? "not-connected"
                                        : probe.transient ? "transient"
                                        : probe.result    ? tlsrpt::to_string(*probe.result)
                                                          : "ok";
        probes.push_back(fmt::format("{} {} {}", probe.host, probe.address, result));
    }
    return joined(probes, Items::names);
}

std::vector<std::string> deep_cells(const std::optional<DeepResult>& deep) {
    if (!deep) return std::vector<std::string>(9);
    const MtaStsSection& mta_sts = deep->mta_sts;
    std::vector<std::string> dane;
    for (const MailHost& host : deep->mx.hosts) {
        dane.push_back(fmt::format("{} {}", host.name, dane_state(host)));
    }
    std::vector<std::string> destinations;
    for (const DestinationCheck& destination : deep->destinations) {
        destinations.push_back(
            fmt::format("{} {}", destination.uri, tlsrpt::to_string(destination.verdict)));
    }
    std::vector<std::string> misplaced;
    for (const MisplacedRecord& record : deep->misplaced) misplaced.push_back(record.name);
    return {
        mx_cell(deep->mx),
        deep->mx.authenticated ? "true" : "false",
        lookup_answered(mta_sts.lookup) ? std::string(tlsrpt::to_string(mta_sts.evaluation.status))
                                        : std::string(tlsrpt::to_string(mta_sts.lookup)),
        escape_bytes(mta_sts.evaluation.id.value_or("")),
        joined(dane, Items::names),  // "HOST STATE", the state a word or a code
        joined(destinations),
        joined(misplaced),
        policy_cell(mta_sts.policy),
        mode_cell(mta_sts.policy),
    };
}

std::vector<std::string> authoritative_cells(const CheckResult& result) {
    if (!result.authoritative) return std::vector<std::string>(4);
    const AuthoritativeResult& authoritative = *result.authoritative;
    std::vector<std::string> servers;
    for (const NameServer& server : authoritative.servers) {
        const std::string state = server.answer ? fmt::format("answer-{}", *server.answer + 1)
                                                : std::string(tlsrpt::to_string(server.state));
        servers.push_back(fmt::format("{} {} {}", server.name,
                                      server.address.empty() ? "-" : server.address, state));
    }
    const auto& consistent = authoritative.consistent;
    return {
        result.dns ? std::string(tlsrpt::to_string(result.dns->ttl_source)) : "",
        escape_name(authoritative.zone),
        consistent ? (*consistent ? "true" : "false") : "",
        joined(servers, Items::names),
    };
}

std::string_view or_empty(const std::optional<std::string>& text) {
    return text ? std::string_view(*text) : std::string_view();
}

class CsvFormatter final : public Formatter {
  public:
    CsvFormatter(std::ostream& out, const FormatterOptions& options)
        : Formatter(out),
          deep_(options.deep),
          probe_(options.deep && options.probe),
          authoritative_(options.authoritative) {}

  private:
    void write_header_once() {
        if (header_written_) return;
        out_ << header << (deep_ ? deep_header : "") << (probe_ ? ",probes" : "")
             << (authoritative_ ? authoritative_header : "") << '\n';
        header_written_ = true;
    }

    // Each cell goes straight into the row, through cell_ when it is escaped first: a row
    // costs no string per cell.
    void add_cell(std::string_view text) {
        if (cells_++ > 0) row_ += ',';
        append_csv_cell(row_, text);
    }

    // A cell known to need no quoting, escaping or formula guard.
    void add_verbatim(std::string_view text) {
        if (cells_++ > 0) row_ += ',';
        row_ += text;
    }

    void add_escaped(std::string_view bytes) {
        if (csv_cell_is_escaped_bytes(bytes)) {
            add_verbatim(bytes);
            return;
        }
        cell_.clear();
        append_escaped_bytes(cell_, bytes);
        add_cell(cell_);
    }

    // Each code once, in the order of first appearance.
    void add_codes(const std::vector<Diagnostic>& diagnostics) {
        cell_.clear();
        for (auto diagnostic = diagnostics.begin(); diagnostic != diagnostics.end(); ++diagnostic) {
            const bool repeated = std::any_of(
                diagnostics.begin(), diagnostic,
                [&](const Diagnostic& earlier) { return earlier.code == diagnostic->code; });
            if (repeated) continue;
            if (!cell_.empty()) cell_ += '|';
            append_escaped_bytes(cell_, diagnostic->code, "|");
        }
        add_cell(cell_);
    }

    template <typename Range>
    void add_joined(const Range& items, Items kind = Items::bytes) {
        cell_.clear();
        append_joined(cell_, items, kind);
        add_cell(cell_);
    }

    void add_number(std::uint64_t number) {
        const fmt::format_int digits(number);
        add_verbatim(std::string_view(digits.data(), digits.size()));
    }

    void add_milliseconds(double milliseconds) {
        cell_.clear();
        fmt::format_to(std::back_inserter(cell_), FMT_COMPILE("{:.3f}"), milliseconds);
        add_cell(cell_);
    }

    void write_result(const CheckResult& result) override {
        write_header_once();
        const Evaluation& evaluation = result.evaluation;
        const LookupInfo* dns = result.dns ? &*result.dns : nullptr;
        row_.clear();
        cells_ = 0;
        add_escaped(or_empty(result.domain));
        add_verbatim(tlsrpt::to_string(evaluation.status));
        add_codes(evaluation.diagnostics);
        add_joined(evaluation.records);
        add_escaped(or_empty(evaluation.suggested_record));
        if (dns) {
            add_escaped(dns->rcode);
            if (dns->ttl) {
                add_number(*dns->ttl);
            } else {
                add_verbatim("");
            }
            add_verbatim(dns->authenticated ? "true" : "false");
            add_escaped(or_empty(dns->error));
            add_joined(dns->cnames, Items::names);
            add_escaped(dns->server);
            add_number(static_cast<std::uint64_t>(dns->attempts));
            add_milliseconds(dns->elapsed_ms);
        } else {
            for (int empty = 0; empty < 8; ++empty) add_verbatim("");
        }
        add_escaped(or_empty(result.input));
        if (result.line) {
            add_number(*result.line);
        } else {
            add_verbatim("");
        }
        if (deep_) {
            for (const std::string& cell : deep_cells(result.deep)) add_cell(cell);
            if (probe_) add_cell(probes_cell(result.deep));
        }
        if (authoritative_) {
            for (const std::string& cell : authoritative_cells(result)) add_cell(cell);
        }
        row_ += '\n';
        out_ << row_;
    }

    void write_end(const Summary&) override { write_header_once(); }

    bool deep_;
    bool probe_;
    bool authoritative_;
    bool header_written_ = false;
    std::string row_;
    std::size_t cells_ = 0;  // in row_
    std::string cell_;
};

}  // namespace

std::unique_ptr<Formatter> make_csv_formatter(std::ostream& out, const FormatterOptions& options) {
    return std::make_unique<CsvFormatter>(out, options);
}

}  // namespace tlsrpt::output
