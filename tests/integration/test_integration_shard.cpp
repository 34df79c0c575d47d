// --shard K/N: N runs over one list, each keeping the domains of its shard, give together
// exactly the rows of one run over the whole list; so do the examples that run the shards
// with GNU parallel and as a Kubernetes Indexed Job.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "temp_file.hpp"
#include "testbed.hpp"
#include "text_file.hpp"

using namespace tlsrpt::testing;

namespace {

constexpr int shard_count = 3;

// Every kind of line: records of each status, repeats in other spellings (case, trailing dot,
// U-label and A-label, rank), malformed lines, and enough distinct names to fill every shard.
// No name with several TXT records: the resolver rotates their order from one answer to the
// next.
std::string mixed_list() {
    std::string list =
        "# a comment\n"
        "valid.cases.test\n"
        "warning.cases.test\n"
        "invalid.cases.test\n"
        "unrelated.cases.test\n"
        "nodata.cases.test\n"
        "alias.cases.test\n"
        "bücher.cases.test\n"
        "xn--bcher-kva.cases.test\n"
        "VALID.cases.test.\n"
        "1,warning.cases.test\n"
        "two words\n"
        "bad..name\n"
        "\n";
    for (int i = 0; i < 150; ++i) list += "n" + std::to_string(i) + ".cases.test\n";
    list += "valid.cases.test\ntwo words\n";
    return list;
}

// A jsonl row without what differs from one lookup to the next: time taken, tries, and the
// TTL that the resolver's cache counts down.
std::string without_timing(std::string row) {
    for (const std::string key : {"\"elapsed_ms\":", "\"attempts\":", "\"ttl\":"}) {
        for (auto at = row.find(key); at != std::string::npos; at = row.find(key, at + 1)) {
            const auto value = at + key.size();
            const auto end = row.find_first_not_of("0123456789.", value);
            if (end > value) row.replace(value, end - value, "0");  // not null
        }
    }
    return row;
}

// The rows of a jsonl run by input line number, timing left out.
std::map<std::size_t, std::string> rows_of(const ProcessResult& run) {
    std::map<std::size_t, std::string> rows;
    for (const std::string& line : lines_of(run.out)) {
        INFO(line);
        const auto number = static_cast<std::size_t>(Json::parse(line)["line"].number());
        CHECK(rows.emplace(number, without_timing(line)).second);
    }
    return rows;
}

ProcessResult check_list(const std::string& list, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {TLSRPT_BINARY, "--server", unbound, "--format",
                                     "jsonl",       "-f",       list};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv);
}

void check_same_rows(const std::map<std::size_t, std::string>& rows,
                     const std::map<std::size_t, std::string>& expected) {
    CHECK(rows.size() == expected.size());
    for (const auto& [number, row] : expected) {
        INFO("line " << number);
        CHECK((rows.contains(number) ? rows.at(number) : "no row") == row);
    }
}

// The rows of one run over the whole list.
std::map<std::size_t, std::string> single_run_rows(const std::string& list) {
    const auto run = check_list(list, {});
    INFO(run.err);
    CHECK(run.exit_code == 4);  // the malformed lines
    return rows_of(run);
}

std::string example(const std::string& path) {
    return read_file(std::string(TLSRPT_SOURCE_DIR) + "/examples/" + path);
}

// An example's command with the binary, pointed at the testbed, in place of the installed one.
std::string with_local_binary(const std::string& command) {
    return replace_all(command, "tlsrpt-check --format",
                       std::string(TLSRPT_BINARY) + " --server " + unbound + " --format");
}

// The number after `key` in `text`.
int number_after(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    REQUIRE(at != std::string::npos);
    return std::stoi(text.substr(at + key.size()));
}

}  // namespace

TEST_CASE("the shards of a list together give exactly the rows of one run over it") {
    const TempFile list(mixed_list());
    const auto whole = single_run_rows(list.path());
    REQUIRE(whole.size() == 164);

    std::map<std::size_t, std::string> united;
    std::map<std::string, std::set<int>> shards_of_domain;
    for (int shard = 0; shard < shard_count; ++shard) {
        const std::string name = std::to_string(shard) + "/" + std::to_string(shard_count);
        const auto run = check_list(list.path(), {"--shard", name});
        INFO("shard " << name << "\n" << run.err);
        CHECK((run.exit_code == 0 || (run.exit_code >= 1 && run.exit_code <= 4)));
        const auto rows = rows_of(run);
        // Each shard gets a share, and says in its summary which shard it was.
        CHECK(rows.size() > whole.size() / shard_count / 2);
        CHECK(run.err.rfind(
                  "summary of shard " + name + ": " + std::to_string(rows.size()) + " row(s) in ",
                  0) == 0);
        for (const auto& [number, row] : rows) {
            INFO("line " << number);
            CHECK(united.emplace(number, row).second);  // in one shard only
            const Json parsed = Json::parse(row);
            const std::string domain =
                parsed["domain"].is_null() ? parsed["input"].string() : parsed["domain"].string();
            shards_of_domain[domain].insert(shard);
        }
    }
    check_same_rows(united, whole);
    // Every spelling and repeat of a domain, and every copy of a malformed line, went to one
    // shard.
    for (const auto& [domain, shards] : shards_of_domain) {
        INFO(domain);
        CHECK(shards.size() == 1);
    }
    CHECK(shards_of_domain.at("valid.cases.test").size() == 1);
    CHECK(shards_of_domain.at("xn--bcher-kva.cases.test").size() == 1);
}

