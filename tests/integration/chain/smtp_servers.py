#!/usr/bin/python3
"""The real SMTP servers of chain.test (README.md in this folder): aiosmtpd on port 25 of
addresses in NET, each offering STARTTLS (and requiring it before mail) with its certificate
chain from PKI, as make-pki made them. Mail is accepted and discarded.

Usage: smtp_servers.py NET PKI
Runs until SIGTERM or SIGINT.
"""
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

# Last octet of the address, the name the server greets with, its certificate in PKI.
SERVERS = [
    (25, "mx-good.chain.test", "mx-good"),
    (26, "mx-expired.chain.test", "expired"),
    (27, "mx-wrongname.chain.test", "wrongname"),
    (28, "mx-untrusted.chain.test", "untrusted"),
]


def tls_context(pki, certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # The leaf and its root: DANE-TA(2) matches the root only when the server sends it.
    context.load_cert_chain(f"{pki}/{certificate}.chain.pem", f"{pki}/{certificate}.key")
    return context


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: smtp_servers.py NET PKI")
    net, pki = sys.argv[1:]
    # The servers run in threads of their own: the signals stay with this one, which waits.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    controllers = []
    for octet, name, certificate in SERVERS:
        controller = Controller(
            Sink(),
            hostname=f"{net}.{octet}",
            port=25,
            # Named here, so that no DNS lookup of this machine's name delays the start.
            server_hostname=name,
            tls_context=tls_context(pki, certificate),
            require_starttls=True,
            ready_timeout=30,
        )
        controller.start()
        controllers.append(controller)
    signal.sigwait(stop_signals)
    for controller in controllers:
        controller.stop()


if __name__ == "__main__":
    main()
