// Decoding DNS responses. The transport only matches the ID and the question of a reply; the
// rest is read here, bounds-checked, so that a broken answer becomes Outcome::malformed.
#include "dns/response.hpp"

#include <ares_dns.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace tlsrpt::dns {
namespace {

// Long enough for any real chain: a longer one is malformed.
constexpr std::size_t max_cname_chain = 16;
// RFC 1035 §2.3.4: a name takes 255 octets at most on the wire.
constexpr std::size_t max_name_octets = 255;
constexpr std::uint16_t opt_type = 41;

constexpr unsigned char compression_pointer = 0xc0;
// Pointers followed in one name at most: real names need a few, a loop never ends.
constexpr std::size_t max_pointers = 50;

unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The octet at the start of `text`, a name in presentation form (`\c` and `\DDD` escapes), and
// how many characters it takes; nullopt at a label boundary (an unescaped dot) or the end.
std::optional<std::pair<unsigned char, std::size_t>> next_octet(std::string_view text) {
    if (text.empty() || text.front() == '.') return std::nullopt;
    if (text.front() != '\\' || text.size() < 2) {
        return std::pair{static_cast<unsigned char>(text.front()), std::size_t{1}};
    }
    if (text.size() >= 4 && is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3])) {
        const int value = (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
        if (value <= 0xff) return std::pair{static_cast<unsigned char>(value), std::size_t{4}};
    }
    return std::pair{static_cast<unsigned char>(text[1]), std::size_t{2}};
}

// Whether two names in presentation form are the same name, ASCII letters compared without
// regard to case.
bool names_equal(std::string_view a, std::string_view b) {
    for (;;) {
        const auto x = next_octet(a);
        const auto y = next_octet(b);
        if (x && y) {
            if (lower(x->first) != lower(y->first)) return false;
            a.remove_prefix(x->second);
            b.remove_prefix(y->second);
            continue;
        }
        if (x || y) return false;
        // Both at a label boundary: a dot each, or the end of both.
        if (a.empty() || b.empty()) return a.empty() && b.empty();
        a.remove_prefix(1);
        b.remove_prefix(1);
    }
}

bool is_reserved(unsigned char c) {
    return c == '"' || c == '$' || c == '(' || c == ')' || c == '.' || c == ';' || c == '@' ||
           c == '\\';
}

// One octet of a label in presentation form, the inverse of next_octet().
void append_octet(std::string& text, unsigned char octet) {
    if (octet < 0x20 || octet > 0x7e) {
        text += '\\';
        text += static_cast<char>('0' + octet / 100);
        text += static_cast<char>('0' + octet / 10 % 10);
        text += static_cast<char>('0' + octet % 10);
    } else {
        if (is_reserved(octet)) text += '\\';
        text += static_cast<char>(octet);
    }
}

struct RawRecord {
    std::size_t owner_offset = 0;
    std::uint16_t type = 0;
    std::uint16_t dns_class = 0;
    std::uint32_t ttl = 0;
    std::size_t rdata_offset = 0;
    std::size_t rdata_length = 0;
};

class MessageReader {
  public:
    explicit MessageReader(std::span<const unsigned char> message) : message_(message) {}

    // Expands the (possibly compressed) name at `offset` in presentation form: a byte outside
    // printable ASCII as \DDD (a zero octet too: it ends no label), any of "$().;@\ as \c.
    // Returns its encoded length too.
    Expected<std::pair<std::string, std::size_t>, std::string> name_at(std::size_t offset) const {
        const auto end = name_end(offset);
        if (!end) return unexpected(end.error());
        const std::size_t encoded_length = *end - offset;
        std::string text;
        while (message_[offset] != 0) {
            const unsigned char length = message_[offset];
            if ((length & compression_pointer) == compression_pointer) {
                offset = pointer_target(offset);
                continue;
            }
            for (std::size_t i = offset + 1; i <= offset + length; ++i)
                append_octet(text, message_[i]);
            text += '.';
            offset += 1 + length;
        }
        if (!text.empty()) text.pop_back();
        return std::pair{std::move(text), encoded_length};
    }

