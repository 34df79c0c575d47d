#include "suggest.hpp"

#include <algorithm>

#include "ascii.hpp"
#include "tlsrpt/canonical.hpp"
#include "uri.hpp"

namespace tlsrpt::policy {

std::optional<std::string> salvage_uri(std::string_view published) {
    std::string uri;
    uri.reserve(published.size() + 7);
    for (char c : published) {
        if (!is_control(c) && c != '"') uri += c;
    }
    if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') {
        uri = uri.substr(1, uri.size() - 2);
    }
    // "!10m" is a DMARC size limit copied from a rua= of DMARC: meaningless here.
    uri.resize(uri.size() - dmarc_size_suffix_length(uri));
    // "mailto=" for "mailto:", and the scheme written twice.
    if (istarts_with(uri, "mailto=")) uri[6] = ':';
    while (istarts_with(uri, "mailto:mailto:")) uri.erase(0, 7);
    if (scheme_length(uri) == 0) {
        if (!is_bare_address(uri)) return std::nullopt;
        uri.insert(0, "mailto:");
    }
    const std::string_view scheme = std::string_view(uri).substr(0, scheme_length(uri));
    if (iequals(scheme, "mailto")) {
        // Header fields only draw warnings: senders address the report themselves.
        uri.resize(std::min(uri.size(), uri.find('?')));
        // An address's domain ends without a dot.
        while (uri.ends_with('.') && uri.find('@') != std::string::npos) uri.pop_back();
    } else if (iequals(scheme, "https")) {
        // A fragment never reaches the server; user information is deprecated in URIs
        // (RFC 3986 §3.2.1) and RFC 8460 gives senders no way to authenticate with it.
        uri.resize(std::min(uri.size(), uri.find('#')));
        const std::size_t authority = scheme.size() + 3;
        if (uri.compare(scheme.size(), 3, "://") == 0) {
            const std::size_t authority_end =
                std::min(uri.size(), uri.find_first_of("/?", authority));
            const std::size_t at = uri.rfind('@', authority_end - 1);
            if (at != std::string::npos && at >= authority) {
                uri.erase(authority, at + 1 - authority);
            }
        }
    }
    // A host that is not public stays: its warning says so, and the other repairs still help.
    auto canonical = canonical_uri(uri, NonPublicHost::keep);
    if (!canonical) return std::nullopt;
    return std::move(*canonical);
}

std::optional<std::string> suggest_record(const std::vector<SalvageSource>& sources) {
    std::vector<std::string> uris;
    for (const SalvageSource& source : sources) {
        // Pieces cut at a raw "," or ";" are glued back; the delimiter is encoded later.
        std::vector<std::string> published;
        for (const RuaPiece& piece : source.fields->rua) {
            const std::string_view text = source.record.substr(piece.offset, piece.length);
            if (piece.glue != Glue::none && !published.empty()) {
                published.back() += piece.glue == Glue::comma ? ',' : ';';
                published.back() += text;
            } else if (piece.glue == Glue::none) {
                published.emplace_back(text);
            }
        }
        for (const std::string& uri : published) {
            auto salvaged = salvage_uri(uri);
            if (!salvaged) continue;
            const bool repeated = std::any_of(
                uris.begin(), uris.end(),
                [&](const std::string& kept) { return same_destination(kept, *salvaged); });
            if (!repeated) uris.push_back(std::move(*salvaged));
        }
    }
    // Extensions are left out: RFC 8460 defines none, and any extension draws
    // `unknown-extension`, so a suggestion keeping one would not evaluate `valid`.
    if (uris.empty()) return std::nullopt;
    return canonical_record(uris);
}

}  // namespace tlsrpt::policy
