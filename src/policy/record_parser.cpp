#include "record_parser.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "ascii.hpp"
#include "uri.hpp"

namespace tlsrpt::policy {

bool is_extension_name(std::string_view name) {
    if (name.empty() || name.size() > 32 || !is_alnum(name[0])) return false;
    for (char c : name) {
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
    }
    return true;
}

bool is_extension_value(std::string_view value) {
    if (value.empty()) return false;
    for (char c : value) {
        const auto octet = static_cast<unsigned char>(c);
        if (octet < 0x21 || octet > 0x7E || c == '=' || c == ';') return false;
    }
    return true;
}

namespace {

// Length of a DMARC tag and its "=" at the start of `text` ("ruf=", "rua=", "fo=", ...), or 0:
// a DMARC record's habits copied into a rua list.
std::size_t dmarc_tag_length(std::string_view text) {
    // The tags are 1 to 5 letters: most URIs are told apart by their first bytes.
    const std::size_t equals = text.substr(0, 6).find('=');
    if (equals == std::string_view::npos) return 0;
    const std::string_view name = text.substr(0, equals);
    for (const std::string_view tag :
         {"rua", "ruf", "fo", "p", "sp", "pct", "ri", "rf", "adkim", "aspf", "np"}) {
        if (iequals(name, tag)) return equals + 1;
    }
    return 0;
}

class FieldParser {
  public:
    FieldParser(std::string_view record, const FieldScope& scope, DiagnosticSink& sink)
        : record_(record), scope_(scope), sink_(sink), version_seen_(!scope.version_among_fields) {}

    ParsedFields run() {
        std::size_t pos = scope_.begin;
        while (true) {
            const std::size_t after_delimiter = pos;
            while (pos < scope_.end && is_wsp(record_[pos])) ++pos;
            if (pos == scope_.end) break;  // nothing after the final ";": the ABNF allows it
            if (record_[pos] == ';') {
                sink_.add("empty-field", Severity::error,
                          "The record has an empty field: two \";\" with nothing between them.",
                          pos, 1);
                ++pos;
                glue_target_.reset();
                continue;
            }
            std::size_t field_end = record_.find(';', pos);
            if (field_end == std::string_view::npos || field_end > scope_.end) {
                field_end = scope_.end;
            }
            std::size_t value_end = field_end;
            while (value_end > pos && is_wsp(record_[value_end - 1])) --value_end;
            report_trailing_space(value_end, field_end);
            const bool adjacent_to_previous = pos == after_delimiter && pos > scope_.begin;
            parse_field(pos, value_end, adjacent_to_previous);
            // Only a rua list that runs right up to the ";" can have been cut by it.
            if (value_end != field_end) glue_target_.reset();
            pos = field_end;
            if (pos >= scope_.end) break;
            ++pos;
        }
        finish();
        return std::move(parsed_);
    }

  private:
    void report_trailing_space(std::size_t value_end, std::size_t field_end) {
        if (value_end == field_end) return;
        if (field_end < scope_.end) {
            sink_.add("ws-before-delimiter", Severity::warning,
                      "Whitespace stands before a \";\"; the grammar allows it but some "
                      "parsers keep it as part of the value.",
                      value_end, field_end - value_end);
        } else {
            sink_.add("trailing-whitespace", Severity::warning,
                      "The record ends with whitespace; end it with the last value or a \";\".",
                      value_end, field_end - value_end);
        }
    }

    void parse_field(std::size_t begin, std::size_t end, bool adjacent_to_previous) {
        std::size_t name_end = begin;
        while (name_end < end && record_[name_end] != '=' && !is_wsp(record_[name_end])) {
            ++name_end;
        }
        std::size_t equals = name_end;
        while (equals < end && is_wsp(record_[equals])) ++equals;
        if (equals == end || record_[equals] != '=') {
            report_field_without_value(begin, end);
            return;
        }
        std::size_t value = equals + 1;
        while (value < end && is_wsp(record_[value])) ++value;
        if (equals > name_end || value > equals + 1) {
            sink_.add("whitespace-around-equals", Severity::error,
                      "A field has whitespace around its \"=\", which the grammar does not allow.",
                      name_end, value - name_end);
        }
        const std::string_view name = record_.substr(begin, name_end - begin);
        if (iequals(name, "rua")) {
            parse_rua(begin, name, value, end);
            return;
        }
        std::optional<std::size_t> glue_target = glue_target_;
        glue_target_.reset();
        if (iequals(name, "ruf")) keep_ruf_uris(value, end);
        if (iequals(name, "v")) {
            if (!version_seen_) {
                version_seen_ = true;
            } else {
                sink_.add("duplicate-version-field", Severity::warning,
                          "The record has a second version field; senders ignore it, remove it.",
                          begin, end - begin);
            }
            return;
        }
        parse_extension(begin, name, value, end, adjacent_to_previous ? glue_target : std::nullopt);
    }

