#!/usr/bin/python3
"""The SMTP faults of chain.test that a real server does not make on demand (README.md in this
folder), each on port 25 of its address in NET:
  .30 mx-nostarttls  EHLO without STARTTLS; STARTTLS answered 502
  .31 mx-abort       STARTTLS answered 220, then plain text instead of TLS, and the end
  .32 mx-silent      accepts the connection, never sends a byte
  .33 mx-close       the 220 banner, then closes the connection
  .34 mx-busy        a 421 banner, then closes the connection
  .35 mx-454         STARTTLS answered 454 (TLS not available)
Before STARTTLS, each speaks enough SMTP for a probe: EHLO, HELO, NOOP, RSET and QUIT. Lines
are bounded (1,000 octets), and so are commands per connection and idle time.

Usage: smtp_faults.py NET
Runs until SIGTERM or SIGINT.
"""
import asyncio
import signal
import sys

MAX_LINE = 1000  # RFC 5321 section 4.5.3.1.4, CRLF included
MAX_COMMANDS = 100
IDLE_SECONDS = 60
# The greeting a client waits for may take 5 minutes (RFC 5321 section 4.5.3.2.1).
SILENT_SECONDS = 300

# Last octet of the address: the name of the host, the fault.
FAULTS = {
    30: ("mx-nostarttls.chain.test", "nostarttls"),
    31: ("mx-abort.chain.test", "abort"),
    32: ("mx-silent.chain.test", "silent"),
    33: ("mx-close.chain.test", "close"),
    34: ("mx-busy.chain.test", "busy"),
    35: ("mx-454.chain.test", "454"),
}


async def silent(reader):
    """Reads and drops whatever comes until the client leaves, at most SILENT_SECONDS."""
    async def drain():
        while await reader.read(4096):
            pass

    try:
        await asyncio.wait_for(drain(), SILENT_SECONDS)
    except asyncio.TimeoutError:
        pass


async def dialogue(name, fault, reader, writer):
    def reply(text):
        writer.write(text.encode("ascii") + b"\r\n")

    reply(f"220 {name} ESMTP")
    if fault == "close":
        return
    for _ in range(MAX_COMMANDS):
        await writer.drain()
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), IDLE_SECONDS)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        verb = line.split(b" ", 1)[0].strip().upper()
        if verb == b"EHLO":
            reply(f"250-{name}")
            if fault != "nostarttls":
                reply("250-STARTTLS")
            reply("250 8BITMIME")
        elif verb == b"HELO":
            reply(f"250 {name}")
        elif verb in (b"NOOP", b"RSET"):
            reply("250 2.0.0 OK")
        elif verb == b"QUIT":
            reply("221 2.0.0 Bye")
            return
        elif verb == b"STARTTLS" and fault == "abort":
            reply("220 2.0.0 Ready to start TLS")
            await writer.drain()
            # Wait for the ClientHello, so that the client is in its handshake, then answer
            # it with what no TLS record is.
            try:
                await asyncio.wait_for(reader.read(4096), IDLE_SECONDS)
            except asyncio.TimeoutError:
                return
            writer.write(b"this is not TLS\r\n")
            return
        elif verb == b"STARTTLS" and fault == "454":
            reply("454 4.7.0 TLS not available due to temporary reason")
        elif verb == b"STARTTLS":
            reply("502 5.5.1 Command not implemented")
        else:
            reply("500 5.5.2 Command not recognized")


def serve(name, fault):
    async def session(reader, writer):
        try:
            if fault == "silent":
                await silent(reader)
            elif fault == "busy":
                writer.write(f"421 4.3.2 {name} busy, try again later\r\n".encode("ascii"))
            else:
                await dialogue(name, fault, reader, writer)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    return session


async def main():
    if len(sys.argv) != 2:
        sys.exit("usage: smtp_faults.py NET")
    net = sys.argv[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    servers = [
        await asyncio.start_server(serve(name, fault), f"{net}.{octet}", 25, limit=MAX_LINE)
        for octet, (name, fault) in FAULTS.items()
    ]
    await stop.wait()
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(main())
