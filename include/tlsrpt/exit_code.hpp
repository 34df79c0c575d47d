// Exit codes shared by every command that evaluates a record; with many results the highest
// wins. 64-70 follow sysexits.h.
#pragma once

#include "tlsrpt/evaluation.hpp"

namespace tlsrpt {

enum class ExitCode : int {
    valid = 0,
    warning = 1,
    missing = 2,
    invalid = 3,
    lookup_error = 4,
    usage = 64,
    bad_input = 65,
    cannot_open_input = 66,
    cannot_create_output = 73,  // -o FILE cannot be written
    cannot_write_output = 74,   // standard output cannot be written (EX_IOERR)
    internal = 70,
    system_error = 71,  // a resource of this machine failed, e.g. too many open files (EX_OSERR)
    interrupted = 130,  // 128 + SIGINT, as shells report a run stopped by Ctrl-C
};

ExitCode exit_code_for(Status status);

// The worse of two exit codes (the numerically higher).
ExitCode worst(ExitCode a, ExitCode b);

}  // namespace tlsrpt
