// Input and output faults of bulk checks: a list of a million lines with malformed ones among
// them, lists that cannot be read, and output that cannot be written (a reader that left, a
// closed standard output, a full disk, a file size limit): one row per domain line, or one
// error line and a documented exit code; never a death by SIGPIPE.
#include <catch2/catch.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

constexpr std::size_t million = 1'000'000;

// One line of the generated list and the row it must give.
struct ListLine {
    std::string text;                   // with its line ending
    std::optional<std::string> status;  // none: a line that names no domain gives no row
    std::string csv_input;              // the input column of its row
};

// Nine lines in ten name one of four domains of cases.test, served by NSD, so that the four
// lookups are made once and every repeat is answered from them. Every tenth line is one of six
// kinds of line that is not a plain domain line.
ListLine line_of_list(std::size_t number) {
    if (number % 10 != 0) {
        static const std::pair<const char*, const char*> domains[] = {
            {"valid.cases.test", "valid"},
            {"warning.cases.test", "warning"},
            {"invalid.cases.test", "invalid"},
            {"nx.cases.test", "missing"},
        };
        const auto& [domain, status] = domains[number % 4];
        return {std::string(domain) + '\n', status, domain};
    }
    const std::string overlong_label(64, 'a');
    switch (number / 10 % 6) {
        case 0:
            return {overlong_label + ".cases.test\n", "error", overlong_label + ".cases.test"};
        case 1:
            return {
                "bin\x01\x02"
                "ary\0.cases.test\n"s,
                "error", "bin\\001\\002ary\\000.cases.test"};
        case 2:
            return {"\xff\xfe.cases.test\n", "error", "\\255\\254.cases.test"};
        case 3:
            return {"\n", std::nullopt, ""};
        case 4:
            return {"# a comment, then nothing\n", std::nullopt, ""};
        default:
            return {"valid.cases.test\r\n", "valid", "valid.cases.test"};
    }
}

// The cells of a csv row this test needs: status, codes, input and line, which hold no comma
// here (only the record and suggestion columns in between may).
struct CsvRow {
    std::string status;
    std::string codes;
    std::string input;
    std::size_t line = 0;
};

std::optional<CsvRow> parse_row(const std::string& row) {
    const auto first = row.find(',');
    const auto second = row.find(',', first + 1);
    const auto third = row.find(',', second + 1);
    const auto last = row.rfind(',');
    const auto before_last = row.rfind(',', last - 1);
    if (third == std::string::npos || before_last <= third) return std::nullopt;
    CsvRow parsed{row.substr(first + 1, second - first - 1),
                  row.substr(second + 1, third - second - 1),
                  row.substr(before_last + 1, last - before_last - 1)};
    const auto [end, error] =
        std::from_chars(row.data() + last + 1, row.data() + row.size(), parsed.line);
    if (error != std::errc{} || end != row.data() + row.size()) return std::nullopt;
    return parsed;
}

std::string contents_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string silent_names(std::size_t count) {
    std::string list;
    for (std::size_t i = 1; i <= count; ++i)
        list += "silent.n" + std::to_string(i) + ".faults.test\n";
    return list;
}

}  // namespace

TEST_CASE("a million-line list, a tenth of it malformed, gives one row per domain line") {
    std::string list_text;
    list_text.reserve(20 * million);
    std::size_t rows_expected = 0;
    for (std::size_t number = 1; number <= million; ++number) {
        const ListLine line = line_of_list(number);
        list_text += line.text;
        if (line.status) ++rows_expected;
    }
    const TempFile list(list_text);
    list_text = {};
    // Written with -o and read back line by line: 150 MB of rows need not sit in memory.
    const TempFile output("");
    const auto run = run_process(
        {TLSRPT_BINARY, "--server", nsd, "--format", "csv", "-o", output.path(), "-f", list.path()},
        {}, bulk_memory_env(), 300);
    INFO(run.err);
    CHECK(run.exit_code == 4);
    CHECK(run.err.find("summary: " + std::to_string(rows_expected) + " row(s) in ") == 0);
    CHECK(run.err.find(" 4 lookup(s), ") != std::string::npos);
    CHECK(run.max_rss_kib < bulk_memory_limit_kib);
    CHECK(run.wall < 120s);

    std::ifstream rows(output.path());
    std::string row;
    REQUIRE(std::getline(rows, row));
    CHECK(row.rfind("domain,status,", 0) == 0);
    std::vector<bool> seen(million + 1);
    std::size_t rows_read = 0;
    while (std::getline(rows, row)) {
        ++rows_read;
        const auto parsed = parse_row(row);
        INFO(row);
        REQUIRE(parsed);
        REQUIRE(parsed->line >= 1);
        REQUIRE(parsed->line <= million);
        REQUIRE_FALSE(seen[parsed->line]);
        seen[parsed->line] = true;
        const ListLine expected = line_of_list(parsed->line);
        REQUIRE(expected.status);
        REQUIRE(parsed->status == *expected.status);
        REQUIRE(parsed->input == expected.csv_input);
        if (parsed->status == "error") REQUIRE(parsed->codes == "invalid-domain");
    }
    CHECK(rows_read == rows_expected);
}