    // Where the name at `offset` ends in the message (after its last label or its first
    // pointer). Pointers are followed only to check that the whole name is there: a label or
    // pointer past the end, more than 50 pointers (a loop), a reserved label type or more than
    // 255 octets in all makes it undecodable.
    Expected<std::size_t, std::string> name_end(std::size_t offset) const {
        std::optional<std::size_t> end;
        std::size_t octets = 1;  // the root label
        for (std::size_t pointers = 0;;) {
            if (offset >= message_.size()) return unexpected(std::string("undecodable name"));
            const unsigned char length = message_[offset];
            if (length == 0) return end.value_or(offset + 1);
            if ((length & compression_pointer) == compression_pointer) {
                if (offset + 1 >= message_.size() || ++pointers > max_pointers) {
                    return unexpected(std::string("undecodable name"));
                }
                if (!end) end = offset + 2;
                offset = pointer_target(offset);
            } else if ((length & compression_pointer) != 0) {
                return unexpected(std::string("undecodable name"));
            } else {
                octets += 1 + length;
                if (octets > max_name_octets) {
                    return unexpected(std::string("a name longer than 255 octets"));
                }
                offset += 1 + length;
            }
        }
    }

    // Whether the (decodable) name at `offset` is `text`, in presentation form, ASCII letters
    // compared without regard to case: no expansion, so no allocation.
    bool name_equals(std::size_t offset, std::string_view text) const {
        bool first_label = true;
        for (;;) {
            const unsigned char length = message_[offset];
            if (length == 0) return text.empty();
            if ((length & compression_pointer) == compression_pointer) {
                offset = pointer_target(offset);
                continue;
            }
            if (!first_label) {
                if (text.empty() || text.front() != '.') return false;
                text.remove_prefix(1);
            }
            first_label = false;
            for (std::size_t i = offset + 1; i <= offset + length; ++i) {
                const auto octet = next_octet(text);
                if (!octet || lower(octet->first) != lower(message_[i])) return false;
                text.remove_prefix(octet->second);
            }
            offset += 1 + length;
        }
    }

    // The answer records, and the OPT pseudo-record's upper 8 bits of the rcode (RFC 6891
    // §6.1.3); `authority_soa`, when given, gets the first SOA record of the authority section
    // (SOA lookups only read it). Every section is walked: a message whose records do not all
    // decode is broken.
    struct Sections {
        std::vector<RawRecord> answers;
        int extended_rcode = 0;
    };
    Expected<Sections, std::string> sections(std::optional<RawRecord>* authority_soa) const {
        if (message_.size() < HFIXEDSZ) return unexpected(std::string("short header"));
        std::size_t offset = HFIXEDSZ;
        for (unsigned question = 0; question < DNS_HEADER_QDCOUNT(message_.data()); ++question) {
            auto end = name_end(offset);
            if (!end) return unexpected(fmt::format("question: {}", end.error()));
            offset = *end + QFIXEDSZ;
            if (offset > message_.size()) return unexpected(std::string("question cut short"));
        }
        Sections sections;
        sections.answers.reserve(DNS_HEADER_ANCOUNT(message_.data()));
        enum Section { answer, authority, additional };
        constexpr const char* section_names[] = {"answer", "authority record", "additional record"};
        const unsigned counts[] = {DNS_HEADER_ANCOUNT(message_.data()),
                                   DNS_HEADER_NSCOUNT(message_.data()),
                                   DNS_HEADER_ARCOUNT(message_.data())};
        bool seen_opt = false;
        for (const Section section : {answer, authority, additional}) {
            for (unsigned index = 1; index <= counts[section]; ++index) {
                auto record = record_at(offset);
                if (!record) {
                    return unexpected(
                        fmt::format("{} {}: {}", section_names[section], index, record.error()));
                }
                offset = record->rdata_offset + record->rdata_length;
                if (section == answer) {
                    sections.answers.push_back(*record);
                } else if (authority_soa != nullptr && section == authority &&
                           record->type == ns_t_soa && record->dns_class == ns_c_in &&
                           !*authority_soa) {
                    *authority_soa = *record;
                } else if (section == additional && record->type == opt_type) {
                    if (seen_opt) return unexpected(std::string("more than one OPT record"));
                    seen_opt = true;
                    sections.extended_rcode = static_cast<int>(record->ttl >> 24);
                }
            }
        }
        return sections;
    }

