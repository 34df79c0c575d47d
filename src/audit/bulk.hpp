// Bulk audits: domains pulled from a source only as fast as a bounded window lets them in, each
// distinct domain looked up once, every line reported. Reading, querying and writing overlap
// on one thread, and memory depends on the window, not on the size of the input.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::audit {

struct BulkOptions {
    // Domains whose lookups are in flight at once.
    std::size_t concurrency = 256;
    // Domain lookups started per second at most; 0: no limit.
    double rate = 0;
    // Rows in input order (held back while an earlier one is still running) instead of as
    // they complete.
    bool ordered = false;
    // Finished domains remembered so that a repeat later in the input is not asked again.
    std::size_t cache_entries = 4096;
};

// One entry of the input: a domain as written, or a line that names none.
struct BulkItem {
    std::string input;
    std::optional<std::size_t> line;     // line number, for entries read from a list
    std::optional<std::string> problem;  // why the line is malformed
};

struct BulkProgress {
    std::size_t rows_written = 0;
    std::size_t lookups_started = 0;
    std::size_t in_flight = 0;
};

class BulkAudit {
  public:
    using Source = std::function<std::optional<BulkItem>()>;
    // Gets every row once; the reference is valid during the call only.
    using Sink = std::function<void(const CheckResult&)>;
    // Asked between rounds of the event loop: true stops the run (see interrupt()).
    using StopRequested = std::function<bool()>;
    // Called between rounds of the event loop, e.g. to flush output or show progress.
    using Between = std::function<void(const BulkProgress&)>;

    BulkAudit(Auditor& auditor, BulkOptions options, Source source, Sink sink);

    // Pulls every item from the source and sinks one row for each. When `stop` turns true it
    // stops starting lookups and returns at once; interrupt() then completes the rows.
    // Returns false when stopped.
    bool run(const StopRequested& stop, const Between& between);

    // After a stopped run: sinks a row with code `interrupted` for every item taken from the
    // source without a row yet, and, when `drain_source`, for every item left in the source.
    void interrupt(bool drain_source);

    const BulkProgress& progress() const { return progress_; }

  private:
    // One result serves every line naming its domain: the rows differ in input and line only,
    // which are set just before the row is written.
    using SharedResult = std::shared_ptr<CheckResult>;
    struct Row {
        SharedResult result;
        std::string input;
        std::optional<std::size_t> line;
    };
    struct Waiter {
        std::size_t sequence = 0;
        std::string input;
        std::optional<std::size_t> line;
    };
    // The lines waiting for a domain in flight: the one that started the lookup, and repeats
    // that joined it (rare: kept apart so that the usual lookup needs no list).
    struct InFlight {
        Waiter first;
        std::vector<Waiter> repeats;
    };

    std::optional<std::chrono::steady_clock::time_point> admit();
    bool window_open() const;
    void admit_one(BulkItem item);
    void on_lookup_done(const std::string& domain, CheckResult&& result);
    void remember(std::string domain, SharedResult result);
    void complete(std::size_t sequence, Row row);
    void write(Row& row);

    Auditor& auditor_;
    BulkOptions options_;
    Source source_;
    Sink sink_;
    bool source_done_ = false;

    std::size_t next_sequence_ = 0;
    BulkProgress progress_;
    // Waiting lines per domain in flight: a repeat joins the lookup already running. The
    // lookup's callback holds the domain's key here, which stays put until it is done.
    std::unordered_map<std::string, InFlight> in_flight_;
    std::unordered_map<std::string, SharedResult> cache_;
    // Oldest first, evicted past cache_entries: cache_'s own keys, which stay put too.
    std::deque<const std::string*> cache_order_;
    // --ordered: rows from `first_unwritten_` on, held until those before them are out.
    std::deque<std::optional<Row>> held_;
    std::size_t first_unwritten_ = 0;

    // Rate cap: a token bucket refilled at `rate` per second.
    double tokens_ = 0;
    std::chrono::steady_clock::time_point refilled_;
};

}  // namespace tlsrpt::audit
