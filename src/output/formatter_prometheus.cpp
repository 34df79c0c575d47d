// The prometheus format: the text exposition format, for node_exporter's textfile collector.
// Every metric family is written whole, its HELP and TYPE lines once, so the rows are kept
// until the end. The collector rejects explicit sample timestamps: the time of the check is a
// metric of its own.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "output/escape.hpp"
#include "output/formatters.hpp"

namespace tlsrpt::output {
namespace {

struct Row {
    CheckResult result;
    double checked_at = 0;  // seconds since the Unix epoch
};

struct Family {
    std::string_view name;
    std::string_view help;
    // Appends the family's samples for one row: "{labels} value" after the name.
    std::function<void(const Row&, std::vector<std::string>&)> samples;
};

// `value` as written: counts as integers, times in fixed notation (the shortest form of a small
// duration would be an exponent).
std::string sample(std::string_view labels, std::string_view value) {
    return fmt::format("{{{}}} {}", labels, value);
}

std::string whole(std::uint64_t count) {
    return std::to_string(count);
}

std::string domain_label(const CheckResult& result) {
    return fmt::format("domain=\"{}\"",
                       prometheus_label_value(result.domain.value_or(result.input.value_or(""))));
}

// One sample per status, 1 for `current`: a state set, as alert rules like to match it.
void status_samples(const CheckResult& result, Status current, std::vector<std::string>& out) {
    for (const Status status :
         {Status::valid, Status::warning, Status::missing, Status::invalid, Status::error}) {
        out.push_back(
            sample(fmt::format("{},status=\"{}\"", domain_label(result), tlsrpt::to_string(status)),
                   whole(current == status)));
    }
}

bool answered(const CheckResult& result) {
    return result.evaluation.status != Status::error;
}

std::string probe_labels(const Row& row, const HostProbe& probe) {
    return fmt::format("{},host=\"{}\",address=\"{}\"", domain_label(row.result),
                       prometheus_label_value(probe.host), prometheus_label_value(probe.address));
}

const std::vector<Family>& families() {
    static const std::vector<Family> all = {
        {"tlsrpt_status",
         "Status of the domain's TLS-RPT record: 1 for the status it has, 0 for the others.",
         [](const Row& row, std::vector<std::string>& out) {
             status_samples(row.result, row.result.evaluation.status, out);
         }},
        {"tlsrpt_txt_records", "TXT records found at _smtp._tls.<domain>.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!answered(row.result)) return;
             out.push_back(
                 sample(domain_label(row.result), whole(row.result.evaluation.records.size())));
         }},
        {"tlsrpt_destinations",
         "Usable report destinations (mailto or https) of the policy senders use.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!answered(row.result)) return;
             out.push_back(sample(domain_label(row.result),
                                  whole(usable_destinations(row.result.evaluation))));
         }},
        {"tlsrpt_ttl_seconds",
         "Smallest TTL of the TXT records: as the zone's servers publish it with --authoritative, "
         "else the time left in the resolver's cache.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!row.result.dns || !row.result.dns->ttl) return;
             out.push_back(sample(domain_label(row.result), whole(*row.result.dns->ttl)));
         }},
        {"tlsrpt_lookup_duration_seconds", "Time the TXT lookup took, retries included.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!row.result.dns) return;
             out.push_back(sample(domain_label(row.result),
                                  fmt::format("{:.6f}", row.result.dns->elapsed_ms / 1000)));
         }},
        {"tlsrpt_authenticated", "1 when the answer was DNSSEC-validated (the AD bit), else 0.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!row.result.dns) return;
             out.push_back(sample(domain_label(row.result), whole(row.result.dns->authenticated)));
         }},
        {"tlsrpt_diagnostics", "Findings about the domain's record or lookup, by code.",
         [](const Row& row, std::vector<std::string>& out) {
             std::map<std::string, std::uint64_t> counts;  // sorted: stable output
             for (const Diagnostic& diagnostic : row.result.evaluation.diagnostics) {
                 ++counts[diagnostic.code];
             }
             for (const auto& [code, count] : counts) {
                 out.push_back(sample(fmt::format("{},code=\"{}\"", domain_label(row.result),
                                                  prometheus_label_value(code)),
                                      whole(count)));
             }
         }},
        {"tlsrpt_mta_sts_status",
         "--deep: status of the domain's MTA-STS TXT record: 1 for the status it has, 0 for the "
         "others.",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& deep = row.result.deep;
             if (!deep || !lookup_answered(deep->mta_sts.lookup)) return;
             status_samples(row.result, deep->mta_sts.evaluation.status, out);
         }},
        {"tlsrpt_mta_sts_mode",
         "--deep: mode of the MTA-STS policy senders apply: 1 for the mode it has, 0 for the "
         "others; no samples when no policy applies.",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& deep = row.result.deep;
             if (!deep) return;
             const MtaStsSection& mta_sts = deep->mta_sts;
             const PolicyFetchSection& policy = mta_sts.policy;
             const bool record_used = mta_sts.lookup == LookupState::found &&
                                      (mta_sts.evaluation.status == Status::valid ||
                                       mta_sts.evaluation.status == Status::warning);
             if (!record_used || policy.state != PolicyFetchState::fetched ||
                 !policy.evaluation.policy) {
                 return;
             }
             const StsMode mode = policy.evaluation.policy->mode;
             for (const StsMode each : {StsMode::enforce, StsMode::testing, StsMode::none}) {
                 out.push_back(sample(fmt::format("{},mode=\"{}\"", domain_label(row.result),
                                                  tlsrpt::to_string(each)),
                                      whole(each == mode)));
             }
         }},
        {"tlsrpt_mx_hosts", "--deep: MX hosts checked (the domain itself when it has no MX).",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& deep = row.result.deep;
             if (!deep || !lookup_answered(deep->mx.lookup)) return;
             out.push_back(sample(domain_label(row.result), whole(deep->mx.hosts.size())));
         }},
        {"tlsrpt_dane_hosts",
         "--deep: MX hosts with DNSSEC-authenticated TLSA records at _25._tcp.<host>.",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& deep = row.result.deep;
             if (!deep || !lookup_answered(deep->mx.lookup)) return;
             const auto& hosts = deep->mx.hosts;
             out.push_back(
                 sample(domain_label(row.result),
                        whole(std::count_if(hosts.begin(), hosts.end(), [](const MailHost& host) {
                            return host.tlsa == LookupState::found && host.tlsa_authenticated;
                        }))));
         }},
        {"tlsrpt_destinations_unreachable",
         "--deep: report destinations that cannot receive reports or could not be checked.",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& deep = row.result.deep;
             if (!deep) return;
             const auto& checks = deep->destinations;
             out.push_back(sample(domain_label(row.result),
                                  whole(std::count_if(checks.begin(), checks.end(),
                                                      [](const DestinationCheck& check) {
                                                          return check.verdict.reach != Reach::ok;
                                                      }))));
         }},
        {"tlsrpt_ns_servers",
         "--authoritative: name server addresses of the zone (names without one count once).",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& authoritative = row.result.authoritative;
             if (!authoritative) return;
             out.push_back(sample(domain_label(row.result), whole(authoritative->servers.size())));
         }},
        {"tlsrpt_ns_consistent",
         "--authoritative: 1 when every name server that answered with authority gave the same "
         "answer, 0 when they differ.",
         [](const Row& row, std::vector<std::string>& out) {
             const auto& authoritative = row.result.authoritative;
             if (!authoritative || !authoritative->consistent) return;
             out.push_back(sample(domain_label(row.result), whole(*authoritative->consistent)));
         }},
        {"tlsrpt_mx_tls_result",
         "--probe: 1 for each probed mail host address, labelled with what a sender's report "
         "would say of a session there: ok, an RFC 8460 result type, or transient.",
         [](const Row& row, std::vector<std::string>& out) {
             if (!row.result.deep) return;
             for (const HostProbe& probe : row.result.deep->probes) {
                 if (!probe.connected) continue;
                 const std::string_view result = probe.transient ? "transient"
                                                 : probe.result  ? tlsrpt::to_string(*probe.result)
                                                                 : "ok";
                 out.push_back(sample(
                     fmt::format("{},result=\"{}\"", probe_labels(row, probe), result), "1"));
             }
         }},
        {"tlsrpt_mx_certificate_expiry_seconds",
         "--probe: seconds until the certificate a mail host address showed expires (negative "
         "once expired).",
         [](const Row& row, std::vector<std::string>& out) {
             if (!row.result.deep) return;
             for (const HostProbe& probe : row.result.deep->probes) {
                 if (!probe.certificate) continue;
                 const double left =
                     static_cast<double>(probe.certificate->not_after) - row.checked_at;
                 out.push_back(sample(probe_labels(row, probe), fmt::format("{:.0f}", left)));
             }
         }},
        {"tlsrpt_check_timestamp_seconds", "When the domain was checked, in Unix time.",
         [](const Row& row, std::vector<std::string>& out) {
             out.push_back(sample(domain_label(row.result), fmt::format("{:.3f}", row.checked_at)));
         }},
    };
    return all;
}