    // The resource record at `offset`, its RDATA within the message.
    Expected<RawRecord, std::string> record_at(std::size_t offset) const {
        auto end = name_end(offset);
        if (!end) return unexpected(end.error());
        if (*end + RRFIXEDSZ > message_.size()) return unexpected(std::string("cut short"));
        const unsigned char* fixed = message_.data() + *end;
        RawRecord record{.owner_offset = offset,
                         .type = static_cast<std::uint16_t>(DNS_RR_TYPE(fixed)),
                         .dns_class = static_cast<std::uint16_t>(DNS_RR_CLASS(fixed)),
                         .ttl = static_cast<std::uint32_t>(DNS_RR_TTL(fixed)),
                         .rdata_offset = *end + RRFIXEDSZ,
                         .rdata_length = static_cast<std::size_t>(DNS_RR_LEN(fixed))};
        if (record.rdata_offset + record.rdata_length > message_.size()) {
            return unexpected(std::string("RDATA cut short"));
        }
        return record;
    }

    // TXT RDATA: one or more <length><octets> character-strings filling RDLENGTH exactly.
    // RDLENGTH 0 is kept as a record without strings (c-ares' own parser drops it).
    Expected<std::vector<std::string>, std::string> txt_strings(const RawRecord& record) const {
        std::vector<std::string> strings;
        std::size_t offset = record.rdata_offset;
        const std::size_t end = record.rdata_offset + record.rdata_length;
        while (offset < end) {
            const std::size_t length = message_[offset];
            if (offset + 1 + length > end) {
                return unexpected(std::string("TXT character-string overruns its RDATA"));
            }
            const auto* first = reinterpret_cast<const char*>(message_.data() + offset + 1);
            strings.emplace_back(first, length);
            offset += 1 + length;
        }
        return strings;
    }

    // MX RDATA: a 16-bit preference and a (possibly compressed) name filling the rest.
    Expected<std::pair<std::uint16_t, std::string>, std::string> mx_fields(
        const RawRecord& record) const {
        if (record.rdata_length < 3) return unexpected(std::string("MX RDATA too short"));
        const unsigned char* rdata = message_.data() + record.rdata_offset;
        const auto preference = static_cast<std::uint16_t>((rdata[0] << 8) | rdata[1]);
        auto exchange = name_at(record.rdata_offset + 2);
        if (!exchange) return unexpected(exchange.error());
        if (exchange->second != record.rdata_length - 2) {
            return unexpected(std::string("MX exchange does not fill its RDATA"));
        }
        return std::pair{preference, std::move(exchange->first)};
    }

    Expected<TlsaFields, std::string> tlsa_fields(const RawRecord& record) const {
        if (record.rdata_length < 4) return unexpected(std::string("TLSA RDATA too short"));
        const unsigned char* rdata = message_.data() + record.rdata_offset;
        return TlsaFields{.usage = rdata[0],
                          .selector = rdata[1],
                          .matching_type = rdata[2],
                          .data = {rdata + 3, rdata + record.rdata_length}};
    }

    Expected<std::string, std::string> address(const RawRecord& record, int family,
                                               std::size_t size) const {
        if (record.rdata_length != size) {
            return unexpected(fmt::format("address RDATA of {} octets", record.rdata_length));
        }
        char text[INET6_ADDRSTRLEN] = {};
        inet_ntop(family, message_.data() + record.rdata_offset, text, sizeof text);
        return std::string(text);
    }