TEST_CASE("a reader that left stops the run: exit 74, one error line, no further lookups") {
    // Looked up to the end, these 6000 names would take 7 s; the reader wants one line.
    const TempFile list(silent_names(6000));
    const auto run = run_process({"/bin/bash", "-c",
                                  std::string(TLSRPT_BINARY) + " --server " + faults +
                                      " --timeout 300 --tries 1 --format jsonl -f " + list.path() +
                                      " | head -1; exit ${PIPESTATUS[0]}"});
    CHECK(run.exit_code == 74);
    CHECK(run.err == "tlsrpt-check: error: cannot write to standard output: Broken pipe\n");
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 1);
    CHECK(codes(Json::parse(lines[0])) == std::vector<std::string>{"dns-timeout"});
    CHECK(run.wall < 4s);
}

TEST_CASE("check: an output that cannot be written is exit 74 with its reason") {
    const std::pair<StandardOutput, const char*> broken_outputs[] = {
        {StandardOutput::reader_gone, "Broken pipe"},
        {StandardOutput::closed, "Bad file descriptor"},
        {StandardOutput::full_disk, "No space left on device"},
    };
    for (const auto& [kind, reason] : broken_outputs) {
        for (const char* format : {"text", "jsonl", "csv", "prometheus"}) {
            INFO(format << ", " << reason);
            ProcessOptions options;
            options.standard_output = kind;
            const auto run = run_process({TLSRPT_BINARY, "--server", nsd, "--format", format,
                                          "valid.cases.test", "nx.cases.test"},
                                         options);
            CHECK(run.exit_code == 74);
            CHECK(run.err == std::string("tlsrpt-check: error: cannot write to standard output: ") +
                                 reason + "\n");
        }
    }
}

TEST_CASE("check: nagios with an output that cannot be written is UNKNOWN") {
    ProcessOptions options;
    options.standard_output = StandardOutput::reader_gone;
    const auto run = run_process(
        {TLSRPT_BINARY, "--server", nsd, "--format", "nagios", "valid.cases.test"}, options);
    CHECK(run.exit_code == 3);
}

TEST_CASE("check: an -o file that cannot be written is exit 73 and left as it was") {
    std::string list;
    for (int i = 0; i < 200; ++i) list += "valid.cases.test\n";
    const TempFile list_file(list);
    const TempFile output("the previous output\n");
    // A file size limit of one block: the rows do not fit. SIGXFSZ ignored, writing past the
    // limit fails with EFBIG.
    const auto run = run_process({"/bin/sh", "-c",
                                  "ulimit -f 1; trap '' XFSZ; exec " + std::string(TLSRPT_BINARY) +
                                      " --server " + nsd + " --format csv -o " + output.path() +
                                      " -f " + list_file.path()});
    CHECK(run.exit_code == 73);
    CHECK(run.err == "tlsrpt-check: error: cannot write " + output.path() + ": File too large\n");
    CHECK(contents_of(output.path()) == "the previous output\n");
    // Nor is the temporary file left behind.
    const std::filesystem::path directory = std::filesystem::path(output.path()).parent_path();
    const std::string temporary_prefix =
        "." + std::filesystem::path(output.path()).filename().string() + ".";
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        CHECK(entry.path().filename().string().rfind(temporary_prefix, 0) != 0);
    }
}

