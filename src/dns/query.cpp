// The usual names (letters, digits, hyphens, underscores between dots) are encoded here, into
// the caller's buffer. Any other name goes through c-ares' ares_create_query, which allocates
// each query but decides, as it always has, what escapes, empty or long labels, over-long names
// and .onion names become.
#include "dns/query.hpp"

#include <ares.h>
#include <arpa/nameser.h>

#include <algorithm>
#include <memory>
#include <string>

namespace tlsrpt::dns {
namespace {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_octets = 255;
constexpr std::size_t max_label_octets = 63;
// RFC 9715 / DNS Flag Day 2020: large enough for most answers, small enough to avoid
// fragmentation; bigger answers come back truncated and are repeated over TCP.
constexpr unsigned edns_udp_size = 1232;
constexpr unsigned char recursion_desired = 0x01;  // in the header's third octet
constexpr unsigned char authentic_data = 0x20;     // in its fourth: did the resolver validate?

bool is_plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

bool is_onion(std::string_view label) {
    return std::equal(label.begin(), label.end(), std::string_view("onion").begin(),
                      std::string_view("onion").end(),
                      [](char a, char b) { return (a | 0x20) == b; });
}

unsigned char* put16(unsigned char* out, unsigned value) {
    out[0] = static_cast<unsigned char>(value >> 8);
    out[1] = static_cast<unsigned char>(value & 0xff);
    return out + 2;
}

// The wire form of a plain name (labels of 1 to 63 plain characters, an optional final dot,
// 255 octets at most, not under .onion) after the header, in one pass; 0 for any other name.
std::size_t encode_plain_name(std::string_view name, QueryBuffer& buffer) {
    if (name.ends_with('.')) name.remove_suffix(1);
    // Each dot becomes a length octet, plus the first label's and the root's.
    const std::size_t encoded_size = name.size() + 2;
    if (name.empty() || encoded_size > max_name_octets) return 0;
    unsigned char* const start = buffer.data() + header_size;
    unsigned char* length_octet = start;
    unsigned char* out = start + 1;
    const auto close_label = [&] {
        const auto length = static_cast<std::size_t>(out - length_octet - 1);
        *length_octet = static_cast<unsigned char>(length);
        return length >= 1 && length <= max_label_octets;
    };
    for (const char c : name) {
        if (c == '.') {
            if (!close_label()) return 0;
            length_octet = out++;
        } else if (is_plain(c)) {
            *out++ = static_cast<unsigned char>(c);
        } else {
            return 0;
        }
    }
    if (!close_label()) return 0;
    const std::string_view last(reinterpret_cast<const char*>(length_octet + 1),
                                static_cast<std::size_t>(out - length_octet - 1));
    if (is_onion(last) && length_octet != start) return 0;
    *out = 0;
    return encoded_size;
}

Expected<std::size_t, QueryProblem> plain_query(std::string_view name, RecordType type,
                                                QueryBuffer& buffer) {
    const std::size_t name_length = encode_plain_name(name, buffer);
    if (name_length == 0) return unexpected(QueryProblem{});
    std::fill_n(buffer.begin(), header_size, 0);
    buffer[2] = recursion_desired;
    buffer[5] = 1;   // one question
    buffer[11] = 1;  // one additional record: the OPT
    unsigned char* out = buffer.data() + header_size + name_length;
    out = put16(out, static_cast<unsigned>(type));
    out = put16(out, ns_c_in);
    *out++ = 0;  // the OPT record's owner: the root
    out = put16(out, ns_t_opt);
    out = put16(out, edns_udp_size);   // its class: the UDP payload size
    out = std::fill_n(out, 4 + 2, 0);  // TTL (extended rcode, version, flags), RDLENGTH
    return static_cast<std::size_t>(out - buffer.data());
}

Expected<std::size_t, QueryProblem> library_query(std::string_view name, RecordType type,
                                                  QueryBuffer& buffer) {
    unsigned char* query = nullptr;
    int length = 0;
    const int status =
        ares_create_query(std::string(name).c_str(), ns_c_in, static_cast<int>(type), /*id=*/0,
                          /*rd=*/1, &query, &length, static_cast<int>(edns_udp_size));
    const std::unique_ptr<unsigned char, decltype(&ares_free_string)> owned(query,
                                                                            &ares_free_string);
    if (status != ARES_SUCCESS) {
        return unexpected(
            QueryProblem{status == ARES_EBADNAME ? Outcome::bad_name : Outcome::unreachable,
                         ares_strerror(status)});
    }
    if (static_cast<std::size_t>(length) > buffer.size()) {
        return unexpected(QueryProblem{Outcome::bad_name, ares_strerror(ARES_EBADNAME)});
    }
    std::copy_n(query, length, buffer.begin());
    return static_cast<std::size_t>(length);
}

}  // namespace

Expected<std::size_t, QueryProblem> build_query(std::string_view name, RecordType type,
                                                QueryBuffer& buffer, Recursion recursion) {
    auto length = plain_query(name, type, buffer);
    if (!length) length = library_query(name, type, buffer);
    if (!length) return length;
    buffer[3] |= authentic_data;
    if (recursion == Recursion::not_desired) {
        buffer[2] = static_cast<unsigned char>(buffer[2] & ~recursion_desired);
    }
    return length;
}

}  // namespace tlsrpt::dns
