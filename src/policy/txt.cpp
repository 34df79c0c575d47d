#include "tlsrpt/txt.hpp"

namespace tlsrpt {

std::string join_strings(const TxtRecord& record) {
    std::size_t size = 0;
    for (const auto& piece : record.strings) size += piece.size();
    std::string joined;
    joined.reserve(size);
    for (const auto& piece : record.strings) joined += piece;
    return joined;
}

}  // namespace tlsrpt
