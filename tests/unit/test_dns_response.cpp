#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dns/response.hpp"

using namespace tlsrpt::dns;

namespace {

constexpr std::uint16_t txt = 16;
constexpr std::uint16_t cname = 5;
constexpr std::uint16_t a_record = 1;
constexpr std::uint16_t mx = 15;
constexpr std::uint16_t aaaa = 28;
constexpr std::uint16_t tlsa = 52;
constexpr std::uint16_t ns = 2;
constexpr std::uint16_t soa = 6;

// Builds DNS messages octet by octet, names uncompressed.
class Wire {
  public:
    Wire(int rcode, unsigned answers, bool authenticated = false) {
        bytes_ = {
            0x12, 0x34, 0x81, static_cast<unsigned char>(0x80 | (authenticated ? 0x20 : 0) | rcode),
            0,    1,    0,    static_cast<unsigned char>(answers),
            0,    0,    0,    0};
        name("_smtp._tls.example.com");
        u16(txt);
        u16(1);
    }

    Wire& name(const std::string& dotted) {
        std::size_t start = 0;
        while (start < dotted.size()) {
            const std::size_t dot = std::min(dotted.find('.', start), dotted.size());
            bytes_.push_back(static_cast<unsigned char>(dot - start));
            bytes_.insert(bytes_.end(), dotted.begin() + static_cast<long>(start),
                          dotted.begin() + static_cast<long>(dot));
            start = dot + 1;
        }
        bytes_.push_back(0);
        return *this;
    }

    Wire& rr(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
             const std::vector<unsigned char>& rdata) {
        name(owner);
        u16(type);
        u16(1);
        u16(static_cast<std::uint16_t>(ttl >> 16));
        u16(static_cast<std::uint16_t>(ttl & 0xffff));
        u16(static_cast<std::uint16_t>(rdata.size()));
        bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
        return *this;
    }

    Wire& txt_rr(const std::string& owner, std::uint32_t ttl,
                 const std::vector<std::string>& strings) {
        std::vector<unsigned char> rdata;
        for (const std::string& s : strings) {
            rdata.push_back(static_cast<unsigned char>(s.size()));
            rdata.insert(rdata.end(), s.begin(), s.end());
        }
        return rr(owner, txt, ttl, rdata);
    }

    Wire& cname_rr(const std::string& owner, const std::string& target) {
        return rr(owner, cname, 60, encoded_name(target));
    }

    // The records after the answers: this many of them are the authority section.
    Wire& authority(unsigned count) {
        bytes_[9] = static_cast<unsigned char>(count);
        return *this;
    }

    Wire& authoritative_answer() {
        bytes_[2] |= 0x04;
        return *this;
    }

    // Primary server ns1.<zone>, mailbox hostmaster.<zone>, then serial, refresh, retry, expire
    // and minimum.
    Wire& soa_rr(const std::string& owner, const std::string& zone, std::uint32_t serial) {
        std::vector<unsigned char> rdata = encoded_name("ns1." + zone);
        const auto mailbox = encoded_name("hostmaster." + zone);
        rdata.insert(rdata.end(), mailbox.begin(), mailbox.end());
        for (const std::uint32_t field : {serial, 3600U, 900U, 604800U, 300U}) {
            for (const int shift : {24, 16, 8, 0}) {
                rdata.push_back(static_cast<unsigned char>((field >> shift) & 0xff));
            }
        }
        return rr(owner, soa, 300, rdata);
    }

    Wire& mx_rr(const std::string& owner, std::uint16_t preference, const std::string& exchange) {
        std::vector<unsigned char> rdata{static_cast<unsigned char>(preference >> 8),
                                         static_cast<unsigned char>(preference & 0xff)};
        const auto name = encoded_name(exchange);
        rdata.insert(rdata.end(), name.begin(), name.end());
        return rr(owner, mx, 60, rdata);
    }

    static std::vector<unsigned char> encoded_name(const std::string& dotted) {
        Wire wire(0, 0);
        wire.bytes_.clear();
        wire.name(dotted);
        return wire.bytes_;
    }

    std::vector<unsigned char> bytes() const { return bytes_; }

