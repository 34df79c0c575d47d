#!/usr/bin/env bash
# Bulk benchmark: COUNT domains served by NSD behind Unbound on 127.0.0.1 (the testbed of the
# integration tests, started with a generated zone), then, against warm Unbound and against NSD
# directly: dnsperf's rate over the same names (the ceiling), adnshost's bulk mode (Unbound only:
# adns cannot use another port than 53), and tlsrpt-check -f with its rate, peak RSS and rows
# compared with the zone's ground truth. Nothing leaves 127.0.0.1.
# Usage: bench/bulk.sh [COUNT (default 100000)] [extra tlsrpt-check options...]
# Needs: scripts/install-deps --bench. TLSRPT_CHECK=path skips the Release build in build-bench;
# BENCH_DIR (default build-bench) holds the generated files.
# Port 53 on 127.0.0.1 must be free (Unbound listens there for adnshost).
set -euo pipefail
source "$(dirname "$0")/testbed.sh"
binary=$(bench_binary)
bench_start "${1:-100000}" "${@:2}"

tlsrpt_run() {  # port, dnsperf's rate -> summary, ratio, peak RSS, comparison with the truth
  local out="$work/rows-$1.csv" summary rate rss check
  summary=$(tlsrpt_summary "$1" "$binary" "$out")
  rate=$(queries_per_second "$summary")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.log")
  check=$(python3 "$root/bench/bulk_compare.py" "$work/truth.csv" "$out")
  echo "$summary"
  echo "  $rate queries/s ($queries_per_domain per domain);" \
    "ratio to dnsperf $(awk -v a="$rate" -v b="${2%/s}" 'BEGIN {printf "%.2f", a / b}')x;" \
    "peak RSS $((rss / 1024)) MiB; $check"
}

for target in "unbound:$unbound_port" "nsd:$nsd_port"; do
  name=${target%%:*} port=${target##*:}
  echo "== against $name (127.0.0.1:$port)"
  ceiling=$(dnsperf_rate "$port")
  echo "dnsperf: $ceiling"
  if [[ $name == unbound ]]; then
    # All names at once overwhelm adns (it keeps every query in flight and loses most): feed it
    # batches of 200, as reported to lose none. -Qq: the names start with underscores.
    # Answered: ok, or permfail (nxdomain, nodata), not tempfail.
    rm -rf "$work/adns-batches" && mkdir "$work/adns-batches"
    split -l 200 "$work/adns.txt" "$work/adns-batches/"
    start=$(date +%s%N)
    answered=$(for batch in "$work/adns-batches"/*; do
      adnshost --config "nameserver 127.0.0.1" -a -Qq -t txt -f <"$batch"
    done | grep -cE '^[0-9]+ [0-9]+ (ok|permfail) ' || true)
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    echo "adnshost -a -f (batches of 200): $answered of $count answered in $elapsed_ms ms" \
      "($((answered * 1000 / (elapsed_ms + 1)))/s)"
  fi
  echo "tlsrpt-check: $(tlsrpt_run "$port" "$ceiling")"
done
