// The MTA-STS corpus (testdata/mta-sts/): exact verdicts, codes and ids, every code with its
// severity, plus positions and fields checked case by case.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "../support/corpus.hpp"
#include "../support/diagnostic_rules.hpp"
#include "tlsrpt/mta_sts.hpp"

using namespace tlsrpt;

namespace {

const std::vector<corpus::Case>& cases() {
    static const std::vector<corpus::Case> loaded = [] {
        auto read = corpus::read_cases(TLSRPT_TESTDATA_DIR "/mta-sts", corpus::Outcome::id);
        if (!read) FAIL(read.error());
        return *read;
    }();
    return loaded;
}

std::vector<std::string> sorted_codes(const MtaStsEvaluation& evaluation) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) codes.push_back(diagnostic.code);
    std::sort(codes.begin(), codes.end());
    return codes;
}

// Every code the evaluator reports, with its one severity (man/tlsrpt-check.1).
const std::vector<std::pair<std::string, Severity>> kCodes = {
    {"mta-sts-no-record", Severity::info},
    {"mta-sts-multiple-records", Severity::error},
    {"mta-sts-missing-id", Severity::error},
    {"mta-sts-invalid-id", Severity::error},
    {"mta-sts-syntax", Severity::error},
    {"mta-sts-trailing-whitespace", Severity::error},
    {"mta-sts-duplicate-id", Severity::warning},
    {"mta-sts-ws-before-delimiter", Severity::warning},
    {"mta-sts-version-case", Severity::warning},
    {"mta-sts-missing-version-delimiter", Severity::warning},
    {"mta-sts-unknown-extension", Severity::warning},
};

TxtRRset one_record(const std::string& text) {
    return {TxtRecord{{text}}};
}

}  // namespace

TEST_CASE("the MTA-STS corpus is large and its case names are unique") {
    CHECK(cases().size() >= 30);
    std::set<std::string> names;
    for (const auto& c : cases()) {
        INFO(c.location);
        CHECK(names.insert(c.name).second);
    }
}

TEST_CASE("every MTA-STS corpus case gets its exact status, codes and id") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const MtaStsEvaluation evaluation = evaluate_mta_sts(c.rrset);
        CHECK(std::string(to_string(evaluation.status)) == c.status);
        CHECK(sorted_codes(evaluation) == c.codes);
        CHECK(evaluation.id == c.id);
    }
}

TEST_CASE("every MTA-STS code appears in the corpus with its severity, and no other code") {
    testing::check_codes_cover_corpus(
        cases(), [](const auto& c) { return evaluate_mta_sts(c.rrset).diagnostics; }, kCodes,
        "mta-sts-");
}

TEST_CASE("MTA-STS diagnostics point inside their record and quote none of its bytes") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const MtaStsEvaluation evaluation = evaluate_mta_sts(c.rrset);
        for (const Diagnostic& diagnostic : evaluation.diagnostics) {
            INFO(diagnostic.code);
            CHECK(testing::rule_broken_by(diagnostic, evaluation.records) == "");
        }
    }
}

TEST_CASE("an MTA-STS id and extensions appear exactly when senders use the record") {
    for (const auto& c : cases()) {
        INFO(c.location << " " << c.name);
        const MtaStsEvaluation evaluation = evaluate_mta_sts(c.rrset);
        const bool usable =
            evaluation.status == Status::valid || evaluation.status == Status::warning;
        CHECK(evaluation.id.has_value() == usable);
        if (!usable) CHECK(evaluation.extensions.empty());
        CHECK(evaluation.records.size() == c.rrset.size());
    }
}

TEST_CASE("the MTA-STS evaluation keeps the joined records, the id and the extensions") {
    const MtaStsEvaluation evaluation = evaluate_mta_sts(
        {TxtRecord{{"v=spf1 -all"}},
         TxtRecord{{"v=STSv1; id = 2024", "0101; mode=enforce;", "max_age=86400"}}});
    CHECK(evaluation.status == Status::warning);
    CHECK(evaluation.records ==
          std::vector<std::string>{"v=spf1 -all",
                                   "v=STSv1; id = 20240101; mode=enforce;max_age=86400"});
    CHECK(evaluation.id == "20240101");
    using Extensions = std::vector<std::pair<std::string, std::string>>;
    CHECK(evaluation.extensions == Extensions{{"mode", "enforce"}, {"max_age", "86400"}});
}

TEST_CASE("MTA-STS diagnostics locate what they report") {
    struct Located {
        std::string record;
        std::string code;
        std::size_t offset;
        std::size_t length;
    };
    const std::vector<Located> table = {
        {"v=stsv1; id=1", "mta-sts-version-case", 0, 7},
        {"v=STSv1 id=1", "mta-sts-missing-version-delimiter", 0, 7},
        {"v=STSv1 \t; id=1", "mta-sts-ws-before-delimiter", 7, 2},
        {"v=STSv1; ID=1 ; ext=2", "mta-sts-missing-id", 9, 4},
        {"v=STSv1; id=2024-01", "mta-sts-invalid-id", 9, 10},
        {"v=STSv1; id=1; id=2", "mta-sts-duplicate-id", 15, 4},
        {"v=STSv1; id=1;; ", "mta-sts-syntax", 14, 1},
        {"v=STSv1; id=1; _x=1", "mta-sts-syntax", 15, 4},
        {"v=STSv1; id=1 \t", "mta-sts-trailing-whitespace", 13, 2},
        {"v=STSv1; id=1; a = b ;", "mta-sts-unknown-extension", 15, 5},
    };
    for (const Located& expected : table) {
        INFO(expected.record);
        const MtaStsEvaluation evaluation = evaluate_mta_sts(one_record(expected.record));
        const auto found =
            std::find_if(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                         [&](const Diagnostic& d) { return d.code == expected.code; });
        REQUIRE(found != evaluation.diagnostics.end());
        CHECK(found->record == std::size_t{0});
        CHECK(found->offset == expected.offset);
        CHECK(found->length == expected.length);
    }
}

TEST_CASE("MTA-STS findings about the whole RRset name no record") {
    const MtaStsEvaluation none = evaluate_mta_sts({});
    REQUIRE(none.diagnostics.size() == 1);
    CHECK_FALSE(none.diagnostics[0].record);
    const MtaStsEvaluation two =
        evaluate_mta_sts({TxtRecord{{"v=STSv1; id=1"}}, TxtRecord{{"v=STSv1; id=2"}}});
    REQUIRE(two.diagnostics.size() == 1);
    CHECK(two.diagnostics[0].code == "mta-sts-multiple-records");
    CHECK_FALSE(two.diagnostics[0].record);
}
