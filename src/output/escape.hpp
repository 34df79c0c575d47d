// Escaping of untrusted bytes (records, messages, names) for each output format. Every byte a
// formatter prints from data goes through one of these functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tlsrpt::output {

// For terminals and CSV: printable ASCII passes, a backslash becomes `\\`, every other byte
// (controls, DEL, non-ASCII) becomes `\DDD` (decimal, as in zone files), and so does each byte
// of `also_escape`. The result is plain printable ASCII and reads back unambiguously.
std::string escape_bytes(std::string_view bytes, std::string_view also_escape = {});
// The same, appended to `out`: no string of its own.
void append_escaped_bytes(std::string& out, std::string_view bytes,
                          std::string_view also_escape = {});

// For a domain name in presentation form, as dns::Response gives names (octets outside
// printable ASCII already written as \DDD, a backslash as \\): like escape_bytes, but its
// backslashes stay as they are, so that its escapes are not escaped a second time.
std::string escape_name(std::string_view name);
void append_escaped_name(std::string& out, std::string_view name,
                         std::string_view also_escape = {});

// For sentences (messages, errors) that may quote user input: like escape_bytes, but a
// backslash stays as it is, since prose is read, not decoded.
std::string escape_prose(std::string_view text);

// For monitoring plugin output: like escape_prose, and `|` (which starts performance data) as
// \124, so that no text can add a line or performance data.
std::string plugin_text(std::string_view text);

// A performance data label (monitoring plugin guidelines): escaped as by escape_bytes, with
// `=`, `'` and `|` as \DDD too, and single-quoted when it holds a space.
std::string perfdata_label(std::string_view label);

// A Prometheus label value between its double quotes (text exposition format): `\`, `"` and
// line feed as \\, \" and \n. The format requires UTF-8: each byte that does not start a
// well-formed UTF-8 sequence, and each other control character (C0, DEL, C1), becomes U+FFFD.
std::string prometheus_label_value(std::string_view bytes);

// Columns that escape_bytes gives `bytes`: carets line up under the escaped display.
std::size_t escaped_width(std::string_view bytes);

// Appends `bytes` as a quoted JSON string. Well-formed UTF-8 passes through; each byte that
// does not start a well-formed UTF-8 sequence becomes U+FFFD. Quotes, backslashes, C0 and C1
// controls, DEL, U+2028, U+2029 and the bidirectional controls U+202A..U+202E and
// U+2066..U+2069 are written as escapes, so the output is valid UTF-8 and valid JSON and holds
// no raw control character, nor one that reorders how the rest of a line is displayed.
void append_json_string(std::string& out, std::string_view bytes);

// One RFC 4180 CSV cell: quoted when it holds a comma, quote, CR or LF (quotes doubled), and
// prefixed with an apostrophe when it starts with = + - @ TAB or CR, which spreadsheets would
// run as a formula.
std::string csv_cell(std::string_view text);
// The same, appended to `out`.
void append_csv_cell(std::string& out, std::string_view text);
// True when `bytes` is its own CSV cell of escape_bytes(bytes): the common case, which then
// needs neither step.
bool csv_cell_is_escaped_bytes(std::string_view bytes);

}  // namespace tlsrpt::output
