#include "output/generated_record.hpp"

#include "output/formatter.hpp"
#include "output/json_writer.hpp"

namespace tlsrpt::output {

std::string generated_record_json(const GeneratedRecord& generated) {
    std::string text;
    JsonWriter json(text, true);
    const auto string_array = [&](const std::vector<std::string>& items) {
        json.begin_array();
        for (const std::string& item : items) json.string(item);
        json.end_array();
    };
    json.begin_object();
    json.key("schema_version");
    json.number(json_schema_version);
    json.key("record");
    json.string(generated.record);
    json.key("rua");
    string_array(generated.rua);
    json.key("strings");
    string_array(generated.strings);
    json.key("zone");
    json.string(generated.zone_line);
    json.end_object();
    return text + '\n';
}

}  // namespace tlsrpt::output
