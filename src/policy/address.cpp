#include "address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace tlsrpt::policy {
namespace {

// An address block of the IANA special-purpose registries that is not globally reachable.
struct Block {
    std::array<unsigned char, 16> prefix;
    unsigned bits;
};

constexpr std::array<Block, 13> non_public_v4 = {{
    {{0}, 8},              // "this network"
    {{10}, 8},             // private
    {{100, 64}, 10},       // shared address space (carrier-grade NAT)
    {{127}, 8},            // loopback
    {{169, 254}, 16},      // link-local
    {{172, 16}, 12},       // private
    {{192, 0, 0}, 24},     // IETF protocol assignments
    {{192, 0, 2}, 24},     // documentation
    {{192, 168}, 16},      // private
    {{198, 18}, 15},       // benchmarking
    {{198, 51, 100}, 24},  // documentation
    {{203, 0, 113}, 24},   // documentation
    {{224}, 3},            // multicast and reserved, up to 255.255.255.255
}};

constexpr std::array<Block, 11> non_public_v6 = {{
    {{0}, 127},                                  // :: and ::1
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96},  // IPv4-compatible (deprecated)
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48},  // local-use IPv4/IPv6 translation
    {{0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64},        // discard-only
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48},  // benchmarking
    {{0x20, 0x01, 0x0d, 0xb8}, 32},              // documentation
    {{0x3f, 0xff}, 20},                          // documentation
    {{0xfc}, 7},                                 // unique local
    {{0xfe, 0x80}, 10},                          // link-local
    {{0xfe, 0xc0}, 10},                          // site-local (deprecated)
    {{0xff}, 8},                                 // multicast
}};

bool in_block(const unsigned char* address, const Block& block) {
    const unsigned whole = block.bits / 8;
    if (std::memcmp(address, block.prefix.data(), whole) != 0) return false;
    const unsigned rest = block.bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (address[whole] & mask) == (block.prefix[whole] & mask);
}

}  // namespace

bool is_public_ipv4(const std::array<unsigned char, 4>& address) {
    return std::none_of(non_public_v4.begin(), non_public_v4.end(),
                        [&](const Block& block) { return in_block(address.data(), block); });
}

bool is_public_ipv6(const std::array<unsigned char, 16>& address) {
    constexpr unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.data(), v4_mapped, sizeof v4_mapped) == 0) {
        return is_public_ipv4({address[12], address[13], address[14], address[15]});
    }
    return std::none_of(non_public_v6.begin(), non_public_v6.end(),
                        [&](const Block& block) { return in_block(address.data(), block); });
}

bool is_public_address(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    const std::string terminated(text);  // inet_pton reads a C string
    std::array<unsigned char, 4> v4{};
    if (inet_pton(AF_INET, terminated.c_str(), v4.data()) == 1) return is_public_ipv4(v4);
    std::array<unsigned char, 16> v6{};
    return inet_pton(AF_INET6, terminated.c_str(), v6.data()) == 1 && is_public_ipv6(v6);
}

}  // namespace tlsrpt::policy
