// Hand-built answers shared by the --authoritative tests: example.com, whose zone has two name
// servers with a public IPv4 address each.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "audit/authoritative.hpp"
#include "deep_samples.hpp"

namespace tlsrpt::samples {

inline const std::string zone_query = "_smtp._tls.example.com";
inline const std::string ns1_address = "93.184.215.14";
inline const std::string ns2_address = "93.184.215.15";

// An SOA lookup through the resolver whose authority section names the zone `depth` labels
// above the name asked.
inline audit::SharedResponse zone_answer(std::uint8_t depth) {
    dns::Response made = response(dns::Outcome::no_data);
    made.zone_depth = depth;
    return shared(std::move(made));
}

inline dns::ResourceRecord name_server(std::string name) {
    dns::ResourceRecord record;
    record.type = 2;
    record.target = std::move(name);
    return record;
}

inline dns::ResourceRecord txt_with_ttl(std::string text, std::uint32_t ttl) {
    dns::ResourceRecord record = txt(std::move(text));
    record.ttl = ttl;
    return record;
}

// A server's own answer, the AA bit set unless `aa` is false.
inline audit::SharedResponse from_server(dns::Outcome outcome,
                                         std::vector<dns::ResourceRecord> records = {},
                                         bool aa = true) {
    dns::Response made = response(outcome, std::move(records));
    made.authoritative = aa;
    if (outcome == dns::Outcome::refused) made.rcode = 5;
    return shared(std::move(made));
}

inline audit::SharedResponse serial_answer(std::uint32_t serial) {
    dns::ResourceRecord record;
    record.type = 6;
    record.serial = serial;
    return from_server(dns::Outcome::answer, {record});
}

// Every answer up to the servers' own: zone example.com, name servers ns1 and ns2.example.net
// at ns1_address and ns2_address, no IPv6.
inline audit::AuthoritativeAnswers answers_up_to_servers() {
    audit::AuthoritativeAnswers answers;
    answers.zone[zone_query] = zone_answer(2);  // example.com
    answers.name_servers = shared(response(
        dns::Outcome::answer, {name_server("ns2.example.net"), name_server("NS1.example.net")}));
    answers.a["ns1.example.net"] = shared(response(dns::Outcome::answer, {address(ns1_address)}));
    answers.a["ns2.example.net"] = shared(response(dns::Outcome::answer, {address(ns2_address)}));
    answers.aaaa["ns1.example.net"] = none();
    answers.aaaa["ns2.example.net"] = none();
    return answers;
}

// The same, and each server's serial and TXT answer.
inline audit::AuthoritativeAnswers answers_with(audit::SharedResponse ns1_records,
                                                audit::SharedResponse ns2_records,
                                                std::uint32_t ns1_serial = 7,
                                                std::uint32_t ns2_serial = 7) {
    audit::AuthoritativeAnswers answers = answers_up_to_servers();
    answers.serial[ns1_address] = serial_answer(ns1_serial);
    answers.serial[ns2_address] = serial_answer(ns2_serial);
    answers.records[ns1_address] = std::move(ns1_records);
    answers.records[ns2_address] = std::move(ns2_records);
    return answers;
}

}  // namespace tlsrpt::samples
