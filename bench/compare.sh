#!/usr/bin/env bash
# A/B comparison of tlsrpt-check binaries on a shared machine, whose rates swing from minute to
# minute: round after round, against warm Unbound and against NSD directly, dnsperf's ceiling
# and then one run of each binary over the same generated domains, so that every round meets
# the same load. Prints every run, then per target the medians: each binary's rate, its ratio
# to dnsperf and to the first binary (the baseline). Every run must be right (wrong=0 lost=0).
# The binaries take turns at running first; an even number of rounds gives each the same share.
# Usage: bench/compare.sh ROUNDS COUNT BASELINE OTHER... [-- tlsrpt-check options...]
# e.g.   bench/compare.sh 7 100000 /tmp/old/tlsrpt-check build-bench/tlsrpt-check -- --deep
# Needs what bench/bulk.sh needs (see bench/testbed.sh); nothing leaves 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/testbed.sh"
rounds=$1 count=$2
shift 2
binaries=()
while [[ $# -gt 0 && $1 != -- ]]; do
  binaries+=("$(realpath "$1")")
  shift
done
[[ $# -gt 0 ]] && shift
bench_start "$count" "$@"
results=$work/compare.txt
: >"$results"

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

for target in "unbound:$unbound_port" "nsd:$nsd_port"; do
  name=${target%%:*} port=${target##*:}
  for round in $(seq "$rounds"); do
    ceiling=$(dnsperf_rate "$port")
    echo "$name $round dnsperf ${ceiling%/s}" | tee -a "$results"
    # Each round starts with the next binary: a run right after another meets a busier
    # Unbound (10-25% slower in either order), which would otherwise always fall on the same one.
    for offset in "${!binaries[@]}"; do
      index=$(((round - 1 + offset) % ${#binaries[@]}))
      rows=$work/rows-compare.csv
      summary=$(tlsrpt_summary "$port" "${binaries[$index]}" "$rows")
      check=$(python3 "$root/bench/bulk_compare.py" "$work/truth.csv" "$rows")
      echo "$name $round $index $(queries_per_second "$summary") $check" | tee -a "$results"
    done
  done
  echo "== $name: medians over $rounds rounds (queries/s, $queries_per_domain per domain)"
  ceiling=$(awk -v t="$name" '$1 == t && $3 == "dnsperf" {print $4}' "$results" | median)
  echo "dnsperf: $ceiling"
  baseline=$(awk -v t="$name" '$1 == t && $3 == "0" {print $4}' "$results" | median)
  for index in "${!binaries[@]}"; do
    rate=$(awk -v t="$name" -v i="$index" '$1 == t && $3 == i {print $4}' "$results" | median)
    echo "${binaries[$index]}: $rate, $(awk -v a="$rate" -v b="$ceiling" -v c="$baseline" \
      'BEGIN {printf "%.2fx dnsperf, %.2fx the baseline", a / b, a / c}')"
  done
done
