// Bulk checks of domain lists (-f): one row per line whatever the line holds, duplicates looked
// up once, order, summary, interruption.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;

namespace {

ProcessResult check_list(const std::string& server, const std::vector<std::string>& arguments,
                         const std::string& input = {}) {
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", server};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_process(argv, input);
}

const std::string mixed_list =
    "# a comment, then a blank line\n"
    "\n"
    "valid.cases.test\r\n"
    "  warning.cases.test  \n"
    "1,invalid.cases.test\n"
    "two words\n"
    "valid.cases.test\n"
    "nx.cases.test\n"
    "2,VALID.cases.test.\n"
    "bad..name\n";

}  // namespace

TEST_CASE("a list yields one row per domain line, malformed lines included with their number") {
    const TempFile list(mixed_list);
    const auto run = check_list(unbound, {"--format", "jsonl", "-f", list.path()});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 4);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == 8);
    CHECK(rows.at(3)["status"].string() == "valid");
    CHECK(rows.at(4)["status"].string() == "warning");
    CHECK(rows.at(5)["status"].string() == "invalid");
    CHECK(rows.at(5)["input"].string() == "invalid.cases.test");
    CHECK(rows.at(6)["status"].string() == "error");
    CHECK(codes(rows.at(6)) == std::vector<std::string>{"invalid-domain"});
    CHECK(rows.at(6)["input"].string() == "two words");
    CHECK(rows.at(7)["status"].string() == "valid");
    CHECK(rows.at(8)["status"].string() == "missing");
    CHECK(rows.at(9)["domain"].string() == "valid.cases.test");
    CHECK(rows.at(9)["status"].string() == "valid");
    CHECK(codes(rows.at(10)) == std::vector<std::string>{"invalid-domain"});
}

TEST_CASE("a list with a header, CSV columns, comments and pasted forms of domains") {
    const TempFile list(
        "rank,domain,owner\n"
        "1,valid.cases.test,ops # our own\n"
        "2,_smtp._tls.valid.cases.test,ops\n"
        "3,https://warning.cases.test/,web\n"
        "4,postmaster@nx.cases.test,mail\n"
        "5,\"invalid.cases.test\",\"Owner, Inc\"\n");
    const auto run = check_list(
        unbound, {"--format", "jsonl", "--ordered", "--concurrency", "1", "-f", list.path()});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 3);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == 5);
    CHECK(rows.at(2)["input"].string() == "valid.cases.test");
    CHECK(codes(rows.at(2)).empty());
    // The same domain again, named by its query name: the lookup is shared, the note is not.
    CHECK(rows.at(3)["domain"].string() == "valid.cases.test");
    CHECK(codes(rows.at(3)) == std::vector<std::string>{"query-name-given"});
    CHECK(rows.at(4)["status"].string() == "warning");
    CHECK(has_code(rows.at(4), "url-given"));
    CHECK(rows.at(5)["status"].string() == "missing");
    CHECK(codes(rows.at(5)) == std::vector<std::string>{"no-record", "address-given"});
    CHECK(rows.at(6)["status"].string() == "invalid");
    CHECK(run.err.find(" 4 lookup(s)") != std::string::npos);
}

TEST_CASE("an empty list says so on stderr") {
    for (const std::string& content :
         {std::string(), std::string("# nothing\n\n"), std::string("domain\n")}) {
        const TempFile list(content);
        const auto run = check_list(unbound, {"--format", "csv", "-f", list.path()});
        INFO(content);
        CHECK(run.exit_code == 0);
        CHECK(lines_of(run.out).size() == 1);  // the header of the csv
        CHECK(run.err.find("tlsrpt-check: note: " + list.path() +
                           " names no domain: it is empty, or holds only blank lines, comments "
                           "and a header\n") != std::string::npos);
    }
    const auto piped = check_list(unbound, {"-f", "-"}, "");
    CHECK(piped.err.find("tlsrpt-check: note: standard input names no domain") !=
          std::string::npos);
}

