// Output that cannot be written (a reader that left, standard output closed, a full disk) and
// input that cannot be read: one error line naming the reason and a documented exit code, never
// a death by SIGPIPE.
#include <catch2/catch.hpp>

#include "cli.hpp"

using namespace tlsrpt::testing;

namespace {

struct BrokenOutput {
    StandardOutput kind;
    const char* reason;  // strerror of the failed write
};

const BrokenOutput broken_outputs[] = {
    {StandardOutput::reader_gone, "Broken pipe"},
    {StandardOutput::closed, "Bad file descriptor"},
    {StandardOutput::full_disk, "No space left on device"},
};

ProcessResult run_with_output(std::vector<std::string> arguments, StandardOutput kind) {
    arguments.insert(arguments.begin(), TLSRPT_BINARY);
    ProcessOptions options;
    options.standard_output = kind;
    return run_process(arguments, options);
}

}  // namespace

TEST_CASE("every command reports an output it cannot write with exit code 74") {
    const std::vector<std::vector<std::string>> commands = {
        {"lint", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"},
        {"lint", "--format", "json", "v=TLSRPTv1"},
        {"generate", "tlsrpt@example.com"},
        {"generate", "--format", "zone", "tlsrpt@example.com"},
        {"--help"},
        {"--version"},
    };
    for (const BrokenOutput& output : broken_outputs) {
        for (const auto& command : commands) {
            INFO(command.front() << " " << command.back() << ", " << output.reason);
            const auto run = run_with_output(command, output.kind);
            CHECK(run.exit_code == 74);
            CHECK(run.err == std::string("tlsrpt-check: error: cannot write to standard output: ") +
                                 output.reason + "\n");
        }
    }
}

TEST_CASE("a closed standard input read as records is an error, not an empty input") {
    const auto run =
        run_process({"/bin/sh", "-c", std::string("exec ") + TLSRPT_BINARY + " lint - <&-"});
    CHECK(run.exit_code == 66);
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: cannot read <stdin>: Bad file descriptor\n");
}

TEST_CASE("a directory given as the records file is an error that names it") {
    const auto run = run_cli({"lint", "-f", "/"});
    CHECK(run.exit_code == 66);
    CHECK(run.out.empty());
    CHECK(run.err == "tlsrpt-check: error: cannot read /: Is a directory\n");
}
