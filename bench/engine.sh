#!/usr/bin/env bash
# c-ares 1.18 as the DNS engine against the own transport (bench/engine_bench.cpp): the
# _smtp._tls names of COUNT domains of the bulk zone, served by the testbed of bench/bulk.sh,
# against warm Unbound and then NSD directly, ROUNDS alternating rounds of each engine; every
# run checked against the zone's ground truth. Prints every run, then per target the medians
# and the ratio c-ares / own. Nothing leaves 127.0.0.1.
# Usage: bench/engine.sh [ROUNDS (default 7)] [COUNT (default 100000)] [WINDOW [TIMEOUT_MS [TRIES]]]
#        (defaults as tlsrpt-check's: window 256, timeout 2000 ms, 2 tries)
# With CALLGRIND=1, then per target and engine the user-space instructions per lookup of one
# run (valgrind's callgrind, counting inside run_own or run_cares only): a measure of the
# engine's own work that other load on the machine does not change.
# Needs what bench/bulk.sh needs (see bench/testbed.sh), and valgrind for CALLGRIND=1.
set -euo pipefail
source "$(dirname "$0")/testbed.sh"
rounds=${1:-7}
bench_build engine_bench
bench=$root/build-bench/bench/engine_bench
bench_start "${2:-100000}"
status=0
for target in "unbound:$unbound_port" "nsd:$nsd_port"; do
  name=${target%%:*} port=${target##*:}
  echo "== against $name (127.0.0.1:$port): dnsperf $(dnsperf_rate "$port")," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bench" "127.0.0.1:$port" "$work/truth.csv" "$rounds" "${@:3}" || status=1
  [[ -n ${CALLGRIND:-} ]] || continue
  for engine in run_own run_cares; do
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$name.$engine" \
      --toggle-collect="*::$engine(*Job const&)" \
      "$bench" "127.0.0.1:$port" "$work/truth.csv" 1 "${@:3}" >/dev/null 2>"$work/callgrind.log" \
      || status=1
    collected=$(sed -nE 's/.*Collected : ([0-9]+).*/\1/p' "$work/callgrind.log")
    echo "callgrind $engine: $((collected / count)) instructions per lookup (user space)"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
