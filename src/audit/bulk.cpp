#include "audit/bulk.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "tlsrpt/domain_name.hpp"

namespace tlsrpt::audit {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Rows started but not yet written, per domain of the window: room for repeats of domains in
// flight and, with --ordered, for rows finished behind a slow one.
constexpr std::size_t rows_per_window_slot = 4;
// How long the event loop may sleep while lookups run: the pacer's hooks (progress, stop)
// still run this often.
constexpr auto longest_sleep = std::chrono::milliseconds(200);
// Lookups started per round of the event loop at most. A resolver's socket buffer holds only a
// few hundred queries (Unbound's default drops beyond about 270 at once on Linux): a wide window
// fills over several rounds instead of in one burst.
constexpr std::size_t admissions_per_round = 128;
// Items taken from the source per round at most. Repeats answered from the cache start no
// lookup: without this bound a list of them (`yes example.com | tlsrpt-check -f -`) would keep
// the loop from ever checking for an interruption or showing progress.
constexpr std::size_t items_per_round = 4096;

CheckResult malformed_line_result(const BulkItem& item) {
    Diagnostic diagnostic;
    diagnostic.code = "invalid-domain";
    diagnostic.message = item.problem.value_or("");
    return invalid_domain_result(item.input, std::move(diagnostic));
}

// The row of an entry left unchecked by an interruption: status error, code `interrupted`.
CheckResult interrupted_result() {
    Diagnostic diagnostic;
    diagnostic.code = "interrupted";
    diagnostic.severity = Severity::error;
    diagnostic.message = "the run was interrupted before this domain was checked";
    return invalid_domain_result("", std::move(diagnostic));
}

}  // namespace

BulkAudit::BulkAudit(Auditor& auditor, BulkOptions options, Source source, Sink sink)
    : auditor_(auditor),
      options_(options),
      source_(std::move(source)),
      sink_(std::move(sink)),
      refilled_(SteadyClock::now()) {
    options_.concurrency = std::max<std::size_t>(1, options_.concurrency);
    tokens_ = options_.rate > 0 ? 1 : 0;
}

bool BulkAudit::run(const StopRequested& stop, const Between& between) {
    bool stopped = false;
    auditor_.run([&]() -> std::optional<SteadyClock::time_point> {
        if (stopped || (stop && stop())) {
            // No new lookups, and none to wait for: interrupt() reports the unfinished ones.
            stopped = true;
            auditor_.abandon_all();
            return std::nullopt;
        }
        const auto wake = admit();
        progress_.in_flight = auditor_.in_flight();
        if (between) between(progress_);
        return wake;
    });
    progress_.in_flight = auditor_.in_flight();
    if (between) between(progress_);
    return !stopped;
}

bool BulkAudit::window_open() const {
    const std::size_t unwritten = next_sequence_ - progress_.rows_written;
    return auditor_.in_flight() < options_.concurrency &&
           unwritten < options_.concurrency * rows_per_window_slot;
}

// Takes items from the source while the window has room; returns when the event loop should
// call again at the latest, or nullopt once the source is exhausted.
std::optional<SteadyClock::time_point> BulkAudit::admit() {
    const auto now = SteadyClock::now();
    if (options_.rate > 0) {
        // A burst of at most 50 ms worth of lookups (and at least one).
        const double burst = std::max(1.0, options_.rate / 20);
        tokens_ =
            std::min(burst, tokens_ + options_.rate *
                                          std::chrono::duration<double>(now - refilled_).count());
        refilled_ = now;
    }
    const std::size_t lookups_before = progress_.lookups_started;
    std::size_t taken = 0;
    const auto round_has_room = [&] {
        return taken < items_per_round &&
               progress_.lookups_started - lookups_before < admissions_per_round;
    };
    while (!source_done_ && window_open() && round_has_room()) {
        if (options_.rate > 0 && tokens_ < 1) {
            const auto wait = std::chrono::duration<double>((1 - tokens_) / options_.rate);
            return now + std::chrono::ceil<std::chrono::microseconds>(wait);
        }
        auto item = source_();
        if (!item) {
            source_done_ = true;
            break;
        }
        admit_one(std::move(*item));
        ++taken;
    }
    if (source_done_) return std::nullopt;
    // Another round at once when this one stopped at its shares, not at the window.
    if (window_open()) return now;
    return now + longest_sleep;
}

