#!/bin/sh
# Checks a long list of domains on several machines at once with GNU parallel: job K of
# SHARDS runs `tlsrpt-check --shard K/SHARDS` on one of the ssh hosts listed in HOSTS_FILE
# (one per line, as parallel's --sshloginfile reads them; ':' is this machine). The hosts
# need tlsrpt-check installed and ssh access without a password prompt; the list is copied
# to each of them first. The rows come back on standard output as one jsonl stream with
# exactly the rows of a single run over the whole list, each shard's summary on stderr.
#   check-on-hosts.sh hosts.txt top-1m.csv 16 >results.jsonl
set -eu
hosts_file=$1
list=$2
shards=${3:-8}
# One job per host at a time: tlsrpt-check keeps its own window of lookups in flight.
# Exit codes 1-4 say what the rows found; only a run that failed (64 and over) fails its job.
seq 0 $((shards - 1)) |
    parallel --sshloginfile "$hosts_file" --jobs 1 --basefile "$list" \
        "tlsrpt-check --format jsonl --shard {}/$shards -f '$list'; test \$? -le 4"
