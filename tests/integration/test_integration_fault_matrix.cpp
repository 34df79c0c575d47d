// Bulk runs of thousands of domains while the resolver path misbehaves: a share of the names
// answered SERVFAIL, REFUSED, not at all, too late, truncated, with garbage, with a wrong ID or
// question; 30% of the packets lost; the server killed and started again mid-run. Each run must
// end within its deadlines, write exactly one row per line with the right status (a failed
// lookup is `error` with its dns-* code, never `missing`), and keep its memory bounded.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "own_responder.hpp"
#include "temp_file.hpp"
#include "testbed.hpp"

using namespace tlsrpt::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t list_lines = 2000;

// Room for every answer that comes, however loaded the machine: three tries (at 0, 1 and 3 s)
// within a deadline of 4 s, which a silent server uses up and a `slow` answer (10 s late)
// always misses. The window holds all 500 faults of a list at once, so that they wait out
// their deadline together.
constexpr int patient_deadline_ms = 4000;
const std::vector<std::string> patient = {
    "--timeout",     "1000", "--tries", "3", "--deadline", std::to_string(patient_deadline_ms),
    "--concurrency", "600"};

// `MODE.nI.faults.test` for line I: fault_responder answers by MODE, and distinct names make
// distinct lookups.
std::string name_on_line(const std::string& mode, std::size_t line) {
    return mode + ".n" + std::to_string(line) + ".faults.test";
}

// Every `share`-th line of `lines` asks for `fault`, the others for a policy.
std::string list_with_fault(const std::string& fault, std::size_t share, std::size_t lines) {
    std::string list;
    for (std::size_t line = 1; line <= lines; ++line) {
        list += name_on_line(line % share == 0 ? fault : "policy", line) + '\n';
    }
    return list;
}

struct BulkRun {
    ProcessResult process;
    std::map<std::size_t, Json> rows;  // by line number
};

BulkRun check_list(const std::string& server, const std::string& list,
                   const std::vector<std::string>& options) {
    const TempFile file(list);
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", server,     "--format",
                                     "jsonl",       "-f",       file.path()};
    argv.insert(argv.end(), options.begin(), options.end());
    BulkRun run{run_process(argv, {}, bulk_memory_env(), 120), {}};
    INFO(run.process.err);
    run.rows = rows_by_line(run.process.out);
    return run;
}

// What every bulk run must do whatever the faults: one row for each line, the summary, the
// exit code of a run with lookup errors, bounded memory.
void require_whole_run(const BulkRun& run, std::size_t lines) {
    INFO(run.process.err);
    CHECK(run.process.exit_code == 4);
    REQUIRE(run.rows.size() == lines);
    CHECK(run.rows.begin()->first == 1);
    CHECK(run.rows.rbegin()->first == lines);
    CHECK(run.process.err.find("summary: " + std::to_string(lines) + " row(s) in ") == 0);
    CHECK(run.process.max_rss_kib < bulk_memory_limit_kib);
}

// A row for a policy fault_responder served.
bool is_policy_row(const Json& row) {
    return row["status"].string() == "valid" && codes(row).empty() &&
           row["records"][0].string() == "v=TLSRPTv1; rua=mailto:tlsrpt@example.com";
}

// A failed lookup as every one must look: error, one dns-* code, no record, never missing.
bool is_lookup_error(const Json& row, const std::string& code) {
    return row["status"].string() == "error" && codes(row) == std::vector<std::string>{code} &&
           row["dns"]["error"].string() == code && row["records"].size() == 0;
}

// A quarter of the lines answered with `fault`, which must end as `code`; the rest valid.
void check_fault_share(const std::string& fault, const std::string& code) {
    const auto started = std::chrono::steady_clock::now();
    const BulkRun run = check_list(faults, list_with_fault(fault, 4, list_lines), patient);
    require_whole_run(run, list_lines);
    for (const auto& [line, row] : run.rows) {
        INFO("line " << line << ": " << row["input"].string() << ", status "
                     << row["status"].string() << ", codes "
                     << Catch::Detail::stringify(codes(row)));
        if (line % 4 == 0) {
            REQUIRE(is_lookup_error(row, code));
            // The deadline holds (with room for a loaded machine's event loop).
            REQUIRE(row["dns"]["elapsed_ms"].number() < patient_deadline_ms + 2000);
        } else {
            REQUIRE(is_policy_row(row));
        }
    }
    // 500 failures of at most 4 s each, all at once: seconds, not minutes, under a sanitizer.
    CHECK(std::chrono::steady_clock::now() - started < 60s);
}

}  // namespace

TEST_CASE("fault matrix: SERVFAIL for a quarter of the names, asked again, then dns-servfail") {
    check_fault_share("servfail", "dns-servfail");
}

TEST_CASE("fault matrix: REFUSED for a quarter of the names is dns-refused") {
    check_fault_share("refused", "dns-refused");
}

