// Reading dns::Response values the same way wherever the pipeline needs them.
#pragma once

#include <string>
#include <string_view>

#include "dns/response.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt::audit {

// A finding of the audit (no record position: it concerns a lookup or the domain).
Diagnostic audit_diagnostic(std::string_view code, Severity severity, std::string message);

// found, none (NXDOMAIN or NODATA) or the failure, whose to_string() is failure_code().
LookupState lookup_state(dns::Outcome outcome);

// The dns-* diagnostic code of a lookup that gave no usable answer, or "" when the answer is
// usable (records, NODATA or NXDOMAIN).
std::string_view failure_code(dns::Outcome outcome);

// Why a lookup of `query` gave no usable answer, as a sentence (when failure_code() is set).
std::string failure_message(const dns::Response& response, std::string_view query);

// The TXT records of an answer, as the evaluators take them.
TxtRRset txt_rrset(const dns::Response& response);
// The same, moved out of `response`, whose records are left without their strings.
TxtRRset take_txt_rrset(dns::Response& response);

}  // namespace tlsrpt::audit
