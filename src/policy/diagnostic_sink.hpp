// Collects the diagnostics of one record with their positions in its joined text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tlsrpt/diagnostic.hpp"

namespace tlsrpt::policy {

class DiagnosticSink {
  public:
    DiagnosticSink(std::vector<Diagnostic>& out, std::optional<std::size_t> record)
        : out_(out), record_(record) {}

    void add(std::string_view code, Severity severity, std::string message,
             std::optional<std::size_t> offset = std::nullopt, std::size_t length = 0) {
        out_.push_back(
            Diagnostic{std::string(code), severity, std::move(message), record_, offset, length});
        if (severity == Severity::error) ++errors_;
        if (severity == Severity::warning) ++warnings_;
    }

    std::size_t errors() const { return errors_; }
    std::size_t warnings() const { return warnings_; }
    std::vector<Diagnostic>& diagnostics() { return out_; }

  private:
    std::vector<Diagnostic>& out_;
    std::optional<std::size_t> record_;
    std::size_t errors_ = 0;
    std::size_t warnings_ = 0;
};

}  // namespace tlsrpt::policy