    // A field without "=". When it is a URI or an address, the ";" most likely separated
    // URIs that belong in the rua list: the suggestion moves it there.
    void report_field_without_value(std::size_t begin, std::size_t end) {
        glue_target_.reset();
        const std::string_view text = record_.substr(begin, end - begin);
        const std::size_t scheme = scheme_length(text);
        if (scheme == 0 && !is_bare_address(text)) {
            sink_.add("invalid-extension", Severity::error,
                      "A field is not of the form name=value.", begin, end - begin);
            return;
        }
        sink_.add("invalid-extension", Severity::error,
                  "A field is a URI instead of name=value; list every URI in the rua field, "
                  "separated by commas.",
                  begin, end - begin);
        RuaPiece piece;
        piece.offset = begin;
        piece.length = text.size();
        piece.scheme_length = scheme;
        piece.is_destination = false;
        parsed_.rua.push_back(piece);
    }

    void parse_extension(std::size_t begin, std::string_view name, std::size_t value,
                         std::size_t end, std::optional<std::size_t> glue_target) {
        if (!is_extension_name(name) || !is_extension_value(record_.substr(value, end - value))) {
            sink_.add("invalid-extension", Severity::error,
                      "An extension field breaks the grammar: its name must be 1 to 32 letters, "
                      "digits, \"_\", \"-\" or \".\", and its value printable ASCII without "
                      "\"=\", \";\" or spaces.",
                      begin, end - begin);
            return;
        }
        parsed_.extensions.push_back(ExtensionRange{begin, name.size(), value, end - value});
        if (glue_target && completes_uri(*glue_target, begin, end)) {
            sink_.add("possible-unencoded-semicolon", Severity::warning,
                      fmt::format("An extension follows URI {} of rua with no space around the "
                                  "\";\": it may be the rest of that URI, cut at a semicolon that "
                                  "must be written %3B.",
                                  parsed_.rua[*glue_target].number),
                      begin, end - begin);
            RuaPiece piece;
            piece.offset = begin;
            piece.length = end - begin;
            piece.glue = Glue::semicolon;
            piece.is_destination = false;
            parsed_.rua.push_back(piece);
            return;
        }
        sink_.add("unknown-extension", Severity::warning,
                  "The record has an extension field that RFC 8460 does not define; senders "
                  "ignore it.",
                  begin, end - begin);
    }

    // Whether the URI, continued with "%3B" and the extension, is still a clean URI.
    bool completes_uri(std::size_t piece_index, std::size_t begin, std::size_t end) const {
        const RuaPiece& piece = parsed_.rua[piece_index];
        if (!piece.is_destination || piece.scheme_length == 0) return false;
        std::string joined(record_.substr(piece.offset, piece.length));
        joined += "%3B";
        joined += record_.substr(begin, end - begin);
        std::vector<Diagnostic> scratch;
        DiagnosticSink scratch_sink(scratch, std::nullopt);
        return check_uri(joined, UriContext{}, scratch_sink).usable && scratch_sink.errors() == 0;
    }

    void parse_rua(std::size_t begin, std::string_view name, std::size_t value, std::size_t end) {
        if (name != "rua") {
            sink_.add("rua-case", Severity::error,
                      "The rua field name must be written in lower case; senders do not "
                      "recognise it otherwise.",
                      begin, name.size());
        }
        if (rua_fields_++ > 0) {
            sink_.add("duplicate-rua-field", Severity::warning,
                      "The record has more than one rua field; list every URI in one field.", begin,
                      end - begin);
        }
        glue_target_.reset();
        if (value == end) {
            sink_.add("empty-rua", Severity::error, "The rua field has no URI.", begin,
                      end - begin);
            return;
        }
        const std::size_t pieces_before = parsed_.rua.size();
        const auto commas = std::count(record_.begin() + value, record_.begin() + end, ',');
        parsed_.rua.reserve(pieces_before + static_cast<std::size_t>(commas) + 1);
        std::size_t piece_begin = value;
        bool follows_comma = false;
        while (true) {
            std::size_t comma = record_.find(',', piece_begin);
            if (comma == std::string_view::npos || comma > end) comma = end;
            parse_rua_piece(piece_begin, comma, follows_comma);
            if (comma == end) break;
            piece_begin = comma + 1;
            follows_comma = true;
        }
        if (parsed_.rua.size() > pieces_before) glue_target_ = parsed_.rua.size() - 1;
    }

