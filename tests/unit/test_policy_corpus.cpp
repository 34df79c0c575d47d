// The record corpus (testdata/records/): exact verdicts, codes and suggestions, plus the
// properties every case must have.
#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/corpus.hpp"
#include "../support/diagnostic_rules.hpp"
#include "tlsrpt/evaluation.hpp"

using namespace tlsrpt;

namespace {

const std::vector<corpus::Case>& cases() {
    static const std::vector<corpus::Case> loaded = [] {
        auto read = corpus::read_cases(TLSRPT_TESTDATA_DIR "/records");
        if (!read) FAIL(read.error());
        return *read;
    }();
    return loaded;
}

std::vector<std::string> sorted_codes(const Evaluation& evaluation) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) codes.push_back(diagnostic.code);
    std::sort(codes.begin(), codes.end());
    return codes;
}

// Every code the behaviour contract ("Diagnostic codes") names, with the severity it
// gives the code (none: `unsupported-scheme` is an error or a warning). A code without a
// corpus case fails the coverage test below.
struct CodeRule {
    std::string code;
    std::optional<Severity> severity;
};

const std::vector<CodeRule> kContractCodes = {
    // error, selection
    {"multiple-tlsrpt-records", Severity::error},
    {"version-case", Severity::error},
    {"version-whitespace", Severity::error},
    {"leading-whitespace", Severity::error},
    {"quoted-record", Severity::error},
    {"unsupported-version", Severity::error},
    {"missing-version-delimiter", Severity::error},
    {"version-not-first", Severity::error},
    {"missing-version", Severity::error},
    // error, record
    {"missing-rua", Severity::error},
    {"empty-rua", Severity::error},
    {"empty-uri", Severity::error},
    {"missing-scheme", Severity::error},
    {"unsupported-scheme", std::nullopt},
    {"invalid-uri", Severity::error},
    {"invalid-mailto", Severity::error},
    {"invalid-https", Severity::error},
    {"unencoded-comma", Severity::error},
    {"unencoded-exclamation", Severity::error},
    {"dmarc-size-suffix", Severity::error},
    {"whitespace-in-uri", Severity::error},
    {"whitespace-around-equals", Severity::error},
    {"trailing-characters", Severity::error},
    {"empty-field", Severity::error},
    {"invalid-extension", Severity::error},
    {"non-ascii", Severity::error},
    {"control-character", Severity::error},
    {"character-string-too-long", Severity::error},
    // warning
    {"ws-before-delimiter", Severity::warning},
    {"trailing-whitespace", Severity::warning},
    {"duplicate-rua-field", Severity::warning},
    {"duplicate-uri", Severity::warning},
    {"duplicate-version-field", Severity::warning},
    {"unknown-extension", Severity::warning},
    {"scheme-case", Severity::warning},
    {"possible-unencoded-semicolon", Severity::warning},
    {"mailto-hfields", Severity::warning},
    {"https-userinfo", Severity::warning},
    {"https-fragment", Severity::warning},
    {"non-public-host", Severity::warning},
    {"discarded-malformed-tlsrpt-record", Severity::warning},
    // status missing
    {"no-record", Severity::info},
    {"no-tlsrpt-record", Severity::info},
};

// Codes this project adds (contract: "Add codes where needed").
const std::vector<CodeRule> kAddedCodes = {{"unrelated-txt-record", Severity::info},
                                           {"rua-case", Severity::error},
                                           {"version-typo", Severity::error},
                                           {"dmarc-tag-in-rua", Severity::error},
                                           {"other-version-record", Severity::info}};

const CodeRule* find_rule(const std::string& code) {
    for (const auto* rules : {&kContractCodes, &kAddedCodes}) {
        for (const CodeRule& rule : *rules) {
            if (rule.code == code) return &rule;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the corpus is large and its case names are unique") {
    CHECK(cases().size() >= 120);
    std::set<std::string> names;
    for (const auto& c : cases()) {
        INFO(c.location);
        CHECK(names.insert(c.name).second);
    }
}

TEST_CASE("every corpus case gets its exact status, codes and suggestion") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const Evaluation evaluation = evaluate(c.rrset);
        CHECK(std::string(to_string(evaluation.status)) == c.status);
        CHECK(sorted_codes(evaluation) == c.codes);
        CHECK(evaluation.suggested_record == c.suggestion);
    }
}

TEST_CASE("every contract code has a corpus case, and no unknown code appears") {
    std::set<std::string> seen;
    for (const auto& c : cases()) {
        for (const Diagnostic& diagnostic : evaluate(c.rrset).diagnostics) {
            seen.insert(diagnostic.code);
        }
    }
    for (const CodeRule& rule : kContractCodes) {
        INFO(rule.code);
        CHECK(seen.count(rule.code) == 1);
    }
    for (const std::string& code : seen) {
        INFO(code);
        CHECK(find_rule(code) != nullptr);
    }
}

