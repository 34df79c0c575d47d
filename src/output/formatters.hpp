// The concrete formatters, one per file; only make_formatter creates them.
#pragma once

#include <iosfwd>
#include <memory>

#include "output/formatter.hpp"

namespace tlsrpt::output {

// Destinations of the policy senders use that they can deliver to (mailto, https).
std::size_t usable_destinations(const Evaluation& evaluation);

std::unique_ptr<Formatter> make_text_formatter(std::ostream& out, const FormatterOptions& options);
// `pretty`: the json format (indented, one object or an array); otherwise jsonl (one compact
// object per line).
std::unique_ptr<Formatter> make_json_formatter(std::ostream& out, bool pretty);
// options.deep, .probe, .authoritative: the columns of --deep, then of --probe, then of
// --authoritative, follow the others.
std::unique_ptr<Formatter> make_csv_formatter(std::ostream& out, const FormatterOptions& options);
std::unique_ptr<Formatter> make_nagios_formatter(std::ostream& out,
                                                 const FormatterOptions& options);
std::unique_ptr<Formatter> make_prometheus_formatter(std::ostream& out,
                                                     const FormatterOptions& options);

}  // namespace tlsrpt::output
