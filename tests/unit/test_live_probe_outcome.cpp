#include <catch2/catch.hpp>

#include <string_view>
#include <utility>
#include <vector>

#include "live/probe_outcome.hpp"
#include "live/tlsa_record.hpp"

using namespace tlsrpt::live;

TEST_CASE("TLSA records: only DANE-TA and DANE-EE records OpenSSL can match are usable") {
    const std::vector<unsigned char> sha256(32, 0xab);
    const std::vector<unsigned char> sha512(64, 0xcd);
    const std::vector<unsigned char> der{0x30, 0x82, 0x01};
    struct Case {
        TlsaRecord record;
        bool usable;
    };
    const std::vector<Case> cases{
        {{3, 1, 1, sha256}, true},  {{2, 0, 1, sha256}, true},  {{3, 0, 2, sha512}, true},
        {{2, 1, 0, der}, true},     {{0, 0, 1, sha256}, false},  // PKIX-TA: unusable for SMTP (RFC
                                                                 // 7672 §3.1.3)
        {{1, 1, 1, sha256}, false},                              // PKIX-EE: likewise
        {{4, 1, 1, sha256}, false}, {{3, 2, 1, sha256}, false}, {{3, 1, 3, sha256}, false},
        {{3, 1, 1, sha512}, false},  // a digest of the wrong length
        {{3, 1, 2, sha256}, false}, {{3, 1, 1, {}}, false},     {{3, 1, 0, {}}, false},
    };
    std::vector<TlsaRecord> all;
    std::vector<TlsaRecord> expected;
    for (const Case& test : cases) {
        INFO(int(test.record.usage)
             << " " << int(test.record.selector) << " " << int(test.record.matching_type));
        CHECK(usable_for_smtp(test.record) == test.usable);
        all.push_back(test.record);
        if (test.usable) expected.push_back(test.record);
    }
    CHECK(usable_for_smtp(all) == expected);
    CHECK(usable_for_smtp(std::vector<TlsaRecord>{{0, 0, 1, sha256}, {1, 1, 1, sha256}}).empty());
}

TEST_CASE("probe stages, endings and DANE states print in kebab case") {
    using Stage = std::pair<ProbeStage, std::string_view>;
    for (const auto& [stage, text] : std::vector<Stage>{{ProbeStage::queued, "queued"},
                                                        {ProbeStage::connect, "connect"},
                                                        {ProbeStage::banner, "banner"},
                                                        {ProbeStage::ehlo, "ehlo"},
                                                        {ProbeStage::starttls, "starttls"},
                                                        {ProbeStage::handshake, "handshake"},
                                                        {ProbeStage::done, "done"}}) {
        CHECK(to_string(stage) == text);
    }
    using Ending = std::pair<ProbeEnding, std::string_view>;
    for (const auto& [ending, text] :
         std::vector<Ending>{{ProbeEnding::completed, "completed"},
                             {ProbeEnding::timed_out, "timed-out"},
                             {ProbeEnding::connect_failed, "connect-failed"},
                             {ProbeEnding::closed, "closed"},
                             {ProbeEnding::rejected, "rejected"},
                             {ProbeEnding::starttls_not_offered, "starttls-not-offered"},
                             {ProbeEnding::malformed_reply, "malformed-reply"},
                             {ProbeEnding::handshake_failed, "handshake-failed"},
                             {ProbeEnding::local_error, "local-error"}}) {
        CHECK(to_string(ending) == text);
    }
    using Dane = std::pair<DaneState, std::string_view>;
    for (const auto& [state, text] :
         std::vector<Dane>{{DaneState::not_used, "not-used"},
                           {DaneState::no_usable_records, "no-usable-records"},
                           {DaneState::matched, "matched"},
                           {DaneState::no_match, "no-match"}}) {
        CHECK(to_string(state) == text);
    }
}
