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

std::string as_csv(const std::vector<CheckResult>& results, const FormatterOptions& options = {}) {
    std::ostringstream out;
    const auto formatter = make_formatter(Format::csv, out, options);
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

TEST_CASE("CSV with --authoritative adds the TTL's source, the zone and a cell of servers") {
    CheckResult result = samples::check_result();
    result.authoritative = samples::authoritative_result();
    result.dns->ttl_source = TtlSource::authoritative;
    FormatterOptions options;
    options.authoritative = true;
    const std::string expected_header = std::string(header.substr(0, header.size() - 1)) +
                                        ",ttl_source,ns_zone,ns_consistent,ns_servers\n";
    CHECK(as_csv({result, samples::lint_result()}, options) ==
          expected_header +
              "example.com,missing,,,,NXDOMAIN,300,true,,a.example.net,127.0.0.1:5353,1,1.250,"
              "Example.COM,3,authoritative,split.test,false,"
              "ns1.split.test 127.0.91.53 answer-1|ns2.split.test 127.0.91.54 answer-2|"
              "ns3.split.test 127.0.91.55 lame|ns4.split.test - no-address\n"
              ",warning,unsupported-scheme|note,"
              "\"v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\\001\\255\","
              "v=TLSRPTv1; rua=mailto:a@example.com,,,,,,,,,,,,,,\n");
}

TEST_CASE("CSV neutralises cells that a spreadsheet would run") {
    CheckResult result;
    result.input = "=HYPERLINK(\"x\")";
    result.domain = "-x";
    result.evaluation.status = Status::error;
    CHECK(as_csv({result}) ==
          std::string(header) + "'-x,error,,,,,,,,,,,,\"'=HYPERLINK(\"\"x\"\")\",\n");
}
