#include "output/formatter.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <string_view>

#include "output/formatters.hpp"

namespace tlsrpt::output {

std::string_view to_string(Format format) {
    switch (format) {
        case Format::text:
            return "text";
        case Format::json:
            return "json";
        case Format::jsonl:
            return "jsonl";
        case Format::csv:
            return "csv";
        case Format::nagios:
            return "nagios";
        case Format::prometheus:
            return "prometheus";
    }
    return "text";
}

void Summary::add(Status status) {
    ++counts_[static_cast<std::size_t>(status)];
}

std::size_t Summary::count(Status status) const {
    return counts_[static_cast<std::size_t>(status)];
}

std::size_t Summary::total() const {
    std::size_t total = 0;
    for (const std::size_t count : counts_) total += count;
    return total;
}

ExitCode Summary::exit_code() const {
    ExitCode code = ExitCode::valid;
    for (std::size_t status = 0; status < counts_.size(); ++status) {
        if (counts_[status] > 0) code = worst(code, exit_code_for(static_cast<Status>(status)));
    }
    return code;
}

void Formatter::finish() {
    write_end(summary_);
    out_.flush();
}

std::unique_ptr<Formatter> make_formatter(Format format, std::ostream& out,
                                          const FormatterOptions& options) {
    switch (format) {
        case Format::text:
            return make_text_formatter(out, options);
        case Format::json:
            return make_json_formatter(out, true);
        case Format::jsonl:
            return make_json_formatter(out, false);
        case Format::csv:
            return make_csv_formatter(out, options);
        case Format::nagios:
            return make_nagios_formatter(out, options);
        case Format::prometheus:
            return make_prometheus_formatter(out, options);
    }
    return make_text_formatter(out, options);
}

std::size_t usable_destinations(const Evaluation& evaluation) {
    if (!evaluation.policy) return 0;
    const auto& rua = evaluation.policy->rua;
    return static_cast<std::size_t>(
        std::count_if(rua.begin(), rua.end(), [](const Destination& d) { return d.supported; }));
}

bool colour_wanted(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return isatty(fd) == 1 && (no_colour == nullptr || *no_colour == '\0') &&
           (term == nullptr || std::string_view(term) != "dumb");
}

}  // namespace tlsrpt::output
