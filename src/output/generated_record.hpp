// What `generate --format json` prints.
#pragma once

#include <string>
#include <vector>

namespace tlsrpt::output {

struct GeneratedRecord {
    std::string record;                // the TXT value
    std::vector<std::string> rua;      // its destinations, as senders read them
    std::vector<std::string> strings;  // the value as character-strings of at most 255 octets
    std::string zone_line;             // the zone-file line publishing it
};

// One indented JSON object: {"schema_version", "record", "rua", "strings", "zone"}
// (schema/generate.schema.json).
std::string generated_record_json(const GeneratedRecord& generated);

}  // namespace tlsrpt::output
