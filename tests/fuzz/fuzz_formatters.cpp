// Every output format over any results. Input: the results' RRsets as lines in presentation
// format (a blank line between results), then optionally a NUL and the bytes that fill in the
// rest (formatter options; per result: input, line, domain, query, lookup, a status,
// diagnostic and suggestion of any content, --deep and --authoritative sections; last, whether
// csv has the --authoritative columns). The record corpus seeds it as it is. Checks, per format:
// text prints only printable ASCII (and colour codes) with every record escaped; json and jsonl
// parse, are UTF-8 and carry the results; csv has one line per row and the header's columns in
// each; nagios keeps the summary on its first line and performance data there only; prometheus
// lines follow the exposition format, each family and series once.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "json.hpp"
#include "output/escape.hpp"
#include "output/formatter.hpp"
#include "tlsrpt/authoritative.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/mta_sts.hpp"
#include "utf8.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;
using fuzz::require;
using testing::Json;

namespace {

// Codes are kebab-case identifiers by contract: other bytes become '-'.
std::string code_from(fuzz::ByteReader& knobs) {
    std::string code = knobs.text();
    for (char& c : code) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = '-';
    }
    return code;
}

LookupInfo lookup_from(fuzz::ByteReader& knobs) {
    LookupInfo lookup;
    const std::uint8_t present = knobs.byte();
    lookup.rcode = knobs.text();
    if (present & 1) lookup.error = code_from(knobs);
    for (int cnames = (present >> 1) & 3; cnames > 0; --cnames) {
        lookup.cnames.push_back(knobs.text());
    }
    if (present & 8) lookup.ttl = knobs.u32();
    lookup.authenticated = (present & 16) != 0;
    if (present & 32) lookup.ttl_source = TtlSource::authoritative;
    lookup.server = knobs.text();
    lookup.attempts = knobs.byte();
    // A measured duration: finite and not negative.
    lookup.elapsed_ms = knobs.u32() / 1000.0;
    return lookup;
}

Diagnostic diagnostic_from(fuzz::ByteReader& knobs) {
    Diagnostic diagnostic;
    const std::uint8_t shape = knobs.byte();
    diagnostic.code = code_from(knobs);
    diagnostic.severity = static_cast<Severity>(shape % 3);
    diagnostic.message = knobs.text();
    if (shape & 4) diagnostic.record = knobs.byte();
    if (shape & 8) diagnostic.offset = knobs.u32();
    diagnostic.length = knobs.u32();
    return diagnostic;
}

// Any of the states, and the last one for every byte beyond them.
LookupState lookup_state_from(fuzz::ByteReader& knobs) {
    constexpr auto last = static_cast<std::uint8_t>(LookupState::invalid_domain);
    return static_cast<LookupState>(std::min<std::uint8_t>(knobs.byte(), last));
}

// --deep sections: every string in them comes from DNS, so any bytes at all.
DeepResult deep_from(std::string_view records, fuzz::ByteReader& knobs) {
    DeepResult deep;
    const std::uint8_t shape = knobs.byte();
    deep.mx.lookup = lookup_state_from(knobs);
    deep.mx.authenticated = (shape & 1) != 0;
    deep.mx.null_mx = (shape & 2) != 0;
    deep.mx.implicit = (shape & 4) != 0;
    deep.mx.hosts_not_checked = knobs.byte();
    for (int hosts = (shape >> 3) & 3; hosts > 0; --hosts) {
        MailHost host;
        host.name = knobs.text();
        host.preference = static_cast<std::uint16_t>(knobs.u32());
        host.tlsa = lookup_state_from(knobs);
        host.tlsa_authenticated = knobs.flag();
        for (int usages = knobs.byte() % 4; usages > 0; --usages) {
            host.tlsa_usages.push_back(knobs.byte());
        }
        host.tlsrpt = lookup_state_from(knobs);
        host.tlsrpt_status = static_cast<Status>(knobs.byte() % 5);
        deep.mx.hosts.push_back(std::move(host));
    }
    deep.mta_sts.query = knobs.text();
    deep.mta_sts.lookup = lookup_state_from(knobs);
    deep.mta_sts.evaluation = evaluate_mta_sts(fuzz::rrset_from_lines(records));
    for (int destinations = (shape >> 5) & 3; destinations > 0; --destinations) {
        DestinationCheck check;
        check.uri = knobs.text();
        check.host = knobs.text();
        constexpr auto last_reach = static_cast<std::uint8_t>(Reach::lookup_failed);
        check.verdict.reach = static_cast<Reach>(std::min<std::uint8_t>(knobs.byte(), last_reach));
        check.verdict.failure = lookup_state_from(knobs);
        for (int found = knobs.byte() % 3; found > 0; --found) check.found.push_back(knobs.text());
        deep.destinations.push_back(std::move(check));
    }
    if (shape & 128) deep.misplaced.push_back(MisplacedRecord{knobs.text(), knobs.text()});
    return deep;
}

