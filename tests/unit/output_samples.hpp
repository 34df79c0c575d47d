// Hand-built results shared by the output tests.
#pragma once

#include "tlsrpt/result.hpp"

namespace tlsrpt::samples {

// A warning with a control byte and an invalid UTF-8 byte in the record, a diagnostic with a
// byte range, one without, and a suggestion.
inline CheckResult lint_result() {
    CheckResult result;
    Evaluation& evaluation = result.evaluation;
    evaluation.status = Status::warning;
    evaluation.records = {"v=TLSRPTv1; rua=mailto:a@example.com,ftp://x\x01\xff"};
    evaluation.policy = Policy{0,
                               "TLSRPTv1",
                               {{"mailto:a@example.com", "mailto", true, "example.com"},
                                {"ftp://x\x01\xff", "ftp", false, ""}},
                               {{"ext", "1"}}};
    evaluation.diagnostics = {
        {"unsupported-scheme", Severity::warning, "Only mailto and https are supported.", 0, 37, 9},
        {"note", Severity::info, "A note about no record.", std::nullopt, std::nullopt, 0},
    };
    evaluation.suggested_record = "v=TLSRPTv1; rua=mailto:a@example.com";
    return result;
}

inline CheckResult check_result() {
    CheckResult result;
    result.input = "Example.COM";
    result.line = 3;
    result.domain = "example.com";
    result.query = "_smtp._tls.example.com";
    result.dns = LookupInfo{
        "NXDOMAIN", std::nullopt, {"a.example.net"}, 300, true, "127.0.0.1:5353", 1, 1.25};
    result.evaluation.status = Status::missing;
    return result;
}

}  // namespace tlsrpt::samples