TEST_CASE("a domain repeated in a list is looked up once and reported for each line") {
    std::string list_text;
    for (int i = 0; i < 30; ++i) list_text += "valid.cases.test\nnx.cases.test\n";
    const TempFile list(list_text);
    const auto run = check_list(unbound, {"--format", "jsonl", "-f", list.path()});
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(rows_by_line(run.out).size() == 60);
    CHECK(run.err.find("summary: 60 row(s)") != std::string::npos);
    CHECK(run.err.find(" 2 lookup(s)") != std::string::npos);
}

TEST_CASE("a repeat reuses one of the last 1024 results; a repeat further on is asked again") {
    // NXDOMAIN at once from the fault responder; `between` other domains before the repeat.
    const auto lookups_for = [](int between) {
        std::string list_text = "answered0.faults.test\n";
        for (int i = 1; i <= between; ++i) {
            list_text += "answered" + std::to_string(i) + ".faults.test\n";
        }
        list_text += "answered0.faults.test\n";
        const TempFile list(list_text);
        const auto run = check_list(faults, {"--format", "csv", "-f", list.path()});
        INFO(run.err);
        CHECK(lines_of(run.out).size() == static_cast<std::size_t>(between) + 3);
        return run.err;
    };
    CHECK(lookups_for(10).find(" 11 lookup(s)") != std::string::npos);
    CHECK(lookups_for(2000).find(" 2002 lookup(s)") != std::string::npos);
}

TEST_CASE("a list is read from standard input with -f -, after the command-line domains") {
    const auto run = check_list(unbound, {"--format", "csv", "--ordered", "signed.test", "-f", "-"},
                                "valid.cases.test\nnx.cases.test\n");
    INFO(run.err);
    CHECK(run.exit_code == 2);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].rfind("domain,", 0) == 0);
    CHECK(lines[1].rfind("signed.test,valid,", 0) == 0);
    CHECK(lines[2].rfind("valid.cases.test,valid,", 0) == 0);
    CHECK(lines[2].ends_with(",valid.cases.test,1"));
    CHECK(lines[3].rfind("nx.cases.test,missing,", 0) == 0);
    CHECK(lines[3].ends_with(",nx.cases.test,2"));
}

TEST_CASE("a row is written once ready, before the next line of a slow pipe comes") {
    FedProcess run({TLSRPT_BINARY, "--server", unbound, "--format", "jsonl", "-f", "-"});
    run.write("valid.cases.test\n");
    // The row must come while the input stays open without a second line; the limit only
    // ends a run that never writes it.
    const auto first = run.read_line(std::chrono::seconds(60));
    REQUIRE(first);
    CHECK(Json::parse(*first)["domain"].string() == "valid.cases.test");
    CHECK(Json::parse(*first)["status"].string() == "valid");
    run.write("nx.cases.test\n");
    const auto second = run.read_line(std::chrono::seconds(60));
    REQUIRE(second);
    CHECK(Json::parse(*second)["status"].string() == "missing");
    const auto rest = run.finish();
    CHECK(rest.out.empty());
    CHECK(rest.exit_code == 2);
}

TEST_CASE("a pause in the pipe longer than the deadline costs no try, deadline or elapsed time") {
    // The queries of both lines leave when the reader gives the round back, 2 s after the first
    // line was read: their deadlines, try timers and elapsed times count from then.
    const auto run = run_process(
        {"/bin/sh", "-c",
         "(echo valid.cases.test; sleep 2; echo nx.cases.test) | " + std::string(TLSRPT_BINARY) +
             " --server " + unbound +
             " --deadline 1000 --timeout 1000 --tries 1 --ordered --format jsonl -f -"});
    INFO(run.err);
    CHECK(run.exit_code == 2);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows.at(1)["status"].string() == "valid");
    CHECK(rows.at(2)["status"].string() == "missing");
    for (const auto& [number, row] : rows) {
        INFO("line " << number);
        CHECK(row["dns"]["attempts"].number() == 1);
        CHECK(row["dns"]["elapsed_ms"].number() < 1000);
    }
}

