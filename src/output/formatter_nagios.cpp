// The nagios format, a monitoring plugin's output (Nagios, Icinga, Naemon): the first line
// `TLSRPT <STATE> - <summary> | <performance data>`, then one line per finding, and per domain
// when several are checked. The state is also the exit code. Everything is printed at the end,
// because the first line sums up every domain.
#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "output/escape.hpp"
#include "output/formatters.hpp"

namespace tlsrpt::output {
namespace {

std::string_view to_string(PluginState state) {
    switch (state) {
        case PluginState::ok:
            return "OK";
        case PluginState::warning:
            return "WARNING";
        case PluginState::critical:
            return "CRITICAL";
        case PluginState::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

// The guidelines' order for several results: CRITICAL, then WARNING, then UNKNOWN, then OK; a
// known problem is worth more than a result we could not get.
int severity_rank(PluginState state) {
    switch (state) {
        case PluginState::ok:
            return 0;
        case PluginState::unknown:
            return 1;
        case PluginState::warning:
            return 2;
        case PluginState::critical:
            return 3;
    }
    return 1;
}

PluginState worse(PluginState a, PluginState b) {
    return severity_rank(b) > severity_rank(a) ? b : a;
}

// The name is data, not prose: escaped like records (a backslash doubled), so that a name
// holding a backslash and "027" cannot pass for one holding an ESC.
std::string name_of(const CheckResult& result) {
    return escape_bytes(result.domain.value_or(result.input.value_or("")), "|");
}

// The distinct codes of the findings at `minimum` severity or above, comma-separated.
std::string codes_from(const Evaluation& evaluation, Severity minimum) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) {
        if (diagnostic.severity < minimum) continue;
        if (std::find(codes.begin(), codes.end(), diagnostic.code) == codes.end()) {
            codes.push_back(diagnostic.code);
        }
    }
    std::string joined;
    for (const std::string& code : codes) joined += (joined.empty() ? "" : ", ") + code;
    return plugin_text(joined);
}

class NagiosFormatter final : public Formatter {
  public:
    NagiosFormatter(std::ostream& out, const FormatterOptions& options)
        : Formatter(out), options_(options) {}

    ExitCode exit_code() const override { return static_cast<ExitCode>(state()); }

  private:
    PluginState state_of(const CheckResult& result) const {
        switch (result.evaluation.status) {
            case Status::valid:
                return PluginState::ok;
            case Status::warning:
                return PluginState::warning;
            case Status::invalid:
                return PluginState::critical;
            case Status::missing:
                return options_.missing_state;
            case Status::error:
                return PluginState::unknown;
        }
        return PluginState::unknown;
    }

    PluginState state() const {
        if (results_.empty()) return PluginState::unknown;
        PluginState state = PluginState::ok;
        for (const CheckResult& result : results_) {
            state = worse(worse(state, state_of(result)), certificate_state(result));
        }
        return state;
    }

    // The probed certificate that expires first, and its days left (negative once expired).
    struct Expiry {
        const HostProbe* probe = nullptr;
        double days = 0;
    };
    std::optional<Expiry> first_expiry(const CheckResult& result) const {
        if (!result.deep) return std::nullopt;
        const double now = std::chrono::duration<double>(options_.now().time_since_epoch()).count();
        std::optional<Expiry> first;
        for (const HostProbe& probe : result.deep->probes) {
            if (!probe.certificate) continue;
            const double days = (static_cast<double>(probe.certificate->not_after) - now) / 86'400;
            if (!first || days < first->days) first = Expiry{&probe, days};
        }
        return first;
    }

    // --cert-warn and --cert-crit, on the certificate that expires first.
    PluginState certificate_state(const CheckResult& result) const {
        const auto expiry = first_expiry(result);
        if (!expiry) return PluginState::ok;
        if (options_.cert_crit_days && expiry->days < *options_.cert_crit_days) {
            return PluginState::critical;
        }
        if (options_.cert_warn_days && expiry->days < *options_.cert_warn_days) {
            return PluginState::warning;
        }
        return PluginState::ok;
    }

