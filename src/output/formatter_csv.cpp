// The csv format: a header, then one row per result, one line per row. Cells hold data
// escaped as in the text format (printable ASCII only), so no record can break a row.
#include <algorithm>
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

class CsvFormatter final : public Formatter {
  public:
    explicit CsvFormatter(std::ostream& out) : Formatter(out) {}

  private:
    void write_header_once() {
        if (header_written_) return;
        out_ << header << '\n';
        header_written_ = true;
    }

    void write_result(const CheckResult& result) override {
        write_header_once();
        const Evaluation& evaluation = result.evaluation;
        const LookupInfo* dns = result.dns ? &*result.dns : nullptr;
        const std::vector<std::string> cells = {
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
        std::string row;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) row += ',';
            row += csv_cell(cells[i]);
        }
        out_ << row << '\n';
    }

    void write_end(const Summary&) override { write_header_once(); }

    bool header_written_ = false;
};

}  // namespace

std::unique_ptr<Formatter> make_csv_formatter(std::ostream& out) {
    return std::make_unique<CsvFormatter>(out);
}

}  // namespace tlsrpt::output
