// The record evaluator over any RRset: the input holds one TXT record per line in presentation
// format (a line that does not parse is one string as is). Checks the contract of Evaluation:
// records joined as received, a status that agrees with the diagnostics and the policy,
// diagnostics inside their record and free of raw bytes, and a suggestion that is itself a
// valid record with nothing to report. And what RFC 8460 §3 implies: the verdict depends on
// the joined text, not on where the strings split it, nor on the order of the records.
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/generate.hpp"

using namespace tlsrpt;
using fuzz::require;

namespace {

bool has_severity(const Evaluation& evaluation, Severity severity) {
    return std::any_of(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                       [&](const Diagnostic& d) { return d.severity == severity; });
}

void check_status(const Evaluation& evaluation) {
    const bool errors = has_severity(evaluation, Severity::error);
    const bool warnings = has_severity(evaluation, Severity::warning);
    switch (evaluation.status) {
        case Status::valid:
            require(!errors && !warnings, "valid: no error or warning");
            break;
        case Status::warning:
            require(!errors && warnings, "warning: warnings and no error");
            break;
        case Status::invalid:
            require(errors, "invalid: an error");
            break;
        case Status::missing:
            require(!errors && !warnings, "missing: only notes");
            break;
        case Status::error:
            require(false, "evaluation never gives the lookup status error");
    }
    const bool used = evaluation.status == Status::valid || evaluation.status == Status::warning;
    require(evaluation.policy.has_value() == used, "a policy exactly when senders use one");
    if (evaluation.policy) {
        require(evaluation.policy->record < evaluation.records.size(), "the policy's record");
        const std::string& record = evaluation.records[evaluation.policy->record];
        for (const Destination& destination : evaluation.policy->rua) {
            require(record.find(destination.uri) != std::string::npos,
                    "destinations as published in the record");
        }
    }
    if (evaluation.suggested_record) {
        require(evaluation.status == Status::warning || evaluation.status == Status::invalid,
                "a suggestion only for a warning or an invalid verdict");
    }
}

void check_diagnostics(const Evaluation& evaluation) {
    for (const Diagnostic& diagnostic : evaluation.diagnostics) {
        require(!diagnostic.code.empty(), "every diagnostic has a code");
        require(fuzz::is_printable_ascii(diagnostic.message), "messages are printable ASCII");
        if (diagnostic.record) {
            require(*diagnostic.record < evaluation.records.size(), "a diagnostic's record");
        }
        if (diagnostic.offset) {
            require(diagnostic.record.has_value(), "a byte range belongs to a record");
            require(*diagnostic.offset + diagnostic.length <=
                        evaluation.records[*diagnostic.record].size(),
                    "a byte range lies inside its record");
        }
    }
}

// Published as `generate --format zone` would write it: strings of at most 255 octets.
void check_suggestion(const std::string& suggestion) {
    const TxtRecord published{split_character_strings(suggestion)};
    const Evaluation again = evaluate({published});
    require(again.status == Status::valid, "a suggested record evaluates valid");
    require(again.diagnostics.empty(), "a suggested record has no diagnostics");
    require(!again.suggested_record, "a suggested record needs no further suggestion");
}

std::vector<std::string> sorted_codes(const Evaluation& evaluation) {
    std::vector<std::string> codes;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) codes.push_back(diagnostic.code);
    std::sort(codes.begin(), codes.end());
    return codes;
}

bool same_evaluation(const Evaluation& a, const Evaluation& b) {
    const auto same_diagnostic = [](const Diagnostic& x, const Diagnostic& y) {
        return x.code == y.code && x.severity == y.severity && x.message == y.message &&
               x.record == y.record && x.offset == y.offset && x.length == y.length;
    };
    return a.status == b.status && a.records == b.records &&
           a.suggested_record == b.suggested_record &&
           std::equal(a.diagnostics.begin(), a.diagnostics.end(), b.diagnostics.begin(),
                      b.diagnostics.end(), same_diagnostic);
}

// Only character-string-too-long looks at the strings themselves: below that length, the same
// records split anywhere else evaluate the same.
void check_split_invariance(const TxtRRset& rrset, const Evaluation& evaluation) {
    TxtRRset resplit;
    for (const TxtRecord& record : rrset) {
        for (const std::string& string : record.strings) {
            if (string.size() > 255) return;
        }
        resplit.push_back({split_character_strings(join_strings(record), 7)});
    }
    require(same_evaluation(evaluate(resplit), evaluation),
            "the evaluation does not depend on where strings split a record");
}

void check_order_invariance(const TxtRRset& rrset, const Evaluation& evaluation) {
    const TxtRRset reversed(rrset.rbegin(), rrset.rend());
    const Evaluation again = evaluate(reversed);
    require(again.status == evaluation.status, "the status does not depend on record order");
    require(sorted_codes(again) == sorted_codes(evaluation),
            "the findings do not depend on record order");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const TxtRRset rrset = fuzz::rrset_from_lines(fuzz::as_text(data, size));
    const Evaluation evaluation = evaluate(rrset);

    require(evaluation.records.size() == rrset.size(), "one joined record per RR");
    for (std::size_t i = 0; i < rrset.size(); ++i) {
        require(evaluation.records[i] == join_strings(rrset[i]), "records joined as received");
    }
    if (rrset.empty()) {
        require(evaluation.status == Status::missing, "an empty RRset is missing");
    }
    check_status(evaluation);
    check_diagnostics(evaluation);
    if (evaluation.suggested_record) check_suggestion(*evaluation.suggested_record);
    check_split_invariance(rrset, evaluation);
    check_order_invariance(rrset, evaluation);
    return 0;
}