  private:
    void u16(std::uint16_t value) {
        bytes_.push_back(static_cast<unsigned char>(value >> 8));
        bytes_.push_back(static_cast<unsigned char>(value & 0xff));
    }

    std::vector<unsigned char> bytes_;
};

const std::string query = "_smtp._tls.example.com";

Response decode(const std::vector<unsigned char>& message) {
    return decode_response(message, query, RecordType::txt);
}

}  // namespace

TEST_CASE("TXT answers keep every RR, every character-string and the TTLs") {
    const auto response = decode(Wire(0, 2)
                                     .txt_rr(query, 300, {"v=TLSRPTv1;", " rua=mailto:a@b.c"})
                                     .txt_rr(query, 60, {std::string("x\0y", 3)})
                                     .bytes());
    CHECK(response.outcome == Outcome::answer);
    CHECK(response.rcode == 0);
    REQUIRE(response.records.size() == 2);
    CHECK(response.records[0].strings ==
          std::vector<std::string>{"v=TLSRPTv1;", " rua=mailto:a@b.c"});
    CHECK(response.records[0].ttl == 300);
    CHECK(response.records[1].strings == std::vector<std::string>{std::string("x\0y", 3)});
    CHECK(response.records[1].ttl == 60);
    CHECK_FALSE(response.authenticated);
    CHECK(response.cnames.empty());
}

TEST_CASE("a TXT RR with RDLENGTH 0 is a record without strings") {
    const auto response = decode(Wire(0, 1).rr(query, txt, 60, {}).bytes());
    CHECK(response.outcome == Outcome::answer);
    REQUIRE(response.records.size() == 1);
    CHECK(response.records[0].strings.empty());
}

TEST_CASE("the AD bit is read from the header") {
    CHECK(decode(Wire(0, 1, true).txt_rr(query, 1, {"x"}).bytes()).authenticated);
}

TEST_CASE("CNAME chains are followed from the query name") {
    const auto response = decode(Wire(0, 5)
                                     .cname_rr(query, "b.example.net")
                                     .txt_rr("b.example.net", 5, {"not at the end"})
                                     .txt_rr("C.example.org", 5, {"v=TLSRPTv1; rua=x"})
                                     .txt_rr("d.example.org", 5, {"elsewhere"})
                                     .cname_rr("B.Example.NET", "c.example.org")
                                     .bytes());
    CHECK(response.outcome == Outcome::answer);
    CHECK(response.cnames == std::vector<std::string>{"b.example.net", "c.example.org"});
    REQUIRE(response.records.size() == 1);
    CHECK(response.records[0].strings == std::vector<std::string>{"v=TLSRPTv1; rua=x"});
}

TEST_CASE("a CNAME without data at its end is NODATA with the chain") {
    const auto response = decode(Wire(0, 1).cname_rr(query, "b.example.net").bytes());
    CHECK(response.outcome == Outcome::no_data);
    CHECK(response.cnames == std::vector<std::string>{"b.example.net"});
}

TEST_CASE("records of other owners or types do not count") {
    const auto response = decode(Wire(0, 2)
                                     .txt_rr("other.example.com", 60, {"v=TLSRPTv1;"})
                                     .rr(query, a_record, 60, {192, 0, 2, 1})
                                     .bytes());
    CHECK(response.outcome == Outcome::no_data);
    CHECK(response.records.empty());
}

TEST_CASE("a CNAME loop is malformed, not a name without data") {
    const auto loop =
        decode(Wire(0, 2).cname_rr(query, "a.example").cname_rr("a.example", query).bytes());
    CHECK(loop.outcome == Outcome::malformed);
    CHECK(loop.detail == "a CNAME loop back to _smtp._tls.example.com");
    // Back to a name of the chain, not to the query name, and in other case.
    const auto inner = decode(Wire(0, 3)
                                  .cname_rr(query, "a.example")
                                  .cname_rr("a.example", "b.example")
                                  .cname_rr("b.example", "A.Example")
                                  .bytes());
    CHECK(inner.outcome == Outcome::malformed);
    CHECK(inner.detail == "a CNAME loop back to A.Example");
}

