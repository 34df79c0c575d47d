// Records built from report destinations (contract: "Generated records"). Destinations are
// canonicalised by canonical_uri, the same function that builds the evaluator's suggestions.
#include "tlsrpt/generate.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "tlsrpt/canonical.hpp"
#include "tlsrpt/txt.hpp"
#include "uri.hpp"

namespace tlsrpt {

Expected<std::string, GenerateError> generate_record(const std::vector<std::string>& destinations) {
    std::vector<std::string> uris;
    std::unordered_set<std::string> seen;  // destination keys, as the duplicate-uri check uses
    for (const std::string& destination : destinations) {
        auto uri = canonical_uri(destination);
        if (!uri) return unexpected(GenerateError{destination, uri.error()});
        if (seen.insert(policy::destination_key(*uri)).second) uris.push_back(std::move(*uri));
    }
    if (uris.empty()) {
        return unexpected(GenerateError{"", "A record needs at least one report destination."});
    }
    return canonical_record(uris);
}

std::vector<std::string> split_character_strings(std::string_view record, std::size_t limit) {
    limit = std::max<std::size_t>(limit, 1);
    std::vector<std::string> strings;
    while (record.size() > limit) {
        // After the last comma that still fills at least half a string, else at the limit.
        std::size_t cut = limit;
        const std::size_t comma = record.substr(0, limit).rfind(',');
        if (comma != std::string_view::npos && comma + 1 >= limit / 2) cut = comma + 1;
        strings.emplace_back(record.substr(0, cut));
        record.remove_prefix(cut);
    }
    strings.emplace_back(record);  // a TXT record has at least one string, even empty
    return strings;
}

namespace {

// One character-string in zone-file presentation format: quoted, `"` and `\` escaped, bytes
// outside printable ASCII as \DDD.
std::string quoted_character_string(std::string_view bytes) {
    std::string quoted = "\"";
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (byte < 0x20 || byte > 0x7e) {
            quoted += fmt::format("\\{:03d}", byte);
        } else {
            quoted += c;
        }
    }
    return quoted + '"';
}

}  // namespace

std::string zone_file_line(std::string_view domain, std::uint32_t ttl, std::string_view record) {
    // Without a domain the owner is relative to the zone's $ORIGIN.
    std::string owner(tlsrpt_prefix.substr(0, tlsrpt_prefix.size() - 1));
    if (!domain.empty()) {
        owner += '.';
        owner += domain;
        if (domain.back() != '.') owner += '.';
    }
    return fmt::format("{} {} IN TXT {}", owner, ttl, quoted_character_strings(record));
}

std::string quoted_character_strings(std::string_view record) {
    std::string quoted;
    for (const std::string& piece : split_character_strings(record)) {
        if (!quoted.empty()) quoted += ' ';
        quoted += quoted_character_string(piece);
    }
    return quoted;
}

}  // namespace tlsrpt
