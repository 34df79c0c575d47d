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

TEST_CASE("the help lists the commands and the exit codes") {
    const auto run = run_cli({"--help"});
    CHECK(run.exit_code == 0);
    CHECK(run.err.empty());
    CHECK(run.out.rfind("Checks SMTP TLS Reporting (TLS-RPT, RFC 8460) records.\n"
                        "Usage: tlsrpt-check [OPTIONS] [SUBCOMMAND]\n",
                        0) == 0);
    for (const char* command : {"  check ", "  lint ", "  generate "}) {
        CHECK(run.out.find(command) != std::string::npos);
    }
    CHECK(run.out.find("Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 4 lookup error") !=
          std::string::npos);
    for (const char* command : {"lint", "generate", "check"}) {
        const auto help = run_cli({command, "--help"});
        CHECK(help.exit_code == 0);
        CHECK(help.out.find(std::string("Usage: tlsrpt-check ") + command) != std::string::npos);
    }
}

TEST_CASE("usage errors are one line on standard error, exit 64") {
    auto run = run_cli({});
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: a subcommand is required (see --help)\n");
    CHECK(run.exit_code == 64);

    run = run_cli({"--bogus"});
    CHECK(run.err == "tlsrpt-check: error: The following argument was not expected: --bogus\n");
    CHECK(run.exit_code == 64);

    run = run_cli({"lint", "--bogus", "x"});
    CHECK(run.err == "tlsrpt-check: error: The following argument was not expected: --bogus\n");
    CHECK(run.exit_code == 64);

    run = run_cli({"generate", "--ttl"});
    CHECK(run.err.rfind("tlsrpt-check: error: --ttl: 1 required", 0) == 0);
    CHECK(run.exit_code == 64);
}

TEST_CASE("check: a rate that is no positive number is a usage error") {
    for (const char* rate : {"nan", "inf", "-inf", "0", "-1", "1e-400", "fast", "5x"}) {
        INFO(rate);
        const auto run = run_cli({"check", "--rate", rate, "example.com"});
        CHECK(run.exit_code == 64);
        CHECK(run.out.empty());
        CHECK(run.err == std::string("tlsrpt-check: error: --rate: QPS must be a positive "
                                     "number of lookups per second, such as 50 or 0.5, not '") +
                             rate + "'\n");
    }
}

TEST_CASE("check: an empty -o file name is a usage error, not standard output") {
    const auto run = run_cli({"check", "-o", "", "example.com"});
    CHECK(run.exit_code == 64);
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: --output: FILE must not be empty\n");
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
