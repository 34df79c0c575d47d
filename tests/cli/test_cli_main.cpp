// The program as a whole: help, version, usage errors, the default command, colour.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "cli.hpp"

using namespace tlsrpt::testing;

namespace {

// Runs the binary with standard output and error on a new pseudo-terminal and only `env` as
// its environment; returns what the terminal received.
std::string run_on_terminal(const std::vector<std::string>& arguments,
                            const std::vector<std::string>& env) {
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    const std::string terminal = ptsname(master);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        setsid();
        const int slave = open(terminal.c_str(), O_RDWR);
        dup2(slave, STDOUT_FILENO);
        dup2(slave, STDERR_FILENO);
        std::vector<std::string> argv = {TLSRPT_BINARY};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        std::vector<char*> argv_pointers, env_pointers;
        for (auto& argument : argv) argv_pointers.push_back(argument.data());
        argv_pointers.push_back(nullptr);
        std::vector<std::string> env_copy = env;
        for (auto& variable : env_copy) env_pointers.push_back(variable.data());
        env_pointers.push_back(nullptr);
        execve(argv_pointers[0], argv_pointers.data(), env_pointers.data());
        _exit(127);
    }
    std::string received;
    char buffer[4096];
    for (;;) {
        const ssize_t n = read(master, buffer, sizeof buffer);
        if (n > 0) {
            received.append(buffer, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;  // EIO once the child has closed the terminal
        }
    }
    close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    return received;
}

}  // namespace

TEST_CASE("the version flag prints the name and version") {
    const auto run = run_cli({"--version"});
    CHECK(run.out == "tlsrpt-check 0.1.0\n");
    CHECK(run.exit_code == 0);
}

TEST_CASE("the help shows the default command's options first, then the commands") {
    const auto run = run_cli({"--help"});
    CHECK(run.exit_code == 0);
    CHECK(run.err.empty());
    CHECK(run.out.rfind("Checks SMTP TLS Reporting (TLS-RPT, RFC 8460) records.\n"
                        "Usage: tlsrpt-check [check] [OPTIONS] [DOMAIN...] [-f FILE]\n"
                        "       tlsrpt-check lint [OPTIONS] [RECORD...]\n"
                        "       tlsrpt-check generate [OPTIONS] [DESTINATION...]\n\n"
                        "Positionals of check, the default command:\n"
                        "  DOMAIN TEXT ...",
                        0) == 0);
    const auto options = run.out.find("\nOptions of check:\n");
    const auto commands = run.out.find("\nSubcommands:\n");
    REQUIRE(options != std::string::npos);
    REQUIRE(commands != std::string::npos);
    CHECK(options < commands);
    for (const char* option : {"  --format ", "  --server ", "  -f,--file ", "  --deep ",
                               "  --concurrency ", "  -o,--output "}) {
        INFO(option);
        const auto at = run.out.find(option);
        CHECK((at > options && at < commands));
    }
    for (const char* command : {"  check ", "  lint ", "  generate "}) {
        CHECK(run.out.find(command, commands) != std::string::npos);
    }
    CHECK(run.out.find("JSON output: one result is one object, several results an array of "
                       "them, and -f makes\none document {\"schema_version\": 1, \"results\": "
                       "[...], \"summary\": {...}}; jsonl\nwrites one object per line. The JSON "
                       "Schema files in schema/ describe each shape.\n") != std::string::npos);
    CHECK(run.out.find("Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 4 lookup error") !=
          std::string::npos);
    for (const char* command : {"lint", "generate", "check"}) {
        const auto help = run_cli({command, "--help"});
        CHECK(help.exit_code == 0);
        CHECK(help.out.find(std::string("Usage: tlsrpt-check ") + command) != std::string::npos);
    }
}

TEST_CASE("lint and generate list only the exit codes they can give") {
    const auto lint = run_cli({"lint", "--help"});
    CHECK(lint.out.find("Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 64 usage error, "
                        "65 input that\ncannot be read as TXT records, 66 input file cannot be "
                        "opened or read, 70 internal\nerror, 74 standard output cannot be "
                        "written.") != std::string::npos);
    const auto generate = run_cli({"generate", "--help"});
    CHECK(generate.out.find("Exit codes: 0 the record is printed, 64 usage error, 65 a "
                            "destination or --domain that\ncannot be used, 70 internal error, 74 "
                            "standard output cannot be written.") != std::string::npos);
    for (const auto& help : {lint.out, generate.out}) {
        CHECK(help.find("lookup error") == std::string::npos);
        CHECK(help.find("130") == std::string::npos);
        CHECK(help.find("nagios") == std::string::npos);
    }
}

TEST_CASE("a first word close to a command is a usage error that asks what was meant") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"help"},
         "'help' is not a command, nor a domain name (it has no dot): did you mean "
         "--help?"},
        {{"version"},
         "'version' is not a command, nor a domain name (it has no dot): did you "
         "mean --version?"},
        {{"chek", "example.com"},
         "'chek' is not a command, nor a domain name (it has no dot): "
         "did you mean check?"},
        {{"lnit", "v=TLSRPTv1; rua=mailto:a@example.com"},
         "'lnit' is not a command, nor a domain name (it has no dot): did you mean lint?"},
        {{"generat", "a@example.com"},
         "'generat' is not a command, nor a domain name (it has no "
         "dot): did you mean generate?"},
    };
    for (const auto& [arguments, message] : cases) {
        const auto run = run_cli(arguments);
        INFO(arguments.front());
        CHECK(run.err == "tlsrpt-check: error: " + message + "\n");
        CHECK(run.out.empty());
        CHECK(run.exit_code == 64);
    }
    // A monitoring system hears of it as UNKNOWN, on standard output.
    const auto plugin = run_cli({"chek", "--format", "nagios", "example.com"});
    CHECK(plugin.out ==
          "TLSRPT UNKNOWN - 'chek' is not a command, nor a domain name (it has no dot): did you "
          "mean check?\n");
    CHECK(plugin.exit_code == 3);
}

