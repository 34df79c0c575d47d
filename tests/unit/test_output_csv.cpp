#include <catch2/catch.hpp>

#include <sstream>

#include "output/formatter.hpp"
#include "output_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;

namespace {

constexpr std::string_view header =
    "domain,status,codes,record,suggested_record,rcode,ttl,authenticated,dns_error,cnames,server,"
    "attempts,elapsed_ms,input,line\n";

std::string as_csv(const std::vector<CheckResult>& results) {
    std::ostringstream out;
    const auto formatter = make_formatter(Format::csv, out);
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    return out.str();
}

}  // namespace

TEST_CASE("CSV prints the header even with no rows") {
    CHECK(as_csv({}) == header);
}

TEST_CASE("CSV prints one escaped row per result") {
    CheckResult twice = samples::lint_result();
    twice.evaluation.diagnostics.push_back(twice.evaluation.diagnostics.front());
    twice.evaluation.records.push_back("=cmd|x, \"q\"");
    CHECK(as_csv({twice, samples::check_result()}) ==
          std::string(header) +
              ",warning,unsupported-scheme|note,"
              "\"v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\\001\\255|=cmd\\124x, \"\"q\"\"\","
              "v=TLSRPTv1; rua=mailto:a@example.com,,,,,,,,,,\n"
              "example.com,missing,,,,NXDOMAIN,300,true,,a.example.net,127.0.0.1:5353,1,1.250,"
              "Example.COM,3\n");
}

TEST_CASE("CSV neutralises cells that a spreadsheet would run") {
    CheckResult result;
    result.input = "=HYPERLINK(\"x\")";
    result.domain = "-x";
    result.evaluation.status = Status::error;
    CHECK(as_csv({result}) ==
          std::string(header) + "'-x,error,,,,,,,,,,,,\"'=HYPERLINK(\"\"x\"\")\",\n");
}