    // DMARC's ruf (failure reports) where TLS-RPT wants rua: its URIs are kept for the
    // suggestion, which uses them when the record has no rua field.
    void keep_ruf_uris(std::size_t value, std::size_t end) {
        for (std::size_t begin = value; begin < end;) {
            const std::size_t comma = std::min(record_.find(',', begin), end);
            const std::string_view uri = trim_wsp(record_.substr(begin, comma - begin));
            if (!uri.empty()) {
                RuaPiece piece;
                piece.offset = static_cast<std::size_t>(uri.data() - record_.data());
                piece.length = uri.size();
                piece.scheme_length = scheme_length(uri);
                piece.is_destination = false;
                ruf_uris_.push_back(piece);
            }
            begin = comma + 1;
        }
    }

    // A DMARC tag among the URIs (",ruf=mailto:..."): named, and left out of the suggestion,
    // but for a repeated "rua=", whose URI is kept.
    void report_dmarc_tag(std::size_t begin, std::string_view text, std::size_t tag,
                          std::size_t number) {
        const bool rua = iequals(text.substr(0, tag), "rua=");
        sink_.add("dmarc-tag-in-rua", Severity::error,
                  rua ? fmt::format("URI {} of rua starts with \"rua=\" again; list the URIs of "
                                    "rua separated by commas only.",
                                    number)
                      : fmt::format("URI {} of rua is the DMARC tag {}, which TLS-RPT does not "
                                    "have; remove it.",
                                    number, text.substr(0, tag - 1)),
                  begin, rua ? tag : text.size());
        if (!rua) return;
        RuaPiece piece;
        piece.offset = begin + tag;
        piece.length = text.size() - tag;
        piece.scheme_length = scheme_length(text.substr(tag));
        piece.number = number;
        piece.is_destination = false;
        parsed_.rua.push_back(piece);
    }

    void parse_rua_piece(std::size_t begin, std::size_t end, bool follows_comma) {
        const std::size_t number = ++uri_count_;
        while (begin < end && is_wsp(record_[begin])) ++begin;
        while (end > begin && is_wsp(record_[end - 1])) --end;
        if (begin == end) {
            sink_.add("empty-uri", Severity::error,
                      fmt::format("URI {} of rua is empty: remove the extra comma.", number), begin,
                      0);
            return;
        }
        const std::string_view text = record_.substr(begin, end - begin);
        if (const std::size_t tag = dmarc_tag_length(text); tag > 0) {
            report_dmarc_tag(begin, text, tag, number);
            return;
        }
        const ClassSummary summary = summarise(text);
        if (summary.any & kWsp) {
            parse_spaced_piece(begin, text, number);
            return;
        }
        const UriVerdict verdict = check_uri(text, UriContext{begin, number, follows_comma}, sink_);
        RuaPiece piece;
        piece.offset = begin;
        piece.length = text.size();
        piece.scheme_length = verdict.scheme.size();
        piece.number = number;
        piece.glue = verdict.continues_previous ? Glue::comma : Glue::none;
        piece.usable = verdict.usable;
        piece.unsupported_scheme = verdict.unsupported_scheme;
        parsed_.rua.push_back(piece);
        parsed_.has_usable_destination = parsed_.has_usable_destination || verdict.usable;
    }

    // Senders take a piece with inner whitespace as one broken URI. When a later word looks
    // like a URI or an address, the space cut a URI or replaced a comma; otherwise it is a
    // comment or stray text after the URI. Each word is kept for the suggestion to salvage.
    void parse_spaced_piece(std::size_t begin, std::string_view text, std::size_t number) {
        const std::size_t first_space = text.find_first_of(" \t");
        const std::string_view rest = text.substr(first_space);
        const bool looks_like_uri = rest.find_first_of(":@") != std::string_view::npos;
        if (looks_like_uri) {
            sink_.add("whitespace-in-uri", Severity::error,
                      fmt::format("URI {} of rua contains whitespace; separate URIs with commas "
                                  "and percent-encode spaces inside a URI.",
                                  number),
                      begin, text.size());
        } else {
            const std::size_t second_word = text.find_first_not_of(" \t", first_space);
            sink_.add("trailing-characters", Severity::error,
                      fmt::format("URI {} of rua is followed by text that is not part of a "
                                  "URI; remove it.",
                                  number),
                      begin + second_word, text.size() - second_word);
        }
        std::size_t word_begin = 0;
        while (word_begin < text.size()) {
            std::size_t word_end = text.find_first_of(" \t", word_begin);
            if (word_end == std::string_view::npos) word_end = text.size();
            RuaPiece piece;
            piece.offset = begin + word_begin;
            piece.length = word_end - word_begin;
            piece.scheme_length = scheme_length(text.substr(word_begin, piece.length));
            piece.number = number;
            parsed_.rua.push_back(piece);
            if (!looks_like_uri) break;
            word_begin = text.find_first_not_of(" \t", word_end);
            if (word_begin == std::string_view::npos) break;
        }
    }

