// The rows of a check, counted, formatted and written on a thread of their own, so that the
// event loop goes on with its lookups meanwhile. Rows come out in the order they were added,
// in whole lines (see write_whole), about one write per round of the event loop. With a domain
// list, the json format becomes one document {"results": [...], "summary": {...}} with one
// compact row per line. Once a write has failed, nothing more is written, and failed() tells
// the run to stop. So does an exception on the writing thread (memory ran out), which drain()
// then throws on the calling thread: the run ends as any internal error does, with the whole
// rows formatted before it written.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "audit/bulk.hpp"
#include "output/formatter.hpp"
#include "output/run_summary.hpp"

namespace tlsrpt::cli {

// A stream buffer that appends to a string: formatters write rows straight into the output
// buffer, without a copy per row.
class AppendToString : public std::streambuf {
  public:
    explicit AppendToString(std::string& target) : target_(target) {}

  protected:
    std::streamsize xsputn(const char* bytes, std::streamsize count) override;
    int_type overflow(int_type byte) override;

  private:
    std::string& target_;
};

class RowWriter {
  public:
    // What the event loop knows of the run, handed over with its rows.
    struct RunState {
        std::size_t in_flight = 0;
        std::optional<double> done_fraction;  // of the input, when its size is known
    };
    // Called on the writing thread after each batch of rows (e.g. to show progress).
    using AfterBatch = std::function<void(const output::RunSummary&, const RunState&)>;

    RowWriter(output::Format format, bool json_document,
              const output::FormatterOptions& formatter_options, AfterBatch after_batch);
    // Drains (when drain() was not called) and ends the thread, without throwing what ended
    // its work; what finish() writes is not written.
    ~RowWriter();
    RowWriter(const RowWriter&) = delete;
    RowWriter& operator=(const RowWriter&) = delete;

    // Queues a row; hand_over() passes the queue to the writing thread, and so does add()
    // itself once `rows_per_hand_over` wait (a burst, such as the rows of an interruption).
    void add(audit::BulkRow&& row);
    // Passes the rows added since the last call on, with the state of the run. Waits while
    // the writing thread is more than `max_rows_behind` rows behind, so that a slow reader
    // bounds the memory held.
    void hand_over(const RunState& state);
    // Returns once every row added is written and the writing thread has ended; throws what
    // ended the writing thread's work, if anything did.
    void drain();
    // The rows' summary; after drain(), to be finished before finish().
    output::RunSummary& summary() { return summary_; }
    // After drain(): writes what closes the output (the json document's summary, the totals
    // of nagios and prometheus).
    void finish();

    bool failed() const { return write_error_.load() != 0 || thread_failed_.load(); }
    // The errno of the write that failed, if one did.
    int write_error() const { return write_error_.load(); }
    // After finish().
    ExitCode exit_code() const { return formatter_->exit_code(); }

  private:
    static constexpr std::size_t rows_per_hand_over = 1024;
    static constexpr std::size_t max_rows_behind = 16384;

    void write_rows();  // the writing thread
    void format(audit::BulkRow& row);
    void flush();
    void join();

    bool json_document_;
    std::string pending_;  // formatted, not yet written
    AppendToString buffer_{pending_};
    std::ostream formatted_{&buffer_};
    std::unique_ptr<output::Formatter> formatter_;
    std::size_t rows_ = 0;
    std::atomic<int> write_error_{0};
    std::atomic<bool> thread_failed_{false};
    std::exception_ptr thread_error_;  // set before thread_failed_, read after join()
    output::RunSummary summary_;
    AfterBatch after_batch_;

    std::vector<audit::BulkRow> added_;  // the audit's side, not handed over yet
    RunState last_state_;                // the audit's side, as last handed over
    std::mutex mutex_;
    std::condition_variable rows_handed_;  // to the writing thread
    std::condition_variable rows_taken_;   // by the writing thread
    std::vector<audit::BulkRow> handed_;   // guarded by mutex_
    RunState state_;                       // guarded by mutex_
    bool state_changed_ = false;           // guarded by mutex_
    bool closing_ = false;                 // guarded by mutex_
    std::thread thread_;
};

}  // namespace tlsrpt::cli