TEST_CASE("ordered output keeps input order over a large list") {
    std::string list_text;
    const std::vector<std::string> cases = {"valid", "warning", "nx", "invalid", "split", "alias"};
    for (int i = 0; i < 300; ++i) list_text += cases[i % cases.size()] + ".cases.test\n";
    const TempFile list(list_text);
    const auto run = check_list(
        unbound, {"--format", "jsonl", "--ordered", "--concurrency", "7", "-f", list.path()});
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 300);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Json row = Json::parse(lines[i]);
        REQUIRE(row["line"].number() == static_cast<double>(i + 1));
    }
}

TEST_CASE("csv and jsonl print exactly one line per row") {
    const TempFile list(mixed_list);
    const auto csv = check_list(unbound, {"--format", "csv", "-f", list.path()});
    CHECK(lines_of(csv.out).size() == 1 + 8);
    const auto jsonl = check_list(unbound, {"--format", "jsonl", "-f", list.path()});
    CHECK(lines_of(jsonl.out).size() == 8);
}

TEST_CASE("the summary counts statuses and the most frequent codes") {
    const TempFile list(mixed_list);
    const auto run = check_list(unbound, {"--format", "jsonl", "-f", list.path()});
    INFO(run.err);
    CHECK(run.err.find("summary: 8 row(s) in ") != std::string::npos);
    CHECK(run.err.find("3 valid 1 warning 1 missing 1 invalid 2 error") != std::string::npos);
    CHECK(run.err.find("most frequent codes: invalid-domain 2 ") != std::string::npos);
}

TEST_CASE("with json and a list, the summary is part of the document") {
    const TempFile list(mixed_list);
    const auto run = check_list(unbound, {"--format", "json", "-f", list.path()});
    CHECK(run.err.empty());
    CHECK(run.out.rfind("{\"schema_version\": 1, \"results\": [\n", 0) == 0);
    const Json document = Json::parse(run.out);
    CHECK(document["schema_version"].number() == 1);
    CHECK(document["results"].size() == 8);
    CHECK(document["summary"]["rows"].number() == 8);
    CHECK(document["summary"]["statuses"]["valid"].number() == 3);
    CHECK(document["summary"]["top_codes"][0]["code"].string() == "invalid-domain");
    CHECK(document["summary"]["lookups"].number() == 4);
    CHECK_FALSE(document["summary"]["interrupted"].boolean());
}

TEST_CASE("the exit code is the highest over the rows of a list") {
    const TempFile valid_only("valid.cases.test\nsplit.cases.test\n");
    CHECK(check_list(unbound, {"-f", valid_only.path()}).exit_code == 0);
    const TempFile with_warning("valid.cases.test\nwarning.cases.test\n");
    CHECK(check_list(unbound, {"-f", with_warning.path()}).exit_code == 1);
    const TempFile with_missing("valid.cases.test\nnx.cases.test\nwarning.cases.test\n");
    CHECK(check_list(unbound, {"-f", with_missing.path()}).exit_code == 2);
}

TEST_CASE("progress goes to stderr when asked, also off a terminal") {
    const TempFile list(mixed_list);
    const auto quiet = check_list(unbound, {"--format", "csv", "-f", list.path()});
    CHECK(quiet.err.find(" in flight") == std::string::npos);
    const auto shown = check_list(unbound, {"--format", "csv", "--progress", "-f", list.path()});
    CHECK(shown.err.find(" in flight: ") != std::string::npos);
    CHECK(lines_of(shown.out).size() == 1 + 8);
}

