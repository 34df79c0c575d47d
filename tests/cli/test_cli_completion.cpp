// Shell completion: `tlsrpt-check completion bash|zsh|fish` prints scripts made from the app's
// own options, which each shell loads and completes with.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "cli.hpp"
#include "temp_file.hpp"

using namespace tlsrpt::testing;

namespace {

const std::vector<std::string> shells = {"bash", "zsh", "fish"};

std::string script(const std::string& shell) {
    const auto run = run_cli({"completion", shell});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.err.empty());
    return run.out;
}

std::set<std::string> lines_set(const std::string& text) {
    std::set<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        lines.insert(text.substr(start, end - start));
    }
    return lines;
}

std::string sh_quoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// What bash offers at the end of `line`: the script's function, found through `complete -p` as
// bash's completion would find it, called with the words bash would split the line into (at
// spaces, and at '=' as COMP_WORDBREAKS says: `--format=j` is `--format`, `=`, `j`, and at the
// end of `--format=` the word being completed is `=`).
std::set<std::string> bash_completes(const std::string& line) {
    const TempFile loaded(script("bash"));
    std::vector<std::string> words;
    std::string word;
    for (const char c : line) {
        if (c == ' ' || c == '=') {
            if (!word.empty()) words.push_back(word);
            word.clear();
            if (c == '=') words.push_back("=");
        } else {
            word += c;
        }
    }
    if (!word.empty() || line.ends_with(' ')) words.push_back(word);
    std::string quoted_words;
    for (const std::string& each : words) quoted_words += " " + sh_quoted(each);
    const std::string program = "source " + sh_quoted(loaded.path()) +
                                "\nspec=$(complete -p tlsrpt-check) || exit 3"
                                "\nfunction=${spec#*-F }; function=${function%% *}"
                                "\nCOMP_WORDS=(" +
                                quoted_words + ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
                                "\nCOMP_LINE=" + sh_quoted(line) +
                                "\nCOMP_POINT=${#COMP_LINE}"
                                "\n\"$function\" tlsrpt-check \"${COMP_WORDS[COMP_CWORD]}\" "
                                "\"${COMP_WORDS[COMP_CWORD-1]}\""
                                "\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    const auto run = run_process({BASH, "--norc", "--noprofile", "-c", program});
    INFO(line << "\n" << run.err);
    REQUIRE(run.exit_code == 0);
    auto offered = lines_set(run.out);
    offered.erase("");  // printf's line for an empty COMPREPLY
    return offered;
}

// What zsh's completion system offers, typed into an interactive zsh (tests/cli/zsh-complete).
std::set<std::string> zsh_completes(const std::string& line) {
    const TempDirectory functions;
    functions.write("_tlsrpt-check", script("zsh"));
    const auto run =
        run_process({ZSH, "-f", source_path("tests/cli/zsh-complete"), functions.path(), line});
    INFO(line << "\n" << run.err);
    REQUIRE(run.exit_code == 0);
    return lines_set(run.out);
}

// What fish offers (`complete -C`), without the descriptions.
std::set<std::string> fish_completes(const std::string& line) {
    const TempFile loaded(script("fish"));
    const auto run =
        run_process({FISH, "--no-config", "-c",
                     "source " + sh_quoted(loaded.path()) + "; complete -C " + sh_quoted(line)});
    INFO(line << "\n" << run.err);
    REQUIRE(run.exit_code == 0);
    std::set<std::string> offered;
    for (const std::string& each : lines_set(run.out))
        offered.insert(each.substr(0, each.find('\t')));
    return offered;
}

std::set<std::string> completes(const std::string& shell, const std::string& line) {
    if (shell == "bash") return bash_completes(line);
    if (shell == "zsh") return zsh_completes(line);
    return fish_completes(line);
}

using Offered = std::set<std::string>;

}  // namespace

