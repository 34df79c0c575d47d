#include <catch2/catch.hpp>

#include <sstream>

#include "output/formatter.hpp"
#include "output/generated_record.hpp"
#include "output/json_writer.hpp"
#include "output_samples.hpp"
#include "tlsrpt/generate.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;

namespace {

std::string format_results(Format format, const std::vector<CheckResult>& results) {
    std::ostringstream out;
    const auto formatter = make_formatter(format, out);
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    return out.str();
}

// Expected output is easier to read with U+FFFD written as a marker.
std::string with_replacement_characters(std::string text) {
    const std::string marker = "<U+FFFD>";
    for (std::size_t at = 0; (at = text.find(marker, at)) != std::string::npos;) {
        text.replace(at, marker.size(), "\xef\xbf\xbd");
    }
    return text;
}

}  // namespace

TEST_CASE("the JSON writer places commas and indentation") {
    std::string pretty, compact;
    for (auto* text : {&pretty, &compact}) {
        JsonWriter json(*text, text == &pretty);
        json.begin_object();
        json.key("a");
        json.number(std::uint64_t{1});
        json.key("b");
        json.begin_array();
        json.boolean(true);
        json.null();
        json.number(2.5);
        json.end_array();
        json.key("c");
        json.begin_object();
        json.end_object();
        json.key("d");
        json.begin_array();
        json.end_array();
        json.end_object();
    }
    CHECK(pretty ==
          "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null,\n    2.500\n  ],\n  \"c\": {},\n"
          "  \"d\": []\n}");
    CHECK(compact == "{\"a\":1,\"b\":[true,null,2.500],\"c\":{},\"d\":[]}");
}

TEST_CASE("a lint result prints one JSON object") {
    CHECK(format_results(Format::json, {samples::lint_result()}) == with_replacement_characters(R"({
  "schema_version": 1,
  "status": "warning",
  "records": [
    "v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\u0001<U+FFFD>"
  ],
  "policy": {
    "record": 0,
    "version": "TLSRPTv1",
    "rua": [
      {
        "uri": "mailto:a@example.com",
        "scheme": "mailto",
        "supported": true
      },
      {
        "uri": "ftp://x\u0001<U+FFFD>",
        "scheme": "ftp",
        "supported": false
      }
    ],
    "extensions": {
      "ext": "1"
    }
  },
  "diagnostics": [
    {
      "code": "unsupported-scheme",
      "severity": "warning",
      "message": "Only mailto and https are supported.",
      "record": 0,
      "offset": 37,
      "length": 9
    },
    {
      "code": "note",
      "severity": "info",
      "message": "A note about no record.",
      "record": null,
      "offset": null,
      "length": 0
    }
  ],
  "suggested_record": "v=TLSRPTv1; rua=mailto:a@example.com",
  "suggested_record_strings": [
    "v=TLSRPTv1; rua=mailto:a@example.com"
  ]
}
)"));
}

TEST_CASE("a check result adds its domain, query and lookup") {
    CHECK(
        format_results(Format::jsonl, {samples::check_result()}) ==
        R"({"schema_version":1,"input":"Example.COM","line":3,"domain":"example.com","query":"_smtp._tls.example.com","status":"missing","records":[],"policy":null,"diagnostics":[],"suggested_record":null,"suggested_record_strings":null,"dns":{"rcode":"NXDOMAIN","error":null,"cnames":["a.example.net"],"ttl":300,"ttl_source":"resolver","authenticated":true,"server":"127.0.0.1:5353","attempts":1,"elapsed_ms":1.250}})"
        "\n");
}

TEST_CASE("an authoritative section lists each server and each distinct answer") {
    CheckResult result = samples::check_result();
    result.authoritative = samples::authoritative_result();
    result.dns->ttl_source = TtlSource::authoritative;
    const std::string jsonl = format_results(Format::jsonl, {result});
    CHECK(jsonl.find(R"("ttl":300,"ttl_source":"authoritative",)") != std::string::npos);
    CHECK(
        jsonl.substr(jsonl.find(R"(,"authoritative":)")) ==
        R"(,"authoritative":{"lookup":"found","zone":"split.test","servers":[)"
        R"({"name":"ns1.split.test","address":"127.0.91.53","state":"authoritative","rcode":"NOERROR","aa":true,"alias":null,"records":["v=TLSRPTv1; rua=mailto:t@split.test"],"ttl":3600,"serial":2026120202,"elapsed_ms":1.250,"answer":0},)"
        R"({"name":"ns2.split.test","address":"127.0.91.54","state":"authoritative","rcode":"NOERROR","aa":true,"alias":null,"records":["v=tlsrptv1; rua=mailto:t@split.test"],"ttl":300,"serial":2026120201,"elapsed_ms":0.500,"answer":1},)"
        R"({"name":"ns3.split.test","address":"127.0.91.55","state":"lame","rcode":"REFUSED","aa":false,"alias":null,"records":[],"ttl":null,"serial":null,"elapsed_ms":0.250,"answer":null},)"
        R"({"name":"ns4.split.test","address":null,"state":"no-address","rcode":null,"aa":false,"alias":null,"records":[],"ttl":null,"serial":null,"elapsed_ms":0.000,"answer":null}],)"
        R"("servers_not_checked":0,"answers":[)"
        R"({"rcode":"NOERROR","alias":null,"records":["v=TLSRPTv1; rua=mailto:t@split.test"],"status":"valid","servers":[0]},)"
        R"({"rcode":"NOERROR","alias":null,"records":["v=tlsrptv1; rua=mailto:t@split.test"],"status":"invalid","servers":[1]}],)"
        R"("consistent":false}})"
        "\n");
}

