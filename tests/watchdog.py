#!/usr/bin/env python3
"""watchdog: backtalkd keeps systemd's watchdog fed while it waits on the
gateway.

The real backtalkd (Twilio driver) against tests/fakegw behind a relay on
127.0.0.1, run as systemd would run it with WatchdogSec=2: NOTIFY_SOCKET
is a datagram socket of the test's, WATCHDOG_USEC is 2 s.  Replies pile up
while sends fail (503), then the relay turns into a black hole (it accepts
and never answers) with a 3 s HTTP timeout and one send at a time, so that
one turn of the sender waits on the gateway for far longer than the
watchdog interval.  Every gap between two WATCHDOG=1 must stay under the
2 s interval (systemd would kill the daemon otherwise), READY=1 must come
first, and the daemon must still answer everything once the gateway is
back.

  watchdog.py BUILD_DIR SOURCE_DIR

Python 3 standard library only; see faultlab.py.
"""

import os
import socket
import sys
import threading
import time

import faultlab as fl

WATCHDOG_S = 2.0
BLACKHOLE_S = 12


class Notify:
    """The NOTIFY_SOCKET end: every datagram with when it came."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.got = []
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            for line in data.decode(errors="replace").split("\n"):
                if line:
                    self.got.append((time.monotonic(), line))

    def pings(self, since):
        return [t for t, line in self.got
                if line == "WATCHDOG=1" and t >= since]


def run(lab, failures):
    notify = Notify(lab.path("notify.sock"))
    gw = fl.Fakegw(lab)
    relay = fl.Relay(gw.port)
    conf = fl.write_config(lab, "http://127.0.0.1:%d" % relay.port,
                           poll_ms=200, connect_ms=1000, timeout_ms=3000)
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("max_pages_per_poll = 20;",
                             "max_pages_per_poll = 20; parallel_sends = 1;"))
    corpus = fl.Corpus(lab)
    d = fl.Daemon(lab, conf, 1, {
        "NOTIFY_SOCKET": lab.path("notify.sock"),
        "WATCHDOG_USEC": str(int(WATCHDOG_S * 1e6)),
    })
    db = lab.path("state.db")
    added = []

    def add(n):
        for i in range(n):
            frm = "+1555%07d" % (8000000 + len(added))
            body = corpus.replying[len(added) % len(corpus.replying)]
            added.append((gw.add(frm, body), frm, body))

    add(2)
    took, done = fl.wait_drained(gw, db, len(added), 30, d.alive)
    if not done:
        raise fl.Fail("the first messages were not answered in 30 s")
    # Replies wait behind failing sends, then the gateway stops answering.
    gw.faults({"twilio_send": [{"status": 503, "count": 8}]})
    add(8)
    t = time.time()
    while len(fl.db_read(db)[0]) < len(added) and time.time() - t < 20:
        time.sleep(0.1)
    relay.set("blackhole")
    t0 = time.monotonic()
    time.sleep(BLACKHOLE_S)
    pings = notify.pings(t0)
    gaps = [b - a for a, b in zip([t0] + pings, pings)]
    worst = max(gaps) if gaps else BLACKHOLE_S
    text = d.log_text()
    fl.log("gateway silent %d s (HTTP timeout 3 s, one send at a time): %d "
           "watchdog pings, longest gap %.2f s (WatchdogSec %.0f s); %d "
           "requests timed out" %
           (BLACKHOLE_S, len(pings), worst, WATCHDOG_S,
            fl.log_count(text, "timed out")))
    first = [line for _, line in notify.got[:1]]
    if first != ["READY=1"]:
        failures.append("the first notification was %r, not READY=1" % first)
    if worst >= WATCHDOG_S:
        failures.append("no watchdog ping for %.2f s while the gateway was "
                        "silent (systemd would kill the daemon after %.0f s)"
                        % (worst, WATCHDOG_S))
    relay.set("up")
    took, done = fl.wait_drained(gw, db, len(added), 90, d.alive)
    if not done:
        failures.append("not every message answered 90 s after the gateway "
                        "came back")
    status = d.term(wait_s=60)
    if status != 0:
        failures.append("backtalkd exited with status %s after SIGTERM" %
                        status)
    notify.stop = True
    inbound, outbox = fl.db_read(db)
    f, problems = fl.verify(added, corpus, inbound, outbox, gw.sent())
    fl.log("messages %d, replies due %d, sent %d; duplicates %d, lost %d" %
           (f["messages"], f["replies_expected"], f["replies_sent"],
            f["duplicates"], f["lost"]))
    fl.judge(f, problems, failures)


if __name__ == "__main__":
    sys.exit(fl.run_lab("watchdog", sys.argv, run))