TEST_CASE("a list named by path that is a pipe, not a regular file, is read too") {
    const auto run = run_process({"/bin/sh", "-c",
                                  "printf 'valid.cases.test\\n' | " + std::string(TLSRPT_BINARY) +
                                      " --server " + unbound + " --format csv -f /dev/stdin"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(lines_of(run.out).size() == 2);
}

TEST_CASE("a list that cannot be opened is exit code 66") {
    const auto run = check_list(unbound, {"-f", "/nonexistent/list.txt"});
    CHECK(run.exit_code == 66);
    CHECK(run.out.empty());
}

TEST_CASE("SIGINT stops the run: every line has a whole row, the pending ones interrupted") {
    std::string list_text;
    for (int i = 0; i < 20; ++i) {
        list_text += "answered" + std::to_string(i) + ".faults.test\n";  // NXDOMAIN at once
        list_text += "silent.faults.test\n";
    }
    const TempFile list(list_text);
    // timeout(1) sends SIGINT after 1 s and reports the program's own exit status; with
    // --foreground it signals the program once, not its process group a second time (which the
    // program would take for a second Ctrl-C).
    const auto run = run_process({"/usr/bin/timeout", "--foreground", "--preserve-status", "-s",
                                  "INT", "1", TLSRPT_BINARY, "--server", faults, "--timeout",
                                  "5000", "--format", "jsonl", "-f", list.path()});
    INFO(run.err);
    CHECK(run.exit_code == 130);
    const auto rows = rows_by_line(run.out);
    REQUIRE(rows.size() == 40);
    for (const auto& [number, row] : rows) {
        INFO("line " << number);
        if (number % 2 == 0 || row["status"].string() == "error") {
            // The silent ones for sure; an answered one only on a machine too busy to finish
            // it within the second.
            CHECK(codes(row) == std::vector<std::string>{"interrupted"});
            CHECK(row["status"].string() == "error");
            CHECK(row["dns"].is_null());
        } else {
            CHECK(row["status"].string() == "missing");
        }
    }
    CHECK(run.err.find("summary: 40 row(s) (interrupted)") != std::string::npos);
}

TEST_CASE("SIGINT stops a run waiting for more lines on a pipe that stays open") {
    // The shell holds the pipe's write end open until the program has ended: the program
    // cannot have ended by reading the end of its input. The signal is sent once the first
    // line's row is out.
    const TempDirectory scratch;
    const std::string pipe = scratch.path() + "/lines";
    const std::string out = scratch.path() + "/out.csv";
    const auto run = run_process(
        {"/bin/sh", "-c",
         "mkfifo " + pipe + "; " + std::string(TLSRPT_BINARY) + " --server " + unbound +
             " --format csv -f - <" + pipe + " >" + out + " & pid=$!; exec 3>" + pipe +
             "; echo valid.cases.test >&3; until [ \"$(wc -l <" + out +
             ")\" -ge 2 ] || ! kill -0 $pid; do sleep 0.05; done; kill -INT $pid; wait $pid; "
             "status=$?; exec 3>&-; cat " +
             out + "; exit $status"});
    INFO(run.err);
    CHECK(run.exit_code == 130);
    CHECK(run.err.find("summary: 1 row(s) (interrupted) in ") != std::string::npos);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].rfind("valid.cases.test,valid,", 0) == 0);
}

TEST_CASE("SIGINT stops an endless list of repeats answered from the cache") {
    // Every line after the first is answered at once: the run never waits on the network, and
    // must still notice the signal (timeout's SIGKILL 5 s later would be exit code 137). Only
    // the end of the output is kept.
    const auto run = run_process(
        {"/bin/bash", "-c",
         "yes valid.cases.test | /usr/bin/timeout --foreground --preserve-status -k 5 -s INT 1 " +
             std::string(TLSRPT_BINARY) + " --server " + nsd +
             " --format csv -f - | tail -n 1; exit ${PIPESTATUS[1]}"},
        {}, {}, 20);
    INFO(run.err);
    CHECK(run.exit_code == 130);
    CHECK(run.wall < std::chrono::seconds(8));
    CHECK(run.out.rfind("valid.cases.test,valid,", 0) == 0);
    CHECK(run.err.find(" row(s) (interrupted) in ") != std::string::npos);
}

