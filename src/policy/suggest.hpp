// The corrected record proposed beside a `warning` or `invalid` verdict.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record_parser.hpp"

namespace tlsrpt::policy {

struct SalvageSource {
    std::string_view record;
    const ParsedFields* fields = nullptr;
};

// One record with every destination of the sources that can be repaired, in order and once
// each, or nothing when none can. It evaluates with no error, and with no warning but
// `non-public-host` for a host that no repair makes public.
std::optional<std::string> suggest_record(const std::vector<SalvageSource>& sources);

// The canonical form of one published URI after the repairs a suggestion makes, or nothing
// when it cannot be made clean.
std::optional<std::string> salvage_uri(std::string_view published);

}  // namespace tlsrpt::policy
