#include "tlsrpt/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "tlsrpt/domain_name.hpp"

namespace tlsrpt {
namespace {

// A whole number in decimal digits only (no sign, no spaces), within 32 bits.
std::optional<std::uint32_t> parse_count(std::string_view text) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

Expected<Shard, std::string> parse_shard(std::string_view text) {
    const auto slash = text.find('/');
    const auto index = parse_count(text.substr(0, slash));
    const auto count =
        parse_count(slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1));
    if (!index || !count) {
        return unexpected(fmt::format(
            "expected K/N, shard K of N with K from 0 to N-1 (e.g. 0/4), not '{}'", text));
    }
    const Shard shard{*index, *count};
    if (shard.count == 0) {
        return unexpected(std::string("the number of shards N must be at least 1"));
    }
    if (shard.index >= shard.count) {
        return unexpected(fmt::format("shard {} of {} does not exist: K goes from 0 to {}",
                                      shard.index, shard.count, shard.count - 1));
    }
    return shard;
}

std::uint64_t shard_hash(std::string_view key) {
    std::uint64_t hash = 0xcbf29ce484222325;  // FNV-1a offset basis and prime
    for (const char c : key) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3;
    }
    hash ^= hash >> 33;  // fmix64
    hash *= 0xff51afd7ed558ccd;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53;
    hash ^= hash >> 33;
    return hash;
}

std::uint32_t shard_of(std::string_view domain, std::uint32_t count) {
    const auto normalised = normalise_domain(domain);
    const std::uint64_t hash = normalised ? shard_hash(*normalised) : shard_hash(domain);
    return static_cast<std::uint32_t>(hash % count);
}

}  // namespace tlsrpt