// --authoritative sections: names, addresses, rcodes and records come from DNS, so any bytes;
// the indices need not match (the formatters only print them).
AuthoritativeResult authoritative_from(fuzz::ByteReader& knobs) {
    AuthoritativeResult authoritative;
    const std::uint8_t shape = knobs.byte();
    authoritative.lookup = lookup_state_from(knobs);
    authoritative.zone = knobs.text();
    authoritative.servers_not_checked = knobs.byte();
    if (shape & 1) authoritative.consistent = (shape & 2) != 0;
    for (int servers = (shape >> 2) & 3; servers > 0; --servers) {
        NameServer server;
        server.name = knobs.text();
        server.address = knobs.text();
        constexpr auto last = static_cast<std::uint8_t>(ServerState::not_asked);
        server.state = static_cast<ServerState>(std::min<std::uint8_t>(knobs.byte(), last));
        server.rcode = knobs.text();
        server.aa = knobs.flag();
        server.alias = knobs.text();
        for (int records = knobs.byte() % 3; records > 0; --records) {
            server.records.push_back(knobs.text());
        }
        const std::uint8_t present = knobs.byte();
        if (present & 1) server.ttl = knobs.u32();
        if (present & 2) server.serial = knobs.u32();
        if (present & 4) server.answer = knobs.byte();
        server.elapsed_ms = knobs.u32() / 1000.0;
        authoritative.servers.push_back(std::move(server));
    }
    for (int answers = (shape >> 4) & 3; answers > 0; --answers) {
        ServedAnswer answer;
        answer.rcode = knobs.text();
        answer.alias = knobs.text();
        for (int records = knobs.byte() % 3; records > 0; --records) {
            answer.records.push_back(knobs.text());
        }
        const std::uint8_t status = knobs.byte();
        if (status < 5) answer.status = static_cast<Status>(status);
        for (int servers = knobs.byte() % 3; servers > 0; --servers) {
            answer.servers.push_back(knobs.byte());
        }
        authoritative.answers.push_back(std::move(answer));
    }
    return authoritative;
}

CheckResult result_from(std::string_view records, fuzz::ByteReader& knobs) {
    CheckResult result;
    result.evaluation = evaluate(fuzz::rrset_from_lines(records));
    const std::uint8_t present = knobs.byte();
    if (present & 1) result.input = knobs.text();
    if (present & 2) result.line = knobs.u32();
    if (present & 4) result.domain = knobs.text();
    if (present & 8) result.query = knobs.text();
    if (present & 16) result.dns = lookup_from(knobs);
    if (present & 32) result.evaluation.status = static_cast<Status>(knobs.byte() % 5);
    if (present & 64) result.evaluation.diagnostics.push_back(diagnostic_from(knobs));
    if (present & 128) result.evaluation.suggested_record = knobs.text();
    const std::uint8_t sections = knobs.byte();
    if (sections & 1) result.deep = deep_from(records, knobs);
    if (sections & 2) result.authoritative = authoritative_from(knobs);
    return result;
}

FormatterOptions options_from(fuzz::ByteReader& knobs) {
    FormatterOptions options;
    const std::uint8_t choices = knobs.byte();
    options.colour = (choices & 1) != 0;
    options.missing_state = static_cast<PluginState>((choices >> 1) & 3);
    options.verbosity = std::min((choices >> 3) & 3, 2);
    if (choices & 32) options.check_timeout = std::chrono::milliseconds(knobs.u32());
    if (choices & 64) options.min_ttl = knobs.u32();
    options.deep = (choices & 128) != 0;
    const std::chrono::seconds now(knobs.u32());
    options.now = [now] { return std::chrono::system_clock::time_point(now); };
    return options;
}

std::string formatted(Format format, const std::vector<CheckResult>& results,
                      const FormatterOptions& options, ExitCode& exit_code) {
    std::ostringstream out;
    const auto formatter = make_formatter(format, out, options);
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    exit_code = formatter->exit_code();
    return out.str();
}

std::vector<std::string_view> output_lines(std::string_view output) {
    require(output.empty() || output.ends_with('\n'), "output ends with a line feed");
    return fuzz::split(output, "\n");
}

// Printable ASCII and line feeds; with colour also SGR sequences (ESC [ digits ; ... m).
void check_text(std::string_view output, const std::vector<CheckResult>& results, bool colour) {
    for (std::size_t i = 0; i < output.size(); ++i) {
        const auto byte = static_cast<unsigned char>(output[i]);
        if ((byte >= 0x20 && byte < 0x7f) || byte == '\n') continue;
        require(colour && byte == 0x1b && output.substr(i + 1, 1) == "[",
                "text holds no raw control or non-ASCII byte");
        const std::size_t end = output.find_first_not_of("0123456789;", i + 2);
        require(end != std::string_view::npos && output[end] == 'm', "colour codes are SGR");
        i = end;
    }
    for (const CheckResult& result : results) {
        for (const std::string& record : result.evaluation.records) {
            require(output.find(escape_bytes(record)) != std::string_view::npos,
                    "text shows every record escaped");
        }
    }
}

