// Bulk audits: domains pulled from a source only as fast as a bounded window lets them in, each
// distinct domain looked up once, every line reported. Reading and querying overlap on the
// event loop's thread (the sink may write elsewhere), and memory depends on the window, not on
// the size of the input.
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
#include "tlsrpt/domain_name.hpp"
#include "tlsrpt/result.hpp"
#include "tlsrpt/shard.hpp"

namespace tlsrpt::audit {

struct BulkOptions {
    // Domains whose lookups are in flight at once.
    std::size_t concurrency = 256;
    // Domain lookups started per second at most (a finite number); 0: no limit. Lines that
    // start no lookup (repeats, malformed lines) do not wait for it.
    double rate = 0;
    // Rows in input order (held back while an earlier one is still running) instead of as
    // they complete.
    bool ordered = false;
    // Finished domains remembered so that a repeat later in the input is not asked again.
    // Few enough that the results stay in the processor's caches until they are evicted:
    // evicting from 4096 (megabytes of rows gone cold) cost 8% of the bulk rate.
    std::size_t cache_entries = 1024;
    // --shard: only the entries of this shard get a row; the others are read and dropped.
    std::optional<Shard> shard;
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

// A finished row. One result serves every line naming its domain, so each line's input and
// number travel beside it until the row is printed.
struct BulkRow {
    std::shared_ptr<CheckResult> result;
    std::string input;
    std::optional<std::size_t> line;

    // The result with this line's input and number, to print. Only the thread that prints rows
    // may call it: it changes those two fields alone, which nothing else reads.
    const CheckResult& stamp() {
        result->input = std::move(input);
        result->line = line;
        return *result;
    }
};

class BulkAudit {
  public:
    using Source = std::function<std::optional<BulkItem>()>;
    // Whether the source can give its next item (or say it has none) without waiting: a pipe
    // without a whole line yet cannot. Asked before each item; the source is then asked again
    // a little later, so that rows already done are written meanwhile.
    using SourceReady = std::function<bool()>;
    // Gets every row once.
    using Sink = std::function<void(BulkRow&&)>;
    // Asked between rounds of the event loop: true stops the run (see interrupt()).
    using StopRequested = std::function<bool()>;
    // Called between rounds of the event loop, e.g. to flush output or show progress.
    using Between = std::function<void(const BulkProgress&)>;

    // Without `source_ready`, the source is taken never to wait.
    BulkAudit(Auditor& auditor, BulkOptions options, Source source, Sink sink,
              SourceReady source_ready = {});

    // Pulls every item from the source and sinks one row for each. When `stop` turns true it
    // stops starting lookups and returns at once; interrupt() then completes the rows.
    // Returns false when stopped.
    bool run(const StopRequested& stop, const Between& between);

    // After a stopped run: sinks a row with code `interrupted` for every item taken from the
    // source without a row yet, and, when `drain_source`, for every item left in the source.
    void interrupt(bool drain_source);

    const BulkProgress& progress() const { return progress_; }

  private:
    using SharedResult = std::shared_ptr<CheckResult>;
    struct Waiter {
        std::size_t sequence = 0;
        std::string input;
        std::optional<std::size_t> line;
        DomainInputForm form = DomainInputForm::domain;  // how `input` named the domain
    };
    // A distinct domain of the run: while its lookup runs, the lines waiting for it (the one
    // that started it, and repeats that joined it, rare: kept apart so that the usual lookup
    // needs no list); once done, its result, kept for later repeats until evicted.
    struct DomainEntry {
        Waiter first;
        std::vector<Waiter> repeats;
        SharedResult result;  // null while the lookup runs
    };
    using Domains = std::unordered_map<std::string, DomainEntry>;
    using DomainNode = Domains::value_type;

    std::optional<std::chrono::steady_clock::time_point> admit();
    void report(const Between& between);
    bool window_open() const;
    // Starts `item`'s row; false, leaving `item` as it is, when it needs a lookup and the rate
    // allows none yet.
    bool admit_one(BulkItem& item);
    // The sequence number of the next row (and its place among those held back for order).
    std::size_t next_row();
    void on_lookup_done(DomainNode& domain, CheckResult&& result);
    void remember(DomainNode& domain);
    void complete(std::size_t sequence, BulkRow row);
    void complete(Waiter& waiter, const SharedResult& result);
    void write(BulkRow& row);

    Auditor& auditor_;
    BulkOptions options_;
    Source source_;
    Sink sink_;
    SourceReady source_ready_;
    bool source_done_ = false;
    std::optional<BulkItem> next_item_;  // taken from the source, waiting for a token

    std::size_t next_sequence_ = 0;
    BulkProgress progress_;
    // Every domain in flight or remembered, in one table so that a line costs one hash
    // lookup: a repeat finds either the lookup to join or the result. A lookup's callback holds
    // its node, which stays put until it is evicted.
    Domains domains_;
    // Finished domains, oldest first, evicted past cache_entries: keys of domains_'s nodes.
    std::deque<const std::string*> finished_order_;
    // --ordered: rows from `first_unwritten_` on, held until those before them are out.
    std::deque<std::optional<BulkRow>> held_;
    std::size_t first_unwritten_ = 0;

    // Rate cap: a token bucket refilled at `rate` per second.
    double tokens_ = 0;
    std::chrono::steady_clock::time_point refilled_;
};

}  // namespace tlsrpt::audit
