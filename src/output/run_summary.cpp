#include "output/run_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "output/json_writer.hpp"

namespace tlsrpt::output {
namespace {

constexpr std::array all_statuses = {Status::valid, Status::warning, Status::missing,
                                     Status::invalid, Status::error};

}  // namespace

void RunSummary::add(const CheckResult& row) {
    ++rows_;
    ++counts_[static_cast<std::size_t>(row.evaluation.status)];
    // A code repeated within one row counts once: the figure is "rows with this code".
    std::set<std::string_view> seen;
    for (const Diagnostic& diagnostic : row.evaluation.diagnostics) {
        if (seen.insert(diagnostic.code).second) ++rows_per_code_[diagnostic.code];
    }
}

void RunSummary::finish(std::chrono::duration<double> elapsed, std::size_t lookups,
                        bool interrupted) {
    elapsed_ = elapsed;
    lookups_ = lookups;
    interrupted_ = interrupted;
}

std::vector<std::pair<std::string, std::size_t>> RunSummary::most_frequent_codes() const {
    std::vector<std::pair<std::string, std::size_t>> codes(rows_per_code_.begin(),
                                                           rows_per_code_.end());
    std::stable_sort(codes.begin(), codes.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (codes.size() > top_codes) codes.resize(top_codes);
    return codes;
}

double RunSummary::lookups_per_second() const {
    return elapsed_.count() > 0 ? static_cast<double>(lookups_) / elapsed_.count() : 0;
}

std::string RunSummary::text() const {
    std::string text = fmt::format(
        "summary{}: {} row(s){} in {:.2f} s, {} lookup(s), {:.0f}/s:",
        shard_ ? fmt::format(" of shard {}/{}", shard_->index, shard_->count) : "", rows_,
        interrupted_ ? " (interrupted)" : "", elapsed_.count(), lookups_, lookups_per_second());
    for (const Status status : all_statuses) {
        text += fmt::format(" {} {}", count(status), tlsrpt::to_string(status));
    }
    text += "\nmost frequent codes:";
    const auto codes = most_frequent_codes();
    if (codes.empty()) text += " none";
    for (const auto& [code, rows] : codes) text += fmt::format(" {} {}", code, rows);
    return text + "\n";
}

std::string RunSummary::json() const {
    std::string text;
    JsonWriter json(text, false);
    json.begin_object();
    json.key("rows");
    json.number(static_cast<std::uint64_t>(rows_));
    json.key("statuses");
    json.begin_object();
    for (const Status status : all_statuses) {
        json.key(tlsrpt::to_string(status));
        json.number(static_cast<std::uint64_t>(count(status)));
    }
    json.end_object();
    json.key("top_codes");
    json.begin_array();
    for (const auto& [code, rows] : most_frequent_codes()) {
        json.begin_object();
        json.key("code");
        json.string(code);
        json.key("rows");
        json.number(static_cast<std::uint64_t>(rows));
        json.end_object();
    }
    json.end_array();
    json.key("elapsed_s");
    json.number(elapsed_.count());
    json.key("lookups");
    json.number(static_cast<std::uint64_t>(lookups_));
    json.key("lookups_per_second");
    json.number(lookups_per_second());
    json.key("interrupted");
    json.boolean(interrupted_);
    if (shard_) {
        json.key("shard");
        json.begin_object();
        json.key("index");
        json.number(static_cast<std::uint64_t>(shard_->index));
        json.key("count");
        json.number(static_cast<std::uint64_t>(shard_->count));
        json.end_object();
    }
    json.end_object();
    return text;
}

}  // namespace tlsrpt::output
