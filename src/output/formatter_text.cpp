// The text format, for people: a verdict line, the records, each finding with a caret under
// the bytes it concerns, and the suggested record. Every byte of data is shown escaped.
#include <algorithm>
#include <ctime>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/chrono.h>
#include <fmt/color.h>
#include <fmt/format.h>

#include "output/escape.hpp"
#include "output/formatters.hpp"
#include "tlsrpt/canonical.hpp"
#include "tlsrpt/generate.hpp"

namespace tlsrpt::output {
namespace {

std::string_view verdict(const CheckResult& result) {
    const Evaluation& evaluation = result.evaluation;
    // An invalid status with a policy comes from --deep errors around a usable record.
    if (evaluation.status == Status::invalid && evaluation.policy) {
        return "the TLS-RPT record is usable, but errors around it break reporting";
    }
    // Error rows that never got an answer say why rather than blame the lookup.
    if (evaluation.status == Status::error && !evaluation.diagnostics.empty()) {
        const std::string& code = evaluation.diagnostics.front().code;
        if (code == "invalid-domain") return "the name cannot be looked up";
        if (code == "interrupted") return "the run stopped before the lookup finished";
    }
    switch (evaluation.status) {
        case Status::valid:
            return "senders will use this policy";
        case Status::warning:
            return "senders will use this policy, but see the warnings";
        case Status::missing:
            return "no TLS-RPT policy is published";
        case Status::invalid:
            return "senders will not use this policy";
        case Status::error:
            return "the lookup failed, the policy is unknown";
    }
    return "";
}

fmt::text_style style_of(Status status) {
    switch (status) {
        case Status::valid:
            return fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold;
        case Status::warning:
        case Status::missing:
            return fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
        case Status::invalid:
        case Status::error:
            return fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold;
    }
    return {};
}

fmt::text_style style_of(Severity severity) {
    switch (severity) {
        case Severity::info:
            return fmt::fg(fmt::terminal_color::cyan) | fmt::emphasis::bold;
        case Severity::warning:
            return fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
        case Severity::error:
            return fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold;
    }
    return {};
}

class TextFormatter final : public Formatter {
  public:
    TextFormatter(std::ostream& out, const FormatterOptions& options)
        : Formatter(out), colour_(options.colour) {}

  private:
    // `text` must already be escaped or be our own words.
    std::string paint(std::string_view text, fmt::text_style style) const {
        return colour_ ? fmt::format(style, "{}", text) : std::string(text);
    }

    // Records are named by their kind where a row holds several kinds (--deep).
    static std::string record_label(std::string_view kind, std::size_t index) {
        return fmt::format("{}record {}: ", kind, index + 1);
    }

    void write_result(const CheckResult& result) override {
        const Evaluation& evaluation = result.evaluation;
        std::string text = results_written_++ > 0 ? "\n" : "";
        if (const auto& name = result.domain ? result.domain : result.input) {
            text += escape_bytes(*name);
            if (result.line) text += fmt::format(" (line {})", *result.line);
            text += ": ";
        }
        text += fmt::format(
            "{}: {}\n", paint(tlsrpt::to_string(evaluation.status), style_of(evaluation.status)),
            verdict(result));
        if (result.dns) text += describe_lookup(*result.dns);
        const std::string_view kind = result.deep ? "TLS-RPT " : "";
        for (std::size_t i = 0; i < evaluation.records.size(); ++i) {
            text += "  " + record_label(kind, i) + escape_bytes(evaluation.records[i]) + '\n';
        }
        if (evaluation.policy) {
            for (const Destination& destination : evaluation.policy->rua) {
                if (destination.supported) {
                    text += "  reports to: " + escape_bytes(destination.uri) + '\n';
                }
            }
        }
        if (result.deep) text += describe_deep(*result.deep);
        if (result.authoritative) text += describe_authoritative(*result.authoritative);
        for (const Diagnostic* diagnostic : by_severity(evaluation.diagnostics)) {
            text += describe(*diagnostic, kind, evaluation.records);
        }
        if (evaluation.suggested_record) text += describe_suggestion(*evaluation.suggested_record);
        if (evaluation.status == Status::missing) text += next_step(result.domain);
        out_ << text;
    }

    // Errors first, then warnings, then notes, each in the order found.
    static std::vector<const Diagnostic*> by_severity(const std::vector<Diagnostic>& diagnostics) {
        std::vector<const Diagnostic*> sorted;
        sorted.reserve(diagnostics.size());
        for (const Diagnostic& diagnostic : diagnostics) sorted.push_back(&diagnostic);
        std::stable_sort(
            sorted.begin(), sorted.end(),
            [](const Diagnostic* a, const Diagnostic* b) { return a->severity > b->severity; });
        return sorted;
    }

