// What the fuzz targets share: the libFuzzer entry point, the property check, and the ways
// they decode fuzz input into values.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/presentation.hpp"
#include "tlsrpt/txt.hpp"

// Defined once per target; libFuzzer or replay_main.cpp calls it for each input.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace tlsrpt::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A property that failed aborts: libFuzzer saves the input as a crash, the replay test fails.
inline void require(bool holds, std::string_view property) {
    if (holds) return;
    std::fprintf(stderr, "property violated: %.*s\n", static_cast<int>(property.size()),
                 property.data());
    std::abort();
}

inline bool is_printable_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
}

// The pieces of `text` between `separator`s; a separator at the very end ends the last piece
// rather than starting an empty one, as with lines of a file. Empty text has no pieces.
inline std::vector<std::string_view> split(std::string_view text, std::string_view separator) {
    std::vector<std::string_view> pieces;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find(separator), text.size());
        pieces.push_back(text.substr(0, end));
        text.remove_prefix(std::min(end + separator.size(), text.size()));
    }
    return pieces;
}

// An RRset written as lint reads one: a TXT record per line in presentation format (the `rr`
// values of testdata/records). A line that does not parse is one character-string taken as
// is, so that every byte sequence is an RRset.
inline TxtRRset rrset_from_lines(std::string_view text) {
    TxtRRset rrset;
    for (const std::string_view line : split(text, "\n")) {
        auto record = parse_presentation(line);
        rrset.push_back(record ? std::move(*record) : TxtRecord{{std::string(line)}});
    }
    return rrset;
}

// Takes values from the front of fuzz input; once it is used up every value is zero or empty,
// so any input decodes.
class ByteReader {
  public:
    explicit ByteReader(std::string_view input) : input_(input) {}

    std::uint8_t byte() {
        if (input_.empty()) return 0;
        const auto value = static_cast<std::uint8_t>(input_.front());
        input_.remove_prefix(1);
        return value;
    }

    bool flag() { return (byte() & 1) != 0; }

    std::uint32_t u32() {
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) value = (value << 8) | byte();
        return value;
    }

    // A length octet, then that many bytes (fewer at the end of the input).
    std::string text() {
        const std::uint8_t wanted = byte();  // before input_.size(): it consumes a byte
        const std::size_t length = std::min<std::size_t>(wanted, input_.size());
        std::string value(input_.substr(0, length));
        input_.remove_prefix(length);
        return value;
    }

  private:
    std::string_view input_;
};

}  // namespace tlsrpt::fuzz
