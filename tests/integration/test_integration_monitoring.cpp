// Monitoring against the testbed: the nagios plugin mode for every status (first line,
// performance data syntax, exit code), prometheus metrics through promtool, -o, and the
// documented examples run as written, with only the binary, --server and names replaced.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "temp_file.hpp"
#include "testbed.hpp"
#include "text_file.hpp"

using namespace tlsrpt::testing;

namespace {

const std::string source_dir = TLSRPT_SOURCE_DIR;

ProcessResult run_plugin(std::vector<std::string> arguments, const std::string& server = nsd) {
    arguments.insert(arguments.begin(), {TLSRPT_BINARY, "--server", server, "--format", "nagios"});
    return run_process(arguments);
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// The first line without its performance data, and the performance data.
std::pair<std::string, std::string> split_first_line(const std::string& text) {
    const std::string line = first_line(text);
    const auto bar = line.find(" | ");
    if (bar == std::string::npos) return {line, ""};
    return {line.substr(0, bar), line.substr(bar + 3)};
}

// Monitoring plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max], space-separated;
// a label with a space is single-quoted.
bool valid_perfdata(const std::string& perfdata) {
    std::size_t at = 0;
    const auto take_while = [&](auto allowed) {
        const std::size_t start = at;
        while (at < perfdata.size() && allowed(perfdata[at])) ++at;
        return at - start;
    };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    do {
        if (perfdata[at] == '\'') {
            ++at;
            if (take_while([](char c) { return c != '\'' && c != '='; }) == 0) return false;
            if (at >= perfdata.size() || perfdata[at++] != '\'') return false;
        } else if (take_while([](char c) { return c != ' ' && c != '\'' && c != '='; }) == 0) {
            return false;
        }
        if (at >= perfdata.size() || perfdata[at++] != '=') return false;
        if (perfdata[at] == '-') ++at;
        if (take_while(digit) == 0) return false;
        if (perfdata[at] == '.' && (++at, take_while(digit) == 0)) return false;
        const std::size_t unit_start = at;
        take_while([](char c) { return c != ';' && c != ' '; });
        const std::string unit = perfdata.substr(unit_start, at - unit_start);
        if (!unit.empty() && unit != "s" && unit != "ms" && unit != "us" && unit != "%" &&
            unit != "B" && unit != "KB" && unit != "MB" && unit != "TB" && unit != "c") {
            return false;
        }
        for (int field = 0; field < 4 && at < perfdata.size() && perfdata[at] == ';'; ++field) {
            ++at;
            take_while([](char c) {
                return std::string_view("0123456789.~:@-").find(c) != std::string_view::npos;
            });
        }
        if (at == perfdata.size()) return true;
    } while (perfdata[at++] == ' ' && at < perfdata.size());
    return false;
}

// The binary, pointed at the testbed, in place of the installed `tlsrpt-check` of an example.
std::string local_binary(const std::string& server = nsd) {
    return std::string(TLSRPT_BINARY) + " --server " + server;
}

ProcessResult shell(const std::string& command) {
    return run_process({"/bin/sh", "-c", command});
}

ProcessResult promtool_check_metrics(const std::string& metrics) {
    REQUIRE(std::filesystem::exists(PROMTOOL));  // Debian package prometheus
    return run_process({PROMTOOL, "check", "metrics"}, metrics);
}

}  // namespace

TEST_CASE("nagios: the first line and exit code of every status") {
    const struct {
        std::vector<std::string> arguments;
        std::string summary;
        int exit_code;
    } cases[] = {
        {{"valid.cases.test"},
         "TLSRPT OK - valid.cases.test: valid TLS-RPT policy, 1 destination",
         0},
        {{"warning.cases.test"},
         "TLSRPT WARNING - warning.cases.test: TLS-RPT policy in use, with warnings: "
         "duplicate-rua-field",
         1},
        {{"invalid.cases.test"},
         "TLSRPT CRITICAL - invalid.cases.test: senders will not use the TLS-RPT record: "
         "version-case",
         2},
        {{"twice.cases.test"},
         "TLSRPT CRITICAL - twice.cases.test: senders will not use the TLS-RPT record: "
         "multiple-tlsrpt-records",
         2},
        {{"nx.cases.test"},
         "TLSRPT CRITICAL - nx.cases.test: no TLS-RPT record published (no-record)",
         2},
        {{"--missing", "warning", "nodata.cases.test"},
         "TLSRPT WARNING - nodata.cases.test: no TLS-RPT record published (no-record)",
         1},
        {{"--missing=ok", "unrelated.cases.test"},
         "TLSRPT OK - unrelated.cases.test: no TLS-RPT record published (no-tlsrpt-record, "
         "unrelated-txt-record)",
         0},
        {{"-H", "valid.cases.test", "--expect-rua", "mailto:other@example.com"},
         "TLSRPT WARNING - valid.cases.test: TLS-RPT policy in use, with warnings: "
         "expected-rua-missing",
         1},
    };
    for (const auto& c : cases) {
        const auto run = run_plugin(c.arguments);
        INFO(run.out << run.err);
        const auto [summary, perfdata] = split_first_line(run.out);
        CHECK(summary == c.summary);
        CHECK(valid_perfdata(perfdata));
        CHECK(run.exit_code == c.exit_code);
        CHECK(run.err.empty());
    }
}

TEST_CASE("nagios: exact performance data from the authoritative server") {
    // The syntax check itself.
    CHECK(valid_perfdata("'a b'=1.5s;1:;;0 c=2;;;0"));
    for (const char* bad : {"a=1x", "a b=1", "a=", "'a=1", "a=1;;;;;", "a=1  b=2", ""}) {
        CHECK_FALSE(valid_perfdata(bad));
    }
    const auto run = run_plugin({"--min-ttl", "600", "ttl.cases.test"});
    INFO(run.out);
    CHECK(run.exit_code == 1);
    const auto [summary, perfdata] = split_first_line(run.out);
    CHECK(summary ==
          "TLSRPT WARNING - ttl.cases.test: TLS-RPT policy in use, with warnings: "
          "ttl-below-minimum");
    CHECK(valid_perfdata(perfdata));
    CHECK(perfdata.rfind("time=", 0) == 0);
    CHECK(perfdata.substr(perfdata.find(' ')) ==
          " records=1;;;0 destinations=1;;;0 ttl=300s;600:;;0");
    CHECK(run.out.substr(run.out.find('\n') + 1) ==
          "warning ttl-below-minimum: The TXT record's TTL is 300 s, below the 600 s that "
          "--min-ttl requires.\n");
}

TEST_CASE("nagios: a failed lookup and the check timeout are UNKNOWN") {
    const auto servfail = run_plugin({"bogus.test"}, unbound);
    CHECK(split_first_line(servfail.out).first ==
          "TLSRPT UNKNOWN - bogus.test: lookup failed: dns-servfail");
    CHECK(servfail.exit_code == 3);

    const auto started = std::chrono::steady_clock::now();
    const auto timed_out =
        run_plugin({"-t", "1", "--timeout", "5000", "silent.faults.test"}, faults);
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(timed_out.out);
    CHECK(split_first_line(timed_out.out).first ==
          "TLSRPT UNKNOWN - silent.faults.test: check timeout of 1 s reached during the TXT "
          "lookup of _smtp._tls.silent.faults.test");
    CHECK(timed_out.exit_code == 3);
    CHECK(took < std::chrono::milliseconds(2500));
}

TEST_CASE("nagios: usage errors are one UNKNOWN line on standard output") {
    for (const std::vector<std::string>& arguments :
         {std::vector<std::string>{"--no-such-option"},
          {"--missing", "sometimes", "x.test"},
          {"--expect-rua", "http://x.example", "x.test"},
          {}}) {
        const auto run = run_plugin(arguments);
        INFO(run.out << run.err);
        CHECK(run.exit_code == 3);
        CHECK(run.out.rfind("TLSRPT UNKNOWN - ", 0) == 0);
        CHECK(std::count(run.out.begin(), run.out.end(), '\n') == 1);
    }
}

TEST_CASE("nagios: several domains, the worst state, one line per domain and finding") {
    const auto run = run_plugin({"valid.cases.test", "warning.cases.test", "nx.cases.test"});
    INFO(run.out);
    CHECK(run.exit_code == 2);
    const auto [summary, perfdata] = split_first_line(run.out);
    CHECK(summary == "TLSRPT CRITICAL - 3 domains: 1 valid, 1 warning, 1 missing");
    CHECK(valid_perfdata(perfdata));
    CHECK(perfdata.find("'warning.cases.test destinations'=2;;;0") != std::string::npos);
    CHECK(run.out.find("\n[OK] valid.cases.test: valid TLS-RPT policy, 1 destination\n"
                       "[WARNING] warning.cases.test: TLS-RPT policy in use, with warnings: "
                       "duplicate-rua-field\n  warning duplicate-rua-field: ") !=
          std::string::npos);
    // no-record is a note: its code is in the summary, its line only with -v.
    CHECK(
        run.out.ends_with("\n[CRITICAL] nx.cases.test: no TLS-RPT record published (no-record)\n"));
}

TEST_CASE("nagios: record bytes cannot add lines or performance data") {
    const auto run = run_plugin({"-vv", "escape.cases.test"});
    INFO(run.out);
    CHECK(run.exit_code == 2);
    CHECK(run.out.find('\x1b') == std::string::npos);
    CHECK(run.out.find("record 1: v=TLSRPTv1; rua=mailto:tlsrpt@example.com\\027[2J\\007\n") !=
          std::string::npos);
    CHECK(std::count(run.out.begin(), run.out.end(), '|') == 1);
}

TEST_CASE("prometheus: promtool accepts the metrics, with the exact series") {
    const auto run =
        run_process({TLSRPT_BINARY, "--server", nsd, "--format", "prometheus", "valid.cases.test",
                     "twice.cases.test", "nx.cases.test", "ttl.cases.test", "bad..name"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 4);
    const auto checked = promtool_check_metrics(run.out);
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    for (const char* series :
         {"tlsrpt_status{domain=\"valid.cases.test\",status=\"valid\"} 1\n",
          "tlsrpt_status{domain=\"valid.cases.test\",status=\"invalid\"} 0\n",
          "tlsrpt_status{domain=\"twice.cases.test\",status=\"invalid\"} 1\n",
          "tlsrpt_status{domain=\"nx.cases.test\",status=\"missing\"} 1\n",
          "tlsrpt_status{domain=\"bad..name\",status=\"error\"} 1\n",
          "tlsrpt_txt_records{domain=\"twice.cases.test\"} 2\n",
          "tlsrpt_destinations{domain=\"valid.cases.test\"} 1\n",
          "tlsrpt_destinations{domain=\"twice.cases.test\"} 0\n",
          "tlsrpt_ttl_seconds{domain=\"ttl.cases.test\"} 300\n",
          "tlsrpt_ttl_seconds{domain=\"valid.cases.test\"} 3600\n",
          "tlsrpt_authenticated{domain=\"valid.cases.test\"} 0\n",
          "tlsrpt_diagnostics{domain=\"twice.cases.test\",code=\"multiple-tlsrpt-records\"} 1\n",
          "tlsrpt_diagnostics{domain=\"nx.cases.test\",code=\"no-record\"} 1\n",
          "tlsrpt_diagnostics{domain=\"bad..name\",code=\"invalid-domain\"} 1\n"}) {
        CHECK(run.out.find(series) != std::string::npos);
    }
    CHECK(run.out.find("\ntlsrpt_lookup_duration_seconds{domain=\"nx.cases.test\"} 0.") !=
          std::string::npos);
    const std::string timestamp = "\ntlsrpt_check_timestamp_seconds{domain=\"bad..name\"} ";
    const auto timestamp_at = run.out.find(timestamp);
    REQUIRE(timestamp_at != std::string::npos);
    const double checked_at = std::stod(run.out.substr(timestamp_at + timestamp.size()));
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(checked_at <= now);
    CHECK(checked_at > now - 60);
    CHECK(run.out.find("tlsrpt_ttl_seconds{domain=\"nx.cases.test\"}") == std::string::npos);
}

TEST_CASE("prometheus: a DNSSEC-validated answer is authenticated") {
    const auto run =
        run_process({TLSRPT_BINARY, "--server", unbound, "--format", "prometheus", "signed.test"});
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("tlsrpt_authenticated{domain=\"signed.test\"} 1\n") != std::string::npos);
    CHECK(promtool_check_metrics(run.out).exit_code == 0);
}

TEST_CASE("output file: -o replaces it in one rename, and only after a completed run") {
    const TempDirectory scratch;
    const std::filesystem::path dir = scratch.path();
    const std::string file = (dir / "out.txt").string();
    {
        std::ofstream old(file);
        old << "old\n";
    }
    struct stat before {};
    REQUIRE(stat(file.c_str(), &before) == 0);
    const auto run = run_plugin({"-o", file, "valid.cases.test"});
    CHECK(run.exit_code == 0);
    CHECK(run.out.empty());
    const std::string written = read_file(file);
    CHECK(split_first_line(written).first ==
          "TLSRPT OK - valid.cases.test: valid TLS-RPT policy, 1 destination");
    CHECK(std::count(written.begin(), written.end(), '\n') == 1);
    struct stat after {};
    REQUIRE(stat(file.c_str(), &after) == 0);
    CHECK(after.st_ino != before.st_ino);   // a new file renamed over the old one
    CHECK((after.st_mode & 0777) != 0600);  // not mkstemp's mode: readers can read it

    // A run that fails leaves the file as it was, and no temporary file behind.
    const auto failed = run_process({TLSRPT_BINARY, "--server", nsd, "-o", file});
    CHECK(failed.exit_code == 64);
    CHECK(read_file(file) == written);
    CHECK(std::distance(std::filesystem::directory_iterator(dir),
                        std::filesystem::directory_iterator()) == 1);

    const auto unwritable = run_process({TLSRPT_BINARY, "--server", nsd, "-o",
                                         (dir / "no" / "such.prom").string(), "valid.cases.test"});
    CHECK(unwritable.exit_code == 73);
    CHECK(unwritable.err.find("no/such.prom") != std::string::npos);
}

TEST_CASE("output file: a named pipe is written in place, not replaced") {
    const TempDirectory scratch;
    const std::filesystem::path dir = scratch.path();
    const std::string fifo = (dir / "rows").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    // cat reads the pipe to its end, then the run's output is in `copied`.
    const std::string copied = (dir / "copied").string();
    const auto run = run_process(
        {"/bin/sh", "-c",
         "cat " + fifo + " >" + copied + " & " + std::string(TLSRPT_BINARY) + " --server " + nsd +
             " --format csv -o " + fifo + " valid.cases.test; status=$?; wait; exit $status"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    struct stat after {};
    REQUIRE(stat(fifo.c_str(), &after) == 0);
    CHECK(S_ISFIFO(after.st_mode));
    const std::string written = read_file(copied);
    CHECK(written.rfind("domain,status,", 0) == 0);
    CHECK(written.find("\nvalid.cases.test,valid,") != std::string::npos);
    // Nothing but the pipe and the copy: no temporary file left behind.
    CHECK(std::distance(std::filesystem::directory_iterator(dir),
                        std::filesystem::directory_iterator()) == 2);
}

TEST_CASE("output file: a signal during the run leaves the file as it was, and no temporary") {
    // SIGHUP stops the run as SIGTERM does (exit 130); SIGUSR1, not handled, still ends it by
    // its default action, after the temporary file is removed.
    const std::pair<std::string, int> signals[] = {{"HUP", 130}, {"USR1", 128 + SIGUSR1}};
    for (const auto& [name, exit_code] : signals) {
        INFO(name);
        const TempDirectory scratch;
        const std::filesystem::path dir = scratch.path();
        const std::string file = (dir / "out.csv").string();
        std::ofstream(file) << "old\n";
        // A name answered at once, so that rows in the temporary file show the run under way
        // (the signals handled), then names that never answer.
        std::string list = "answered.faults.test\n";
        for (int i = 0; i < 20; ++i) list += "silent.n" + std::to_string(i) + ".faults.test\n";
        const TempFile list_file(list);
        const std::string temporary = dir.string() + "/.out.csv.*";
        const auto run =
            run_process({"/bin/sh", "-c",
                         std::string(TLSRPT_BINARY) + " --server " + faults +
                             " --timeout 5000 --format csv -o " + file + " -f " + list_file.path() +
                             " & pid=$!; until [ -s \"$(ls -d " + temporary +
                             " 2>/dev/null)\" ] || ! kill -0 $pid; do sleep 0.05; done; kill -" +
                             name + " $pid; wait $pid"},
                        {}, {}, 30);
        CHECK(run.exit_code == exit_code);
        CHECK(read_file(file) == "old\n");
        CHECK(std::distance(std::filesystem::directory_iterator(dir),
                            std::filesystem::directory_iterator()) == 1);
    }
}

TEST_CASE("examples: the cron line mails only when the result changes") {
    const std::string cron = read_file(source_dir + "/examples/cron/tlsrpt-check.cron");
    const std::string line = cron.substr(cron.rfind("\n17 ") + 1);
    // Five time fields and the user, then the command.
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 6; ++i) fields >> field;
    std::string command;
    std::getline(fields, command);
    const TempDirectory scratch;
    const std::filesystem::path dir = scratch.path();
    command = replace_all(command, "/var/lib/tlsrpt-check", dir.string());
    command = replace_all(command, "tlsrpt-check ", local_binary() + " ");
    const std::string valid = replace_all(command, "example.com", "valid.cases.test");

    const auto first = shell(valid);
    INFO(valid << "\n" << first.out << first.err);
    CHECK(first.out == "TLSRPT OK - valid.cases.test: valid TLS-RPT policy, 1 destination \n");
    CHECK(shell(valid).out.empty());
    {
        std::ofstream changed(dir / "valid.cases.test.txt");
        changed << "TLSRPT CRITICAL - valid.cases.test: no TLS-RPT record published\n";
    }
    CHECK(shell(valid).out == first.out);
}

TEST_CASE("examples: systemd units verify, and the service's command runs") {
    REQUIRE(std::filesystem::exists(SYSTEMD_ANALYZE));  // Debian package systemd
    const TempDirectory scratch;
    const std::filesystem::path dir = scratch.path();
    const std::string metrics_dir = (dir / "textfile").string();
    std::filesystem::create_directories(metrics_dir);
    for (const std::string unit : {"tlsrpt-check.service", "tlsrpt-check.timer"}) {
        std::string text = read_file(source_dir + "/examples/systemd/" + unit);
        text = replace_all(text, "/usr/local/bin/tlsrpt-check", local_binary());
        text = replace_all(text, "/var/lib/prometheus/node-exporter", metrics_dir);
        text = replace_all(text, "example.com example.org", "valid.cases.test warning.cases.test");
        std::ofstream(dir / unit) << text;
    }
    // --man=no: the unit's Documentation= page is not installed where the tests run.
    const auto verified =
        run_process({SYSTEMD_ANALYZE, "verify", "--man=no", (dir / "tlsrpt-check.service").string(),
                     (dir / "tlsrpt-check.timer").string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);

    const std::string service = read_file((dir / "tlsrpt-check.service").string());
    const auto start = service.find("\nExecStart=") + 11;
    const std::string exec_start = service.substr(start, service.find('\n', start) - start);
    const auto ran = shell(exec_start);
    INFO(exec_start << "\n" << ran.err);
    CHECK(ran.exit_code == 1);  // listed in SuccessExitStatus
    CHECK(service.find("\nSuccessExitStatus=1 2 3 4\n") != std::string::npos);
    const std::string metrics = read_file(metrics_dir + "/tlsrpt.prom");
    CHECK(metrics.find("tlsrpt_status{domain=\"warning.cases.test\",status=\"warning\"} 1\n") !=
          std::string::npos);
    CHECK(promtool_check_metrics(metrics).exit_code == 0);
}

TEST_CASE("examples: the Prometheus alerting rules are valid") {
    REQUIRE(std::filesystem::exists(PROMTOOL));
    const auto checked = run_process(
        {PROMTOOL, "check", "rules", source_dir + "/examples/prometheus/tlsrpt.rules.yml"});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
}

TEST_CASE("examples: the Nagios command runs as its service calls it") {
    const std::string config = read_file(source_dir + "/examples/nagios/tlsrpt.cfg");
    const auto at = config.find("command_line") + 12;
    std::string command = config.substr(at, config.find('\n', at) - at);
    const auto call = config.find("check_tlsrpt!") + 13;
    const std::string arguments = config.substr(call, config.find('\n', call) - call);
    const std::string arg2 = arguments.substr(arguments.find('!') + 1);
    command = replace_all(command, "/usr/local/bin/tlsrpt-check", local_binary());
    command = replace_all(command, "$ARG1$", "valid.cases.test");
    command = replace_all(command, "$ARG2$", arg2);
    const auto run = shell(command);
    INFO(command << "\n" << run.out << run.err);
    CHECK(split_first_line(run.out).first ==
          "TLSRPT OK - valid.cases.test: valid TLS-RPT policy, 1 destination");
    CHECK(run.exit_code == 0);
}

TEST_CASE("examples: every argument of the Icinga 2 CheckCommand is accepted") {
    const std::string config = read_file(source_dir + "/examples/icinga2/tlsrpt.conf");
    // A value for each argument key the CheckCommand passes; a new key needs one here.
    const std::map<std::string, std::string> values = {
        {"-H", "valid.cases.test"},
        {"-t", "10"},
        {"--missing", "critical"},
        {"--expect-rua", "mailto:tlsrpt@example.com"},
        {"--min-ttl", "60"}};
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", nsd};
    CHECK(config.find("command = [ \"/usr/local/bin/tlsrpt-check\", \"--format\", \"nagios\" ]") !=
          std::string::npos);
    argv.insert(argv.end(), {"--format", "nagios"});
    // The argument keys: lines `    "-x" = ...` inside `arguments = { ... }`.
    const std::string key_start = "\n    \"-";
    std::size_t keys = 0;
    for (std::size_t at = 0; (at = config.find(key_start, at)) != std::string::npos; ++keys) {
        at += key_start.size() - 1;
        const std::string option = config.substr(at, config.find('"', at) - at);
        INFO(option);
        REQUIRE(values.count(option) == 1);
        argv.insert(argv.end(), {option, values.at(option)});
    }
    CHECK(keys == values.size());
    const auto run = run_process(argv);
    INFO(run.out << run.err);
    CHECK(split_first_line(run.out).first ==
          "TLSRPT OK - valid.cases.test: valid TLS-RPT policy, 1 destination");
    CHECK(run.exit_code == 0);
}

TEST_CASE("examples: README and the man page show the example files' commands") {
    const std::string readme = read_file(source_dir + "/README.md");
    std::string man = read_file(source_dir + "/man/tlsrpt-check.1");
    man = replace_all(replace_all(man, "\\-", "-"), "\\e", "\\");
    const std::string cron = read_file(source_dir + "/examples/cron/tlsrpt-check.cron");
    const std::string cron_line = cron.substr(cron.rfind("\n17 ") + 1);
    const std::string service = read_file(source_dir + "/examples/systemd/tlsrpt-check.service");
    const auto start = service.find("\nExecStart=") + 1;
    const std::string exec_start = service.substr(start, service.find('\n', start) + 1 - start);
    const std::string nagios = read_file(source_dir + "/examples/nagios/tlsrpt.cfg");
    const auto command_at = nagios.find("command_line");
    const std::string command_line =
        nagios.substr(command_at, nagios.find('\n', command_at) - command_at);
    for (const std::string& text :
         {cron_line, exec_start, command_line, std::string("object CheckCommand \"tlsrpt\" {")}) {
        INFO(text);
        CHECK(readme.find(text) != std::string::npos);
        CHECK(man.find(text) != std::string::npos);
    }
}