TEST_CASE("SIGTERM with --ordered still writes every row in order") {
    const TempFile list("silent.faults.test\nanswered.faults.test\n");
    const auto run = run_process({"/usr/bin/timeout", "--foreground", "--preserve-status", "-s",
                                  "TERM", "1", TLSRPT_BINARY, "--server", faults, "--timeout",
                                  "5000", "--format", "csv", "--ordered", "-f", list.path()});
    CHECK(run.exit_code == 130);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].rfind(",error,interrupted,", 0) == 0);
    CHECK(lines[1].ends_with(",silent.faults.test,1"));
    CHECK(lines[2].ends_with(",answered.faults.test,2"));
}

TEST_CASE("the rate option caps the lookups started per second") {
    std::string list_text;
    for (int i = 0; i < 20; ++i) list_text += "rate" + std::to_string(i) + ".faults.test\n";
    const TempFile list(list_text);
    const auto started = std::chrono::steady_clock::now();
    const auto run = check_list(faults, {"--format", "csv", "--rate", "50", "-f", list.path()});
    const auto wall = std::chrono::steady_clock::now() - started;
    CHECK(run.exit_code == 2);
    CHECK(lines_of(run.out).size() == 21);
    // One at once, then 19 at 50 per second.
    CHECK(wall >= std::chrono::milliseconds(350));
    CHECK(wall < std::chrono::milliseconds(3000));
}

TEST_CASE("the rate waits only before a new lookup: not for repeats, malformed lines or the end") {
    // At one lookup in 11.6 days, only the first line's lookup can start; the other lines need
    // none, and the run ends when the list does (timeout's kill at 20 s would be exit 137).
    const TempFile list("rate.faults.test\nrate.faults.test\ntwo words\nrate.faults.test\n");
    const auto run = run_process({TLSRPT_BINARY, "--server", faults, "--format", "csv", "--rate",
                                  "0.000001", "-f", list.path()},
                                 {}, {}, 20);
    CHECK(run.exit_code == 4);  // the malformed line
    CHECK(lines_of(run.out).size() == 5);
    CHECK(run.wall < std::chrono::seconds(10));
}

TEST_CASE("SERVFAIL is asked again after growing pauses") {
    const auto checked = check_domain(faults, "servfail.faults.test", {"--tries", "3"});
    CHECK(checked.row["dns"]["attempts"].number() == 3);
    // 100 ms, then 200 ms.
    CHECK(checked.row["dns"]["elapsed_ms"].number() >= 300);
    CHECK(checked.row["dns"]["elapsed_ms"].number() < 2000);
}

TEST_CASE("a second SIGINT exits at once, without a cut line") {
    // A name answered at once, whose row shows the run under way (the signals handled), then
    // names that never answer.
    std::string list_text = "answered.faults.test\n";
    for (int i = 0; i < 300'000; ++i) list_text += "silent.faults.test\n";
    const TempFile list(list_text);
    const TempDirectory scratch;
    const std::string out = scratch.path() + "/out.csv";
    // The first signal starts writing 300,000 interrupted rows; the second one cuts that short.
    const auto run = run_process(
        {"/bin/sh", "-c",
         std::string(TLSRPT_BINARY) + " --server " + faults + " --format csv -f " + list.path() +
             " >" + out + " & pid=$!; until [ \"$(wc -l <" + out +
             ")\" -ge 2 ] || ! kill -0 $pid; do sleep 0.05; done; kill -INT $pid; sleep 0.05; "
             "kill -INT $pid; wait $pid; status=$?; cat " +
             out + "; exit $status"});
    CHECK(run.exit_code == 130);
    REQUIRE_FALSE(run.out.empty());
    CHECK(run.out.back() == '\n');
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() >= 2);
    CHECK(lines.size() <= 300'002);
    CHECK(lines[1].rfind("answered.faults.test,", 0) == 0);
    for (std::size_t i = 2; i < lines.size(); ++i) {
        REQUIRE(lines[i].rfind(",error,interrupted,", 0) == 0);
        std::string line_number_column = ",";
        line_number_column += std::to_string(i);
        REQUIRE(lines[i].ends_with(line_number_column));
    }
}
