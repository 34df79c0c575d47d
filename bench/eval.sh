#!/bin/sh
# Builds the evaluator benchmark in Release and runs it pinned to one core.
# Usage: bench/eval.sh [milliseconds per measurement, default 2000]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTLSRPT_BUILD_TESTS=OFF \
    -DTLSRPT_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target eval_bench -j2 >/dev/null
exec taskset -c 0 "$build/bench/eval_bench" "$root/testdata/records" "${1:-2000}"