    // Ready to paste: a record over 255 octets as a zone file must hold it, in strings.
    static std::string describe_suggestion(const std::string& record) {
        if (record.size() <= 255) return "suggested record:\n" + escape_bytes(record) + '\n';
        return "suggested record, in character-strings of at most 255 octets that senders join "
               "with nothing in between:\n" +
               escape_bytes(quoted_character_strings(record)) + '\n';
    }

    // What a domain without a policy publishes next: the command that builds a record and the
    // zone line it prints, with an address the user must replace, never a guessed one.
    static std::string next_step(const std::optional<std::string>& domain) {
        constexpr std::string_view placeholder = "REPLACE-ME@example.com";
        const std::string record = canonical_record({"mailto:" + std::string(placeholder)});
        const std::string name = domain.value_or("");
        std::string text = fmt::format(
            "next step: publish a TLS-RPT record; replace {} with the mailbox that is to "
            "receive the reports:\n  tlsrpt-check generate --format zone",
            placeholder);
        if (!name.empty()) text += " --domain " + escape_bytes(name);
        text += fmt::format(" --mailto {}\n  {}\n", placeholder,
                            escape_bytes(zone_file_line(name, default_zone_ttl, record)));
        return text;
    }

    // How the answer came: a postmaster reads the TTL, DNSSEC and CNAME facts from here.
    static std::string describe_lookup(const LookupInfo& lookup) {
        std::string text =
            "  lookup: " + escape_bytes(lookup.rcode.empty() ? "no answer" : lookup.rcode);
        if (!lookup.server.empty()) text += " from " + escape_bytes(lookup.server);
        text += fmt::format(" in {:.1f} ms, {} attempt{}", lookup.elapsed_ms, lookup.attempts,
                            lookup.attempts == 1 ? "" : "s");
        if (lookup.ttl) {
            text += fmt::format(", TTL {} {}", *lookup.ttl,
                                lookup.ttl_source == TtlSource::authoritative
                                    ? "as published"
                                    : "left in the resolver's cache");
        }
        text += lookup.authenticated ? ", DNSSEC-authenticated" : ", not authenticated";
        text += '\n';
        for (const std::string& cname : lookup.cnames) {
            text += "  via CNAME: " + escape_name(cname) + '\n';
        }
        return text;
    }

    // --deep: a line per fact; what calls for action follows among the findings.
    std::string describe_deep(const DeepResult& deep) const {
        std::string text = "  mx: " + describe_mx(deep.mx) + '\n';
        text += "  mta-sts: " + describe_mta_sts(deep.mta_sts) + '\n';
        const MtaStsEvaluation& mta_sts = deep.mta_sts.evaluation;
        for (std::size_t i = 0; i < mta_sts.records.size(); ++i) {
            text += "    " + record_label("MTA-STS ", i) + escape_bytes(mta_sts.records[i]) + '\n';
        }
        for (const Diagnostic* diagnostic : by_severity(mta_sts.diagnostics)) {
            if (diagnostic->severity != Severity::info) {
                text += "  " + describe(*diagnostic, "MTA-STS ", mta_sts.records);
            }
        }
        text += describe_policy(deep.mta_sts.policy);
        for (const MailHost& host : deep.mx.hosts) {
            text += fmt::format("  dane {}: {}\n", escape_name(host.name), describe_dane(host));
        }
        for (const HostProbe& probe : deep.probes) {
            text += fmt::format("  probe {} {}: {}\n", escape_name(probe.host),
                                escape_name(probe.address), describe_probe(probe));
        }
        for (const DestinationCheck& destination : deep.destinations) {
            text += fmt::format("  destination {}: {}", escape_bytes(destination.uri),
                                tlsrpt::to_string(destination.verdict));
            if (!destination.found.empty()) text += " (" + joined_names(destination.found) + ")";
            text += '\n';
        }
        for (const MisplacedRecord& misplaced : deep.misplaced) {
            text += fmt::format("  misplaced at {}: {}\n", escape_bytes(misplaced.name),
                                escape_bytes(misplaced.record));
        }
        return text;
    }

