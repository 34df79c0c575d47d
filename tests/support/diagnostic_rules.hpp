// The rules every diagnostic keeps, whichever evaluator made it, for the corpus tests.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tlsrpt/diagnostic.hpp"

namespace tlsrpt::testing {

// The rule `diagnostic` breaks, or "" when it keeps them all: its byte range lies inside the
// record it names, and its message is printable ASCII quoting no run of 16 bytes of any record.
inline std::string rule_broken_by(const Diagnostic& diagnostic,
                                  const std::vector<std::string>& records) {
    if (diagnostic.offset) {
        if (!diagnostic.record || *diagnostic.record >= records.size()) {
            return "an offset without a record of the RRset";
        }
        if (*diagnostic.offset + diagnostic.length > records[*diagnostic.record].size()) {
            return "a byte range past the end of its record";
        }
    }
    for (char ch : diagnostic.message) {
        const auto octet = static_cast<unsigned char>(ch);
        if (octet < 0x20 || octet >= 0x7F) return "a message byte that is not printable ASCII";
    }
    for (const std::string& record : records) {
        for (std::size_t i = 0; i + 16 <= record.size(); ++i) {
            if (diagnostic.message.find(record.substr(i, 16)) != std::string::npos) {
                return "a message quoting bytes of a record";
            }
        }
    }
    return "";
}

// Every code `diagnostics_of` gives for the corpus `cases` is one of `codes`, with its one
// severity; and each of `codes` (all beginning with `prefix`) appears in the corpus.
template <typename Cases, typename DiagnosticsOf>
void check_codes_cover_corpus(const Cases& cases, DiagnosticsOf diagnostics_of,
                              const std::vector<std::pair<std::string, Severity>>& codes,
                              std::string_view prefix) {
    std::set<std::string> seen;
    for (const auto& c : cases) {
        for (const Diagnostic& diagnostic : diagnostics_of(c)) {
            INFO(c.location << " " << diagnostic.code);
            const auto rule = std::find_if(codes.begin(), codes.end(), [&](const auto& entry) {
                return entry.first == diagnostic.code;
            });
            REQUIRE(rule != codes.end());
            CHECK(diagnostic.severity == rule->second);
            seen.insert(diagnostic.code);
        }
    }
    for (const auto& [code, severity] : codes) {
        INFO(code);
        CHECK(code.starts_with(prefix));
        CHECK(seen.count(code) == 1);
    }
}

}  // namespace tlsrpt::testing
