# Sourced by bench/bulk.sh, bench/compare.sh and bench/engine.sh: the generated zone of COUNT
# domains, served by the integration tests' testbed (NSD behind Unbound, 127.0.0.1 only), and
# dnsperf's ceiling.
# Sets: root, count, options, work, queries, queries_per_domain, nsd_port, unbound_port.
# Needs: scripts/install-deps --bench. Port 53 on 127.0.0.1 must be free (Unbound listens there
# for adnshost, which cannot use another port).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nsd_port=53561 unbound_port=53 dead_port=53564

# COUNT [tlsrpt-check options...]: generates the zone, starts the testbed (stopped on exit).
bench_start() {
  count=$1
  shift
  options=("$@")
  work="${BENCH_DIR:-$root/build-bench}/bulk-$count"
  mkdir -p "$work"
  python3 "$root/bench/bulk_zone.py" "$count" "$work"
  # With --deep the ceiling is dnsperf over every query a --deep run makes, and tlsrpt-check's
  # rate is counted in those queries too.
  queries=$work/dnsperf.txt
  [[ " ${options[*]:-} " == *" --deep "* ]] && queries=$work/dnsperf-deep.txt
  queries_per_domain=$(awk -v n="$(wc -l <"$queries")" -v c="$count" 'BEGIN {print n / c}')
  # Unbound's caches hold every answer (about 1 KiB per name across rrset and message caches).
  TESTBED_EXTRA_ZONES="$work/bulk.test.zone $work/example.com.zone" \
    TESTBED_UNBOUND_CACHE_MB=$(($(wc -l <"$queries") / 1000 + 64)) \
    "$root/tests/integration/testbed-start" "$work/testbed" - "$nsd_port" "$unbound_port" 0 \
    "$dead_port"
  trap '"$root/tests/integration/testbed-stop" "$work/testbed"' EXIT
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "domains: $count ($work/domains.txt); tlsrpt-check options: ${options[*]:-defaults}"
  # Warm Unbound's cache (the first pass asks NSD for every name).
  dnsperf_rate "$unbound_port" >/dev/null
}

# TARGET: builds it in the Release build in build-bench.
bench_build() {
  cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DTLSRPT_BUILD_TESTS=OFF \
    -DTLSRPT_BUILD_BENCH=ON >/dev/null
  cmake --build "$root/build-bench" --target "$1" -j"$(nproc)" >/dev/null
}

# The Release build in build-bench, unless TLSRPT_CHECK names a binary.
bench_binary() {
  if [[ -n ${TLSRPT_CHECK:-} ]]; then
    echo "$TLSRPT_CHECK"
    return
  fi
  bench_build tlsrpt-check
  echo "$root/build-bench/tlsrpt-check"
}

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

# port, binary, rows file -> the summary line of a run of `binary` over the domains, its log in
# $work/time.log (/usr/bin/time -v)
tlsrpt_summary() {
  /usr/bin/time -v "$2" --server "127.0.0.1:$1" --format csv -f "$work/domains.txt" \
    "${options[@]}" >"$3" 2>"$work/time.log" || true
  grep '^summary:' "$work/time.log"
}

# A summary line -> its rate in queries per second ($queries_per_domain per domain).
queries_per_second() {
  local rate
  rate=$(sed -E 's|.*, ([0-9]+)/s:.*|\1|' <<<"$1")
  awk -v r="$rate" -v q="$queries_per_domain" 'BEGIN {printf "%.0f", r * q}'
}
