// RRset evaluation: selection (RFC 8460 §3), then the fields of every record meant as TLS-RPT,
// then the verdict, the policy and the suggestion.
#include <algorithm>
#include <iterator>
#include <span>

#include <fmt/format.h>

#include "ascii.hpp"
#include "diagnostic_sink.hpp"
#include "record_parser.hpp"
#include "selection.hpp"
#include "suggest.hpp"
#include "tlsrpt/evaluation.hpp"
#include "uri.hpp"

namespace tlsrpt {

using namespace policy;

namespace {

struct RecordState {
    Classification classification;
    ParsedFields fields;  // empty for unrelated records
};

void report_version_space(const Classification& classification, DiagnosticSink& sink) {
    if (!classification.version_space_offset) return;
    sink.add("ws-before-delimiter", Severity::warning,
             "Whitespace stands between the version and its \";\"; senders that look for "
             "v=TLSRPTv1; literally discard the record.",
             classification.version_space_offset, classification.version_space_length);
}

// Diagnoses a record senders parse, or a near miss when it stands alone.
ParsedFields diagnose_record(std::string_view record, const TxtRecord& rr,
                             const Classification& classification, DiagnosticSink& sink) {
    for (std::size_t i = 0; i < classification.problem_count; ++i) {
        const SelectionProblem& problem = classification.problems[i];
        sink.add(problem.code, Severity::error, std::string(selection_message(problem.code)),
                 problem.offset, problem.length);
    }
    report_version_space(classification, sink);
    scan_record_bytes(record, rr, sink);
    if (!classification.fields) return {};
    return parse_fields(record, *classification.fields, sink);
}

Status verdict(const std::vector<Diagnostic>& diagnostics) {
    Status status = Status::valid;
    for (const Diagnostic& diagnostic : diagnostics) {
        if (diagnostic.severity == Severity::error) return Status::invalid;
        if (diagnostic.severity == Severity::warning) status = Status::warning;
    }
    return status;
}

Policy make_policy(std::size_t index, std::string_view record, const ParsedFields& fields) {
    Policy policy;
    policy.record = index;
    policy.version = "TLSRPTv1";
    policy.rua.reserve(fields.rua.size());
    for (const RuaPiece& piece : fields.rua) {
        if (!piece.is_destination) continue;
        Destination destination;
        destination.uri = record.substr(piece.offset, piece.length);
        destination.scheme = lowercase(record.substr(piece.offset, piece.scheme_length));
        destination.supported = piece.usable;
        if (const auto host = find_host(destination.uri); host && piece.usable) {
            destination.host = lowercase(
                std::string_view(destination.uri).substr(host->begin, host->end - host->begin));
        }
        policy.rua.push_back(std::move(destination));
    }
    for (const ExtensionRange& extension : fields.extensions) {
        policy.extensions.emplace_back(
            record.substr(extension.name_offset, extension.name_length),
            record.substr(extension.value_offset, extension.value_length));
    }
    return policy;
}

}  // namespace

Evaluation evaluate(const TxtRRset& rrset) {
    Evaluation evaluation;
    evaluation.records.reserve(rrset.size());
    for (const TxtRecord& rr : rrset) evaluation.records.push_back(join_strings(rr));
    std::vector<Diagnostic>& diagnostics = evaluation.diagnostics;
    DiagnosticSink selection_sink(diagnostics, std::nullopt);
    if (rrset.empty()) {
        evaluation.status = Status::missing;
        // `missing` is the verdict; the absence of a record is a fact, not a mistake.
        selection_sink.add("no-record", Severity::info,
                           "There is no TXT record at this name, so the domain does not "
                           "request TLS reports.");
        return evaluation;
    }

    // One record is the common case: its state then lives on the stack.
    RecordState single_state;
    std::vector<RecordState> state_buffer(rrset.size() > 1 ? rrset.size() : 0);
    const std::span<RecordState> states =
        rrset.size() == 1 ? std::span<RecordState>(&single_state, 1) : std::span(state_buffer);
    std::size_t candidates = 0;
    std::size_t near_misses = 0;
    for (std::size_t i = 0; i < rrset.size(); ++i) {
        states[i].classification = classify(evaluation.records[i]);
        candidates += states[i].classification.kind == RecordKind::candidate ? 1 : 0;
        near_misses += states[i].classification.kind == RecordKind::near_miss ? 1 : 0;
    }

    if (candidates + near_misses == 0) {
        evaluation.status = Status::missing;
        selection_sink.add("no-tlsrpt-record", Severity::info,
                           "None of the TXT records at this name is a TLS-RPT record, so the "
                           "domain does not request TLS reports.");
    } else if (candidates > 1) {
        selection_sink.add("multiple-tlsrpt-records", Severity::error,
                           fmt::format("{} records begin with v=TLSRPTv1; senders then use none "
                                       "of them: publish exactly one.",
                                       candidates));
    }

    std::vector<Diagnostic> discarded_findings;
    for (std::size_t i = 0; i < rrset.size(); ++i) {
        const std::string& record = evaluation.records[i];
        const Classification& classification = states[i].classification;
        ParsedFields& parsed = states[i].fields;
        DiagnosticSink sink(diagnostics, i);
        switch (classification.kind) {
            case RecordKind::unrelated:
                sink.add("unrelated-txt-record", Severity::info,
                         std::string(unrelated_record_message(record)));
                break;
            case RecordKind::candidate:
                parsed = diagnose_record(record, rrset[i], classification, sink);
                break;
            case RecordKind::near_miss:
                if (candidates == 0) {
                    parsed = diagnose_record(record, rrset[i], classification, sink);
                    break;
                }
                // A record of another version is for senders of that version: version 1
                // senders discard it by design, and its destinations stay out of the
                // suggestion.
                if (classification.other_version) {
                    sink.add("other-version-record", Severity::info,
                             "Senders of TLS-RPT version 1 ignore this record of another "
                             "version, as its authors intend beside a version 1 policy.",
                             classification.problems[0].offset, classification.problems[0].length);
                    break;
                }
                // Beside a policy, a look-alike is only a warning; its own findings would
                // describe a record senders never read, so they are kept for the suggestion.
                const SelectionProblem& problem = classification.problems[0];
                sink.add("discarded-malformed-tlsrpt-record", Severity::warning,
                         "Senders discard this look-alike of a TLS-RPT record. " +
                             std::string(selection_message(problem.code)),
                         problem.offset, problem.length);
                DiagnosticSink discarded(discarded_findings, i);
                parsed = diagnose_record(record, rrset[i], classification, discarded);
                break;
        }
    }

    if (candidates + near_misses == 0) return evaluation;
    evaluation.status = verdict(diagnostics);
    if (evaluation.status == Status::valid || evaluation.status == Status::warning) {
        const auto selected = std::find_if(states.begin(), states.end(), [](const RecordState& s) {
            return s.classification.kind == RecordKind::candidate;
        });
        const std::size_t index = static_cast<std::size_t>(selected - states.begin());
        evaluation.policy = make_policy(index, evaluation.records[index], selected->fields);
    }
    if (evaluation.status != Status::valid) {
        std::vector<SalvageSource> sources;
        // Senders read a line break or a NUL as part of a field, so the fields parsed above
        // may miss a rua. The suggestion reads such a record as its author meant it: a line
        // break separates words (text pasted after an address must not join its host), other
        // control characters are removed.
        std::vector<RecordState> without_controls;
        without_controls.reserve(rrset.size());  // `sources` points into it
        std::vector<std::string> texts_without_controls;
        texts_without_controls.reserve(rrset.size());
        for (std::size_t i = 0; i < rrset.size(); ++i) {
            const Classification& classification = states[i].classification;
            if (classification.kind == RecordKind::unrelated ||
                (classification.other_version && candidates > 0)) {
                continue;
            }
            const std::string& record = evaluation.records[i];
            if (std::none_of(record.begin(), record.end(), is_control)) {
                sources.push_back(SalvageSource{record, &states[i].fields});
                continue;
            }
            std::string& text = texts_without_controls.emplace_back();
            for (const char c : record) {
                if (c == '\r' || c == '\n') {
                    text += ' ';
                } else if (!is_control(c)) {
                    text += c;
                }
            }
            RecordState& state = without_controls.emplace_back();
            state.classification = classify(text);
            if (state.classification.kind == RecordKind::unrelated) continue;
            DiagnosticSink scratch(discarded_findings, i);
            state.fields = diagnose_record(text, TxtRecord{{text}}, state.classification, scratch);
            sources.push_back(SalvageSource{text, &state.fields});
        }
        evaluation.suggested_record = suggest_record(sources);
        // A record whose only finding is a host no repair can make public is its own
        // suggestion: nothing to propose.
        if (evaluation.policy && candidates + near_misses == 1 &&
            evaluation.suggested_record == evaluation.records[evaluation.policy->record]) {
            evaluation.suggested_record.reset();
        }
    }
    return evaluation;
}

}  // namespace tlsrpt