namespace {

// The suggestion published as a zone file would hold it (strings of at most 255 octets),
// evaluated again.
Evaluation evaluate_published(const std::string& suggestion) {
    TxtRecord published;
    for (std::size_t i = 0; i < suggestion.size(); i += 255) {
        published.strings.push_back(suggestion.substr(i, 255));
    }
    return evaluate({published});
}

// A suggestion is clean but for hosts no repair can make public.
bool only_non_public_hosts(const Evaluation& evaluation) {
    return std::all_of(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                       [](const Diagnostic& d) { return d.code == "non-public-host"; });
}

}  // namespace

TEST_CASE(
    "every suggestion has no error, warns only of hosts that stay non-public, and "
    "suggests nothing further") {
    std::size_t suggestions = 0;
    std::size_t keeping_non_public = 0;
    for (const auto& c : cases()) {
        const Evaluation evaluation = evaluate(c.rrset);
        if (!evaluation.suggested_record) continue;
        ++suggestions;
        INFO(c.location << " " << c.name << ": " << *evaluation.suggested_record);
        const Evaluation again = evaluate_published(*evaluation.suggested_record);
        CHECK(only_non_public_hosts(again));
        CHECK(again.status == (again.diagnostics.empty() ? Status::valid : Status::warning));
        keeping_non_public += again.diagnostics.empty() ? 0 : 1;
        CHECK_FALSE(again.suggested_record);
    }
    CHECK(suggestions > 50);
    CHECK(keeping_non_public >= 3);
}

TEST_CASE("a suggestion appears exactly for warning or invalid verdicts") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const Evaluation evaluation = evaluate(c.rrset);
        if (evaluation.suggested_record) {
            CHECK((evaluation.status == Status::warning || evaluation.status == Status::invalid));
        }
        const bool usable =
            evaluation.status == Status::valid || evaluation.status == Status::warning;
        CHECK(evaluation.policy.has_value() == usable);
    }
}

TEST_CASE("evaluation is deterministic") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const Evaluation first = evaluate(c.rrset);
        const Evaluation second = evaluate(c.rrset);
        CHECK(first.status == second.status);
        CHECK(first.records == second.records);
        CHECK(first.suggested_record == second.suggested_record);
        REQUIRE(first.diagnostics.size() == second.diagnostics.size());
        for (std::size_t i = 0; i < first.diagnostics.size(); ++i) {
            CHECK(first.diagnostics[i].code == second.diagnostics[i].code);
            CHECK(first.diagnostics[i].message == second.diagnostics[i].message);
            CHECK(first.diagnostics[i].offset == second.diagnostics[i].offset);
            CHECK(first.diagnostics[i].length == second.diagnostics[i].length);
        }
    }
}

TEST_CASE("diagnostics point inside their record and quote none of its bytes") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const Evaluation evaluation = evaluate(c.rrset);
        for (const Diagnostic& diagnostic : evaluation.diagnostics) {
            INFO(diagnostic.code);
            CHECK(testing::rule_broken_by(diagnostic, evaluation.records) == "");
        }
    }
}

TEST_CASE("each code keeps the severity the contract gives it") {
    for (const auto& c : cases()) {
        for (const Diagnostic& diagnostic : evaluate(c.rrset).diagnostics) {
            INFO(c.location << " " << diagnostic.code);
            const CodeRule* rule = find_rule(diagnostic.code);
            REQUIRE(rule != nullptr);
            if (rule->severity) CHECK(diagnostic.severity == *rule->severity);
        }
    }
}

TEST_CASE("suggestions for mutated corpus records still have no error") {
    // Deterministic mutations (seeded) of every corpus record with the bytes that matter to the
    // grammar: delimiters, whitespace, quotes, case, controls and non-ASCII.
    static constexpr char kBytes[] = ";,=! \t\"%?#@:/.-_aZ09\x00\x7f\xc3\xbc\r\n";
    constexpr std::string_view kAlphabet(kBytes, sizeof kBytes - 1);  // keeps the NUL
    std::mt19937 random(8460);
    std::size_t checked = 0;
    for (const auto& c : cases()) {
        for (int round = 0; round < 40; ++round) {
            TxtRRset rrset = c.rrset;
            if (rrset.empty()) continue;
            auto& strings = rrset[random() % rrset.size()].strings;
            if (strings.empty()) continue;
            std::string& text = strings[random() % strings.size()];
            for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
                const std::size_t at = text.empty() ? 0 : random() % (text.size() + 1);
                const char byte = kAlphabet[random() % kAlphabet.size()];
                switch (random() % 3) {
                    case 0:
                        text.insert(at, 1, byte);
                        break;
                    case 1:
                        if (at < text.size()) text.erase(at, 1);
                        break;
                    default:
                        if (at < text.size()) text[at] = byte;
                        break;
                }
            }
            const Evaluation evaluation = evaluate(rrset);
            if (!evaluation.suggested_record) continue;
            ++checked;
            const Evaluation again = evaluate_published(*evaluation.suggested_record);
            INFO(c.name << ": " << join_strings(rrset.front()) << " -> "
                        << *evaluation.suggested_record);
            CHECK(only_non_public_hosts(again));
        }
    }
    CHECK(checked > 1000);
}