class PrometheusFormatter final : public Formatter {
  public:
    PrometheusFormatter(std::ostream& out, const FormatterOptions& options)
        : Formatter(out), now_(options.now) {}

  private:
    void write_result(const CheckResult& result) override {
        // A domain given twice would repeat its series, which the collector rejects.
        if (!labels_seen_.insert(domain_label(result)).second) return;
        const auto since_epoch = now_().time_since_epoch();
        rows_.push_back({result, std::chrono::duration<double>(since_epoch).count()});
    }

    void write_end(const Summary&) override {
        std::string text;
        for (const Family& family : families()) {
            std::vector<std::string> samples;
            for (const Row& row : rows_) family.samples(row, samples);
            if (samples.empty()) continue;
            text += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", family.name, family.help,
                                family.name);
            for (const std::string& line : samples)
                text += fmt::format("{}{}\n", family.name, line);
        }
        out_ << text;
    }

    std::function<std::chrono::system_clock::time_point()> now_;
    std::set<std::string> labels_seen_;
    std::vector<Row> rows_;
};

}  // namespace

std::unique_ptr<Formatter> make_prometheus_formatter(std::ostream& out,
                                                     const FormatterOptions& options) {
    return std::make_unique<PrometheusFormatter>(out, options);
}

}  // namespace tlsrpt::output
