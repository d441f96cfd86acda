"""A real SMTP server for Admit's tests (aiosmtpd), writing each message it accepts to a folder.

Usage: python3 smtp_sink.py --dir DIR [--port PORT] [--delay-ms N]

It listens on 127.0.0.1:PORT (default 0: a port the system picks) and, once it accepts
connections, prints `ready PORT` with the port it got.

Recipients steer it:
  reject@...        550 5.1.1 (a permanent refusal)
  tempfail@...      451 4.3.0 (a temporary refusal), every time
  tempfail-once@... 451 4.3.0 the first time, accepted after
Every accepted message is written as DIR/<n>.eml (atomically: written, then renamed).
"""

import argparse
import asyncio
import itertools
import os
import socket
import sys
import threading

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder, delay_ms):
        self.folder = folder
        self.delay = delay_ms / 1000.0
        self.counter = itertools.count(1)
        self.seen_once = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local == "reject":
            return "550 5.1.1 <%s>: no such user here" % address
        if local == "tempfail":
            return "451 4.3.0 temporarily unavailable, try again later"
        if local == "tempfail-once" and address not in self.seen_once:
            self.seen_once.add(address)
            return "451 4.3.0 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        n = next(self.counter)
        path = os.path.join(self.folder, "%06d.eml" % n)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, path)
        return "250 2.0.0 Ok: queued as sink-%d" % n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--delay-ms", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", a.port))
    sink = Sink(a.dir, a.delay_ms)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(sink, hostname="127.0.0.1", loop=loop), sock=sock)
    )
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    print("ready %d" % sock.getsockname()[1], flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our standard input (or kills us)
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


if __name__ == "__main__":
    main()