    // --authoritative: the zone, a line per server, and each distinct answer with its records.
    static std::string describe_authoritative(const AuthoritativeResult& authoritative) {
        std::string text = "  authoritative: ";
        if (!lookup_answered(authoritative.lookup)) {
            text += fmt::format("lookup failed ({})", tlsrpt::to_string(authoritative.lookup));
        } else if (authoritative.zone.empty()) {
            text += "no zone found";
        } else {
            text += "zone " + escape_name(authoritative.zone);
            if (authoritative.lookup == LookupState::none) {
                text += " has no name servers";
            } else if (!authoritative.consistent) {
                text += ", no server answered with authority";
            } else if (*authoritative.consistent) {
                text += ", the servers agree";
            } else {
                text +=
                    fmt::format(", the servers disagree: {} answers", authoritative.answers.size());
            }
        }
        text += '\n';
        for (const NameServer& server : authoritative.servers) {
            text += "  name server " + escape_name(server.name);
            if (!server.address.empty()) text += " (" + escape_name(server.address) + ")";
            text += ": " + describe_server(server) + '\n';
        }
        for (std::size_t i = 0; i < authoritative.answers.size(); ++i) {
            const ServedAnswer& answer = authoritative.answers[i];
            text += fmt::format("  answer {}: {}", i + 1, escape_bytes(answer.rcode));
            if (!answer.alias.empty()) {
                text += ", an alias of " + escape_name(answer.alias);
            } else if (answer.records.empty()) {
                text += ", no TXT record";
            } else {
                text +=
                    fmt::format(", {}", tlsrpt::to_string(answer.status.value_or(Status::missing)));
            }
            text += '\n';
            for (std::size_t r = 0; r < answer.records.size(); ++r) {
                text += "    " + record_label("", r) + escape_bytes(answer.records[r]) + '\n';
            }
        }
        return text;
    }

    static std::string describe_server(const NameServer& server) {
        std::string text = server.answer ? fmt::format("answer {}", *server.answer + 1)
                                         : std::string(tlsrpt::to_string(server.state));
        if (!server.rcode.empty()) {
            text += " (" + escape_bytes(server.rcode) + (server.aa ? ", AA)" : ", no AA)");
        }
        if (server.ttl) text += fmt::format(", TTL {}", *server.ttl);
        if (server.serial) text += fmt::format(", serial {}", *server.serial);
        if (!server.rcode.empty() || server.state == ServerState::dns_timeout) {
            text += fmt::format(", {:.1f} ms", server.elapsed_ms);
        }
        return text;
    }

    // Names from DNS (mail hosts) or addresses.
    static std::string joined_names(const std::vector<std::string>& names) {
        std::string text;
        for (const std::string& name : names) {
            text += (text.empty() ? "" : ", ") + escape_name(name);
        }
        return text;
    }

    static std::string describe_mx(const MxSection& mx) {
        if (!lookup_answered(mx.lookup)) {
            return fmt::format("lookup failed ({})", tlsrpt::to_string(mx.lookup));
        }
        if (mx.null_mx) return "null MX: the domain accepts no mail";
        if (mx.implicit) return "none: mail goes to the domain's own addresses";
        if (mx.hosts.empty()) return "none: the domain does not exist";
        std::string text;
        for (const MailHost& host : mx.hosts) {
            text += fmt::format("{}{} {}", text.empty() ? "" : ", ", host.preference,
                                escape_name(host.name));
        }
        if (mx.hosts_not_checked > 0) text += fmt::format(" and {} more", mx.hosts_not_checked);
        return text + (mx.authenticated ? " (DNSSEC-authenticated)" : " (not authenticated)");
    }

    static std::string describe_mta_sts(const MtaStsSection& section) {
        if (!lookup_answered(section.lookup)) {
            return fmt::format("lookup failed ({})", tlsrpt::to_string(section.lookup));
        }
        const MtaStsEvaluation& mta_sts = section.evaluation;
        std::string text(tlsrpt::to_string(mta_sts.status));
        if (mta_sts.id) text += ", id " + escape_bytes(*mta_sts.id);
        return text;
    }

    // The policy file: how the fetch went, what it says, and its own findings (the lines they
    // point into are shown with them).
    std::string describe_policy(const PolicyFetchSection& section) const {
        std::string text = "  mta-sts policy: ";
        switch (section.state) {
            case PolicyFetchState::not_made:
                return "";  // not looked for
            case PolicyFetchState::no_address:
                return text + "not fetched: the policy host has no address\n";
            case PolicyFetchState::non_public:
                return text + "not fetched: the policy host's addresses are not public\n";
            case PolicyFetchState::lookup_failed:
                return text + "not fetched: the policy host's address lookups failed\n";
            case PolicyFetchState::failed:
                text += "fetch failed";
                if (!section.address.empty()) text += " from " + escape_name(section.address);
                text += ": " + escape_prose(section.error);
                if (section.failure) {
                    text += fmt::format(" (reports: {})", tlsrpt::to_string(*section.failure));
                }
                return text + '\n';
            case PolicyFetchState::fetched:
                break;
        }
        const StsPolicyEvaluation& evaluation = section.evaluation;
        text += fmt::format("fetched from {}: {}", escape_name(section.address),
                            tlsrpt::to_string(evaluation.status));
        if (evaluation.policy) {
            const StsPolicy& policy = *evaluation.policy;
            text += fmt::format(", mode {}", tlsrpt::to_string(policy.mode));
            if (!policy.mx.empty()) text += ", mx " + joined_names(policy.mx);
            text += fmt::format(", max_age {}", policy.max_age);
        }
        text += '\n';
        for (const Diagnostic* diagnostic : by_severity(evaluation.diagnostics)) {
            if (diagnostic->severity != Severity::info) {
                text += "  " + describe(*diagnostic, "policy ", evaluation.policy_strings);
            }
        }
        return text;
    }

