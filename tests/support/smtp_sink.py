"""A real SMTP server for Admit's tests (aiosmtpd), writing each message it accepts to a folder.

Usage: python3 smtp_sink.py --port PORT --dir DIR [--delay-ms N]

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
import sys

from aiosmtpd.controller import Controller


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
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--delay-ms", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    controller = Controller(Sink(a.dir, a.delay_ms), hostname="127.0.0.1", port=a.port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our standard input (or kills us)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