TEST_CASE("a CNAME chain of 16 names is followed, one longer is malformed") {
    const auto chain = [](unsigned length) {
        Wire wire(0, length + 1);
        std::string owner = query;
        for (unsigned hop = 1; hop <= length; ++hop) {
            const std::string target = "n" + std::to_string(hop) + ".example";
            wire.cname_rr(owner, target);
            owner = target;
        }
        return decode(wire.txt_rr(owner, 60, {"v=TLSRPTv1;"}).bytes());
    };
    const auto longest = chain(16);
    CHECK(longest.outcome == Outcome::answer);
    CHECK(longest.cnames.size() == 16);
    const auto longer = chain(17);
    CHECK(longer.outcome == Outcome::malformed);
    CHECK(longer.detail == "a CNAME chain longer than 16 names");
}

TEST_CASE("a name over 255 octets is malformed") {
    // 4 labels of 63 octets take 4 * 64 + 1 = 257 octets; 3 of them and one of 61, 255.
    const std::string label63(63, 'x');
    const std::string fits = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'y');
    const std::string too_long = label63 + "." + label63 + "." + label63 + "." + label63;
    const auto at_limit = decode(Wire(0, 1).cname_rr(query, fits).bytes());
    CHECK(at_limit.outcome == Outcome::no_data);
    CHECK(at_limit.cnames == std::vector<std::string>{fits});
    const auto over = decode(Wire(0, 1).cname_rr(query, too_long).bytes());
    CHECK(over.outcome == Outcome::malformed);
    CHECK(over.detail == "a name longer than 255 octets");
    // An owner name over the limit too.
    const auto owner = decode(Wire(0, 1).txt_rr(too_long, 60, {"x"}).bytes());
    CHECK(owner.outcome == Outcome::malformed);
    CHECK(owner.detail == "answer 1: a name longer than 255 octets");
}

