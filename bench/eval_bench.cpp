// RRset evaluations per second on one core over the record corpus, against a baseline that
// does the least any parser must do: join the character-strings and look for the version.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"
#include "tlsrpt/evaluation.hpp"

namespace {

// CPU time of this thread: the machine may be shared, and the figure wanted is per core.
double thread_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The baseline: RFC 8460 §3 selection reduced to its minimum.
std::size_t join_and_select(const tlsrpt::TxtRRset& rrset) {
    std::size_t candidates = 0;
    for (const tlsrpt::TxtRecord& rr : rrset) {
        const std::string record = tlsrpt::join_strings(rr);
        if (!std::string_view(record).starts_with("v=TLSRPTv1")) continue;
        std::size_t i = 10;
        while (i < record.size() && (record[i] == ' ' || record[i] == '\t')) ++i;
        candidates += i < record.size() && record[i] == ';';
    }
    return candidates;
}

std::size_t evaluate_checksum(const tlsrpt::TxtRRset& rrset) {
    const tlsrpt::Evaluation evaluation = tlsrpt::evaluate(rrset);
    return static_cast<std::size_t>(evaluation.status) + evaluation.diagnostics.size() +
           (evaluation.suggested_record ? evaluation.suggested_record->size() : 0);
}

struct Rate {
    double per_second = 0;
    std::size_t checksum = 0;  // printed so that the work cannot be optimised away
};

// Runs `work` over the workload in rounds until `budget` of CPU time has been used.
template <typename Work>
Rate measure(const std::vector<const tlsrpt::TxtRRset*>& workload, Work work,
             std::chrono::milliseconds budget) {
    Rate rate;
    std::size_t evaluations = 0;
    const double start = thread_seconds();
    const double limit = std::chrono::duration<double>(budget).count();
    double elapsed = 0;
    while (elapsed < limit) {
        for (const tlsrpt::TxtRRset* rrset : workload) rate.checksum += work(*rrset);
        evaluations += workload.size();
        elapsed = thread_seconds() - start;
    }
    rate.per_second = static_cast<double>(evaluations) / elapsed;
    return rate;
}

void report(const char* name, const std::vector<const tlsrpt::TxtRRset*>& workload,
            std::chrono::milliseconds budget) {
    const Rate baseline = measure(workload, join_and_select, budget);
    const Rate evaluated = measure(workload, evaluate_checksum, budget);
    std::printf("%-28s %6zu RRsets  baseline %12.0f/s  evaluate %12.0f/s  ratio %5.1fx  (%zu)\n",
                name, workload.size(), baseline.per_second, evaluated.per_second,
                baseline.per_second / evaluated.per_second,
                (baseline.checksum + evaluated.checksum) % 10);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string directory = argc > 1 ? argv[1] : TLSRPT_TESTDATA_DIR "/records";
    const std::chrono::milliseconds budget(argc > 2 ? std::stoi(argv[2]) : 2000);
    auto cases = tlsrpt::corpus::read_cases(directory);
    if (!cases) {
        std::fprintf(stderr, "eval_bench: %s\n", cases.error().c_str());
        return 1;
    }
    std::vector<const tlsrpt::TxtRRset*> single_uri;
    std::vector<const tlsrpt::TxtRRset*> typical;
    std::vector<const tlsrpt::TxtRRset*> all;
    for (const auto& c : *cases) {
        all.push_back(&c.rrset);
        if (c.rrset.size() != 1 || c.status != "valid") continue;
        typical.push_back(&c.rrset);
        if (tlsrpt::evaluate(c.rrset).policy->rua.size() == 1) single_uri.push_back(&c.rrset);
    }
    std::printf("baseline: join the strings of each RR and test for v=TLSRPTv1[ \\t]*;\n");
    report("valid, one record, one URI", single_uri, budget);
    report("valid one-record RRsets", typical, budget);
    report("whole corpus", all, budget);
    return 0;
}