TEST_CASE("every option of every --help is in each shell's completion script") {
    for (const std::string& shell : shells) {
        const std::string text = script(shell);
        for (const std::vector<std::string>& help : every_help) {
            const auto options = options_of_help(help);
            REQUIRE_FALSE(options.empty());
            for (const std::string& option : options) {
                INFO(shell << ", " << help.front() << ": " << option);
                // fish names options without their dashes: -s f, -l file.
                const std::string name = option.substr(option.find_first_not_of('-'));
                const std::string fish_spelling =
                    (option.starts_with("--") ? " -l " : " -s ") + name + " ";
                CHECK(text.find(shell == "fish" ? fish_spelling : option) != std::string::npos);
            }
        }
        for (const char* command : {"check", "lint", "generate"}) {
            INFO(shell << ": " << command);
            CHECK(text.find(command) != std::string::npos);
        }
    }
}

TEST_CASE("the completion command is hidden from --help and knows three shells") {
    const auto help = run_cli({"--help"});
    CHECK(help.out.find("completion") == std::string::npos);
    const auto without_shell = run_cli({"completion"});
    CHECK(without_shell.exit_code == 64);
    CHECK(without_shell.err == "tlsrpt-check: error: SHELL is required\n");
    const auto unknown = run_cli({"completion", "tcsh"});
    CHECK(unknown.exit_code == 64);
    CHECK(unknown.err.rfind("tlsrpt-check: error: SHELL: tcsh not in {bash,zsh,fish}", 0) == 0);
    // The shells do not offer it either.
    for (const std::string& shell : shells) {
        INFO(shell);
        CHECK(completes(shell, "tlsrpt-check comp").empty());
    }
}

TEST_CASE("each shell completes subcommands, options and their values") {
    struct Case {
        std::string line;
        Offered offered;
    };
    const std::vector<Case> cases = {
        {"tlsrpt-check gen", {"generate"}},
        {"tlsrpt-check l", {"lint"}},
        // The default command's options, and the program's own, come first.
        {"tlsrpt-check --ver", {"--verbose", "--version"}},
        {"tlsrpt-check example.com --sh", {"--shard"}},
        {"tlsrpt-check check --conc", {"--concurrency"}},
        {"tlsrpt-check --format j", {"json", "jsonl"}},
        {"tlsrpt-check lint --format ", {"text", "json"}},
        {"tlsrpt-check generate --format ", {"value", "zone", "json"}},
        {"tlsrpt-check --missing ", {"critical", "warning", "ok"}},
        {"tlsrpt-check lint --f", {"--file", "--format"}},
        {"tlsrpt-check generate --",
         {"--help", "--mailto", "--https", "--format", "--domain", "--ttl"}},
        // Values nothing can guess, and domains: nothing.
        {"tlsrpt-check --server ", {}},
        {"tlsrpt-check example.com exa", {}},
        {"tlsrpt-check check --version", {}},  // --version is not an option of check
    };
    for (const std::string& shell : shells) {
        for (const Case& each : cases) {
            INFO(shell << ": '" << each.line << "'");
            CHECK(completes(shell, each.line) == each.offered);
        }
    }
}

TEST_CASE("each shell completes file names for -f and -o") {
    const TempDirectory directory;
    directory.write("list.txt", "example.com\n");
    directory.write("other", "");
    for (const std::string& shell : shells) {
        for (const char* option : {"-f", "--file", "-o", "lint -f"}) {
            const auto offered = completes(
                shell, std::string("tlsrpt-check ") + option + " " + directory.path() + "/li");
            INFO(shell << ": " << option);
            REQUIRE(offered.size() == 1);
            // bash and fish give the path, zsh the name within its directory.
            CHECK(offered.begin()->ends_with("list.txt"));
        }
    }
}

TEST_CASE("each shell completes the value of --option=value") {
    CHECK(bash_completes("tlsrpt-check --format=cs") == Offered{"csv"});
    CHECK(bash_completes("tlsrpt-check generate --format=") == Offered{"value", "zone", "json"});
    CHECK(zsh_completes("tlsrpt-check --format=cs") == Offered{"csv"});
    CHECK(fish_completes("tlsrpt-check --format=cs") == Offered{"--format=csv"});
}