    // What the session was like, then what a sender applying the host's policy would report.
    static std::string describe_probe(const HostProbe& probe) {
        if (!probe.connected) return "not connected: the address is not public";
        std::string text;
        if (!probe.tls_version.empty()) {
            text =
                fmt::format("{} {}", escape_prose(probe.tls_version), escape_prose(probe.cipher));
            if (probe.certificate) {
                const ServerCertificate& certificate = *probe.certificate;
                text += ", certificate " + escape_prose(certificate.subject);
                if (!certificate.dns_names.empty()) {
                    text += " for " + joined_names(certificate.dns_names);
                }
                text += fmt::format(", expires {:%Y-%m-%d}",
                                    fmt::gmtime(static_cast<std::time_t>(certificate.not_after)));
            }
            text += ", DANE " + probe.dane + "; ";
        } else {
            text = fmt::format("ended in {} ({}); ", probe.stage, probe.ending);
        }
        text += fmt::format("policy {}: ", tlsrpt::to_string(probe.policy));
        if (probe.transient) {
            return text + "no result, senders retry (" + escape_prose(probe.failure_reason_code) +
                   ")";
        }
        if (!probe.result) return text + "ok";
        return text + fmt::format("{} ({})", tlsrpt::to_string(*probe.result),
                                  escape_prose(probe.failure_reason_code));
    }

    static std::string describe_dane(const MailHost& host) {
        std::string text;
        if (host.tlsa == LookupState::found) {
            text = "TLSA usage";
            const char* separator = " ";
            for (const std::uint8_t usage : host.tlsa_usages) {
                text += fmt::format("{}{}", separator, usage);
                separator = ",";
            }
            text += host.tlsa_authenticated ? ", DNSSEC-authenticated" : ", not authenticated";
        } else {
            text = host.tlsa == LookupState::none
                       ? "no TLSA"
                       : fmt::format("TLSA lookup failed ({})", tlsrpt::to_string(host.tlsa));
        }
        text += "; TLS-RPT ";
        if (lookup_answered(host.tlsrpt)) {
            text += tlsrpt::to_string(host.tlsrpt_status);
        } else {
            text += fmt::format("lookup failed ({})", tlsrpt::to_string(host.tlsrpt));
        }
        return text;
    }

    // The finding, then the record it concerns with carets under the offending bytes; a
    // finding about a whole record names it instead.
    std::string describe(const Diagnostic& diagnostic, std::string_view kind,
                         const std::vector<std::string>& records) const {
        std::string text = fmt::format(
            "  {} {}: {}",
            paint(tlsrpt::to_string(diagnostic.severity), style_of(diagnostic.severity)),
            paint(escape_bytes(diagnostic.code), fmt::emphasis::bold),
            escape_prose(diagnostic.message));
        if (!diagnostic.record || *diagnostic.record >= records.size()) {
            return text + '\n';
        }
        if (!diagnostic.offset) {
            return fmt::format("{} ({}record {})\n", text, kind, *diagnostic.record + 1);
        }
        text += '\n';
        const std::string_view record = records[*diagnostic.record];
        const std::string label = "    " + record_label(kind, *diagnostic.record);
        const std::size_t offset = std::min(*diagnostic.offset, record.size());
        const std::size_t length = std::min(diagnostic.length, record.size() - offset);
        const std::size_t indent = label.size() + escaped_width(record.substr(0, offset));
        const std::size_t width =
            std::max<std::size_t>(1, escaped_width(record.substr(offset, length)));
        text += label + escape_bytes(record) + '\n';
        text += std::string(indent, ' ') +
                paint(std::string(width, '^'),
                      fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold) +
                '\n';
        return text;
    }

    void write_end(const Summary& summary) override {
        if (summary.total() < 2) return;
        std::string text = fmt::format("\n{} results:", summary.total());
        const char* separator = " ";
        for (const Status status :
             {Status::valid, Status::warning, Status::missing, Status::invalid, Status::error}) {
            text +=
                fmt::format("{}{} {}", separator, summary.count(status), tlsrpt::to_string(status));
            separator = ", ";
        }
        out_ << text << '\n';
    }

    bool colour_;
    std::size_t results_written_ = 0;
};

}  // namespace

std::unique_ptr<Formatter> make_text_formatter(std::ostream& out, const FormatterOptions& options) {
    return std::make_unique<TextFormatter>(out, options);
}

}  // namespace tlsrpt::output
