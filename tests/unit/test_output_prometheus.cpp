#include <catch2/catch.hpp>

#include <sstream>

#include "output/escape.hpp"
#include "output/formatter.hpp"
#include "output_samples.hpp"

using namespace tlsrpt;
using namespace tlsrpt::output;

namespace {

std::string as_prometheus(const std::vector<CheckResult>& results) {
    std::ostringstream out;
    FormatterOptions options;
    options.now = [] {
        return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    };
    const auto formatter = make_formatter(Format::prometheus, out, options);
    for (const CheckResult& result : results) formatter->write(result);
    formatter->finish();
    return out.str();
}

}  // namespace

TEST_CASE("prometheus: exact families and series of a looked-up domain") {
    CheckResult result = samples::check_result();
    result.evaluation.diagnostics = {{"no-record", Severity::error, "none", {}, {}, 0}};
    CHECK(as_prometheus({result}) ==
          "# HELP tlsrpt_status Status of the domain's TLS-RPT record: 1 for the status it has, 0 "
          "for the others.\n"
          "# TYPE tlsrpt_status gauge\n"
          "tlsrpt_status{domain=\"example.com\",status=\"valid\"} 0\n"
          "tlsrpt_status{domain=\"example.com\",status=\"warning\"} 0\n"
          "tlsrpt_status{domain=\"example.com\",status=\"missing\"} 1\n"
          "tlsrpt_status{domain=\"example.com\",status=\"invalid\"} 0\n"
          "tlsrpt_status{domain=\"example.com\",status=\"error\"} 0\n"
          "# HELP tlsrpt_txt_records TXT records found at _smtp._tls.<domain>.\n"
          "# TYPE tlsrpt_txt_records gauge\n"
          "tlsrpt_txt_records{domain=\"example.com\"} 0\n"
          "# HELP tlsrpt_destinations Usable report destinations (mailto or https) of the policy "
          "senders use.\n"
          "# TYPE tlsrpt_destinations gauge\n"
          "tlsrpt_destinations{domain=\"example.com\"} 0\n"
          "# HELP tlsrpt_ttl_seconds Smallest TTL of the TXT records: as the zone's servers "
          "publish it with --authoritative, else the time left in the resolver's cache.\n"
          "# TYPE tlsrpt_ttl_seconds gauge\n"
          "tlsrpt_ttl_seconds{domain=\"example.com\"} 300\n"
          "# HELP tlsrpt_lookup_duration_seconds Time the TXT lookup took, retries included.\n"
          "# TYPE tlsrpt_lookup_duration_seconds gauge\n"
          "tlsrpt_lookup_duration_seconds{domain=\"example.com\"} 0.001250\n"
          "# HELP tlsrpt_authenticated 1 when the answer was DNSSEC-validated (the AD bit), else "
          "0.\n"
          "# TYPE tlsrpt_authenticated gauge\n"
          "tlsrpt_authenticated{domain=\"example.com\"} 1\n"
          "# HELP tlsrpt_diagnostics Findings about the domain's record or lookup, by code.\n"
          "# TYPE tlsrpt_diagnostics gauge\n"
          "tlsrpt_diagnostics{domain=\"example.com\",code=\"no-record\"} 1\n"
          "# HELP tlsrpt_check_timestamp_seconds When the domain was checked, in Unix time.\n"
          "# TYPE tlsrpt_check_timestamp_seconds gauge\n"
          "tlsrpt_check_timestamp_seconds{domain=\"example.com\"} 1700000000.000\n");
}

TEST_CASE("prometheus: a failed lookup has no record metrics, a repeated domain one set") {
    CheckResult failed = samples::check_result();
    failed.evaluation.status = Status::error;
    failed.dns->ttl.reset();
    const std::string text = as_prometheus({failed, failed});
    CHECK(text.find("tlsrpt_txt_records") == std::string::npos);
    CHECK(text.find("tlsrpt_destinations") == std::string::npos);
    CHECK(text.find("tlsrpt_ttl_seconds") == std::string::npos);
    CHECK(text.find("tlsrpt_status{domain=\"example.com\",status=\"error\"} 1\n") !=
          std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2 + 5 + 2 + 1 + 2 + 1 + 2 + 1);
}

TEST_CASE("prometheus: --authoritative adds the servers and whether they agree") {
    CheckResult result = samples::check_result();
    result.authoritative = samples::authoritative_result();
    const std::string text = as_prometheus({result});
    for (const char* line : {
             "# TYPE tlsrpt_ns_servers gauge\ntlsrpt_ns_servers{domain=\"example.com\"} 4\n",
             "# TYPE tlsrpt_ns_consistent gauge\ntlsrpt_ns_consistent{domain=\"example.com\"} 0\n",
         }) {
        CHECK(text.find(line) != std::string::npos);
    }
    // No server answered with authority: nothing to say about agreement.
    result.authoritative->consistent.reset();
    CHECK(as_prometheus({result}).find("tlsrpt_ns_consistent") == std::string::npos);
    result.authoritative.reset();
    CHECK(as_prometheus({result}).find("tlsrpt_ns_") == std::string::npos);
}

TEST_CASE("prometheus: label values are escaped and valid UTF-8") {
    CHECK(prometheus_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
    CHECK(prometheus_label_value("x\x1b\xff\xc3\xbc") == "x\xef\xbf\xbd\xef\xbf\xbd\xc3\xbc");
    // C1 controls (0x9B is CSI) too, while other non-ASCII characters such as NBSP stay.
    CHECK(prometheus_label_value("a\xc2\x9b"
                                 "b\xc2\x85\xc2\xa0") ==
          "a\xef\xbf\xbd"
          "b\xef\xbf\xbd\xc2\xa0");
    CheckResult odd;
    odd.input = "bad\"name\n";
    odd.evaluation.status = Status::error;
    CHECK(as_prometheus({odd}).find(
              "tlsrpt_status{domain=\"bad\\\"name\\n\",status=\"error\"} 1") != std::string::npos);
}