TEST_CASE("fault matrix: other rcodes (NOTIMP) are dns-rcode") {
    check_fault_share("notimp", "dns-rcode");
}

TEST_CASE("fault matrix: no answer at all is dns-timeout") {
    check_fault_share("silent", "dns-timeout");
}

TEST_CASE("fault matrix: answers delayed past the deadline are dns-timeout") {
    check_fault_share("slow", "dns-timeout");
}

TEST_CASE("fault matrix: answer sections cut short are dns-malformed") {
    check_fault_share("truncated", "dns-malformed");
}

TEST_CASE("fault matrix: truncated UDP answers repeated over TCP as garbage are dns-malformed") {
    check_fault_share("tc-garbage", "dns-malformed");
}

TEST_CASE("fault matrix: garbage after the question is dns-malformed") {
    check_fault_share("garbage", "dns-malformed");
}

TEST_CASE("fault matrix: answers with a wrong ID are ignored: dns-timeout") {
    check_fault_share("wrong-id", "dns-timeout");
}

TEST_CASE("fault matrix: answers to a wrong question are ignored: dns-timeout") {
    check_fault_share("wrong-question", "dns-timeout");
}

TEST_CASE("fault matrix: with 30% of the queries lost, retries save most lookups") {
    OwnResponder lossy(30);
    REQUIRE(lossy.start());
    std::string list;
    for (std::size_t line = 1; line <= list_lines; ++line)
        list += name_on_line("policy", line) + '\n';
    // Three tries of 1, 2 and 4 s fit in the deadline: a lookup fails only when all three
    // queries are lost, 0.3^3 = 2.7% of them, and an answer that comes is never too late.
    const BulkRun run = check_list(
        lossy.server(), list,
        {"--timeout", "1000", "--tries", "3", "--deadline", "8000", "--concurrency", "2000"});
    require_whole_run(run, list_lines);
    std::size_t failed = 0, first_try = 0;
    for (const auto& [line, row] : run.rows) {
        INFO("line " << line);
        if (row["status"].string() == "error") {
            REQUIRE(is_lookup_error(row, "dns-timeout"));
            CHECK(row["dns"]["attempts"].number() == 3);
            ++failed;
        } else {
            REQUIRE(is_policy_row(row));
            if (row["dns"]["attempts"].number() == 1) ++first_try;
        }
    }
    // 54 failures and 1400 answers at the first try expected; six standard deviations apart.
    CHECK(failed >= 10);
    CHECK(failed <= 130);
    CHECK(first_try >= 1250);
    CHECK(first_try <= 1550);
}

TEST_CASE("fault matrix: the server killed and started again mid-run") {
    // Below the kernel's ephemeral range (32768 and up): while the server is down, no client
    // socket of a test running in parallel can be given its port.
    OwnResponder responder(0, TESTBED_FAULT_PORT - 30000);
    REQUIRE(responder.start());
    FedProcess run({TLSRPT_BINARY, "--server", responder.server(), "--format", "jsonl", "--rate",
                    "1000", "--timeout", "500", "--tries", "3", "--deadline", "5000", "-f", "-"});
    // Each phase's lines are fed once the previous phase's rows are all out: lines 1-500 while
    // the server is up, 501-700 while it is down, 701-1200 after it has started again. The
    // limit only ends a run that never writes its rows.
    std::size_t next_line = 1;
    const auto phase = [&](std::size_t lines) {
        std::string list;
        for (std::size_t i = 0; i < lines; ++i) list += name_on_line("policy", next_line++) + '\n';
        run.write(list);
        std::map<std::size_t, Json> rows;
        for (std::size_t i = 0; i < lines; ++i) {
            const auto line = run.read_line(std::chrono::seconds(60));
            REQUIRE(line);
            const Json row = Json::parse(*line);
            rows.emplace(static_cast<std::size_t>(row["line"].number()), row);
        }
        REQUIRE(rows.size() == lines);
        CHECK(rows.begin()->first == next_line - lines);
        CHECK(rows.rbegin()->first == next_line - 1);
        return rows;
    };

    for (const auto& [line, row] : phase(500)) {
        INFO("line " << line);
        CHECK(is_policy_row(row));
    }
    responder.kill();
    for (const auto& [line, row] : phase(200)) {
        INFO("line " << line);
        // The port is closed: the queries meet "port unreachable", or time out where the
        // kernel's limit on ICMP messages left one without its answer.
        CHECK((is_lookup_error(row, "dns-unreachable") || is_lookup_error(row, "dns-timeout")));
    }
    REQUIRE(responder.start());
    for (const auto& [line, row] : phase(500)) {
        INFO("line " << line);
        CHECK(is_policy_row(row));
    }
    const ProcessResult rest = run.finish();
    CHECK(rest.out.empty());
    CHECK(rest.exit_code == 4);
}
