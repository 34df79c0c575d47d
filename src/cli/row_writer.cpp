#include "cli/row_writer.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <iterator>
#include <utility>

#include "cli/interruption.hpp"

namespace tlsrpt::cli {
namespace {

// Rows are written once this much is formatted, or when the rows handed over are done.
constexpr std::size_t output_flush_size = 64 * 1024;

}  // namespace

std::streamsize AppendToString::xsputn(const char* bytes, std::streamsize count) {
    target_.append(bytes, static_cast<std::size_t>(count));
    return count;
}

AppendToString::int_type AppendToString::overflow(int_type byte) {
    if (!traits_type::eq_int_type(byte, traits_type::eof())) {
        target_ += traits_type::to_char_type(byte);
    }
    return traits_type::not_eof(byte);
}

RowWriter::RowWriter(output::Format format, bool json_document,
                     const output::FormatterOptions& formatter_options, AfterBatch after_batch)
    : json_document_(json_document),
      formatter_(output::make_formatter(json_document ? output::Format::jsonl : format, formatted_,
                                        formatter_options)),
      after_batch_(std::move(after_batch)) {
    // A failed allocation while a row is formatted must reach write_rows(), not only set the
    // stream's badbit: the rows after it would be dropped without a word.
    formatted_.exceptions(std::ios::badbit);
    if (json_document_) {
        pending_ =
            fmt::format("{{\"schema_version\": {}, \"results\": [\n", output::json_schema_version);
    }
    // Interruptions go to the event loop's thread: they must wake its wait.
    const InterruptionsBlocked on_the_writing_thread;
    thread_ = std::thread([this] { write_rows(); });
}

RowWriter::~RowWriter() {
    join();
}

void RowWriter::add(audit::BulkRow&& row) {
    added_.push_back(std::move(row));
    if (added_.size() >= rows_per_hand_over) hand_over(last_state_);
}

void RowWriter::hand_over(const RunState& state) {
    last_state_ = state;
    // Without rows, only a progress line wants to hear of the run.
    if (added_.empty() && !after_batch_) return;
    {
        std::unique_lock lock(mutex_);
        rows_taken_.wait(lock, [this] { return handed_.size() < max_rows_behind; });
        if (handed_.empty()) {
            handed_.swap(added_);
        } else {
            handed_.insert(handed_.end(), std::make_move_iterator(added_.begin()),
                           std::make_move_iterator(added_.end()));
            added_.clear();
        }
        state_ = state;
        state_changed_ = true;
    }
    rows_handed_.notify_one();
}

void RowWriter::write_rows() {
    std::vector<audit::BulkRow> batch;
    RunState state;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            rows_handed_.wait(lock, [this] { return state_changed_ || closing_; });
            if (!state_changed_) return;
            batch.swap(handed_);
            state = state_;
            state_changed_ = false;
        }
        rows_taken_.notify_one();
        try {
            for (audit::BulkRow& row : batch) format(row);
            flush();
            if (after_batch_) after_batch_(summary_, state);
        } catch (...) {
            // Not std::terminate: the run stops, and drain() throws this where main catches it.
            flush();
            if (!thread_error_) thread_error_ = std::current_exception();
            thread_failed_.store(true);
        }
        // The results go here too, when this holds their last reference.
        batch.clear();
    }
}

void RowWriter::format(audit::BulkRow& row) {
    if (failed()) return;
    const std::size_t whole_rows = pending_.size();
    try {
        if (json_document_ && rows_ > 0) pending_ += ',';
        ++rows_;
        const CheckResult& result = row.stamp();
        summary_.add(result);
        formatter_->write(result);
    } catch (...) {
        pending_.resize(whole_rows);  // no part of a row is written
        throw;
    }
    if (pending_.size() >= output_flush_size) flush();
}

void RowWriter::flush() {
    if (!failed() && !pending_.empty()) {
        if (const int error = write_whole(STDOUT_FILENO, pending_)) write_error_.store(error);
    }
    pending_.clear();
}

void RowWriter::drain() {
    join();
    if (thread_error_) std::rethrow_exception(thread_error_);
}

void RowWriter::join() {
    if (!thread_.joinable()) return;
    hand_over(RunState{});
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
    }
    rows_handed_.notify_one();
    thread_.join();
}

void RowWriter::finish() {
    // The writing thread has ended: the rest is written from here.
    formatter_->finish();
    if (json_document_) pending_ += "],\n\"summary\": " + summary_.json() + "}\n";
    flush();
}

}  // namespace tlsrpt::cli