TEST_CASE("an unknown option names the closest one") {
    auto run = run_cli({"--formt", "json", "example.com"});
    CHECK(run.err ==
          "tlsrpt-check: error: unknown option --formt: did you mean --format? (see --help)\n");
    CHECK(run.exit_code == 64);
    run = run_cli({"lint", "--fromat=json", "x"});
    CHECK(run.err ==
          "tlsrpt-check: error: unknown option --fromat: did you mean --format? (see --help)\n");
    run = run_cli({"generate", "--mailot", "a@example.com"});
    CHECK(run.err ==
          "tlsrpt-check: error: unknown option --mailot: did you mean --mailto? (see --help)\n");
    // Nothing close: no guess.
    run = run_cli({"--bogus"});
    CHECK(run.err == "tlsrpt-check: error: unknown option --bogus (see --help)\n");
}

TEST_CASE("a bad option value says what is expected") {
    std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--rate", "0", "x.test"},
         "--rate: expected a number of lookups per second above 0, "
         "got '0'"},
        {{"--rate", "abc", "x.test"},
         "--rate: expected a number of lookups per second above 0, "
         "got 'abc'"},
        {{"--timeout", "abc", "x.test"},
         "--timeout: expected a number of milliseconds from 1 to "
         "600000, got 'abc'"},
        {{"--deadline", "0", "x.test"},
         "--deadline: expected a number of milliseconds from 1 to "
         "600000, got '0'"},
        {{"--tries", "11", "x.test"},
         "--tries: expected a number of passes from 1 to 10, got "
         "'11'"},
        {{"--concurrency", "-1", "x.test"},
         "--concurrency: expected a number of domains from 1 "
         "to 4096, got '-1'"},
        {{"-t", "1.5", "x.test"},
         "--check-timeout: expected a number of seconds from 1 to 600, "
         "got '1.5'"},
        {{"generate", "--ttl", "99999999999", "a@example.com"},
         "--ttl: expected a number of seconds from 0 to 2147483647, got '99999999999'"},
    };
    // An empty -o name would mean standard output.
    cases.push_back({{"check", "-o", "", "example.com"}, "--output: FILE must not be empty"});
    // CLI11 reads "nan" and "inf" as numbers, and 1e-400 as 0: none is a rate.
    for (const std::string rate : {"nan", "inf", "-inf", "-1", "1e-400", "5x"}) {
        cases.push_back(
            {{"check", "--rate", rate, "example.com"},
             "--rate: expected a number of lookups per second above 0, got '" + rate + "'"});
    }
    for (const auto& [arguments, message] : cases) {
        const auto run = run_cli(arguments);
        INFO(message);
        CHECK(run.err == "tlsrpt-check: error: " + message + "\n");
        CHECK(run.out.empty());
        CHECK(run.exit_code == 64);
    }
}

TEST_CASE("usage errors are one line on standard error, exit 64") {
    auto run = run_cli({});
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: a subcommand is required (see --help)\n");
    CHECK(run.exit_code == 64);

    run = run_cli({"lint", "--bogus", "x"});
    CHECK(run.err == "tlsrpt-check: error: unknown option --bogus (see --help)\n");
    CHECK(run.exit_code == 64);

    run = run_cli({"generate", "--ttl"});
    CHECK(run.err.rfind("tlsrpt-check: error: --ttl: 1 required", 0) == 0);
    CHECK(run.exit_code == 64);

    // Only --deep and --authoritative connect to servers that DNS names.
    run = run_cli({"--allow-private", "x.test"});
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: --allow-private needs --deep or --authoritative\n");
    CHECK(run.exit_code == 64);
}

TEST_CASE("a first argument that is no command runs check") {
    // An invalid name fails before any lookup, so this needs no DNS server.
    const auto run = run_cli({"bad..example", "--format", "jsonl"});
    const auto explicit_check = run_cli({"check", "bad..example", "--format", "jsonl"});
    CHECK(run.out == explicit_check.out);
    CHECK(run.out.find("\"input\":\"bad..example\"") != std::string::npos);
    CHECK(run.out.find("invalid-domain") != std::string::npos);
    CHECK(run.exit_code == explicit_check.exit_code);
}

TEST_CASE("colour only on a terminal, without NO_COLOR and TERM=dumb") {
    const std::vector<std::string> lint = {"lint", "v=tlsrptv1;rua=mailto:a@example.com"};
    const std::string coloured = run_on_terminal(lint, {"TERM=xterm"});
    CHECK(coloured.find("\x1b[") != std::string::npos);
    CHECK(coloured.find("invalid") != std::string::npos);
    for (const auto& env : {std::vector<std::string>{"TERM=xterm", "NO_COLOR=1"},
                            std::vector<std::string>{"TERM=dumb"}}) {
        const std::string plain = run_on_terminal(lint, env);
        CHECK(plain.find("invalid: senders will not use this policy") != std::string::npos);
        CHECK(plain.find('\x1b') == std::string::npos);
    }
    // An empty NO_COLOR does not count (no-color.org).
    CHECK(run_on_terminal(lint, {"TERM=xterm", "NO_COLOR="}).find("\x1b[") != std::string::npos);
    // Not a terminal: plain, whatever the environment says.
    CHECK(run_cli(lint, {}, {"TERM=xterm"}).out.find('\x1b') == std::string::npos);
}