TEST_CASE("check: a list that cannot be read is exit 66 with its reason, not an empty list") {
    const auto directory = run_process({TLSRPT_BINARY, "--server", nsd, "-f", "/"});
    CHECK(directory.exit_code == 66);
    CHECK(directory.out.empty());
    CHECK(directory.err.ends_with("\ntlsrpt-check: error: cannot read /: Is a directory\n"));

    const auto closed_input = run_process(
        {"/bin/sh", "-c", "exec " + std::string(TLSRPT_BINARY) + " --server " + nsd + " -f - <&-"});
    CHECK(closed_input.exit_code == 66);
    CHECK(closed_input.err.ends_with(
        "\ntlsrpt-check: error: cannot read standard input: Bad file descriptor\n"));
}

TEST_CASE("a line without end (-f /dev/zero) is one malformed row in bounded memory") {
    // Read past, never kept: memory stays flat however long the line, and SIGTERM stops the
    // run although no read ever blocks (timeout's SIGKILL 5 s later would be exit code 137).
    const auto run = run_process(
        {"/usr/bin/timeout", "--foreground", "--preserve-status", "-k", "5", "-s", "TERM", "2",
         TLSRPT_BINARY, "--server", nsd, "--format", "jsonl", "-f", "/dev/zero"},
        {}, bulk_memory_env(), 30);
    INFO(run.err);
    CHECK(run.exit_code == 130);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == 1);
    const Json& row = rows.at(1);
    CHECK(row["status"].string() == "error");
    CHECK(row["input"].string().empty());
    REQUIRE(row["diagnostics"].size() == 1);
    CHECK(row["diagnostics"][0]["code"].string() == "invalid-domain");
    CHECK(row["diagnostics"][0]["message"].string() == "line 1: longer than 65536 octets");
    CHECK(run.err.find("summary: 1 row(s) (interrupted)") != std::string::npos);
    CHECK(run.max_rss_kib < bulk_memory_limit_kib);
}

TEST_CASE("a 10 MB line is a row of its own, and the lines after it are read") {
    const auto run =
        run_process({"/bin/sh", "-c",
                     "{ head -c 10000000 /dev/zero; printf '\\nvalid.cases.test\\n'; } | " +
                         std::string(TLSRPT_BINARY) + " --server " + nsd + " --format csv -f -"},
                    {}, bulk_memory_env());
    INFO(run.err);
    CHECK(run.exit_code == 4);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 3);
    REQUIRE(lines[1].size() < 100);  // not the line echoed (a failure would print it)
    CHECK(lines[1] == ",error,invalid-domain,,,,,,,,,,,,1");
    CHECK(lines[2].rfind("valid.cases.test,valid,", 0) == 0);
    CHECK(lines[2].ends_with(",valid.cases.test,2"));
    CHECK(run.max_rss_kib < bulk_memory_limit_kib);
}

TEST_CASE("memory running out on the writing thread is exit 70 and one line, rows before kept") {
    // Every line names one domain: the rows complete together with its lookup, a batch that
    // the writing thread formats into more than 64 KiB, and alloc_fault refuses that memory.
    std::string list;
    for (int i = 0; i < 2000; ++i) list += "valid.cases.test\n";
    const TempFile list_file(list);
    std::vector<std::string> env = {"LD_PRELOAD=" ALLOC_FAULT};
#if defined(__SANITIZE_ADDRESS__)
    // The injector comes before the sanitizer's runtime in the list of libraries.
    const char* options = std::getenv("ASAN_OPTIONS");
    env.push_back("ASAN_OPTIONS=" + (options != nullptr ? std::string(options) + ":" : "") +
                  "verify_asan_link_order=0");
#endif
    const auto run = run_process(
        {TLSRPT_BINARY, "--server", nsd, "--format", "csv", "-f", list_file.path()}, {}, env);
    CHECK(run.exit_code == 70);
    CHECK(run.err == "tlsrpt-check: error: internal error: std::bad_alloc\n");
    REQUIRE_FALSE(run.out.empty());
    CHECK(run.out.back() == '\n');
    const auto lines = lines_of(run.out);
    CHECK(lines.size() > 1);
    CHECK(lines.size() < 2001);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        INFO("row " << i);
        REQUIRE(lines[i].rfind("valid.cases.test,valid,", 0) == 0);
    }
}
