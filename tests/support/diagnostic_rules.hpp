// The rules every diagnostic keeps, whichever evaluator made it, for the corpus tests.
#pragma once

#include <string>
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

}  // namespace tlsrpt::testing
