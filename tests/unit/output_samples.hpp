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

// --authoritative: servers that disagree, one lame and one without an address.
inline AuthoritativeResult authoritative_result() {
    AuthoritativeResult result;
    result.lookup = LookupState::found;
    result.zone = "split.test";
    const std::string valid = "v=TLSRPTv1; rua=mailto:t@split.test";
    const std::string invalid = "v=tlsrptv1; rua=mailto:t@split.test";
    result.servers = {
        {"ns1.split.test",
         "127.0.91.53",
         ServerState::authoritative,
         "NOERROR",
         true,
         "",
         {valid},
         3600,
         2026120202,
         1.25,
         0},
        {"ns2.split.test",
         "127.0.91.54",
         ServerState::authoritative,
         "NOERROR",
         true,
         "",
         {invalid},
         300,
         2026120201,
         0.5,
         1},
        {"ns3.split.test",
         "127.0.91.55",
         ServerState::lame,
         "REFUSED",
         false,
         "",
         {},
         std::nullopt,
         std::nullopt,
         0.25,
         std::nullopt},
        {"ns4.split.test",
         "",
         ServerState::no_address,
         "",
         false,
         "",
         {},
         std::nullopt,
         std::nullopt,
         0,
         std::nullopt},
    };
    result.answers = {{"NOERROR", "", {valid}, Status::valid, {0}},
                      {"NOERROR", "", {invalid}, Status::invalid, {1}}};
    result.consistent = false;
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
