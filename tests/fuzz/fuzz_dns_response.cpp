// The DNS answer decoder. The first input byte picks the query type (TXT, MX, TLSA, A, AAAA, NS,
// SOA), the rest is the message, answering _smtp._tls.example.com. Checks: the header fields as
// sent, outcomes that agree with the records, records only of the asked type and owned by the
// end of the CNAME chain, TXT strings that fit their wire form, and a zone only for SOA.
#include <array>
#include <span>
#include <string>

#include "dns/response.hpp"
#include "fuzz_support.hpp"

using namespace tlsrpt;
using dns::Outcome;
using dns::RecordType;
using fuzz::require;

namespace {

constexpr std::string_view query_name = "_smtp._tls.example.com";
constexpr std::array query_types = {RecordType::txt, RecordType::mx,   RecordType::tlsa,
                                    RecordType::a,   RecordType::aaaa, RecordType::ns,
                                    RecordType::soa};
constexpr std::size_t header_octets = 12;
// A CNAME chain is followed this far at most (response.cpp), so loops end.
constexpr std::size_t max_cnames = 16;

void check_header(const dns::Response& response, std::span<const unsigned char> message) {
    if (message.size() < header_octets) {
        require(response.outcome == Outcome::malformed, "a short header is malformed");
        require(!response.rcode, "no rcode without a header");
        return;
    }
    require(response.rcode == (message[3] & 0x0f), "the rcode as sent");
    require(response.authenticated == ((message[3] & 0x20) != 0), "the AD bit as sent");
    require(response.authoritative == ((message[2] & 0x04) != 0), "the AA bit as sent");
}

void check_records(const dns::Response& response, RecordType type, std::size_t message_size) {
    require(response.cnames.size() <= max_cnames, "the CNAME chain is bounded");
    std::size_t txt_octets = 0;
    for (const dns::ResourceRecord& record : response.records) {
        require(record.type == static_cast<std::uint16_t>(type), "records of the asked type");
        for (const std::string& string : record.strings) {
            require(string.size() <= 255, "a character-string has a length octet");
            txt_octets += 1 + string.size();
        }
    }
    require(txt_octets <= message_size, "TXT strings come from the message");
    require(type == RecordType::soa || !response.zone_depth, "only SOA lookups name a zone");
    require(response.zone_depth.value_or(0) <= 4, "the zone is the name asked or an ancestor");
}

void check_outcome(const dns::Response& response) {
    switch (response.outcome) {
        case Outcome::malformed:
            require(response.records.empty(), "a malformed answer has no records");
            require(!response.detail.empty(), "a malformed answer says why");
            return;
        case Outcome::answer:
            require(response.rcode == 0 && !response.records.empty(), "an answer has records");
            break;
        case Outcome::no_data:
            require(response.rcode == 0 && response.records.empty(), "NODATA has no records");
            break;
        case Outcome::no_domain:
            require(response.rcode == 3, "NXDOMAIN is rcode 3");
            break;
        case Outcome::server_failure:
            require(response.rcode == 2, "SERVFAIL is rcode 2");
            break;
        case Outcome::refused:
            require(response.rcode == 5, "REFUSED is rcode 5");
            break;
        case Outcome::other_rcode:
            require(response.rcode && *response.rcode != 0 && *response.rcode != 2 &&
                        *response.rcode != 3 && *response.rcode != 5,
                    "other rcodes are the others");
            break;
        case Outcome::timeout:
        case Outcome::unreachable:
        case Outcome::bad_name:
            require(false, "decoding a message never ends like a lookup without one");
    }
    require(response.detail.empty(), "only a malformed answer has a detail");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const RecordType type = query_types[data[0] % query_types.size()];
    const std::span<const unsigned char> message(data + 1, size - 1);
    const dns::Response response = dns::decode_response(message, query_name, type);
    check_header(response, message);
    check_outcome(response);
    check_records(response, type, message.size());
    return 0;
}
