#!/usr/bin/env python3
"""Compares tlsrpt-check's csv rows (ROWS) with the ground truth (TRUTH, domain,status):
prints `rows=N wrong=N lost=N extra=N` and the first differences on stderr."""
import csv
import sys

truth = dict(line.rstrip("\n").split(",") for line in open(sys.argv[1]))
seen = {}
extra = 0
with open(sys.argv[2], newline="") as rows:
    for row in csv.DictReader(rows):
        if row["domain"] in seen or row["domain"] not in truth:
            extra += 1
        seen[row["domain"]] = row["status"]
wrong = [(d, truth[d], s) for d, s in seen.items() if d in truth and truth[d] != s]
lost = len(set(truth) - set(seen))
for domain, expected, got in wrong[:5]:
    print(f"  {domain}: expected {expected}, got {got}", file=sys.stderr)
print(f"rows={len(seen) + extra} wrong={len(wrong)} lost={lost} extra={extra}")