    std::string expiry_text(const CheckResult& result) const {
        if (certificate_state(result) == PluginState::ok) return "";
        const Expiry expiry = *first_expiry(result);
        return fmt::format("; the certificate of {} ({}) {}", plugin_text(expiry.probe->host),
                           plugin_text(expiry.probe->address),
                           expiry.days < 0
                               ? fmt::format("expired {:.0f} days ago", std::floor(-expiry.days))
                               : fmt::format("expires in {:.0f} days", std::floor(expiry.days)));
    }

    // A lookup the whole-check timeout ended: it ran for all of the check's time.
    bool cut_by_check_timeout(const CheckResult& result) const {
        return options_.check_timeout && result.dns && result.dns->error == "dns-timeout" &&
               result.dns->elapsed_ms >= static_cast<double>(options_.check_timeout->count());
    }

    std::string check_timeout_text(const CheckResult& result) const {
        return fmt::format("check timeout of {} s reached during the TXT lookup of {}",
                           std::chrono::duration<double>(*options_.check_timeout).count(),
                           plugin_text(result.query.value_or("")));
    }

    std::string verdict(const CheckResult& result) const {
        const Evaluation& evaluation = result.evaluation;
        switch (evaluation.status) {
            case Status::valid: {
                const std::size_t count = usable_destinations(evaluation);
                return fmt::format("valid TLS-RPT policy, {} destination{}", count,
                                   count == 1 ? "" : "s");
            }
            case Status::warning:
                return "TLS-RPT policy in use, with warnings: " +
                       codes_from(evaluation, Severity::warning);
            case Status::invalid:
                // With a policy, the errors are findings around a usable record: --deep's, or
                // name servers that disagree (--authoritative).
                return (evaluation.policy ? "TLS-RPT policy in use, but with errors around it: "
                                          : "senders will not use the TLS-RPT record: ") +
                       codes_from(evaluation, Severity::warning);
            case Status::missing:
                // no-tlsrpt-record is a note: it is still why the record is missing.
                return "no TLS-RPT record published (" + codes_from(evaluation, Severity::info) +
                       ")";
            case Status::error:
                if (cut_by_check_timeout(result)) return check_timeout_text(result);
                return "lookup failed: " + codes_from(evaluation, Severity::warning);
        }
        return "";
    }

    std::string summary_text() const {
        if (results_.empty()) return "no domain was checked";
        if (results_.size() == 1) {
            return name_of(results_.front()) + ": " + verdict(results_.front()) +
                   expiry_text(results_.front());
        }
        std::string text = fmt::format("{} domains:", results_.size());
        const char* separator = " ";
        for (const Status status :
             {Status::valid, Status::warning, Status::missing, Status::invalid, Status::error}) {
            if (summary().count(status) == 0) continue;
            text += fmt::format("{}{} {}", separator, summary().count(status),
                                tlsrpt::to_string(status));
            separator = ", ";
        }
        const auto timed_out = std::find_if(
            results_.begin(), results_.end(),
            [this](const CheckResult& result) { return cut_by_check_timeout(result); });
        if (timed_out != results_.end()) text += "; " + check_timeout_text(*timed_out);
        return text;
    }