void BulkAudit::admit_one(BulkItem item) {
    const std::size_t sequence = next_sequence_++;
    if (options_.ordered) held_.emplace_back();
    if (item.problem) {
        auto result = std::make_shared<CheckResult>(malformed_line_result(item));
        complete(sequence, Row{std::move(result), std::move(item.input), item.line});
        return;
    }
    auto domain = normalise_domain(item.input);
    if (!domain) {
        auto result = std::make_shared<CheckResult>(invalid_domain_result("", domain.error()));
        complete(sequence, Row{std::move(result), std::move(item.input), item.line});
        return;
    }
    if (const auto cached = cache_.find(*domain); cached != cache_.end()) {
        complete(sequence, Row{cached->second, std::move(item.input), item.line});
        return;
    }
    Waiter waiter{sequence, std::move(item.input), item.line};
    const auto [running, started] = in_flight_.try_emplace(std::move(*domain));
    if (!started) {
        running->second.repeats.push_back(std::move(waiter));
        return;
    }
    running->second.first = std::move(waiter);
    ++progress_.lookups_started;
    if (options_.rate > 0) tokens_ -= 1;
    const std::string& key = running->first;
    // No input: each line's is set when its row is written.
    auditor_.submit(std::string(), key,
                    [this, &key](CheckResult&& row) { on_lookup_done(key, std::move(row)); });
}

void BulkAudit::on_lookup_done(const std::string& domain, CheckResult&& result) {
    // `domain` is the key inside the node taken out here: not used once it moves on.
    auto done = in_flight_.extract(domain);
    auto shared = std::make_shared<CheckResult>(std::move(result));
    Waiter& first = done.mapped().first;
    complete(first.sequence, Row{shared, std::move(first.input), first.line});
    for (Waiter& repeat : done.mapped().repeats) {
        complete(repeat.sequence, Row{shared, std::move(repeat.input), repeat.line});
    }
    remember(std::move(done.key()), std::move(shared));
}

void BulkAudit::remember(std::string domain, SharedResult result) {
    if (options_.cache_entries == 0) return;
    if (cache_order_.size() >= options_.cache_entries) {
        cache_.erase(cache_.find(*cache_order_.front()));
        cache_order_.pop_front();
    }
    // A domain is looked up again only after it left the cache, so it is never there twice.
    const auto cached = cache_.emplace(std::move(domain), std::move(result)).first;
    cache_order_.push_back(&cached->first);
}

void BulkAudit::write(Row& row) {
    row.result->input = std::move(row.input);
    row.result->line = row.line;
    ++progress_.rows_written;
    sink_(*row.result);
}

void BulkAudit::complete(std::size_t sequence, Row row) {
    if (!options_.ordered) {
        write(row);
        return;
    }
    held_[sequence - first_unwritten_] = std::move(row);
    while (!held_.empty() && held_.front()) {
        write(*held_.front());
        held_.pop_front();
        ++first_unwritten_;
    }
}

void BulkAudit::interrupt(bool drain_source) {
    // Collected first: completing rows must not change the map being walked.
    std::vector<Waiter> unfinished;
    for (auto& [domain, waiting] : in_flight_) {
        unfinished.push_back(std::move(waiting.first));
        for (Waiter& repeat : waiting.repeats) unfinished.push_back(std::move(repeat));
    }
    in_flight_.clear();
    auditor_.abandon_all();
    std::sort(unfinished.begin(), unfinished.end(),
              [](const Waiter& a, const Waiter& b) { return a.sequence < b.sequence; });
    const auto interrupted = std::make_shared<CheckResult>(interrupted_result());
    for (Waiter& waiter : unfinished) {
        complete(waiter.sequence, Row{interrupted, std::move(waiter.input), waiter.line});
    }
    while (drain_source && !source_done_) {
        auto item = source_();
        if (!item) break;
        const std::size_t sequence = next_sequence_++;
        if (options_.ordered) held_.emplace_back();
        auto result = item->problem ? std::make_shared<CheckResult>(malformed_line_result(*item))
                                    : interrupted;
        complete(sequence, Row{std::move(result), std::move(item->input), item->line});
    }
    source_done_ = true;
    progress_.in_flight = 0;
}

}  // namespace tlsrpt::audit