// A string field as written, when JSON can hold it unchanged (valid UTF-8).
void check_json_string(const Json& json, const std::string& expected) {
    if (testing::is_valid_utf8(expected)) require(json.string() == expected, "a JSON string");
}

void check_json_result(const Json& json, const CheckResult& result) {
    const Evaluation& evaluation = result.evaluation;
    require(json["status"].string() == tlsrpt::to_string(evaluation.status), "JSON status");
    require(json["records"].size() == evaluation.records.size(), "JSON records");
    for (std::size_t i = 0; i < evaluation.records.size(); ++i) {
        check_json_string(json["records"][i], evaluation.records[i]);
    }
    require(json["diagnostics"].size() == evaluation.diagnostics.size(), "JSON diagnostics");
    for (std::size_t i = 0; i < evaluation.diagnostics.size(); ++i) {
        check_json_string(json["diagnostics"][i]["code"], evaluation.diagnostics[i].code);
        check_json_string(json["diagnostics"][i]["message"], evaluation.diagnostics[i].message);
    }
    require(json["suggested_record"].is_null() != evaluation.suggested_record.has_value(),
            "JSON suggested_record");
    if (evaluation.suggested_record) {
        check_json_string(json["suggested_record"], *evaluation.suggested_record);
    }
    require(json.contains("input") == result.input.has_value(), "JSON input for lookups");
    require(json.contains("authoritative") == result.authoritative.has_value(),
            "JSON authoritative section");
    if (result.input) check_json_string(json["input"], *result.input);
}

Json parsed_json(std::string_view text) {
    require(testing::is_valid_utf8(text), "JSON output is UTF-8");
    try {
        return Json::parse(text);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s\n", error.what());
        require(false, "JSON output parses");
    }
    std::abort();
}

void check_json(std::string_view output, const std::vector<CheckResult>& results) {
    const Json document = parsed_json(output);
    if (results.size() == 1) {
        check_json_result(document, results.front());
        return;
    }
    require(document.size() == results.size(), "a JSON array of every result");
    for (std::size_t i = 0; i < results.size(); ++i) check_json_result(document[i], results[i]);
}

void check_json_lines(std::string_view output, const std::vector<CheckResult>& results) {
    const auto lines = output_lines(output);
    require(lines.size() == results.size(), "one JSON line per result");
    for (std::size_t i = 0; i < results.size(); ++i) {
        check_json_result(parsed_json(lines[i]), results[i]);
    }
}

// The cells of one RFC 4180 row; a quote out of place aborts.
std::vector<std::string> csv_cells(std::string_view row) {
    std::vector<std::string> cells(1);
    std::size_t i = 0;
    while (i < row.size()) {
        if (row[i] == ',') {
            cells.emplace_back();
            ++i;
        } else if (row[i] == '"' && cells.back().empty()) {
            const std::size_t opening = i++;
            while (true) {
                require(i < row.size(), "a quoted CSV cell is closed on its line");
                if (row[i] == '"' && row.substr(i, 2) != "\"\"") break;
                cells.back() += row[i];
                i += row[i] == '"' ? 2 : 1;
            }
            ++i;
            require(i == row.size() || row[i] == ',', "a quoted CSV cell ends at a comma");
            require(i - opening > 1, "a quoted CSV cell");
        } else {
            require(row[i] != '"', "quotes only around whole CSV cells");
            cells.back() += row[i++];
        }
    }
    return cells;
}

void check_csv(std::string_view output, const std::vector<CheckResult>& results) {
    const auto lines = output_lines(output);
    require(lines.size() == results.size() + 1, "a CSV header, then one line per result");
    const std::size_t columns = csv_cells(lines.front()).size();
    for (std::size_t i = 0; i < results.size(); ++i) {
        require(fuzz::is_printable_ascii(lines[i + 1]), "CSV rows are printable ASCII");
        const auto cells = csv_cells(lines[i + 1]);
        require(cells.size() == columns, "every CSV row has the header's columns");
        require(cells[1] == tlsrpt::to_string(results[i].evaluation.status), "CSV status");
    }
}

