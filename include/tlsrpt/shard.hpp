// Splitting one bulk run over several machines: `--shard K/N` keeps the domains that hash to
// shard K of N. The hash is of the normalised domain and never changes between versions, so a
// domain lands on the same shard in every run and on every machine, and the N shards of a list
// together give exactly the rows of one run over it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tlsrpt/expected.hpp"

namespace tlsrpt {

struct Shard {
    std::uint32_t index = 0;  // K, numbered from 0 like a Kubernetes Job's completion index
    std::uint32_t count = 1;  // N
};

// "K/N" with 0 <= K < N; the error says what is wrong, for a usage error.
Expected<Shard, std::string> parse_shard(std::string_view text);

// FNV-1a (64 bits) of `key`, finalised with MurmurHash3's fmix64 so that every bit of the key
// reaches the low bits the modulo keeps. Part of the contract: changing it moves domains
// between shards of runs already split.
std::uint64_t shard_hash(std::string_view key);

// The shard of `count` that a domain belongs to, given as written: the hash is of the
// normalised domain (case, trailing dot and U-labels do not matter), or of the text itself
// when it names no valid domain, so that a malformed line too lands on exactly one shard.
std::uint32_t shard_of(std::string_view domain, std::uint32_t count);

}  // namespace tlsrpt
