// Records and names built to attack whatever displays or parses the output (hostile.test.zone:
// terminal escape sequences, controls, invalid UTF-8, spreadsheet formulas, quotes, line
// breaks): every format is compared byte for byte with testdata/hostile/, and checked for what
// it promises: text, csv and nagios are printable ASCII, json stays valid UTF-8 JSON, csv keeps
// its columns, nagios and prometheus get no extra line, performance data or label.
//
// NSD is asked directly: its TTLs do not count down and it keeps the zone's record order, so
// the output is the same on every run but for the lookup times, which are replaced by markers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "testbed.hpp"
#include "utf8.hpp"

using namespace tlsrpt::testing;
using namespace std::string_literals;

namespace {

const std::vector<std::string> hostile_names = {
    "csi.hostile.test",
    "cursor.hostile.test",
    "title.hostile.test",
    "link.hostile.test",
    "controls.hostile.test",
    "utf8.hostile.test",
    "formula.hostile.test",
    "plus.hostile.test",
    "minus.hostile.test",
    "at.hostile.test",
    "quoted.hostile.test",
    "extension.hostile.test",
    "newline.hostile.test",
    "cname.hostile.test",
    // Arguments that are no domain names reach the output as given: a metric and a plugin
    // status line to inject, a formula, an OSC sequence with a C1 CSI and U+2028, invalid UTF-8.
    "x\"} 1\ntlsrpt_status{domain=\"evil",
    "=1+1|x",
    "\x1b]0;pwned\x07\\\xc2\x9b\xe2\x80\xa8",
    "ok.test\r\nTLSRPT OK - forged | time=0s\xff",
};

ProcessResult check_hostile(const std::string& format, const std::vector<std::string>& names,
                            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", nsd, "--format", format};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), names.begin(), names.end());
    return run_process(argv);
}

// Replaces the number (digits and dots) after each `prefix` in `text` with `marker`.
void mask_numbers_after(std::string& text, std::string_view prefix, std::string_view marker) {
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
        const std::size_t begin = at + prefix.size();
        std::size_t end = begin;
        while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) {
            ++end;
        }
        if (end > begin) text.replace(begin, end - begin, marker);
        at = begin;
    }
}

// The output with what changes from run to run replaced: NSD's address, whose port the build
// chooses; lookup times (text, nagios, json, csv's elapsed_ms column, nagios' time
// performance data); the prometheus duration and timestamp samples.
std::string with_fixed_measurements(std::string output) {
    for (std::size_t at = 0; (at = output.find(nsd, at)) != std::string::npos;) {
        output.replace(at, nsd.size(), "<nsd>");
    }
    mask_numbers_after(output, " in ", "<ms>");
    mask_numbers_after(output, "attempt(s), ", "<ms>");
    mask_numbers_after(output, "\"elapsed_ms\": ", "<ms>");
    mask_numbers_after(output, "\"elapsed_ms\":", "<ms>");
    mask_numbers_after(output, ",<nsd>,1,", "<ms>");
    mask_numbers_after(output, "time'=", "<s>");
    for (const std::string_view metric :
         {"\ntlsrpt_lookup_duration_seconds{", "\ntlsrpt_check_timestamp_seconds{"}) {
        for (std::size_t at = output.find(metric); at != std::string::npos;
             at = output.find(metric, at + 1)) {
            const std::size_t line_end = output.find('\n', at + 1);
            const std::size_t value = output.rfind("} ", line_end) + 2;
            output.replace(value, line_end - value, "<value>");
        }
    }
    return output;
}

// The expected output `name`; with TLSRPT_UPDATE_EXPECTED=1 in the environment, `actual` is
// written there first, for review with git diff after an intended change of the output.
std::string expected(const std::string& name, const std::string& actual) {
    const std::filesystem::path path =
        std::filesystem::path(TLSRPT_SOURCE_DIR) / "testdata" / "hostile" / name;
    if (const char* update = std::getenv("TLSRPT_UPDATE_EXPECTED"); update && *update == '1') {
        std::ofstream(path, std::ios::binary) << actual;
    }
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// Nothing but printable ASCII and line feeds: no byte a terminal acts on.
bool printable_ascii_lines(const std::string& text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return c == '\n' || (c >= 0x20 && c <= 0x7e); });
}

// RFC 4180 cells of one line: quoted cells may hold commas and doubled quotes.
std::vector<std::string> csv_cells(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            cells.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            cells.emplace_back();
        } else {
            cells.back() += c;
        }
    }
    REQUIRE_FALSE(quoted);
    return cells;
}

