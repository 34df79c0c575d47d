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
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-100000}
shift || true
options=("$@")
work="${BENCH_DIR:-$root/build-bench}/bulk-$count"
nsd_port=53561 unbound_port=53 dead_port=53564

if [[ -z ${TLSRPT_CHECK:-} ]]; then
  cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DTLSRPT_BUILD_TESTS=OFF \
    >/dev/null
  cmake --build "$root/build-bench" --target tlsrpt-check -j2 >/dev/null
  TLSRPT_CHECK="$root/build-bench/tlsrpt-check"
fi

mkdir -p "$work"
python3 "$root/bench/bulk_zone.py" "$count" "$work"
# With --deep the ceiling is dnsperf over every query a --deep run makes, and tlsrpt-check's
# rate is counted in those queries too.
queries=$work/dnsperf.txt
[[ " ${options[*]:-} " == *" --deep "* ]] && queries=$work/dnsperf-deep.txt
queries_per_domain=$(awk -v n="$(wc -l <"$queries")" -v c="$count" 'BEGIN {print n / c}')

# Unbound's caches hold every answer (about 1 KiB per name across rrset and message caches).
TESTBED_EXTRA_ZONES="$work/bulk.test.zone" \
  TESTBED_UNBOUND_CACHE_MB=$(($(wc -l <"$queries") / 1000 + 64)) \
  "$root/tests/integration/testbed-start" "$work/testbed" - "$nsd_port" "$unbound_port" 0 \
  "$dead_port"
trap '"$root/tests/integration/testbed-stop" "$work/testbed"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "domains: $count ($work/domains.txt); tlsrpt-check options: ${options[*]:-defaults}"

dnsperf_rate() {  # port -> the best rate over every name once, among runs that lost nothing
  local best=0 outstanding rate lost
  for outstanding in 100 200 500; do
    read -r rate lost < <(dnsperf -s 127.0.0.1 -p "$1" -d "$queries" -n 1 -c 1 \
      -q "$outstanding" -t 5 2>&1 |
      awk '/Queries per second/ {rate = $4} /Queries lost/ {lost = $3} END {print rate, lost}')
    if [[ $lost == 0 ]] && awk -v a="$rate" -v b="$best" 'BEGIN {exit !(a > b)}'; then
      best=$rate
    fi
  done
  printf '%.0f/s' "$best"
}

tlsrpt_run() {  # port, dnsperf's rate -> summary, ratio, peak RSS, comparison with the truth
  local log="$work/time.log" out="$work/rows-$1.csv" summary rate rss
  /usr/bin/time -v "$TLSRPT_CHECK" --server "127.0.0.1:$1" --format csv -f "$work/domains.txt" \
    "${options[@]}" >"$out" 2>"$log" || true
  summary=$(grep '^summary:' "$log")
  rate=$(sed -E 's|.*, ([0-9]+)/s:.*|\1|' <<<"$summary")
  rate=$(awk -v r="$rate" -v q="$queries_per_domain" 'BEGIN {printf "%.0f", r * q}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$summary"
  echo "  $rate queries/s ($queries_per_domain per domain);" \
    "ratio to dnsperf $(awk -v a="$rate" -v b="${2%/s}" 'BEGIN {printf "%.2f", a / b}')x;" \
    "peak RSS $((rss / 1024)) MiB; $(python3 "$root/bench/bulk_compare.py" "$work/truth.csv" "$out")"
}

# Warm Unbound's cache (the first pass asks NSD for every name).
dnsperf_rate "$unbound_port" >/dev/null

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