    void finish() {
        if (rua_fields_ == 0 && !ruf_uris_.empty()) {
            sink_.add("missing-rua", Severity::error,
                      "The record has no rua field, only ruf, a DMARC tag: TLS-RPT senders send "
                      "reports to the URIs of rua.");
            parsed_.rua.insert(parsed_.rua.end(), ruf_uris_.begin(), ruf_uris_.end());
        } else if (rua_fields_ == 0) {
            sink_.add("missing-rua", Severity::error,
                      "The record has no rua field; senders need at least one report URI.");
        }
        for (const RuaPiece& piece : parsed_.rua) {
            if (!piece.unsupported_scheme) continue;
            const bool http = iequals(record_.substr(piece.offset, piece.scheme_length), "http");
            sink_.add("unsupported-scheme",
                      parsed_.has_usable_destination ? Severity::warning : Severity::error,
                      http ? fmt::format("URI {} of rua uses http, which RFC 8460 does not "
                                         "support; use https.",
                                         piece.number)
                           : fmt::format("URI {} of rua uses a scheme senders do not support; "
                                         "use mailto: or https:.",
                                         piece.number),
                      piece.offset, piece.length);
        }
        report_duplicates();
    }

    void report_duplicates() {
        const auto& rua = parsed_.rua;
        for (std::size_t i = 1; i < rua.size(); ++i) {
            if (!rua[i].usable) continue;
            const std::string_view uri = record_.substr(rua[i].offset, rua[i].length);
            const bool repeated = std::any_of(rua.begin(), rua.begin() + i, [&](const RuaPiece& p) {
                return p.usable && same_destination(record_.substr(p.offset, p.length), uri);
            });
            if (repeated) {
                sink_.add("duplicate-uri", Severity::warning,
                          fmt::format("URI {} of rua repeats an earlier URI; list it once.",
                                      rua[i].number),
                          rua[i].offset, rua[i].length);
            }
        }
    }

    std::string_view record_;
    const FieldScope& scope_;
    DiagnosticSink& sink_;
    ParsedFields parsed_;
    bool version_seen_;
    std::size_t rua_fields_ = 0;
    std::size_t uri_count_ = 0;
    // The last URI of the previous field when that field was a rua list ending at a ";".
    std::optional<std::size_t> glue_target_;
    std::vector<RuaPiece> ruf_uris_;
};

}  // namespace

ParsedFields parse_fields(std::string_view record, const FieldScope& scope, DiagnosticSink& sink) {
    return FieldParser(record, scope, sink).run();
}

void scan_record_bytes(std::string_view record, const TxtRecord& rr, DiagnosticSink& sink) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < rr.strings.size(); ++i) {
        const std::size_t size = rr.strings[i].size();
        if (size > 255) {
            sink.add("character-string-too-long", Severity::error,
                     fmt::format("Character-string {} is {} octets long; DNS allows at most 255 "
                                 "per string, so split the record into several strings.",
                                 i + 1, size),
                     offset, size);
        }
        offset += size;
    }
    if (summarise(record).all & kRecordByte) return;  // the common case, in one pass
    for (std::size_t i = 0; i < record.size();) {
        if (is_record_byte(record[i])) {
            ++i;
            continue;
        }
        const bool non_ascii = is_non_ascii(record[i]);
        std::size_t end = i + 1;
        while (end < record.size() && !is_record_byte(record[end]) &&
               is_non_ascii(record[end]) == non_ascii) {
            ++end;
        }
        if (non_ascii) {
            sink.add("non-ascii", Severity::error,
                     "The record contains bytes outside ASCII; write host names as A-labels "
                     "(xn--) and percent-encode other non-ASCII text in URIs.",
                     i, end - i);
        } else {
            sink.add("control-character", Severity::error,
                     "The record contains control characters (such as a line break or NUL); "
                     "remove them.",
                     i, end - i);
        }
        i = end;
    }
}

}  // namespace tlsrpt::policy