// Every line has `columns` cells and no cell starts a spreadsheet formula.
void check_csv_rows(const std::vector<std::string>& lines, std::size_t columns) {
    for (const std::string& line : lines) {
        INFO(line);
        const auto cells = csv_cells(line);
        CHECK(cells.size() == columns);
        for (const std::string& cell : cells) {
            CHECK(
                (cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string::npos));
        }
    }
}

// A prometheus sample: a name, labels whose values escape only \\, \" and \n (so that no raw
// quote ends one early), a value.
bool is_sample_line(std::string_view line) {
    constexpr std::string_view lower_case = "abcdefghijklmnopqrstuvwxyz";
    const auto take = [&](std::string_view allowed) {
        const std::size_t end = std::min(line.find_first_not_of(allowed), line.size());
        const std::string_view taken = line.substr(0, end);
        line.remove_prefix(end);
        return taken;
    };
    const auto skip = [&](std::string_view expected) {
        if (!line.starts_with(expected)) return false;
        line.remove_prefix(expected.size());
        return true;
    };
    if (take(std::string(lower_case) + "_").empty() || !skip("{")) return false;
    do {
        if (take(lower_case).empty() || !skip("=\"")) return false;
        while (!line.empty() && line.front() != '"') {
            if (skip("\\")) {
                if (!skip("\\") && !skip("\"") && !skip("n")) return false;
            } else {
                line.remove_prefix(1);
            }
        }
        if (!skip("\"")) return false;
    } while (skip(","));
    return skip("} ") && !take("0123456789.").empty() && line.empty();
}

}  // namespace

TEST_CASE("hostile records: text shows every byte of data escaped") {
    const auto run = check_hostile("text", hostile_names);
    CHECK(run.exit_code == 4);
    CHECK(run.err.empty());
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("text.expected", fixed));
    CHECK(printable_ascii_lines(run.out));
}

TEST_CASE("hostile records: json is valid UTF-8 JSON holding the bytes received") {
    const auto run = check_hostile("json", hostile_names);
    CHECK(run.exit_code == 4);
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("json.expected", fixed));
    CHECK(is_valid_utf8(run.out));
    // Control characters only as escapes: the raw ones left are the indentation's.
    CHECK(std::none_of(run.out.begin(), run.out.end(),
                       [](char c) { return (c >= 0 && c < 0x20 && c != '\n') || c == 0x7f; }));
    Json results;
    REQUIRE_NOTHROW(results = Json::parse(run.out));
    REQUIRE(results.size() == hostile_names.size());
    const auto result = [&](const std::string& name) -> const Json& {
        const auto at = std::find(hostile_names.begin(), hostile_names.end(), name);
        return results[static_cast<std::size_t>(at - hostile_names.begin())];
    };
    CHECK(result("newline.hostile.test")["records"][0].string() ==
          "v=TLSRPTv1; rua=mailto:tlsrpt@example.com\nTLSRPT OK - forged | time=0s;;;0\r\n"
          "tlsrpt_status{domain=\"x\",status=\"valid\"} 1");
    CHECK(result("controls.hostile.test")["records"][0].string() ==
          "v=TLSRPTv1; rua=mailto:tls\0rpt\a\b\x7f@example.com"s);
    CHECK(result("extension.hostile.test")["policy"]["extensions"]["x"].string() ==
          "\"q\",\\b|p'@+-");
    CHECK(result("formula.hostile.test")["policy"]["rua"][0]["uri"].string() ==
          "mailto:=1+1@example.com");
    // Ill-formed UTF-8 becomes U+FFFD, one per byte; the C1 CSI stays a character (escaped).
    CHECK(result("utf8.hostile.test")["records"][0].string() ==
          "v=TLSRPTv1; rua=mailto:\xef\xbf\xbd\xef\xbf\xbd@example.com,mailto:\xef\xbf\xbd"
          "\xef\xbf\xbd@\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.example.com,mailto:\xe2\x80\xa8"
          "\xe2\x80\xae\xc2\x9b\xef\xbf\xbd@example.com\xef\xbf\xbd");
    for (const std::size_t i : {14, 15, 16}) {
        CHECK(results[i]["input"].string() == hostile_names[i]);
    }
}

TEST_CASE("hostile records: jsonl is one valid object per line") {
    const auto run = check_hostile("jsonl", hostile_names);
    CHECK(run.exit_code == 4);
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("jsonl.expected", fixed));
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == hostile_names.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        Json row;
        REQUIRE_NOTHROW(row = Json::parse(lines[i]));
        if (is_valid_utf8(hostile_names[i])) CHECK(row["input"].string() == hostile_names[i]);
    }
}

