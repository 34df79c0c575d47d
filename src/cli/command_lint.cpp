// `lint`: evaluates TXT records given on the command line or in a file, with no lookup. All
// records given form one RRset, as if they had been found at one name.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/standard_streams.hpp"
#include "output/formatter.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/presentation.hpp"

namespace tlsrpt::cli {
namespace {

constexpr std::string_view standard_input = "-";

// How messages name a source of records.
std::string source_name(const std::string& path) {
    return path == standard_input ? "<stdin>" : path;
}

// The lines of a file, without their line ends (LF or CRLF). Lines may hold any byte.
Expected<std::vector<std::string>, Failure> read_lines(const std::string& path) {
    const bool from_stdin = path == standard_input;
    const std::string name = source_name(path);
    FILE* file = from_stdin ? stdin : std::fopen(path.c_str(), "r");
    if (file == nullptr) {
        return unexpected(Failure{ExitCode::cannot_open_input,
                                  fmt::format("cannot open {}: {}", name, std::strerror(errno))});
    }
    std::vector<std::string> lines;
    char* buffer = nullptr;
    std::size_t capacity = 0;
    ssize_t length;
    while ((length = getline(&buffer, &capacity, file)) >= 0) {
        std::string line(buffer, static_cast<std::size_t>(length));
        if (!line.empty() && line.back() == '\n') line.pop_back();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
    }
    const int read_errno = errno;
    const bool failed = std::ferror(file) != 0;
    std::free(buffer);
    if (!from_stdin) std::fclose(file);
    if (failed) {
        return unexpected(
            Failure{ExitCode::cannot_open_input,
                    fmt::format("cannot read {}: {}", name, std::strerror(read_errno))});
    }
    return lines;
}

// Appends the records of a file: `dig +short` lines, zone-file lines or dig output.
std::optional<Failure> read_file_records(const std::string& path, TxtRRset& rrset) {
    auto lines = read_lines(path);
    if (!lines) return lines.error();
    const std::string name = source_name(path);
    RecordTextReader reader;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        auto record = reader.read_line((*lines)[i]);
        if (!record) {
            return Failure{ExitCode::bad_input,
                           fmt::format("{}:{}:{}: {}", name, i + 1, record.error().column,
                                       record.error().message)};
        }
        if (*record) rrset.push_back(std::move(**record));
    }
    return std::nullopt;
}

Expected<TxtRRset, Failure> read_rrset(const LintOptions& options) {
    TxtRRset rrset;
    for (std::size_t i = 0; i < options.records.size(); ++i) {
        const std::string& argument = options.records[i];
        if (argument == standard_input) {
            if (auto failure = read_file_records(argument, rrset)) return unexpected(*failure);
            continue;
        }
        auto record = RecordTextReader(RecordTextReader::Input::one_record).read_line(argument);
        if (!record) {
            return unexpected(Failure{ExitCode::bad_input,
                                      fmt::format("argument {}, column {}: {}", i + 1,
                                                  record.error().column, record.error().message)});
        }
        rrset.push_back(std::move(**record));
    }
    if (!options.file.empty()) {
        if (auto failure = read_file_records(options.file, rrset)) return unexpected(*failure);
    }
    return rrset;
}

CommandResult run_lint(const LintOptions& options) {
    if (options.records.empty() && options.file.empty()) {
        return unexpected(Failure{
            ExitCode::usage, "lint needs records as arguments, -f FILE, or - for standard input"});
    }
    auto rrset = read_rrset(options);
    if (!rrset) return unexpected(rrset.error());

    CheckResult result;
    result.evaluation = evaluate(*rrset);
    std::ostringstream printed;
    const auto formatter = output::make_formatter(options.format, printed,
                                                  {.colour = output::colour_wanted(STDOUT_FILENO)});
    formatter->write(result);
    formatter->finish();
    if (auto failure = write_to_stdout(printed.str())) return unexpected(*failure);
    return formatter->summary().exit_code();
}

}  // namespace

Command add_lint_command(CLI::App& app, LintOptions& options) {
    CLI::App* lint = app.add_subcommand(
        "lint", "Check TXT records given as arguments or read from a file, without any lookup");
    lint->add_option("RECORD", options.records,
                     "A TXT record as dig +short prints it (\"...\" \"...\") or as a zone-file "
                     "line (NAME [TTL] [CLASS] TXT \"...\"), or - to read records from standard "
                     "input");
    lint->add_option("-f,--file", options.file,
                     "Read records from FILE (- for standard input): dig +short output, "
                     "zone-file lines, or whole dig output (its ANSWER section)")
        ->type_name("FILE");
    add_format_option(*lint, options.format, {output::Format::text, output::Format::json});
    lint->footer(
        "All records given form one RRset, as if found at one name.\n"
        "Exit codes: 0 valid, 1 warning, 2 missing, 3 invalid, 64 usage error, 65 input that\n"
        "cannot be read as TXT records, 66 input file cannot be opened or read, 70 internal\n"
        "error, 74 standard output cannot be written. See tlsrpt-check(1).");
    return {lint, [&options] { return run_lint(options); }};
}

}  // namespace tlsrpt::cli