void check_nagios(std::string_view output, const std::vector<CheckResult>& results,
                  ExitCode exit_code) {
    const auto lines = output_lines(output);
    require(!lines.empty(), "nagios prints a first line");
    static constexpr std::string_view states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    const auto state = static_cast<std::size_t>(exit_code);
    require(state < std::size(states), "nagios exits with a plugin state");
    require(lines.front().starts_with(fmt::format("TLSRPT {} - ", states[state])),
            "the first line starts with the state the plugin exits with");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        require(fuzz::is_printable_ascii(lines[i]), "nagios lines are printable ASCII");
        const auto bars = std::count(lines[i].begin(), lines[i].end(), '|');
        require(bars <= (i == 0 ? 1 : 0), "performance data only after one | on the first line");
    }
    const auto later = std::span(lines).subspan(1);
    if (results.size() <= 1) {
        static constexpr std::string_view detail_starts[] = {
            "error ",       "warning ",           "info ", "record ",
            "reports to: ", "suggested record: ", "dns: "};
        for (const std::string_view line : later) {
            require(std::any_of(std::begin(detail_starts), std::end(detail_starts),
                                [&](std::string_view start) { return line.starts_with(start); }),
                    "each later line of one result is a detail");
        }
        return;
    }
    std::size_t result_lines = 0;
    for (const std::string_view line : later) {
        require(line.starts_with("[") || line.starts_with("  "), "a result line or its detail");
        result_lines += line.starts_with("[") ? 1 : 0;
    }
    require(result_lines == results.size(), "one line per result after the summary");
}

bool is_metric_name(std::string_view name) {
    const auto first = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    };
    return !name.empty() && first(name.front()) &&
           std::all_of(name.begin(), name.end(),
                       [&](char c) { return first(c) || (c >= '0' && c <= '9'); });
}

// `{name="value",...}`: returns the length of the label set, escapes checked.
std::size_t label_set_length(std::string_view text) {
    require(text.starts_with("{"), "a sample has labels");
    std::size_t i = 1;
    while (text.substr(i, 1) != "}") {
        if (i > 1) require(text.substr(i++, 1) == ",", "labels are separated by commas");
        const std::size_t equals = text.find("=\"", i);
        require(equals != std::string_view::npos && is_metric_name(text.substr(i, equals - i)),
                "a label name");
        for (i = equals + 2; text.substr(i, 1) != "\""; ++i) {
            require(i < text.size() && text[i] != '\n', "a label value is closed");
            if (text[i] == '\\') {
                require(text.substr(i + 1, 1).find_first_of("\\\"n") == 0, "label escapes");
                ++i;
            }
        }
        ++i;
        require(i < text.size(), "a label set is closed");
    }
    return i + 1;
}

void check_prometheus(std::string_view output) {
    require(testing::is_valid_utf8(output), "prometheus output is UTF-8");
    std::string family;
    std::set<std::string, std::less<>> families;
    std::set<std::string, std::less<>> series;
    for (const std::string_view line : output_lines(output)) {
        if (line.starts_with("# HELP ")) {
            const std::string_view rest = line.substr(7);
            family = rest.substr(0, rest.find(' '));
            require(is_metric_name(family) && rest.size() > family.size() + 1, "a HELP line");
            require(families.insert(family).second, "each family once");
            continue;
        }
        if (line.starts_with("# TYPE ")) {
            require(line == fmt::format("# TYPE {} gauge", family), "a TYPE line after HELP");
            continue;
        }
        require(!family.empty() && line.starts_with(family) && line.substr(family.size(), 1) == "{",
                "a sample of the current family");
        const std::size_t labels = label_set_length(line.substr(family.size()));
        const std::string_view name_and_labels = line.substr(0, family.size() + labels);
        require(series.insert(std::string(name_and_labels)).second, "each series once");
        require(line.substr(name_and_labels.size(), 1) == " ", "a space before the value");
        const std::string value(line.substr(name_and_labels.size() + 1));
        char* end = nullptr;
        std::strtod(value.c_str(), &end);
        require(!value.empty() && end == value.c_str() + value.size(), "a sample value");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = fuzz::as_text(data, size);
    const std::size_t nul = std::min(input.find('\0'), input.size());
    fuzz::ByteReader knobs(input.substr(std::min(nul + 1, input.size())));
    FormatterOptions options = options_from(knobs);
    std::vector<CheckResult> results;
    for (const std::string_view records : fuzz::split(input.substr(0, nul), "\n\n")) {
        results.push_back(result_from(records, knobs));
    }
    options.authoritative = knobs.flag();

    ExitCode exit_code{};
    check_text(formatted(Format::text, results, options, exit_code), results, options.colour);
    check_json(formatted(Format::json, results, options, exit_code), results);
    check_json_lines(formatted(Format::jsonl, results, options, exit_code), results);
    check_csv(formatted(Format::csv, results, options, exit_code), results);
    const std::string nagios = formatted(Format::nagios, results, options, exit_code);
    check_nagios(nagios, results, exit_code);
    check_prometheus(formatted(Format::prometheus, results, options, exit_code));
    return 0;
}
