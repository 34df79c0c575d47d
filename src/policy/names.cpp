// Printable names of the core's enumerations, and the exit code each status maps to.
#include <algorithm>

#include "tlsrpt/diagnostic.hpp"
#include "tlsrpt/evaluation.hpp"
#include "tlsrpt/exit_code.hpp"

namespace tlsrpt {

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::info:
            return "info";
        case Severity::warning:
            return "warning";
        case Severity::error:
            return "error";
    }
    return "error";
}

std::string_view to_string(Status status) {
    switch (status) {
        case Status::valid:
            return "valid";
        case Status::warning:
            return "warning";
        case Status::missing:
            return "missing";
        case Status::invalid:
            return "invalid";
        case Status::error:
            return "error";
    }
    return "error";
}

ExitCode exit_code_for(Status status) {
    switch (status) {
        case Status::valid:
            return ExitCode::valid;
        case Status::warning:
            return ExitCode::warning;
        case Status::missing:
            return ExitCode::missing;
        case Status::invalid:
            return ExitCode::invalid;
        case Status::error:
            return ExitCode::lookup_error;
    }
    return ExitCode::internal;
}

ExitCode worst(ExitCode a, ExitCode b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

}  // namespace tlsrpt
