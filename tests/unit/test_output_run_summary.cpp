#include <catch2/catch.hpp>

#include <string>

#include "output/run_summary.hpp"

using namespace tlsrpt;

namespace {

CheckResult row(Status status, std::vector<std::string> codes) {
    CheckResult result;
    result.evaluation.status = status;
    for (std::string& code : codes) {
        Diagnostic diagnostic;
        diagnostic.code = std::move(code);
        result.evaluation.diagnostics.push_back(std::move(diagnostic));
    }
    return result;
}

}  // namespace

TEST_CASE("the run summary counts rows per status and rows per code") {
    output::RunSummary summary;
    summary.add(row(Status::valid, {}));
    summary.add(row(Status::missing, {"no-record"}));
    summary.add(row(Status::missing, {"no-record"}));
    summary.add(row(Status::invalid, {"version-case", "version-case", "no-rua"}));
    summary.finish(std::chrono::seconds(2), 3, false);
    CHECK(summary.rows() == 4);
    CHECK(summary.count(Status::missing) == 2);
    CHECK(summary.count(Status::warning) == 0);
    const auto codes = summary.most_frequent_codes();
    REQUIRE(codes.size() == 3);
    CHECK(codes[0] == std::pair<std::string, std::size_t>{"no-record", 2});
    CHECK(codes[1] == std::pair<std::string, std::size_t>{"no-rua", 1});
    CHECK(codes[2] == std::pair<std::string, std::size_t>{"version-case", 1});
    CHECK(summary.lookups_per_second() == Approx(1.5));
    CHECK(summary.text() ==
          "summary: 4 row(s) in 2.00 s, 3 lookup(s), 2/s: 1 valid 0 warning 2 missing 1 invalid "
          "0 error\nmost frequent codes: no-record 2 no-rua 1 version-case 1\n");
    CHECK(summary.json() ==
          "{\"rows\":4,\"statuses\":{\"valid\":1,\"warning\":0,\"missing\":2,\"invalid\":1,"
          "\"error\":0},\"top_codes\":[{\"code\":\"no-record\",\"rows\":2},{\"code\":\"no-rua\","
          "\"rows\":1},{\"code\":\"version-case\",\"rows\":1}],\"elapsed_s\":2.000,\"lookups\":3,"
          "\"lookups_per_second\":1.500,\"interrupted\":false}");
}

TEST_CASE("the run summary lists the five most frequent codes only and says when interrupted") {
    output::RunSummary summary;
    for (int i = 0; i < 7; ++i) summary.add(row(Status::error, {"code-" + std::to_string(i)}));
    summary.add(row(Status::error, {"code-6"}));
    summary.finish(std::chrono::milliseconds(0), 0, true);
    const auto codes = summary.most_frequent_codes();
    REQUIRE(codes.size() == output::RunSummary::top_codes);
    CHECK(codes[0].first == "code-6");
    CHECK(summary.lookups_per_second() == 0);
    CHECK(summary.text().find("8 row(s) (interrupted)") != std::string::npos);
}

TEST_CASE("the run summary of one shard says which") {
    output::RunSummary summary;
    summary.add(row(Status::valid, {}));
    summary.set_shard(Shard{2, 8});
    summary.finish(std::chrono::seconds(1), 1, false);
    CHECK(summary.text() ==
          "summary of shard 2/8: 1 row(s) in 1.00 s, 1 lookup(s), 1/s: 1 valid 0 warning 0 "
          "missing 0 invalid 0 error\nmost frequent codes: none\n");
    CHECK(summary.json().ends_with("\"interrupted\":false,\"shard\":{\"index\":2,\"count\":8}}"));
}
