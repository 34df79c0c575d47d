// Output formats behind one interface, for every command that prints results (lint prints
// one, check one per domain). Rows are printed as they come; finish() closes the output.
//
// To add a format (nagios, prometheus, ...): add an enumerator to Format and its name to
// to_string, derive from Formatter in a new formatter_<name>.cpp, and create it in
// make_formatter. Formats that only print totals override write_result with nothing and do
// their work in write_end, which gets the counts of every status.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/exit_code.hpp"
#include "tlsrpt/result.hpp"

namespace tlsrpt::output {

enum class Format { text, json, jsonl, csv, nagios, prometheus };

// The `schema_version` of every JSON document (schema/*.schema.json describe them): raised
// when a shape changes in a way that older readers would misread.
inline constexpr std::uint64_t json_schema_version = 1;

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

// A monitoring plugin's states (Nagios, Icinga, Naemon), which are its exit codes too.
enum class PluginState { ok = 0, warning = 1, critical = 2, unknown = 3 };

struct FormatterOptions {
    bool colour = false;  // ANSI colours in the text format; see colour_wanted()
    // csv: the columns of --deep, of --probe and of --authoritative as well (other formats
    // print whatever a row has).
    bool deep = false;
    bool probe = false;
    bool authoritative = false;
    // nagios: the state a missing record gives (--missing).
    PluginState missing_state = PluginState::critical;
    // nagios: 0 warnings and errors, 1 also notes and destinations, 2 also records and DNS.
    int verbosity = 0;
    // nagios: the whole-check timeout (-t), to tell the lookup it cut short.
    std::optional<std::chrono::milliseconds> check_timeout{};
    // nagios: --min-ttl, the warning threshold of the TTL's performance data.
    std::optional<std::uint32_t> min_ttl{};
    // nagios: --cert-warn and --cert-crit, days before a probed certificate expires.
    std::optional<std::uint32_t> cert_warn_days{};
    std::optional<std::uint32_t> cert_crit_days{};
    // prometheus, nagios: the time a result is taken to be checked at, replaceable in tests.
    std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
    };
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
    // What the process should exit with: the summary's, except where a format defines its own
    // (nagios: the plugin state).
    virtual ExitCode exit_code() const { return summary_.exit_code(); }

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

// `TLSRPT UNKNOWN - <reason>`: the nagios format's line for a check that could not run.
std::string nagios_unknown_line(std::string_view reason);

// Colour on the stream behind `fd` only when it is a terminal, NO_COLOR is unset or empty
// (no-color.org) and TERM is not `dumb`.
bool colour_wanted(int fd);

}  // namespace tlsrpt::output