TEST_CASE("a label of one zero octet is kept as \\000, not taken for the end of the name") {
    const std::vector<unsigned char> target = {1, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
    std::vector<unsigned char> message = Wire(0, 2).rr(query, cname, 60, target).bytes();
    // The root's TXT record must not count as the target's.
    message.insert(message.end(), {0, 0, txt, 0, 1, 0, 0, 0, 60, 0, 2, 1, 'x'});
    const auto response = decode(message);
    CHECK(response.outcome == Outcome::no_data);
    CHECK(response.cnames == std::vector<std::string>{"\\000.example"});
    CHECK(response.records.empty());
}

TEST_CASE("an extended rcode in the OPT record counts: BADVERS under NOERROR is not NODATA") {
    auto with_opt = [](std::uint8_t extended) {
        auto message = Wire(0, 0).bytes();
        message[11] = 1;  // ARCOUNT
        message.insert(message.end(), {0, 0, 41, 0x04, 0xd0, extended, 0, 0, 0, 0, 0});
        return decode(message);
    };
    const auto plain = with_opt(0);
    CHECK(plain.outcome == Outcome::no_data);
    CHECK(plain.rcode == 0);
    const auto badvers = with_opt(1);
    CHECK(badvers.outcome == Outcome::other_rcode);
    CHECK(badvers.rcode == 16);
    CHECK(rcode_name(16) == "BADVERS");
}

TEST_CASE("two OPT records, or records past the answers that do not decode, are malformed") {
    auto message = Wire(0, 0).bytes();
    message[11] = 2;
    for (int i = 0; i < 2; ++i)
        message.insert(message.end(), {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0});
    CHECK(decode(message).outcome == Outcome::malformed);
    CHECK(decode(message).detail == "more than one OPT record");
    auto authority = Wire(0, 0).bytes();
    authority[9] = 1;  // NSCOUNT, with no record there
    CHECK(decode(authority).outcome == Outcome::malformed);
    CHECK(decode(authority).detail == "authority record 1: undecodable name");
}

TEST_CASE("rcodes map to outcomes") {
    CHECK(decode(Wire(3, 0).bytes()).outcome == Outcome::no_domain);
    CHECK(decode(Wire(0, 0).bytes()).outcome == Outcome::no_data);
    CHECK(decode(Wire(2, 0).bytes()).outcome == Outcome::server_failure);
    CHECK(decode(Wire(5, 0).bytes()).outcome == Outcome::refused);
    CHECK(decode(Wire(4, 0).bytes()).outcome == Outcome::other_rcode);
    CHECK(decode(Wire(1, 0).bytes()).outcome == Outcome::other_rcode);
    CHECK(decode(Wire(3, 0).bytes()).rcode == 3);
}

TEST_CASE("broken messages are malformed, with the reason") {
    auto cut = [](std::vector<unsigned char> bytes, std::size_t drop) {
        bytes.resize(bytes.size() - drop);
        return bytes;
    };
    const auto good = Wire(0, 1).txt_rr(query, 60, {"v=TLSRPTv1;"}).bytes();
    CHECK(decode({0x12, 0x34, 0x81}).outcome == Outcome::malformed);
    CHECK(decode(cut(good, 1)).outcome == Outcome::malformed);
    CHECK(decode(cut(good, 12)).outcome == Outcome::malformed);
    CHECK(decode(cut(good, 20)).detail.find("cut short") != std::string::npos);
    // Two answers announced, one present.
    CHECK(decode(Wire(0, 2).txt_rr(query, 60, {"x"}).bytes()).outcome == Outcome::malformed);
    // A character-string longer than its RDATA.
    const auto overrun = decode(Wire(0, 1).rr(query, txt, 60, {30, 'a', 'b'}).bytes());
    CHECK(overrun.outcome == Outcome::malformed);
    CHECK(overrun.detail.find("overruns") != std::string::npos);
    CHECK(overrun.records.empty());
    // A CNAME whose RDATA holds more than its target.
    CHECK(decode(Wire(0, 1).rr(query, cname, 60, {1, 'a', 0, 0xff}).bytes()).outcome ==
          Outcome::malformed);
}

TEST_CASE("MX answers give preference and exchange; a null MX has an empty exchange") {
    const auto response =
        decode_response(Wire(0, 2).mx_rr(query, 10, "mx1.example.net").mx_rr(query, 0, "").bytes(),
                        query, RecordType::mx);
    CHECK(response.outcome == Outcome::answer);
    REQUIRE(response.records.size() == 2);
    CHECK(response.records[0].preference == 10);
    CHECK(response.records[0].target == "mx1.example.net");
    CHECK(response.records[1].preference == 0);
    CHECK(response.records[1].target.empty());
}

TEST_CASE("TLSA answers give usage, selector, matching type and the data") {
    const auto response =
        decode_response(Wire(0, 1, true).rr(query, tlsa, 60, {3, 1, 1, 0xab, 0xcd, 0xef}).bytes(),
                        query, RecordType::tlsa);
    REQUIRE(response.records.size() == 1);
    const TlsaFields& fields = response.records[0].tlsa;
    CHECK(fields.usage == 3);
    CHECK(fields.selector == 1);
    CHECK(fields.matching_type == 1);
    CHECK(fields.data == std::vector<unsigned char>{0xab, 0xcd, 0xef});
    CHECK(response.authenticated);
}

TEST_CASE("address answers give the address as text") {
    const auto v4 = decode_response(Wire(0, 1).rr(query, a_record, 60, {192, 0, 2, 1}).bytes(),
                                    query, RecordType::a);
    REQUIRE(v4.records.size() == 1);
    CHECK(v4.records[0].target == "192.0.2.1");
    std::vector<unsigned char> v6_address(16, 0);
    v6_address[0] = 0x20;
    v6_address[1] = 0x01;
    v6_address[2] = 0x0d;
    v6_address[3] = 0xb8;
    v6_address[15] = 1;
    const auto v6 = decode_response(Wire(0, 1).rr(query, aaaa, 60, v6_address).bytes(), query,
                                    RecordType::aaaa);
    REQUIRE(v6.records.size() == 1);
    CHECK(v6.records[0].target == "2001:db8::1");
}

TEST_CASE("MX, TLSA and address RDATA of the wrong size is malformed") {
    const auto decoded = [](std::uint16_t type, RecordType asked,
                            const std::vector<unsigned char>& rdata) {
        return decode_response(Wire(0, 1).rr(query, type, 60, rdata).bytes(), query, asked);
    };
    CHECK(decoded(mx, RecordType::mx, {0, 10}).outcome == Outcome::malformed);
    CHECK(decoded(mx, RecordType::mx, {0, 10, 1, 'a', 0, 7}).outcome == Outcome::malformed);
    CHECK(decoded(tlsa, RecordType::tlsa, {3, 1, 1}).outcome == Outcome::malformed);
    CHECK(decoded(a_record, RecordType::a, {192, 0, 2}).outcome == Outcome::malformed);
    CHECK(decoded(aaaa, RecordType::aaaa, {192, 0, 2, 1}).detail == "address RDATA of 4 octets");
}

TEST_CASE("the AA bit is read from the header") {
    CHECK(decode(Wire(0, 0).authoritative_answer().bytes()).authoritative);
    CHECK_FALSE(decode(Wire(0, 0).bytes()).authoritative);
}

TEST_CASE("NS answers give the name servers") {
    const auto response = decode_response(Wire(0, 2)
                                              .rr(query, ns, 60, Wire::encoded_name("a.ns.test"))
                                              .rr(query, ns, 60, Wire::encoded_name("B.ns.test"))
                                              .bytes(),
                                          query, RecordType::ns);
    CHECK(response.outcome == Outcome::answer);
    REQUIRE(response.records.size() == 2);
    CHECK(response.records[0].target == "a.ns.test");
    CHECK(response.records[1].target == "B.ns.test");
    // A name that does not fill its RDATA.
    CHECK(
        decode_response(Wire(0, 1).rr(query, ns, 60, {1, 'a', 0, 0}).bytes(), query, RecordType::ns)
            .detail == "NS target does not fill its RDATA");
}

TEST_CASE("an SOA at the name asked gives the serial, and the name is the zone's apex") {
    const auto response = decode_response(
        Wire(0, 1).soa_rr(query, "example.com", 2026112901).bytes(), query, RecordType::soa);
    CHECK(response.outcome == Outcome::answer);
    REQUIRE(response.records.size() == 1);
    CHECK(response.records[0].serial == 2026112901);
    CHECK(response.zone_depth == 0);
}

TEST_CASE("a negative answer to an SOA lookup names the zone by the authority section's SOA") {
    const auto negative = [](int rcode, const std::string& owner,
                             RecordType type = RecordType::soa) {
        return decode_response(Wire(rcode, 0).authority(1).soa_rr(owner, "example.com", 7).bytes(),
                               query, type);
    };
    const auto nodata = negative(0, "Example.COM");
    CHECK(nodata.outcome == Outcome::no_data);
    CHECK(nodata.records.empty());
    CHECK(nodata.zone_depth == 2);  // _smtp._tls.example.com is two labels below example.com
    CHECK(negative(3, "example.com").outcome == Outcome::no_domain);
    CHECK(negative(3, "example.com").zone_depth == 2);
    CHECK(negative(0, "_tls.example.com").zone_depth == 1);
    CHECK(negative(0, "").zone_depth == 4);  // the root
    // An SOA of a zone that does not hold the name names none, however its name ends.
    CHECK_FALSE(negative(0, "example.net").zone_depth);
    CHECK_FALSE(negative(0, "ample.com").zone_depth);
    CHECK_FALSE(negative(0, "x._smtp._tls.example.com").zone_depth);
    // No SOA anywhere: no zone. Nor for other types, whose authority SOA is not read.
    CHECK_FALSE(decode_response(Wire(0, 0).bytes(), query, RecordType::soa).zone_depth);
    CHECK_FALSE(negative(0, "example.com", RecordType::txt).zone_depth);
}

TEST_CASE("an SOA answer through a CNAME names no zone of the name asked") {
    const auto response = decode_response(Wire(0, 2)
                                              .cname_rr(query, "t.example.net")
                                              .soa_rr("t.example.net", "example.net", 7)
                                              .bytes(),
                                          query, RecordType::soa);
    CHECK(response.outcome == Outcome::answer);
    CHECK(response.cnames == std::vector<std::string>{"t.example.net"});
    CHECK_FALSE(response.zone_depth);
}

TEST_CASE("SOA RDATA that is cut short or too long is malformed") {
    const auto decoded = [](const std::vector<unsigned char>& rdata) {
        return decode_response(Wire(0, 1).rr(query, soa, 60, rdata).bytes(), query,
                               RecordType::soa);
    };
    std::vector<unsigned char> rdata = {0, 0};  // two root names
    rdata.resize(2 + 19);
    CHECK(decoded(rdata).detail == "SOA RDATA of the wrong size");
    rdata.resize(2 + 21);
    CHECK(decoded(rdata).detail == "SOA RDATA of the wrong size");
    rdata.resize(2 + 20);
    CHECK(decoded(rdata).outcome == Outcome::answer);
    CHECK(decoded({0}).detail == "SOA RDATA too short");
}

TEST_CASE("rcodes have their names") {
    CHECK(rcode_name(0) == "NOERROR");
    CHECK(rcode_name(2) == "SERVFAIL");
    CHECK(rcode_name(3) == "NXDOMAIN");
    CHECK(rcode_name(5) == "REFUSED");
    CHECK(rcode_name(15) == "RCODE15");
}

TEST_CASE("names are escaped: \\c for a dot or a special character, \\DDD for a byte") {
    // Labels `a.b`, `x"y` and \001 z.
    const std::vector<unsigned char> target = {3, 'a', '.', 'b', 3, 'x', '"', 'y', 2, 1, 'z', 0};
    const auto response = decode(Wire(0, 1).rr(query, cname, 60, target).bytes());
    CHECK(response.outcome == Outcome::no_data);
    CHECK(response.cnames == std::vector<std::string>{"a\\.b.x\\\"y.\\001z"});
}

TEST_CASE("a CNAME chain goes on through a name with escapes compared as decoded") {
    const std::vector<unsigned char> target = {3,   'a', '.', 'B', 7,   'e', 'x',
                                               'a', 'm', 'p', 'l', 'e', 0};
    std::vector<unsigned char> txt_rdata = {11};
    for (const char c : std::string("v=TLSRPTv1;"))
        txt_rdata.push_back(static_cast<unsigned char>(c));
    auto message = Wire(0, 2).rr(query, cname, 60, target).bytes();
    // The TXT record's owner: the same name, `b` in lower case.
    const std::vector<unsigned char> owner = {3,   'a', '.', 'b', 7,   'e', 'x',
                                              'a', 'm', 'p', 'l', 'e', 0};
    message.insert(message.end(), owner.begin(), owner.end());
    message.insert(message.end(), {0, txt, 0, 1, 0, 0, 0, 60, 0, 12});
    message.insert(message.end(), txt_rdata.begin(), txt_rdata.end());
    const auto response = decode(message);
    CHECK(response.outcome == Outcome::answer);
    CHECK(response.cnames == std::vector<std::string>{"a\\.B.example"});
    REQUIRE(response.records.size() == 1);
    CHECK(response.records[0].strings == std::vector<std::string>{"v=TLSRPTv1;"});
}

TEST_CASE("a name through more than 50 compression pointers is malformed") {
    const auto with_pointers = [](std::size_t pointers) {
        auto message = Wire(0, 1).bytes();
        // A CNAME owned by the question name whose target is a chain of pointers to "z".
        const std::size_t rdata = message.size() + 2 + 10;
        message.insert(message.end(), {0xc0, 0x0c, 0, cname, 0, 1, 0, 0, 0, 60, 0, 2});
        for (std::size_t hop = 1; hop <= pointers; ++hop) {
            const std::size_t next = hop < pointers ? rdata + 2 * hop : rdata + 2 * pointers;
            message.push_back(static_cast<unsigned char>(0xc0 | (next >> 8)));
            message.push_back(static_cast<unsigned char>(next & 0xff));
        }
        message.insert(message.end(), {1, 'z', 0});
        return decode(message);
    };
    CHECK(with_pointers(50).cnames == std::vector<std::string>{"z"});
    CHECK(with_pointers(51).outcome == Outcome::malformed);
}