    // CNAME and NS RDATA: one (possibly compressed) name filling it; `type` names it in errors.
    Expected<std::string, std::string> target_name(const RawRecord& record,
                                                   std::string_view type) const {
        auto target = name_at(record.rdata_offset);
        if (!target) return unexpected(target.error());
        if (target->second != record.rdata_length) {
            return unexpected(fmt::format("{} target does not fill its RDATA", type));
        }
        return std::move(target->first);
    }

    // SOA RDATA: two names (the primary server, the mailbox), then the serial and four more
    // 32-bit fields, filling it exactly.
    Expected<std::uint32_t, std::string> soa_serial(const RawRecord& record) const {
        auto primary_end = name_end(record.rdata_offset);
        if (!primary_end) return unexpected(primary_end.error());
        const std::size_t rdata_end = record.rdata_offset + record.rdata_length;
        if (*primary_end >= rdata_end) return unexpected(std::string("SOA RDATA too short"));
        auto mailbox_end = name_end(*primary_end);
        if (!mailbox_end) return unexpected(mailbox_end.error());
        if (*mailbox_end + 20 != rdata_end) {
            return unexpected(std::string("SOA RDATA of the wrong size"));
        }
        const unsigned char* serial = message_.data() + *mailbox_end;
        return (std::uint32_t{serial[0]} << 24) | (std::uint32_t{serial[1]} << 16) |
               (std::uint32_t{serial[2]} << 8) | serial[3];
    }

  private:
    std::size_t pointer_target(std::size_t offset) const {
        return static_cast<std::size_t>((message_[offset] & ~compression_pointer) << 8) |
               message_[offset + 1];
    }

    std::span<const unsigned char> message_;
};

Outcome outcome_for_rcode(int rcode, bool has_records) {
    switch (rcode) {
        case ns_r_noerror:
            return has_records ? Outcome::answer : Outcome::no_data;
        case ns_r_nxdomain:
            return Outcome::no_domain;
        case ns_r_servfail:
            return Outcome::server_failure;
        case ns_r_refused:
            return Outcome::refused;
        default:
            return Outcome::other_rcode;
    }
}

// How many leading labels of `name` (presentation form) lie below the (decodable) name at
// `owner` in the message: 0 when they are the same name, nullopt when `owner` is no ancestor.
std::optional<std::uint8_t> labels_below(const MessageReader& reader, std::size_t owner,
                                         std::string_view name) {
    if (name.ends_with('.')) name.remove_suffix(1);
    for (std::uint8_t depth = 0;; ++depth) {
        if (reader.name_equals(owner, name)) return depth;
        if (name.empty()) return std::nullopt;
        // Past the first label, its escapes included.
        while (const auto octet = next_octet(name)) name.remove_prefix(octet->second);
        if (!name.empty()) name.remove_prefix(1);
    }
}

Response malformed(Response response, std::string detail) {
    response.outcome = Outcome::malformed;
    response.detail = std::move(detail);
    // Nothing of a broken answer is used: neither its records nor the chain to them.
    response.records.clear();
    response.cnames.clear();
    return response;
}

