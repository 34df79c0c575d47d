#!/usr/bin/env python3
"""Writes the bulk benchmark's inputs for COUNT domains d<i>.bulk.test into DIR:
bulk.test.zone (for NSD), example.com.zone (the report destinations' domain, so that the
testbed answers its MX rather than failing to resolve it), domains.txt (for tlsrpt-check),
truth.csv (domain,status expected), dnsperf.txt and adns.txt (the same _smtp._tls names for
dnsperf and adnshost).

The mix, by i mod 20, approximates what a crawl of real domains finds: most publish nothing,
a third a valid record, a few get it wrong.

For --deep: every domain that exists has an MX at one of PROVIDER_HOSTS shared mail hosts
(half of them with TLSA records, a quarter with a TLS-RPT record of their own), every fourth
an MTA-STS record; dnsperf-deep.txt lists every query a --deep run makes, each once. The
statuses stay those of the TLS-RPT records: these additions give notes and warnings only.
"""
import sys

VALID = "v=TLSRPTv1; rua=mailto:tlsrpt+{d}@example.com"
# (share out of 20, kind, expected status, zone lines for _smtp._tls.<label>)
MIX = [
    (5, "valid", "valid", lambda n, d: [f'{n} IN TXT "{VALID.format(d=d)}"']),
    (1, "split", "valid",
     lambda n, d: [f'{n} IN TXT "v=TLSRPTv1;" " rua=mailto:tls" "rpt+{d}@example.com"']),
    (1, "several", "valid",
     lambda n, d: [f'{n} IN TXT "v=spf1 -all"', f'{n} IN TXT "{VALID.format(d=d)}"']),
    (1, "cname", "valid", lambda n, d: [f"{n} IN CNAME _smtp._tls.provider"]),
    (1, "warning", "warning",
     lambda n, d: [f'{n} IN TXT "v=TLSRPTv1; rua=mailto:a+{d}@example.com; rua=mailto:b+{d}@example.com"']),
    (1, "invalid", "invalid", lambda n, d: [f'{n} IN TXT "v=tlsrptv1; rua=mailto:tlsrpt+{d}@example.com"']),
    (1, "twice", "invalid",
     lambda n, d: [f'{n} IN TXT "{VALID.format(d=d)}"', f'{n} IN TXT "{VALID.format(d="x." + d)}"']),
    (1, "unrelated", "missing", lambda n, d: [f'{n} IN TXT "v=spf1 -all"']),
    (2, "nodata", "missing", lambda n, d: [f"{n} IN A 192.0.2.1"]),
    (6, "nxdomain", "missing", lambda n, d: []),
]
assert sum(share for share, *_ in MIX) == 20


def kind_of(index):
    slot = index % 20
    for share, kind, status, lines in MIX:
        if slot < share:
            return kind, status, lines
        slot -= share
    raise AssertionError


PROVIDER_HOSTS = 50
TLSA = "3 1 1 " + "ab" * 32


def deep_zone_lines(i, label, kind):
    """MX and MTA-STS for domain i, nothing for a domain that does not exist."""
    if kind == "nxdomain":
        return []
    lines = [f"{label} IN MX 10 mx{i % PROVIDER_HOSTS}.provider"]
    if i % 4 == 0:
        lines.append(f'_mta-sts.{label} IN TXT "v=STSv1; id={i}"')
    return lines


def deep_queries(domain, status):
    """What a --deep run asks for the domain itself (shared names are listed once apart)."""
    queries = [f"_smtp._tls.{domain} TXT", f"{domain} MX", f"_mta-sts.{domain} TXT"]
    if status == "missing":
        queries += [f"{domain} TXT", f"_tlsrpt.{domain} TXT", f"_smtp-tlsrpt.{domain} TXT"]
    return queries


def main():
    count, directory = int(sys.argv[1]), sys.argv[2]
    with open(f"{directory}/example.com.zone", "w") as destination:
        destination.write("$ORIGIN example.com.\n$TTL 86400\n"
                          "@ IN SOA ns1 hostmaster 1 3600 900 604800 86400\n"
                          "@ IN NS ns1\nns1 IN A 127.0.0.1\n@ IN MX 10 mx1\nmx1 IN A 127.0.0.1\n")
    with open(f"{directory}/bulk.test.zone", "w") as zone, \
            open(f"{directory}/domains.txt", "w") as domains, \
            open(f"{directory}/truth.csv", "w") as truth, \
            open(f"{directory}/dnsperf.txt", "w") as dnsperf, \
            open(f"{directory}/adns.txt", "w") as adns, \
            open(f"{directory}/dnsperf-deep.txt", "w") as dnsperf_deep:
        zone.write("$ORIGIN bulk.test.\n$TTL 86400\n"
                   "@ IN SOA ns1 hostmaster 1 3600 900 604800 86400\n"
                   "@ IN NS ns1\nns1 IN A 127.0.0.1\n"
                   f'_smtp._tls.provider IN TXT "{VALID.format(d="provider.example")}"\n')
        for host in range(PROVIDER_HOSTS):
            name = f"mx{host}.provider.bulk.test"
            if host % 2 == 0:
                zone.write(f"_25._tcp.mx{host}.provider IN TLSA {TLSA}\n")
            if host % 4 == 0:
                zone.write(f'_smtp._tls.mx{host}.provider IN TXT "{VALID.format(d=name)}"\n')
            dnsperf_deep.write(f"_25._tcp.{name} TLSA\n_smtp._tls.{name} TXT\n")
        dnsperf_deep.write("example.com MX\n")  # the report destinations' domain
        for i in range(count):
            label = f"d{i}"
            domain = f"{label}.bulk.test"
            kind, status, lines = kind_of(i)
            for line in lines(f"_smtp._tls.{label}", domain) + deep_zone_lines(i, label, kind):
                zone.write(line + "\n")
            dnsperf_deep.write("".join(q + "\n" for q in deep_queries(domain, status)))
            domains.write(domain + "\n")
            truth.write(f"{domain},{status}\n")
            dnsperf.write(f"_smtp._tls.{domain} TXT\n")
            adns.write(f"_smtp._tls.{domain}\n")


main()