    // Labels get the domain in front when several domains share the line.
    std::string perfdata(const CheckResult& result) const {
        if (!result.dns) return {};  // never looked up: nothing was measured
        const std::string prefix = results_.size() > 1 ? result.domain.value_or("") + " " : "";
        const auto label = [&](const char* name) { return perfdata_label(prefix + name); };
        const LookupInfo& dns = *result.dns;
        std::string data = fmt::format(" {}={:.6f}s;;;0", label("time"), dns.elapsed_ms / 1000);
        if (result.evaluation.status == Status::error) return data;
        data +=
            fmt::format(" {}={};;;0 {}={};;;0", label("records"), result.evaluation.records.size(),
                        label("destinations"), usable_destinations(result.evaluation));
        if (dns.ttl) {
            // A range "N:" warns below N, as ttl-below-minimum does.
            const std::string warn = options_.min_ttl ? fmt::format("{}:", *options_.min_ttl) : "";
            data += fmt::format(" {}={}s;{};;0", label("ttl"), *dns.ttl, warn);
        }
        if (const auto expiry = first_expiry(result)) {
            // Ranges "N:": a state below N days.
            const auto range = [](const std::optional<std::uint32_t>& days) {
                return days ? fmt::format("{}:", *days) : std::string();
            };
            data += fmt::format(" {}={:.0f};{};{};;", label("cert_days"), std::floor(expiry->days),
                                range(options_.cert_warn_days), range(options_.cert_crit_days));
        }
        return data;
    }

    std::string details(const CheckResult& result, std::string_view indent) const {
        const Evaluation& evaluation = result.evaluation;
        std::string text;
        const auto line = [&](const std::string& content) {
            text += fmt::format("{}{}\n", indent, content);
        };
        if (options_.verbosity >= 2) {
            for (std::size_t i = 0; i < evaluation.records.size(); ++i) {
                line(fmt::format("record {}: {}", i + 1, escape_bytes(evaluation.records[i], "|")));
            }
        }
        if (options_.verbosity >= 1 && evaluation.policy) {
            for (const Destination& destination : evaluation.policy->rua) {
                if (destination.supported)
                    line("reports to: " + escape_bytes(destination.uri, "|"));
            }
        }
        for (const Diagnostic& diagnostic : evaluation.diagnostics) {
            if (diagnostic.severity == Severity::info && options_.verbosity < 1) continue;
            line(fmt::format("{} {}: {}", tlsrpt::to_string(diagnostic.severity),
                             plugin_text(diagnostic.code), plugin_text(diagnostic.message)));
        }
        if (options_.verbosity >= 2) {
            if (evaluation.suggested_record) {
                line("suggested record: " + escape_bytes(*evaluation.suggested_record, "|"));
            }
            if (result.dns) {
                const LookupInfo& dns = *result.dns;
                line(fmt::format(
                    "dns: server {}, rcode {}, {} attempt(s), {:.3f} ms, ttl {} ({}), "
                    "authenticated {}",
                    plugin_text(dns.server.empty() ? "none" : dns.server),
                    plugin_text(dns.rcode.empty() ? "none" : dns.rcode), dns.attempts,
                    dns.elapsed_ms, dns.ttl ? std::to_string(*dns.ttl) : "none",
                    tlsrpt::to_string(dns.ttl_source), dns.authenticated ? "yes" : "no"));
            }
        }
        return text;
    }

    void write_result(const CheckResult& result) override { results_.push_back(result); }

    void write_end(const Summary&) override {
        std::string perfdata_text;
        for (const CheckResult& result : results_) perfdata_text += perfdata(result);
        std::string text = fmt::format("TLSRPT {} - {}", to_string(state()), summary_text());
        if (!perfdata_text.empty()) text += " |" + perfdata_text;
        text += '\n';
        if (results_.size() == 1) {
            text += details(results_.front(), "");
        } else {
            for (const CheckResult& result : results_) {
                text += fmt::format("[{}] {}: {}\n", to_string(state_of(result)), name_of(result),
                                    verdict(result));
                text += details(result, "  ");
            }
        }
        out_ << text;
    }

    FormatterOptions options_;
    std::vector<CheckResult> results_;
};

}  // namespace

std::string nagios_unknown_line(std::string_view reason) {
    return fmt::format("TLSRPT UNKNOWN - {}\n", plugin_text(reason));
}

std::unique_ptr<Formatter> make_nagios_formatter(std::ostream& out,
                                                 const FormatterOptions& options) {
    return std::make_unique<NagiosFormatter>(out, options);
}

}  // namespace tlsrpt::output