// Fills the fields of `decoded` that `type` has; returns why the RDATA is broken, if it is.
std::optional<std::string> decode_rdata(const MessageReader& reader, const RawRecord& record,
                                        RecordType type, ResourceRecord& decoded) {
    switch (type) {
        case RecordType::txt: {
            auto strings = reader.txt_strings(record);
            if (!strings) return strings.error();
            decoded.strings = std::move(*strings);
            return std::nullopt;
        }
        case RecordType::mx: {
            auto fields = reader.mx_fields(record);
            if (!fields) return fields.error();
            decoded.preference = fields->first;
            decoded.target = std::move(fields->second);
            return std::nullopt;
        }
        case RecordType::tlsa: {
            auto fields = reader.tlsa_fields(record);
            if (!fields) return fields.error();
            decoded.tlsa = *fields;
            return std::nullopt;
        }
        case RecordType::a:
        case RecordType::aaaa: {
            const bool v4 = type == RecordType::a;
            auto text = reader.address(record, v4 ? AF_INET : AF_INET6, v4 ? 4 : 16);
            if (!text) return text.error();
            decoded.target = std::move(*text);
            return std::nullopt;
        }
        case RecordType::ns: {
            auto target = reader.target_name(record, "NS");
            if (!target) return target.error();
            decoded.target = std::move(*target);
            return std::nullopt;
        }
        case RecordType::soa: {
            auto serial = reader.soa_serial(record);
            if (!serial) return serial.error();
            decoded.serial = *serial;
            return std::nullopt;
        }
        case RecordType::cname:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

std::string rcode_name(int rcode) {
    static constexpr std::string_view names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                 "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                 "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && static_cast<std::size_t>(rcode) < std::size(names)) {
        return std::string(names[rcode]);
    }
    if (rcode == 16) return "BADVERS";  // an extended rcode, from the OPT record
    return fmt::format("RCODE{}", rcode);
}

Response decode_response(std::span<const unsigned char> message, std::string_view name,
                         RecordType type) {
    Response response;
    if (message.size() < HFIXEDSZ) return malformed(std::move(response), "short header");
    const unsigned char* header = message.data();
    response.rcode = DNS_HEADER_RCODE(header);
    response.authenticated = ((header[3] >> 5) & 1) != 0;
    response.authoritative = (header[2] & 0x04) != 0;

    const MessageReader reader(message);
    std::optional<RawRecord> authority_soa;
    auto sections = reader.sections(type == RecordType::soa ? &authority_soa : nullptr);
    if (!sections) return malformed(std::move(response), sections.error());
    response.rcode = (sections->extended_rcode << 4) | *response.rcode;
    const std::vector<RawRecord>& records = sections->answers;

    // The recursive resolver chased the CNAMEs; walk its chain from the query name so that
    // only records owned by the chain's last name count.
    std::string owner(name);
    for (std::size_t hop = 0;; ++hop) {
        const auto cname = std::find_if(records.begin(), records.end(), [&](const RawRecord& r) {
            return r.type == ns_t_cname && r.dns_class == ns_c_in &&
                   reader.name_equals(r.owner_offset, owner);
        });
        if (cname == records.end()) break;
        if (hop == max_cname_chain) {
            return malformed(std::move(response),
                             fmt::format("a CNAME chain longer than {} names", max_cname_chain));
        }
        auto target = reader.target_name(*cname, "CNAME");
        if (!target) return malformed(std::move(response), target.error());
        // A loop would only end at the length limit; named for what it is.
        const auto seen = [&](std::string_view earlier) { return names_equal(earlier, *target); };
        if (seen(name) || std::any_of(response.cnames.begin(), response.cnames.end(), seen)) {
            return malformed(std::move(response), fmt::format("a CNAME loop back to {}", *target));
        }
        owner = std::move(*target);
        response.cnames.push_back(owner);
    }

    for (const RawRecord& record : records) {
        if (record.type != static_cast<std::uint16_t>(type) || record.dns_class != ns_c_in ||
            !reader.name_equals(record.owner_offset, owner)) {
            continue;
        }
        ResourceRecord decoded;
        decoded.type = record.type;
        decoded.ttl = record.ttl;
        if (auto problem = decode_rdata(reader, record, type, decoded)) {
            return malformed(std::move(response), std::move(*problem));
        }
        response.records.push_back(std::move(decoded));
    }
    if (type == RecordType::soa) {
        if (!response.records.empty()) {
            // Owned by the name asked, or by the end of its CNAME chain: no ancestor of it.
            if (response.cnames.empty()) response.zone_depth = 0;
        } else if (authority_soa) {
            response.zone_depth = labels_below(reader, authority_soa->owner_offset, name);
        }
    }
    response.outcome = outcome_for_rcode(*response.rcode, !response.records.empty());
    return response;
}

}  // namespace tlsrpt::dns
