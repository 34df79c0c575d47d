#include "live/probe_outcome.hpp"

namespace tlsrpt::live {

std::string_view to_string(ProbeStage stage) {
    switch (stage) {
        case ProbeStage::queued:
            return "queued";
        case ProbeStage::connect:
            return "connect";
        case ProbeStage::banner:
            return "banner";
        case ProbeStage::ehlo:
            return "ehlo";
        case ProbeStage::starttls:
            return "starttls";
        case ProbeStage::handshake:
            return "handshake";
        case ProbeStage::done:
            return "done";
    }
    return "queued";
}

std::string_view to_string(ProbeEnding ending) {
    switch (ending) {
        case ProbeEnding::completed:
            return "completed";
        case ProbeEnding::timed_out:
            return "timed-out";
        case ProbeEnding::connect_failed:
            return "connect-failed";
        case ProbeEnding::closed:
            return "closed";
        case ProbeEnding::rejected:
            return "rejected";
        case ProbeEnding::starttls_not_offered:
            return "starttls-not-offered";
        case ProbeEnding::malformed_reply:
            return "malformed-reply";
        case ProbeEnding::handshake_failed:
            return "handshake-failed";
        case ProbeEnding::local_error:
            return "local-error";
    }
    return "local-error";
}

std::string_view to_string(DaneState state) {
    switch (state) {
        case DaneState::not_used:
            return "not-used";
        case DaneState::no_usable_records:
            return "no-usable-records";
        case DaneState::matched:
            return "matched";
        case DaneState::no_match:
            return "no-match";
    }
    return "not-used";
}

}  // namespace tlsrpt::live
