// Hand-built DNS answers shared by the --deep tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit.hpp"
#include "audit/deep.hpp"
#include "dns/response.hpp"

namespace tlsrpt::samples {

inline dns::ResourceRecord mx(std::uint16_t preference, std::string target) {
    dns::ResourceRecord record;
    record.type = 15;
    record.preference = preference;
    record.target = std::move(target);
    return record;
}

inline dns::ResourceRecord txt(std::string text) {
    dns::ResourceRecord record;
    record.type = 16;
    record.strings = {std::move(text)};
    return record;
}

inline dns::ResourceRecord tlsa(std::uint8_t usage, std::uint8_t selector = 0,
                                std::uint8_t matching_type = 0, std::size_t data_size = 32) {
    dns::ResourceRecord record;
    record.type = 52;
    record.tlsa = {usage, selector, matching_type, std::vector<unsigned char>(data_size, 0xab)};
    return record;
}

inline dns::ResourceRecord address(std::string text) {
    dns::ResourceRecord record;
    record.target = std::move(text);
    return record;
}

inline dns::Response response(dns::Outcome outcome, std::vector<dns::ResourceRecord> records = {},
                              bool authenticated = false) {
    using dns::Outcome;
    dns::Response made;
    made.outcome = outcome;
    made.rcode = outcome == Outcome::no_domain ? 3 : outcome == Outcome::server_failure ? 2 : 0;
    made.records = std::move(records);
    made.authenticated = authenticated;
    made.attempts = 1;
    made.detail = "test";
    return made;
}

inline audit::SharedResponse shared(dns::Response made) {
    return std::make_shared<const dns::Response>(std::move(made));
}

inline audit::SharedResponse none() {
    return shared(response(dns::Outcome::no_data));
}

// The row of example.com whose _smtp._tls answer holds `record` (none: NXDOMAIN).
inline CheckResult row_with(const std::string& record) {
    const dns::Response answer = record.empty() ? response(dns::Outcome::no_domain)
                                                : response(dns::Outcome::answer, {txt(record)});
    return audit::lookup_result("example.com", "example.com", answer);
}

}  // namespace tlsrpt::samples
