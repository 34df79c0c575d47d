// The csv format: a header, then one row per result, one line per row. Cells hold data
// escaped as in the text format (printable ASCII only), so no record can break a row.
#include <algorithm>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

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
    ",mx,mx_authenticated,mta_sts,mta_sts_id,dane,destinations,misplaced";

// Joins escaped items with `|`; a `|` inside an item is escaped (\124) so the list splits back.
template <typename Range>
std::string joined(const Range& items) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += '|';
        text += escape_bytes(item, "|");
    }
    return text;
}

std::vector<std::string> distinct_codes(const std::vector<Diagnostic>& diagnostics) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : diagnostics) {
        if (std::find(codes.begin(), codes.end(), diagnostic.code) == codes.end()) {
            codes.push_back(diagnostic.code);
        }
    }
    return codes;
}

bool usable_lookup(const LookupState& state) {
    return state == "found" || state == "none";
}

// The mail hosts, or what stands instead of them: "null-mx", "implicit" or a dns-* code.
std::string mx_cell(const MxSection& mx) {
    if (!usable_lookup(mx.lookup)) return escape_bytes(mx.lookup);
    if (mx.null_mx) return "null-mx";
    if (mx.implicit) return "implicit";
    std::vector<std::string> hosts;
    for (const MailHost& host : mx.hosts) hosts.push_back(host.name);
    return joined(hosts);
}

std::string dane_state(const MailHost& host) {
    if (host.tlsa != "found") return host.tlsa;
    return host.tlsa_authenticated ? "authenticated" : "unauthenticated";
}

std::vector<std::string> deep_cells(const std::optional<DeepResult>& deep) {
    if (!deep) return std::vector<std::string>(7);
    const MtaStsSection& mta_sts = deep->mta_sts;
    std::vector<std::string> dane;
    for (const MailHost& host : deep->mx.hosts) {
        dane.push_back(fmt::format("{} {}", host.name, dane_state(host)));
    }
    std::vector<std::string> destinations;
    for (const DestinationCheck& destination : deep->destinations) {
        destinations.push_back(fmt::format("{} {}", destination.uri, destination.verdict));
    }
    std::vector<std::string> misplaced;
    for (const MisplacedRecord& record : deep->misplaced) misplaced.push_back(record.name);
    return {
        mx_cell(deep->mx),
        deep->mx.authenticated ? "true" : "false",
        usable_lookup(mta_sts.lookup) ? std::string(tlsrpt::to_string(mta_sts.evaluation.status))
                                      : escape_bytes(mta_sts.lookup),
        escape_bytes(mta_sts.evaluation.id.value_or("")),
        joined(dane),
        joined(destinations),
        joined(misplaced),
    };
}

class CsvFormatter final : public Formatter {
  public:
    CsvFormatter(std::ostream& out, bool deep) : Formatter(out), deep_(deep) {}

  private:
    void write_header_once() {
        if (header_written_) return;
        out_ << header << (deep_ ? deep_header : "") << '\n';
        header_written_ = true;
    }

    void write_result(const CheckResult& result) override {
        write_header_once();
        const Evaluation& evaluation = result.evaluation;
        const LookupInfo* dns = result.dns ? &*result.dns : nullptr;
        std::vector<std::string> cells = {
            escape_bytes(result.domain.value_or("")),
            std::string(tlsrpt::to_string(evaluation.status)),
            joined(distinct_codes(evaluation.diagnostics)),
            joined(evaluation.records),
            escape_bytes(evaluation.suggested_record.value_or("")),
            dns ? escape_bytes(dns->rcode) : "",
            dns && dns->ttl ? fmt::format("{}", *dns->ttl) : "",
            dns ? (dns->authenticated ? "true" : "false") : "",
            dns ? escape_bytes(dns->error.value_or("")) : "",
            dns ? joined(dns->cnames) : "",
            dns ? escape_bytes(dns->server) : "",
            dns ? fmt::format("{}", dns->attempts) : "",
            dns ? fmt::format("{:.3f}", dns->elapsed_ms) : "",
            escape_bytes(result.input.value_or("")),
            result.line ? fmt::format("{}", *result.line) : "",
        };
        if (deep_) {
            std::vector<std::string> deep = deep_cells(result.deep);
            std::move(deep.begin(), deep.end(), std::back_inserter(cells));
        }
        std::string row;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) row += ',';
            row += csv_cell(cells[i]);
        }
        out_ << row << '\n';
    }

    void write_end(const Summary&) override { write_header_once(); }

    bool deep_;
    bool header_written_ = false;
};

}  // namespace

std::unique_ptr<Formatter> make_csv_formatter(std::ostream& out, bool deep) {
    return std::make_unique<CsvFormatter>(out, deep);
}

}  // namespace tlsrpt::output
