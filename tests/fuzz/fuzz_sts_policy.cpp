// The MTA-STS policy evaluator over any body: the input is the body as served. Checks the
// contract of StsPolicyEvaluation: the policy strings are the body's lines, the status agrees
// with the diagnostics and the policy, diagnostics lie inside their line and are free of raw
// bytes, and the policy holds what RFC 8461 allows (a mode, max_age within a year, mx patterns
// in lower case that match a host of their own shape). And what RFC 8461 §3.2 implies: the
// verdict is the same whether lines end with LF or CRLF.
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "tlsrpt/sts_policy.hpp"

using namespace tlsrpt;
using fuzz::require;

namespace {

bool has_severity(const StsPolicyEvaluation& evaluation, Severity severity) {
    return std::any_of(evaluation.diagnostics.begin(), evaluation.diagnostics.end(),
                       [&](const Diagnostic& d) { return d.severity == severity; });
}

std::string join_lines(const std::vector<std::string>& lines, std::string_view terminator) {
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) joined += terminator;
        joined += lines[i];
    }
    return joined;
}

// The body with each CRLF read as LF: what the lines are split from.
std::string with_lf_breaks(std::string_view body) {
    std::string text;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') continue;
        text += body[i];
    }
    return text;
}

void check_lines(std::string_view body, const StsPolicyEvaluation& evaluation) {
    const std::vector<std::string>& lines = evaluation.policy_strings;
    for (const std::string& line : lines) {
        require(line.find('\n') == std::string::npos, "a policy string holds no LF");
    }
    const bool final_break = body.ends_with('\n');
    require(join_lines(lines, "\n") + (final_break ? "\n" : "") == with_lf_breaks(body),
            "the policy strings are the body's lines, split at LF with a CR before it");
}

void check_status(const StsPolicyEvaluation& evaluation) {
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
            // An error can be among the findings not listed, which a note counts.
            require(
                errors || (!evaluation.diagnostics.empty() &&
                           evaluation.diagnostics.back().code == "sts-policy-problems-not-listed"),
                "invalid: an error");
            break;
        case Status::missing:
        case Status::error:
            require(false, "a policy is valid, warning or invalid");
    }
    const bool applied = evaluation.status == Status::valid || evaluation.status == Status::warning;
    require(evaluation.policy.has_value() == applied, "a policy exactly when senders apply one");
}

void check_diagnostics(const StsPolicyEvaluation& evaluation) {
    std::size_t line_findings = 0;
    for (const Diagnostic& diagnostic : evaluation.diagnostics) {
        require(diagnostic.code.starts_with("sts-policy-"), "codes begin with sts-policy-");
        require(fuzz::is_printable_ascii(diagnostic.message), "messages are printable ASCII");
        if (diagnostic.record) {
            ++line_findings;
            require(*diagnostic.record < evaluation.policy_strings.size(), "a finding's line");
        }
        if (diagnostic.offset) {
            require(diagnostic.record.has_value(), "a byte range belongs to a line");
            require(*diagnostic.offset + diagnostic.length <=
                        evaluation.policy_strings[*diagnostic.record].size(),
                    "a byte range lies inside its line");
        }
    }
    require(line_findings <= 20, "at most 20 findings about lines are listed");
}

void check_policy(const StsPolicy& policy) {
    require(policy.max_age <= 31557600, "max_age is at most a year");
    require(policy.mode == StsMode::none || !policy.mx.empty(), "enforce and testing have mx");
    for (const std::string& pattern : policy.mx) {
        require(std::none_of(pattern.begin(), pattern.end(),
                             [](char c) { return c >= 'A' && c <= 'Z'; }),
                "patterns are in lower case");
        // A host the pattern stands for: the wildcard is one label. A wildcard over a name of
        // 252 or 253 octets stands for none, as a host name has 253 at most.
        const std::string host = pattern.starts_with("*.") ? "x" + pattern.substr(1) : pattern;
        if (host.size() <= 253) {
            require(mx_pattern_matches(pattern, host), "a pattern matches a host of its shape");
        }
        require(!mx_pattern_matches(pattern, "x." + host), "a pattern matches one name deep");
    }
}

bool same_evaluation(const StsPolicyEvaluation& a, const StsPolicyEvaluation& b) {
    const auto same_diagnostic = [](const Diagnostic& x, const Diagnostic& y) {
        return x.code == y.code && x.severity == y.severity && x.message == y.message &&
               x.record == y.record && x.offset == y.offset && x.length == y.length;
    };
    const auto same_policy = [](const StsPolicy& x, const StsPolicy& y) {
        return x.mode == y.mode && x.mx == y.mx && x.max_age == y.max_age &&
               x.extensions == y.extensions;
    };
    return a.status == b.status && a.policy_strings == b.policy_strings &&
           a.policy.has_value() == b.policy.has_value() &&
           (!a.policy || same_policy(*a.policy, *b.policy)) &&
           std::equal(a.diagnostics.begin(), a.diagnostics.end(), b.diagnostics.begin(),
                      b.diagnostics.end(), same_diagnostic);
}

// The same lines ended by CRLF, and by LF where no line ends with a CR of its own.
void check_line_breaks(std::string_view body, const StsPolicyEvaluation& evaluation) {
    const std::vector<std::string>& lines = evaluation.policy_strings;
    const std::string final_break = body.ends_with('\n') ? "\n" : "";
    const std::string crlf = join_lines(lines, "\r\n") + (final_break.empty() ? "" : "\r\n");
    require(same_evaluation(evaluate_sts_policy(crlf), evaluation),
            "the verdict does not depend on CRLF or LF line breaks");
    const bool cr_at_an_end = std::any_of(lines.begin(), lines.end(),
                                          [](const std::string& l) { return l.ends_with('\r'); });
    if (cr_at_an_end) return;
    require(same_evaluation(evaluate_sts_policy(join_lines(lines, "\n") + final_break), evaluation),
            "the verdict does not depend on LF or CRLF line breaks");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = fuzz::as_text(data, size);
    const StsPolicyEvaluation evaluation = evaluate_sts_policy(body);
    check_lines(body, evaluation);
    check_status(evaluation);
    check_diagnostics(evaluation);
    if (evaluation.policy) check_policy(*evaluation.policy);
    check_line_breaks(body, evaluation);
    return 0;
}
