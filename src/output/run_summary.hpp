// What a bulk run adds up to: rows per status, the most frequent diagnostic codes, time and
// lookup rate. Printed on stderr after the rows, or inside the json document.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tlsrpt/result.hpp"
#include "tlsrpt/shard.hpp"

namespace tlsrpt::output {

class RunSummary {
  public:
    // Codes listed in the summary, most frequent first.
    static constexpr std::size_t top_codes = 5;

    void add(const CheckResult& row);
    void finish(std::chrono::duration<double> elapsed, std::size_t lookups, bool interrupted);
    // The rows are those of one shard of the input (--shard).
    void set_shard(Shard shard) { shard_ = shard; }

    std::size_t rows() const { return rows_; }
    std::size_t count(Status status) const { return counts_[static_cast<std::size_t>(status)]; }
    // The codes with the rows they appear in, most frequent first (ties by name).
    std::vector<std::pair<std::string, std::size_t>> most_frequent_codes() const;
    double lookups_per_second() const;

    // Two lines for people, e.g. on stderr after jsonl rows.
    std::string text() const;
    // A compact JSON object.
    std::string json() const;

  private:
    std::size_t rows_ = 0;
    std::array<std::size_t, 5> counts_{};  // indexed by Status
    std::map<std::string, std::size_t> rows_per_code_;
    std::chrono::duration<double> elapsed_{};
    std::size_t lookups_ = 0;
    bool interrupted_ = false;
    std::optional<Shard> shard_;
};

}  // namespace tlsrpt::output
