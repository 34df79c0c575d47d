// The fields of one TLS-RPT record after its version: rua lists, extensions, delimiters.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "diagnostic_sink.hpp"
#include "tlsrpt/txt.hpp"

namespace tlsrpt::policy {

// How a piece of a rua list belongs to the one before it, for the suggestion to glue it back.
enum class Glue {
    none,
    comma,      // the tail of the previous URI, cut at a raw ","
    semicolon,  // an extension that is the tail of the previous URI, cut at a raw ";"
};

struct RuaPiece {
    std::size_t offset = 0;  // in the joined record
    std::size_t length = 0;
    std::size_t scheme_length = 0;
    Glue glue = Glue::none;
    std::size_t number = 0;  // 1-based position in the record's rua list
    bool usable = false;
    bool unsupported_scheme = false;
    // False for text senders do not read as a URI but the suggestion salvages: a glued
    // extension, or a URI standing as a field of its own.
    bool is_destination = true;
};

struct ExtensionRange {
    std::size_t name_offset = 0;
    std::size_t name_length = 0;
    std::size_t value_offset = 0;
    std::size_t value_length = 0;
};

// Where the fields are in the record and how the version appeared.
struct FieldScope {
    std::size_t begin = 0;
    std::size_t end = 0;
    // The version is one of the fields (it was not first): skip the first one once.
    bool version_among_fields = false;
};

struct ParsedFields {
    std::vector<RuaPiece> rua;  // every piece of every rua field, in record order
    std::vector<ExtensionRange> extensions;
    bool has_usable_destination = false;
};

// The extension grammar, which RFC 8461 (MTA-STS) shares with RFC 8460: a name of 1 to 32
// letters, digits, "_", "-" or "." that starts with a letter or digit, and a value of one or
// more printable ASCII bytes other than "=" and ";".
bool is_extension_name(std::string_view name);
bool is_extension_value(std::string_view value);

ParsedFields parse_fields(std::string_view record, const FieldScope& scope, DiagnosticSink& sink);

// Reports bytes no TXT-published record may carry: non-ASCII, controls, and
// character-strings over 255 octets. `record` is `rr` joined.
void scan_record_bytes(std::string_view record, const TxtRecord& rr, DiagnosticSink& sink);

}  // namespace tlsrpt::policy
