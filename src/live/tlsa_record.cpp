#include "live/tlsa_record.hpp"

#include <algorithm>
#include <iterator>

namespace tlsrpt::live {

bool usable_for_smtp(const TlsaRecord& record) {
    const bool usage = record.usage == 2 || record.usage == 3;
    const bool selector = record.selector == 0 || record.selector == 1;
    bool data = false;
    switch (record.matching_type) {
        case 0:
            data = !record.data.empty();
            break;
        case 1:
            data = record.data.size() == 32;
            break;
        case 2:
            data = record.data.size() == 64;
            break;
        default:
            break;
    }
    return usage && selector && data;
}

std::vector<TlsaRecord> usable_for_smtp(const std::vector<TlsaRecord>& records) {
    std::vector<TlsaRecord> usable;
    std::copy_if(records.begin(), records.end(), std::back_inserter(usable),
                 [](const TlsaRecord& record) { return usable_for_smtp(record); });
    return usable;
}

}  // namespace tlsrpt::live