TEST_CASE("interrupted shards still report each line of the list in one shard only") {
    // Nothing answers: the rows are those the run admitted and, once interrupted, the lines
    // left in the file; the narrow window leaves most of them there.
    std::string list_text;
    for (int i = 0; i < 40; ++i) list_text += "silent.n" + std::to_string(i) + ".faults.test\n";
    const TempFile list(list_text);
    std::set<std::size_t> reported;
    std::size_t rows_in_shards = 0;
    for (int shard = 0; shard < 2; ++shard) {
        const auto run = run_process({"/usr/bin/timeout", "--foreground", "--preserve-status", "-s",
                                      "INT", "1", TLSRPT_BINARY, "--server", faults, "--timeout",
                                      "5000", "--concurrency", "2", "--format", "jsonl", "--shard",
                                      std::to_string(shard) + "/2", "-f", list.path()});
        INFO(run.err);
        CHECK(run.exit_code == 130);
        const auto rows = rows_by_line(run.out);
        for (const auto& [number, row] : rows) {
            CHECK(codes(row) == std::vector<std::string>{"interrupted"});
            reported.insert(number);
        }
        rows_in_shards += rows.size();
        CHECK(run.err.find("summary of shard " + std::to_string(shard) +
                           "/2: " + std::to_string(rows.size()) + " row(s) (interrupted)") !=
              std::string::npos);
    }
    CHECK(rows_in_shards == 40);
    CHECK(reported.size() == 40);
}

TEST_CASE("a shard option needs -f and a shard that exists") {
    const TempFile list("valid.cases.test\n");
    const auto without_list =
        run_process({TLSRPT_BINARY, "--server", unbound, "--shard", "0/2", "valid.cases.test"});
    CHECK(without_list.exit_code == 64);
    CHECK(without_list.out.empty());
    CHECK(without_list.err == "tlsrpt-check: error: --shard requires --file\n");
    const auto beyond = check_list(list.path(), {"--shard", "2/2"});
    CHECK(beyond.exit_code == 64);
    CHECK(beyond.err ==
          "tlsrpt-check: error: --shard: shard 2 of 2 does not exist: K goes from 0 to 1\n");
    const auto malformed = check_list(list.path(), {"--shard", "1-2"});
    CHECK(malformed.exit_code == 64);
    CHECK(malformed.err ==
          "tlsrpt-check: error: --shard: expected K/N, shard K of N with K from "
          "0 to N-1 (e.g. 0/4), not '1-2'\n");
}

TEST_CASE("examples: GNU parallel runs the shards on the ssh hosts and returns one run's rows") {
    const TempDirectory directory;
    const std::string list = directory.write("domains.txt", mixed_list());
    // ':' is this machine for GNU parallel: no ssh, the same commands.
    const std::string hosts = directory.write("hosts.txt", ":\n");
    const std::string script = directory.write(
        "check-on-hosts.sh", with_local_binary(example("parallel/check-on-hosts.sh")));
    const auto run = run_process({"/bin/sh", script, hosts, list, "4"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
    check_same_rows(rows_of(run), single_run_rows(list));
    for (int shard = 0; shard < 4; ++shard) {
        CHECK(run.err.find("summary of shard " + std::to_string(shard) + "/4: ") !=
              std::string::npos);
    }
}

TEST_CASE("examples: the pods of the Kubernetes Indexed Job write the shards of one run") {
    const std::string job = example("kubernetes/tlsrpt-check-job.yaml");
    CHECK(job.find("\n  completionMode: Indexed\n") != std::string::npos);
    const int shards = number_after(job, "\n  completions: ");
    CHECK(number_after(job, "- name: SHARDS\n              value: \"") == shards);
    CHECK(number_after(job, "\n  parallelism: ") == shards);
    // The container's script: the block of `args`, indented by 14 spaces.
    const std::string block_start = "args:\n            - |\n";
    const std::string indent(14, ' ');
    std::string script;
    for (auto at = job.find(block_start) + block_start.size(); job.compare(at, 14, indent) == 0;) {
        const auto end = job.find('\n', at);
        script += job.substr(at + indent.size(), end + 1 - at - indent.size());
        at = end + 1;
    }
    const TempDirectory data;
    script = with_local_binary(replace_all(script, "/data/", data.path() + "/"));
    INFO(script);
    const std::string list = data.write("domains.txt", mixed_list());
    std::string results;
    for (int index = 0; index < shards; ++index) {
        ProcessOptions pod;
        pod.extra_env = {"JOB_COMPLETION_INDEX=" + std::to_string(index),
                         "SHARDS=" + std::to_string(shards)};
        const auto run = run_process({"/bin/sh", "-c", script}, pod);
        INFO("pod " << index << ": " << run.err);
        CHECK(run.exit_code == 0);
        results += read_file(data.path() + "/results/shard-" + std::to_string(index) + ".jsonl");
    }
    ProcessResult concatenated;
    concatenated.out = results;
    check_same_rows(rows_of(concatenated), single_run_rows(list));
}

TEST_CASE("examples: README shows the commands of the sharded examples") {
    const std::string readme = read_file(std::string(TLSRPT_SOURCE_DIR) + "/README.md");
    const auto indented = [](const std::string& text) {
        return "    " + replace_all(text, "\n", "\n    ");
    };
    const std::string script = example("parallel/check-on-hosts.sh");
    const std::string pipeline = script.substr(script.find("seq 0 "));
    const std::string job = example("kubernetes/tlsrpt-check-job.yaml");
    const auto command_at = job.find("tlsrpt-check --format");
    const std::string command = job.substr(command_at, job.find('\n', command_at) - command_at);
    for (const std::string& text : {pipeline.substr(0, pipeline.size() - 1), command}) {
        INFO(text);
        CHECK(readme.find(indented(text) + "\n") != std::string::npos);
    }
}
