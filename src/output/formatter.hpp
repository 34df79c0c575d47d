// Output formats behind one interface, for every command that prints results (lint prints
// one, check one per domain). Rows are printed as they come; finish() closes the output.
//
// To add a format (nagios, prometheus, ...): add an enumerator to Format and its name to
// to_string, derive from Formatter in a new formatter_<name>.cpp, and create it in
// make_formatter. Formats that only print totals override write_result with nothing and do
// their work in write_end, which gets the counts of every status.
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string_view>

#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::output {

enum class Format { text, json, jsonl, csv };

std::string_view to_string(Format format);

// How many results had each status, and the exit code they add up to.
class Summary {
  public:
    void add(Status status);
    std::size_t count(Status status) const;
    std::size_t total() const;
    // The worst exit code of the statuses seen; `valid` (0) when nothing was added.
    ExitCode exit_code() const;

  private:
    std::array<std::size_t, 5> counts_{};  // indexed by Status
};

struct FormatterOptions {
    bool colour = false;  // ANSI colours in the text format; see colour_wanted()
};

class Formatter {
  public:
    virtual ~Formatter() = default;

    void write(const CheckResult& result) {
        summary_.add(result.evaluation.status);
        write_result(result);
    }
    // Call once, after the last write.
    void finish();
    const Summary& summary() const { return summary_; }

  protected:
    explicit Formatter(std::ostream& out) : out_(out) {}

    virtual void write_result(const CheckResult& result) = 0;
    virtual void write_end(const Summary& summary) = 0;

    std::ostream& out_;

  private:
    Summary summary_;
};

std::unique_ptr<Formatter> make_formatter(Format format, std::ostream& out,
                                          const FormatterOptions& options = {});

// Colour on the stream behind `fd` only when it is a terminal, NO_COLOR is unset or empty
// (no-color.org) and TERM is not `dumb`.
bool colour_wanted(int fd);

}  // namespace tlsrpt::output
