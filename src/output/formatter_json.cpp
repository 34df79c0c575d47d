// The json format (one indented object, or an array of them for several results) and jsonl
// (one compact object per line, for streams).
#include <ostream>
#include <string>
#include <unordered_set>

#include "output/formatters.hpp"
#include "output/json_writer.hpp"
#include "tlsrpt/generate.hpp"
#include "tlsrpt/predicted_report.hpp"

namespace tlsrpt::output {
namespace {

template <typename T>
void optional_number(JsonWriter& json, const std::optional<T>& value) {
    if (value) {
        json.number(static_cast<std::uint64_t>(*value));
    } else {
        json.null();
    }
}

// An empty string stands for "none" in these fields.
void optional_text(JsonWriter& json, const std::string& value) {
    if (value.empty()) {
        json.null();
    } else {
        json.string(value);
    }
}

void optional_string(JsonWriter& json, const std::optional<std::string>& value) {
    if (value) {
        json.string(*value);
    } else {
        json.null();
    }
}

void write_policy(JsonWriter& json, const Policy& policy) {
    json.begin_object();
    json.key("record");
    json.number(static_cast<std::uint64_t>(policy.record));
    json.key("version");
    json.string(policy.version);
    json.key("rua");
    json.begin_array();
    for (const Destination& destination : policy.rua) {
        json.begin_object();
        json.key("uri");
        json.string(destination.uri);
        json.key("scheme");
        json.string(destination.scheme);
        json.key("supported");
        json.boolean(destination.supported);
        json.end_object();
    }
    json.end_array();
    // Senders ignore extensions; a repeated name keeps its first value so keys stay unique.
    json.key("extensions");
    json.begin_object();
    std::unordered_set<std::string> seen;
    for (const auto& [name, value] : policy.extensions) {
        if (!seen.insert(name).second) continue;
        json.key(name);
        json.string(value);
    }
    json.end_object();
    json.end_object();
}

void write_diagnostic(JsonWriter& json, const Diagnostic& diagnostic) {
    json.begin_object();
    json.key("code");
    json.string(diagnostic.code);
    json.key("severity");
    json.string(tlsrpt::to_string(diagnostic.severity));
    json.key("message");
    json.string(diagnostic.message);
    json.key("record");
    optional_number(json, diagnostic.record);
    json.key("offset");
    optional_number(json, diagnostic.offset);
    json.key("length");
    json.number(static_cast<std::uint64_t>(diagnostic.length));
    json.end_object();
}

void write_lookup(JsonWriter& json, const LookupInfo& lookup) {
    json.begin_object();
    json.key("rcode");
    optional_text(json, lookup.rcode);
    json.key("error");
    optional_string(json, lookup.error);
    json.key("cnames");
    json.begin_array();
    for (const std::string& name : lookup.cnames) json.string(name);
    json.end_array();
    json.key("ttl");
    optional_number(json, lookup.ttl);
    json.key("ttl_source");
    json.string(tlsrpt::to_string(lookup.ttl_source));
    json.key("authenticated");
    json.boolean(lookup.authenticated);
    json.key("server");
    optional_text(json, lookup.server);
    json.key("attempts");
    json.number(static_cast<std::uint64_t>(std::max(lookup.attempts, 0)));
    json.key("elapsed_ms");
    json.number(lookup.elapsed_ms);
    json.end_object();
}

void string_array(JsonWriter& json, const std::vector<std::string>& values) {
    json.begin_array();
    for (const std::string& value : values) json.string(value);
    json.end_array();
}

void write_mx(JsonWriter& json, const MxSection& mx) {
    json.begin_object();
    json.key("lookup");
    json.string(tlsrpt::to_string(mx.lookup));
    json.key("authenticated");
    json.boolean(mx.authenticated);
    json.key("null_mx");
    json.boolean(mx.null_mx);
    json.key("implicit");
    json.boolean(mx.implicit);
    json.key("hosts");
    json.begin_array();
    for (const MailHost& host : mx.hosts) {
        json.begin_object();
        json.key("host");
        json.string(host.name);
        json.key("preference");
        json.number(static_cast<std::uint64_t>(host.preference));
        json.end_object();
    }
    json.end_array();
    json.key("hosts_not_checked");
    json.number(static_cast<std::uint64_t>(mx.hosts_not_checked));
    json.end_object();
}

void write_policy(JsonWriter& json, const PolicyFetchSection& section) {
    const bool fetched = section.state == PolicyFetchState::fetched;
    const StsPolicyEvaluation& evaluation = section.evaluation;
    const StsPolicy* policy = fetched && evaluation.policy ? &*evaluation.policy : nullptr;
    json.begin_object();
    json.key("url");
    json.string(section.url);
    json.key("fetch");
    json.string(tlsrpt::to_string(section.state));
    json.key("address");
    optional_text(json, section.address);
    json.key("http_status");
    if (section.http_status > 0) {
        json.number(static_cast<std::uint64_t>(section.http_status));
    } else {
        json.null();
    }
    json.key("media_type");
    optional_text(json, section.media_type);
    json.key("location");
    optional_text(json, section.location);
    json.key("error");
    optional_text(json, section.error);
    json.key("result");
    if (section.failure) {
        json.string(tlsrpt::to_string(*section.failure));
    } else {
        json.null();
    }
    json.key("elapsed_ms");
    json.number(section.elapsed_ms);
    json.key("status");
    optional_string(json, fetched ? std::optional<std::string>(tlsrpt::to_string(evaluation.status))
                                  : std::nullopt);
    json.key("mode");
    optional_string(
        json, policy ? std::optional<std::string>(tlsrpt::to_string(policy->mode)) : std::nullopt);
    json.key("mx");
    string_array(json, policy ? policy->mx : std::vector<std::string>{});
    json.key("max_age");
    if (policy) {
        json.number(static_cast<std::uint64_t>(policy->max_age));
    } else {
        json.null();
    }
    json.key("policy_strings");
    string_array(json, fetched ? evaluation.policy_strings : std::vector<std::string>{});
    json.key("diagnostics");
    json.begin_array();
    if (fetched) {
        for (const Diagnostic& diagnostic : evaluation.diagnostics) {
            write_diagnostic(json, diagnostic);
        }
    }
    json.end_array();
    json.end_object();
}

void write_mta_sts(JsonWriter& json, const MtaStsSection& section) {
    const MtaStsEvaluation& mta_sts = section.evaluation;
    json.begin_object();
    json.key("query");
    json.string(section.query);
    json.key("lookup");
    json.string(tlsrpt::to_string(section.lookup));
    json.key("status");
    json.string(tlsrpt::to_string(mta_sts.status));
    json.key("records");
    string_array(json, mta_sts.records);
    json.key("id");
    optional_string(json, mta_sts.id);
    json.key("diagnostics");
    json.begin_array();
    for (const Diagnostic& diagnostic : mta_sts.diagnostics) write_diagnostic(json, diagnostic);
    json.end_array();
    json.key("policy");
    write_policy(json, section.policy);
    json.end_object();
}

void write_dane(JsonWriter& json, const std::vector<MailHost>& hosts) {
    json.begin_array();
    for (const MailHost& host : hosts) {
        json.begin_object();
        json.key("host");
        json.string(host.name);
        json.key("tlsa");
        json.string(tlsrpt::to_string(host.tlsa));
        json.key("authenticated");
        json.boolean(host.tlsa_authenticated);
        json.key("usages");
        json.begin_array();
        for (const std::uint8_t usage : host.tlsa_usages) {
            json.number(static_cast<std::uint64_t>(usage));
        }
        json.end_array();
        json.key("tlsrpt");
        json.string(tlsrpt::to_string(host.tlsrpt));
        json.key("tlsrpt_status");
        const bool evaluated = lookup_answered(host.tlsrpt);
        optional_string(
            json, evaluated ? std::optional<std::string>(tlsrpt::to_string(host.tlsrpt_status))
                            : std::nullopt);
        json.end_object();
    }
    json.end_array();
}

void write_destinations(JsonWriter& json, const std::vector<DestinationCheck>& destinations) {
    json.begin_array();
    for (const DestinationCheck& destination : destinations) {
        json.begin_object();
        json.key("uri");
        json.string(destination.uri);
        json.key("host");
        json.string(destination.host);
        json.key("verdict");
        json.string(tlsrpt::to_string(destination.verdict));
        json.key("found");
        string_array(json, destination.found);
        json.end_object();
    }
    json.end_array();
}

void optional_result(JsonWriter& json, const std::optional<ResultType>& result) {
    if (result) {
        json.string(tlsrpt::to_string(*result));
    } else {
        json.null();
    }
}

void write_certificate(JsonWriter& json, const std::optional<ServerCertificate>& certificate) {
    if (!certificate) {
        json.null();
        return;
    }
    json.begin_object();
    json.key("subject");
    json.string(certificate->subject);
    json.key("issuer");
    json.string(certificate->issuer);
    json.key("dns_names");
    string_array(json, certificate->dns_names);
    json.key("not_after");
    json.number(static_cast<std::uint64_t>(std::max<std::int64_t>(0, certificate->not_after)));
    json.end_object();
}

void write_probes(JsonWriter& json, const std::vector<HostProbe>& probes) {
    json.begin_array();
    for (const HostProbe& probe : probes) {
        json.begin_object();
        json.key("host");
        json.string(probe.host);
        json.key("address");
        json.string(probe.address);
        json.key("connected");
        json.boolean(probe.connected);
        json.key("stage");
        json.string(probe.stage);
        json.key("ending");
        json.string(probe.ending);
        json.key("detail");
        optional_text(json, probe.detail);
        json.key("reply_code");
        json.number(static_cast<std::uint64_t>(probe.reply_code));
        json.key("reply_text");
        optional_text(json, probe.reply_text);
        json.key("tls_version");
        optional_text(json, probe.tls_version);
        json.key("cipher");
        optional_text(json, probe.cipher);
        json.key("certificate");
        write_certificate(json, probe.certificate);
        json.key("dane");
        json.string(probe.dane);
        json.key("policy_type");
        json.string(tlsrpt::to_string(probe.policy));
        json.key("result");
        optional_result(json, probe.result);
        json.key("failure_reason_code");
        optional_text(json, probe.failure_reason_code);
        json.key("transient");
        json.boolean(probe.transient);
        json.key("elapsed_ms");
        json.number(probe.elapsed_ms);
        json.end_object();
    }
    json.end_array();
}

// The keys are RFC 8460's own (section 4.4), so that the section reads like the reports.
void write_predicted_report(JsonWriter& json, const std::vector<PredictedPolicy>& policies) {
    json.begin_object();
    json.key("policies");
    json.begin_array();
    for (const PredictedPolicy& policy : policies) {
        json.begin_object();
        json.key("policy");
        json.begin_object();
        json.key("policy-type");
        json.string(tlsrpt::to_string(policy.type));
        json.key("policy-string");
        string_array(json, policy.policy_strings);
        json.key("policy-domain");
        json.string(policy.policy_domain);
        json.key("mx-host");
        string_array(json, policy.mx_hosts);
        json.end_object();
        json.key("summary");
        json.begin_object();
        json.key("total-successful-session-count");
        json.number(static_cast<std::uint64_t>(policy.successful_sessions));
        json.key("total-failure-session-count");
        std::uint64_t failed = 0;
        for (const PredictedFailure& failure : policy.failures) {
            failed += failure.failed_session_count;
        }
        json.number(failed);
        json.end_object();
        json.key("failure-details");
        json.begin_array();
        for (const PredictedFailure& failure : policy.failures) {
            json.begin_object();
            json.key("result-type");
            json.string(tlsrpt::to_string(failure.result));
            json.key("receiving-mx-hostname");
            optional_text(json, failure.receiving_mx_hostname);
            json.key("receiving-ip");
            optional_text(json, failure.receiving_ip);
            json.key("failed-session-count");
            json.number(static_cast<std::uint64_t>(failure.failed_session_count));
            json.key("failure-reason-code");
            optional_text(json, failure.failure_reason_code);
            json.end_object();
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
    json.end_object();
}

void write_deep(JsonWriter& json, const DeepResult& deep, std::string_view domain) {
    json.key("mx");
    write_mx(json, deep.mx);
    json.key("mta_sts");
    write_mta_sts(json, deep.mta_sts);
    json.key("dane");
    write_dane(json, deep.mx.hosts);
    json.key("destinations");
    write_destinations(json, deep.destinations);
    json.key("destinations_not_checked");
    json.number(static_cast<std::uint64_t>(deep.destinations_not_checked));
    json.key("misplaced");
    json.begin_array();
    for (const MisplacedRecord& misplaced : deep.misplaced) {
        json.begin_object();
        json.key("name");
        json.string(misplaced.name);
        json.key("record");
        json.string(misplaced.record);
        json.end_object();
    }
    json.end_array();
    // Only with --probe: without it the keys stay absent, as before the probes existed.
    if (!deep.probed) return;
    json.key("probes");
    write_probes(json, deep.probes);
    json.key("predicted_report");
    write_predicted_report(json, predicted_report(domain, deep));
}

void write_name_server(JsonWriter& json, const NameServer& server) {
    json.begin_object();
    json.key("name");
    json.string(server.name);
    json.key("address");
    optional_text(json, server.address);
    json.key("state");
    json.string(tlsrpt::to_string(server.state));
    json.key("rcode");
    optional_text(json, server.rcode);
    json.key("aa");
    json.boolean(server.aa);
    json.key("alias");
    optional_text(json, server.alias);
    json.key("records");
    string_array(json, server.records);
    json.key("ttl");
    optional_number(json, server.ttl);
    json.key("serial");
    optional_number(json, server.serial);
    json.key("elapsed_ms");
    json.number(server.elapsed_ms);
    json.key("answer");
    optional_number(json, server.answer);
    json.end_object();
}

void write_authoritative(JsonWriter& json, const AuthoritativeResult& authoritative) {
    json.begin_object();
    json.key("lookup");
    json.string(tlsrpt::to_string(authoritative.lookup));
    json.key("zone");
    optional_text(json, authoritative.zone);
    json.key("servers");
    json.begin_array();
    for (const NameServer& server : authoritative.servers) write_name_server(json, server);
    json.end_array();
    json.key("servers_not_checked");
    json.number(static_cast<std::uint64_t>(authoritative.servers_not_checked));
    json.key("answers");
    json.begin_array();
    for (const ServedAnswer& answer : authoritative.answers) {
        json.begin_object();
        json.key("rcode");
        json.string(answer.rcode);
        json.key("alias");
        optional_text(json, answer.alias);
        json.key("records");
        string_array(json, answer.records);
        json.key("status");
        optional_string(json, answer.status
                                  ? std::optional<std::string>(tlsrpt::to_string(*answer.status))
                                  : std::nullopt);
        json.key("servers");
        json.begin_array();
        for (const std::size_t server : answer.servers) {
            json.number(static_cast<std::uint64_t>(server));
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
    json.key("consistent");
    if (authoritative.consistent) {
        json.boolean(*authoritative.consistent);
    } else {
        json.null();
    }
    json.end_object();
}

// Lint results have no input domain; check results carry their lookup fields, null where the
// lookup never happened (an invalid domain).
void write_result_object(JsonWriter& json, const CheckResult& result) {
    const Evaluation& evaluation = result.evaluation;
    json.begin_object();
    json.key("schema_version");
    json.number(json_schema_version);
    const bool from_lookup = result.input.has_value();
    if (from_lookup) {
        json.key("input");
        json.string(*result.input);
        if (result.line) {
            json.key("line");
            json.number(static_cast<std::uint64_t>(*result.line));
        }
        json.key("domain");
        optional_string(json, result.domain);
        json.key("query");
        optional_string(json, result.query);
    }
    json.key("status");
    json.string(tlsrpt::to_string(evaluation.status));
    json.key("records");
    string_array(json, evaluation.records);
    json.key("policy");
    if (evaluation.policy) {
        write_policy(json, *evaluation.policy);
    } else {
        json.null();
    }
    json.key("diagnostics");
    json.begin_array();
    for (const Diagnostic& diagnostic : evaluation.diagnostics) write_diagnostic(json, diagnostic);
    json.end_array();
    json.key("suggested_record");
    optional_string(json, evaluation.suggested_record);
    // As a zone file holds it: character-strings of at most 255 octets.
    json.key("suggested_record_strings");
    if (evaluation.suggested_record) {
        string_array(json, split_character_strings(*evaluation.suggested_record));
    } else {
        json.null();
    }
    if (from_lookup) {
        json.key("dns");
        if (result.dns) {
            write_lookup(json, *result.dns);
        } else {
            json.null();
        }
    }
    if (result.deep) write_deep(json, *result.deep, result.domain.value_or(""));
    if (result.authoritative) {
        json.key("authoritative");
        write_authoritative(json, *result.authoritative);
    }
    json.end_object();
}

std::string result_json(const CheckResult& result, bool pretty) {
    std::string text;
    JsonWriter json(text, pretty);
    write_result_object(json, result);
    return text;
}

// One result prints one object; from the second on they print as an array. The first object is
// held back until we know which.
class JsonFormatter final : public Formatter {
  public:
    explicit JsonFormatter(std::ostream& out) : Formatter(out) {}

  private:
    static std::string indented(const std::string& object) {
        std::string text = "  ";
        for (const char c : object) {
            text += c;
            if (c == '\n') text += "  ";
        }
        return text;
    }

    void write_result(const CheckResult& result) override {
        std::string object = result_json(result, true);
        if (results_written_++ == 0) {
            first_ = std::move(object);
            return;
        }
        if (results_written_ == 2) out_ << "[\n" << indented(first_);
        out_ << ",\n" << indented(object);
    }

    void write_end(const Summary&) override {
        if (results_written_ == 0) {
            out_ << "[]\n";
        } else if (results_written_ == 1) {
            out_ << first_ << '\n';
        } else {
            out_ << "\n]\n";
        }
    }

    std::size_t results_written_ = 0;
    std::string first_;
};

class JsonLinesFormatter final : public Formatter {
  public:
    explicit JsonLinesFormatter(std::ostream& out) : Formatter(out) {}

  private:
    void write_result(const CheckResult& result) override {
        out_ << result_json(result, false) << '\n';
    }
    void write_end(const Summary&) override {}
};

}  // namespace

std::unique_ptr<Formatter> make_json_formatter(std::ostream& out, bool pretty) {
    if (pretty) return std::make_unique<JsonFormatter>(out);
    return std::make_unique<JsonLinesFormatter>(out);
}

}  // namespace tlsrpt::output