TEST_CASE("a check result without a lookup has null lookup fields") {
    CheckResult result;
    result.input = "bad..name";
    result.evaluation.status = Status::error;
    CHECK(
        format_results(Format::jsonl, {result}) ==
        R"({"schema_version":1,"input":"bad..name","domain":null,"query":null,"status":"error","records":[],"policy":null,"diagnostics":[],"suggested_record":null,"suggested_record_strings":null,"dns":null})"
        "\n");
}

TEST_CASE("several results print a JSON array, none an empty one") {
    CheckResult missing;
    missing.evaluation.status = Status::missing;
    CHECK(format_results(Format::json, {missing, missing}) ==
          "[\n"
          "  {\n    \"schema_version\": 1,\n    \"status\": \"missing\",\n    \"records\": [],\n   "
          " \"policy\": null,\n"
          "    \"diagnostics\": [],\n    \"suggested_record\": null,\n    "
          "\"suggested_record_strings\": null\n  },\n"
          "  {\n    \"schema_version\": 1,\n    \"status\": \"missing\",\n    \"records\": [],\n   "
          " \"policy\": null,\n"
          "    \"diagnostics\": [],\n    \"suggested_record\": null,\n    "
          "\"suggested_record_strings\": null\n  }\n"
          "]\n");
    CHECK(format_results(Format::json, {}) == "[]\n");
    CHECK(format_results(Format::jsonl, {}) == "");
    CHECK(format_results(Format::jsonl, {missing, missing}) ==
          "{\"schema_version\":1,\"status\":\"missing\",\"records\":[],\"policy\":null,"
          "\"diagnostics\":[],"
          "\"suggested_record\":null,\"suggested_record_strings\":null}\n"
          "{\"schema_version\":1,\"status\":\"missing\",\"records\":[],\"policy\":null,"
          "\"diagnostics\":[],"
          "\"suggested_record\":null,\"suggested_record_strings\":null}\n");
}

TEST_CASE("a suggested record over 255 octets comes with its character-strings too") {
    CheckResult result;
    result.evaluation.status = Status::invalid;
    std::string record = "v=TLSRPTv1; rua=";
    for (int i = 0; i < 12; ++i) {
        record +=
            (i > 0 ? ",mailto:reports-" : "mailto:reports-") + std::to_string(i) + "@example.com";
    }
    result.evaluation.suggested_record = record;
    const std::string text = format_results(Format::jsonl, {result});
    REQUIRE(record.size() > 255);
    const auto strings = split_character_strings(record);
    REQUIRE(strings.size() == 2);
    CHECK(text.find(R"("suggested_record":")" + record + R"(","suggested_record_strings":[")" +
                    strings[0] + R"(",")" + strings[1] + R"("]})") != std::string::npos);
}

TEST_CASE("a repeated extension name keeps its first value") {
    CheckResult result;
    result.evaluation.status = Status::valid;
    result.evaluation.policy = Policy{0, "TLSRPTv1", {}, {{"x", "1"}, {"x", "2"}, {"y", "3"}}};
    const std::string text = format_results(Format::jsonl, {result});
    CHECK(text.find(R"("extensions":{"x":"1","y":"3"})") != std::string::npos);
}

TEST_CASE("the generated record prints as one JSON object") {
    CHECK(
        generated_record_json({"v=TLSRPTv1; rua=mailto:a@b.example",
                               {"mailto:a@b.example"},
                               {"v=TLSRPTv1; rua=mailto:a@b.example"},
                               "_smtp._tls 86400 IN TXT \"v=TLSRPTv1; rua=mailto:a@b.example\""}) ==
        R"({
  "schema_version": 1,
  "record": "v=TLSRPTv1; rua=mailto:a@b.example",
  "rua": [
    "mailto:a@b.example"
  ],
  "strings": [
    "v=TLSRPTv1; rua=mailto:a@b.example"
  ],
  "zone": "_smtp._tls 86400 IN TXT \"v=TLSRPTv1; rua=mailto:a@b.example\""
}
)");
}

TEST_CASE("the summary adds statuses up to the worst exit code") {
    Summary summary;
    CHECK(summary.exit_code() == ExitCode::valid);
    summary.add(Status::warning);
    summary.add(Status::valid);
    summary.add(Status::warning);
    CHECK(summary.total() == 3);
    CHECK(summary.count(Status::warning) == 2);
    CHECK(summary.exit_code() == ExitCode::warning);
    summary.add(Status::error);
    summary.add(Status::invalid);
    CHECK(summary.exit_code() == ExitCode::lookup_error);
}
