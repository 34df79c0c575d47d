// How the --deep findings are written: one diagnostic per finding, and a failed lookup noted
// with what it leaves unchecked. Internal to src/audit/.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "audit/answers.hpp"
#include "dns/response.hpp"
#include "tlsrpt/deep.hpp"
#include "tlsrpt/diagnostic.hpp"

namespace tlsrpt::audit {

class FindingCollector {
  public:
    explicit FindingCollector(std::vector<Diagnostic>& diagnostics) : diagnostics_(diagnostics) {}

    void add(std::string_view code, Severity severity, std::string message) {
        diagnostics_.push_back(audit_diagnostic(code, severity, std::move(message)));
    }

    // A lookup that failed: the finding says what stays unchecked; the state is its dns code.
    LookupState note_lookup(const dns::Response& response, std::string_view query,
                            std::string_view unchecked) {
        const LookupState state = lookup_state(response.outcome);
        if (!lookup_answered(state)) {
            add("deep-lookup-failed", Severity::warning,
                fmt::format("{}, so {} was not checked", failure_message(response, query),
                            unchecked));
        }
        return state;
    }

  private:
    std::vector<Diagnostic>& diagnostics_;
};

}  // namespace tlsrpt::audit
