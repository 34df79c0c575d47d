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
// How soon a source that was not ready is asked again: a line typed or piped slowly is read
// this long after it arrives at most.
constexpr auto source_retry = std::chrono::milliseconds(10);

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

bool outside_shard(const BulkOptions& options, const BulkItem& item) {
    return options.shard && shard_of(item.input, options.shard->count) != options.shard->index;
}

}  // namespace

BulkAudit::BulkAudit(Auditor& auditor, BulkOptions options, Source source, Sink sink,
                     SourceReady source_ready)
    : auditor_(auditor),
      options_(options),
      source_(std::move(source)),
      sink_(std::move(sink)),
      source_ready_(std::move(source_ready)),
      refilled_(SteadyClock::now()) {
    options_.concurrency = std::max<std::size_t>(1, options_.concurrency);
    tokens_ = options_.rate > 0 ? 1 : 0;
}

bool BulkAudit::run(const StopRequested& stop, const Between& between) {
    bool stopping = false;
    const auto stop_requested = [&] { return stop && stop(); };
    auditor_.run([&]() -> std::optional<SteadyClock::time_point> {
        if (stopping) {
            // No new lookups, and none to wait for: interrupt() reports the unfinished ones.
            auditor_.abandon_all();
            return std::nullopt;
        }
        // Asked after the source is read too: the request may come while it is read, and cut
        // that read short (a signal ends a read blocked on a pipe), which is not the end of
        // the list.
        if (!stop_requested()) {
            const auto wake = admit();
            if (!stop_requested()) {
                report(between);
                return wake;
            }
        }
        // One more round, without a wait, delivers the answers that came before the request.
        stopping = true;
        return SteadyClock::now();
    });
    report(between);
    return !stopping;
}

void BulkAudit::report(const Between& between) {
    progress_.in_flight = auditor_.in_flight();
    if (between) between(progress_);
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
        if (!next_item_) {
            if (source_ready_ && !source_ready_()) return now + source_retry;
            next_item_ = source_();
            if (!next_item_) {
                source_done_ = true;
                break;
            }
            // Dropped entries count too: a list of other shards' domains must not hold the loop.
            ++taken;
            if (outside_shard(options_, *next_item_)) {
                next_item_.reset();
                continue;
            }
        }
        if (!admit_one(*next_item_)) {
            // Called again when the next token is due, or sooner: a rate as low as 1e-300
            // must not overflow the clock.
            const std::chrono::duration<double> wait((1 - tokens_) / options_.rate);
            if (wait >= longest_sleep) return now + longest_sleep;
            return now + std::chrono::ceil<std::chrono::microseconds>(wait);
        }
        next_item_.reset();
    }
    if (source_done_) return std::nullopt;
    // Another round at once when this one stopped at its shares, not at the window.
    if (window_open()) return now;
    return now + longest_sleep;
}

std::size_t BulkAudit::next_row() {
    if (options_.ordered) held_.emplace_back();
    return next_sequence_++;
}

bool BulkAudit::admit_one(BulkItem& item) {
    if (item.problem) {
        auto result = std::make_shared<CheckResult>(malformed_line_result(item));
        complete(next_row(), BulkRow{std::move(result), std::move(item.input), item.line});
        return true;
    }
    auto domain = normalise_domain_input(item.input);
    if (!domain) {
        auto result = std::make_shared<CheckResult>(invalid_domain_result("", domain.error()));
        complete(next_row(), BulkRow{std::move(result), std::move(item.input), item.line});
        return true;
    }
    // Only a lookup takes a token: a repeat joins one or reuses its result.
    if (options_.rate > 0 && tokens_ < 1 && !domains_.contains(domain->domain)) return false;
    Waiter waiter{next_row(), std::move(item.input), item.line, domain->form};
    // The key is moved only when the domain is new.
    const auto [known, inserted] = domains_.try_emplace(std::move(domain->domain));
    DomainEntry& entry = known->second;
    if (!inserted) {
        if (entry.result) {
            complete(waiter, entry.result);
        } else {
            entry.repeats.push_back(std::move(waiter));
        }
        return true;
    }
    entry.first = std::move(waiter);
    ++progress_.lookups_started;
    if (options_.rate > 0) tokens_ -= 1;
    DomainNode& node = *known;
    // No input: each line's is set when its row is written.
    auditor_.submit(std::string(), node.first,
                    [this, &node](CheckResult&& row) { on_lookup_done(node, std::move(row)); });
    return true;
}

void BulkAudit::on_lookup_done(DomainNode& domain, CheckResult&& result) {
    DomainEntry& entry = domain.second;
    entry.result = std::make_shared<CheckResult>(std::move(result));
    complete(entry.first, entry.result);
    for (Waiter& repeat : entry.repeats) complete(repeat, entry.result);
    entry.repeats = {};
    remember(domain);
}

// Keeps the finished `domain` for repeats, evicting the oldest past cache_entries.
void BulkAudit::remember(DomainNode& domain) {
    finished_order_.push_back(&domain.first);
    if (finished_order_.size() <= options_.cache_entries) return;
    domains_.erase(domains_.find(*finished_order_.front()));
    finished_order_.pop_front();
}

void BulkAudit::write(BulkRow& row) {
    ++progress_.rows_written;
    sink_(std::move(row));
}

void BulkAudit::complete(std::size_t sequence, BulkRow row) {
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

// The row of a line whose domain has `result`. A line that named its domain another way (a
// URL, an address) gets a copy with the note saying so: rare, so the common row shares.
void BulkAudit::complete(Waiter& waiter, const SharedResult& result) {
    SharedResult row = result;
    if (waiter.form != DomainInputForm::domain) {
        row = std::make_shared<CheckResult>(*result);
        row->evaluation.diagnostics.push_back(domain_input_note(waiter.form, *row->domain));
    }
    complete(waiter.sequence, BulkRow{std::move(row), std::move(waiter.input), waiter.line});
}

void BulkAudit::interrupt(bool drain_source) {
    // Collected first: completing rows must not change the map being walked.
    std::vector<Waiter> unfinished;
    for (auto& [domain, entry] : domains_) {
        if (entry.result) continue;
        unfinished.push_back(std::move(entry.first));
        for (Waiter& repeat : entry.repeats) unfinished.push_back(std::move(repeat));
    }
    domains_.clear();
    finished_order_.clear();
    auditor_.abandon_all();
    std::sort(unfinished.begin(), unfinished.end(),
              [](const Waiter& a, const Waiter& b) { return a.sequence < b.sequence; });
    const auto interrupted = std::make_shared<CheckResult>(interrupted_result());
    for (Waiter& waiter : unfinished) {
        complete(waiter.sequence, BulkRow{interrupted, std::move(waiter.input), waiter.line});
    }
    // Items taken from the source and not started: the one that waited for a token, then,
    // when asked, the rest of the source.
    const auto complete_unchecked = [&](BulkItem& item) {
        auto result =
            item.problem ? std::make_shared<CheckResult>(malformed_line_result(item)) : interrupted;
        complete(next_row(), BulkRow{std::move(result), std::move(item.input), item.line});
    };
    if (next_item_) complete_unchecked(*next_item_);
    next_item_.reset();
    while (drain_source && !source_done_) {
        auto item = source_();
        if (!item) break;
        if (outside_shard(options_, *item)) continue;
        complete_unchecked(*item);
    }
    source_done_ = true;
    progress_.in_flight = 0;
}

}  // namespace tlsrpt::audit
