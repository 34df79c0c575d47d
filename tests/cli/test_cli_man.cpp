// The man page documents what the program does: every option of --help and every diagnostic
// code of the corpora (which produce every code of the contract and of MTA-STS) appear in it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "text_file.hpp"

using namespace tlsrpt::testing;

namespace {

// The man page's source with roff's escaped hyphens made plain.
std::string man_page_text() {
    std::string text = read_file(source_path("man/tlsrpt-check.1"));
    for (std::size_t at = 0; (at = text.find("\\-", at)) != std::string::npos;) {
        text.erase(at, 1);
    }
    return text;
}

// Checks that every code of the corpus in `directory` is in the man page; returns how many
// codes the corpus lists.
std::size_t check_corpus_codes_in(const std::string& man, const std::string& directory) {
    std::size_t codes_seen = 0;
    for (const auto& entry : std::filesystem::directory_iterator(source_path(directory))) {
        std::istringstream corpus(read_file(entry.path()));
        for (std::string line; std::getline(corpus, line);) {
            if (line.rfind("codes:", 0) != 0) continue;
            std::istringstream codes(line.substr(6));
            for (std::string code; codes >> code; ++codes_seen) {
                INFO(directory << "/" << entry.path().filename().string() << ": " << code);
                CHECK(man.find(".B " + code + "\n") != std::string::npos);
            }
        }
    }
    return codes_seen;
}

}  // namespace

TEST_CASE("every option in --help is in the man page") {
    const std::string man = man_page_text();
    for (const std::vector<std::string>& help : every_help) {
        const auto options = options_of_help(help);
        REQUIRE_FALSE(options.empty());
        for (const std::string& option : options) {
            INFO(help.front() << ": " << option);
            CHECK(man.find(option) != std::string::npos);
        }
    }
    for (const char* command : {".SS \"check", ".SS \"lint", ".SS \"generate"}) {
        CHECK(man.find(command) != std::string::npos);
    }
}

TEST_CASE("every diagnostic code of the corpora is in the man page") {
    const std::string man = man_page_text();
    CHECK(check_corpus_codes_in(man, "testdata/records") > 40);
    CHECK(check_corpus_codes_in(man, "testdata/mta-sts") > 40);
}