TEST_CASE("hostile records: csv keeps one line and 15 columns per row, formulas neutralised") {
    const auto run = check_hostile("csv", hostile_names);
    CHECK(run.exit_code == 4);
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("csv.expected", fixed));
    CHECK(printable_ascii_lines(run.out));
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 1 + hostile_names.size());
    check_csv_rows(lines, 15);
}

TEST_CASE("hostile records: nagios gets no extra line and no extra performance data") {
    // -vv prints the records, destinations and suggestions too.
    const auto run = check_hostile("nagios", hostile_names, {"-vv"});
    CHECK(run.exit_code == 2);
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("nagios.expected", fixed));
    CHECK(printable_ascii_lines(run.out));
    const auto lines = lines_of(run.out);
    REQUIRE_FALSE(lines.empty());
    CHECK(std::count(lines[0].begin(), lines[0].end(), '|') == 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        INFO(lines[i]);
        CHECK(lines[i].find('|') == std::string::npos);
        // Every line after the first is a domain's verdict or indented under it.
        CHECK((lines[i].rfind("[", 0) == 0 || lines[i].rfind("  ", 0) == 0));
    }
}

TEST_CASE("hostile records: a plugin check of one hostile name is one line") {
    const auto run = check_hostile("nagios", {hostile_names.back()});
    CHECK(run.exit_code == 3);
    CHECK(run.out ==
          "TLSRPT UNKNOWN - ok.test\\013\\010TLSRPT OK - forged \\124 time=0s\\255: lookup failed: "
          "invalid-domain\n"
          "error invalid-domain: expected one domain name such as example.com, saw several "
          "words: \"ok.test\\x0D\\x0ATLSRPT OK - forged \\124 time=0s\\xFF\"\n");
}

TEST_CASE("hostile records: prometheus gets no extra line, series or label") {
    const auto run = check_hostile("prometheus", hostile_names);
    CHECK(run.exit_code == 4);
    const std::string fixed = with_fixed_measurements(run.out);
    CHECK(fixed == expected("prometheus.expected", fixed));
    CHECK(is_valid_utf8(run.out));
    std::size_t status_samples = 0;
    for (const std::string& line : lines_of(run.out)) {
        INFO(line);
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
        CHECK(is_sample_line(line));
        if (line.rfind("tlsrpt_status{", 0) == 0) ++status_samples;
    }
    CHECK(status_samples == 5 * hostile_names.size());
    REQUIRE(std::filesystem::exists(PROMTOOL));
    const auto promtool = run_process({PROMTOOL, "check", "metrics"}, run.out);
    INFO(promtool.out << promtool.err);
    CHECK(promtool.exit_code == 0);
}

TEST_CASE("hostile records: --deep sections escape what DNS sent, in every format") {
    const std::vector<std::string> names = {"deep.hostile.test", "misplaced.hostile.test"};
    for (const std::string format : {"text", "csv", "nagios"}) {
        INFO(format);
        const auto run = check_hostile(format, names, {"--deep", "-vv"});
        CHECK(run.err.empty());
        CHECK(printable_ascii_lines(run.out));
        // The decoder gives a name in presentation form, the label's ESC as \027: shown as it
        // is, not escaped once more.
        if (format != "nagios")
            CHECK(run.out.find("mx\\027[31m.hostile.test") != std::string::npos);
    }
    const auto csv = check_hostile("csv", names, {"--deep"});
    const auto lines = lines_of(csv.out);
    REQUIRE(lines.size() == 3);
    check_csv_rows(lines, 24);

    const auto jsonl = check_hostile("jsonl", names, {"--deep"});
    CHECK(is_valid_utf8(jsonl.out));
    const auto rows = lines_of(jsonl.out);
    REQUIRE(rows.size() == 2);
    const Json deep = Json::parse(rows[0]);
    REQUIRE(deep["mx"]["hosts"].size() == 2);
    CHECK(deep["mx"]["hosts"][0]["host"].string() == "mx\\027[31m.hostile.test");
    CHECK(deep["mta_sts"]["records"][0].string() == "v=STSv1; id=\x1b]0;pwned\a");
    CHECK(deep["mta_sts"]["status"].string() == "invalid");
    CHECK(deep["destinations"][0]["verdict"].string() == "non-public");
    const Json misplaced = Json::parse(rows[1]);
    REQUIRE(misplaced["misplaced"].size() == 1);
    CHECK(misplaced["misplaced"][0]["record"].string() ==
          "v=TLSRPTv1; rua=mailto:x@example.com\x1b[1A\nTLSRPT OK");

    const auto prometheus = check_hostile("prometheus", names, {"--deep"});
    for (const std::string& line : lines_of(prometheus.out)) {
        INFO(line);
        if (line.rfind("# ", 0) == 0) continue;
        CHECK(is_sample_line(line));
    }
}
