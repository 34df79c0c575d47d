#include "tlsrpt/txt.hpp"

namespace tlsrpt {

std::string join_strings(const TxtRecord& record) {
    std::string joined;
    for (const auto& piece : record.strings) joined += piece;
    return joined;
}

}  // namespace tlsrpt
