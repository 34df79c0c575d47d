// The presentation-format reader of `lint` (one TXT record per line, as dig prints it). The
// input is one line. Checks: a line without quotes is one string as is; parsed strings survive
// the zone-file writer of `generate` and this reader again; errors point inside the line. The
// same line as a zone-file line (`<owner> 300 IN TXT <line>`) reads as the line alone when it
// starts with a quote, and a record given alone never reads as nothing.
#include <string>

#include "fuzz_support.hpp"
#include "tlsrpt/generate.hpp"
#include "tlsrpt/presentation.hpp"

using namespace tlsrpt;
using fuzz::require;

namespace {

void check_round_trip(const std::string& string) {
    // zone_file_line writes `<owner> <ttl> IN TXT "..." ...`: the strings follow "TXT ".
    const std::string line = zone_file_line("example.com", 300, string);
    const std::string_view marker = " IN TXT ";
    const std::size_t data = line.find(marker);
    require(data != std::string::npos, "a zone-file line has IN TXT");
    const auto reread = parse_presentation(std::string_view(line).substr(data + marker.size()));
    require(reread.has_value(), "a written character-string reads back");
    require(join_strings(*reread) == string, "a written character-string reads back unchanged");
}

// The line read as the data of a zone-file line (when it starts with a quote: unquoted data
// loses its leading whitespace there), and alone as one record.
void check_record_text(std::string_view line, const Expected<TxtRecord, PresentationError>& plain) {
    const auto alone = RecordTextReader(RecordTextReader::Input::one_record).read_line(line);
    require(!alone || alone->has_value(), "a record given alone never reads as nothing");
    if (!line.starts_with('"')) return;
    const std::string zone_line = "_smtp._tls.example.com. 300 IN TXT " + std::string(line);
    const auto in_zone = RecordTextReader().read_line(zone_line);
    require(in_zone.has_value() == plain.has_value(), "zone data reads as the line alone");
    if (in_zone && *in_zone) {
        require(plain->strings == (*in_zone)->strings, "zone data gives the line's strings");
    }
    if (!in_zone) {
        require(in_zone.error().column == plain.error().column + zone_line.size() - line.size(),
                "an error in zone data points at its byte");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line = fuzz::as_text(data, size);
    const auto record = parse_presentation(line);
    check_record_text(line, record);
    if (!record) {
        const PresentationError& error = record.error();
        require(error.column >= 1 && error.column <= line.size(), "an error points inside");
        require(!error.message.empty() && fuzz::is_printable_ascii(error.message),
                "an error message is printable ASCII");
        return 0;
    }
    if (line.find('"') == std::string_view::npos) {
        require(record->strings.size() == 1 && record->strings.front() == line,
                "a line without quotes is one string taken as is");
        return 0;
    }
    std::size_t octets = 0;
    for (const std::string& string : record->strings) {
        octets += string.size();
        check_round_trip(string);
    }
    require(octets < line.size(), "escapes and quotes make a line longer than its strings");
    return 0;
}
