// The question of a DNS query as the tests' own servers read it. A query's question is never
// compressed, so a label is a length byte (at most 63) and its bytes, and the name ends at a
// zero byte within 255 bytes (RFC 1035 §2.3.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace tlsrpt::testing {

struct DnsQuestion {
    std::size_t end = 0;  // the size of the header and the question: where a reply's records go
    std::uint16_t type = 0;
};

// Calls `on_label(const unsigned char* label, std::size_t length)` for each label of the
// question's name, in order; nothing for a message without a whole question.
template <typename OnLabel>
std::optional<DnsQuestion> read_question(const unsigned char* message, std::size_t size,
                                         OnLabel&& on_label) {
    constexpr std::size_t header_size = 12;
    constexpr std::size_t max_name_size = 255;
    std::size_t offset = header_size;
    while (offset < size && message[offset] != 0) {
        const std::size_t length = message[offset];
        if (length > 63 || offset + 1 + length > size ||
            offset + 1 + length - header_size >= max_name_size) {
            return std::nullopt;
        }
        on_label(message + offset + 1, length);
        offset += 1 + length;
    }
    const std::size_t end = offset + 1 + 4;  // the root label, type and class
    if (end > size) return std::nullopt;
    return DnsQuestion{end,
                       static_cast<std::uint16_t>(message[offset + 1] << 8 | message[offset + 2])};
}

// The question's name, dotted, without the final dot, and its type.
struct NamedQuestion {
    std::string name;
    DnsQuestion question;
};
inline std::optional<NamedQuestion> read_named_question(const unsigned char* message,
                                                        std::size_t size) {
    std::string name;
    const auto question =
        read_question(message, size, [&](const unsigned char* label, std::size_t length) {
            if (!name.empty()) name += '.';
            name.append(reinterpret_cast<const char*>(label), length);
        });
    if (!question) return std::nullopt;
    return NamedQuestion{std::move(name), *question};
}

}  // namespace tlsrpt::testing
