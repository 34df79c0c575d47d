// Whole files as text, for tests that read sources, examples and what the program wrote.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tlsrpt::testing {

// Throws when the file cannot be read, so that a missing file fails the test loudly.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
        text.replace(at, from.size(), to);
    }
    return text;
}

}  // namespace tlsrpt::testing
