#!/usr/bin/env python3
"""A flood of slow clients against backtalkd's metrics endpoint.

    slowclients.py PORT [CLIENTS] [SECONDS]

CLIENTS connections (default 50) from 127.0.0.1 each send a request line
and then one header line every 2 s, never finishing the request; one closed
by the server is opened again 0.1 s later.  Meanwhile GET /healthz is asked
every 0.5 s on a fresh connection.  Fails (exit 1) when a health check is
not answered within 2 s, or when a slow connection stays open longer than
the 5 s deadline (plus 1.5 s of slack for a loaded machine).  Python
standard library only; 127.0.0.1 only.
"""
import selectors
import socket
import sys
import time

DEADLINE_S = 5.0
SLACK_S = 1.5
HEALTH_TIMEOUT_S = 2.0


def health(port):
    """Seconds GET /healthz took, or None when it was not answered."""
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port),
                                      timeout=HEALTH_TIMEOUT_S) as s:
            s.settimeout(HEALTH_TIMEOUT_S - (time.monotonic() - t0))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while not data.startswith(b"HTTP/1.1 ") or b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if not data.startswith(b"HTTP/1."):
                return None
    except OSError:
        return None
    return time.monotonic() - t0


def main():
    port = int(sys.argv[1])
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 14.0
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> [opened at, next header at]
    reopen = []  # times at which to open a new slow client
    lifetimes = []  # (seconds open, closed by the server)
    stayed = 0.0

    def open_one(now):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2.0)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            s.close()
            reopen.append(now + 0.1)
            return
        s.setblocking(False)
        conns[s] = [time.monotonic(), time.monotonic() + 2.0]
        sel.register(s, selectors.EVENT_READ)

    def close_one(s, now):
        opened = conns.pop(s)[0]
        lifetimes.append(now - opened)
        sel.unregister(s)
        s.close()
        reopen.append(now + 0.1)

    start = time.monotonic()
    for _ in range(clients):
        open_one(start)
    checks, late, worst = 0, 0, 0.0
    next_health = start + 1.0
    while time.monotonic() - start < seconds:
        now = time.monotonic()
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:  # closed by the server
                close_one(s, time.monotonic())
        now = time.monotonic()
        for s, st in list(conns.items()):
            if now >= st[1]:
                st[1] = now + 2.0
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    close_one(s, now)
        due = [t for t in reopen if t <= now]
        reopen[:] = [t for t in reopen if t > now]
        for _ in due:
            open_one(now)
        if now >= next_health:
            next_health = now + 0.5
            took = health(port)
            checks += 1
            if took is None:
                late += 1
            else:
                worst = max(worst, took)
    now = time.monotonic()
    for s, st in conns.items():
        stayed = max(stayed, now - st[0])
    longest = max(lifetimes + [stayed])
    print("slowclients: %d clients for %.0f s: %d health checks, %d not "
          "answered within %.0f s, slowest %.3f s; %d slow connections "
          "closed by the server, the longest open %.1f s"
          % (clients, seconds, checks, late, HEALTH_TIMEOUT_S, worst,
             len(lifetimes), longest))
    bad = 0
    if late > 0:
        print("FAIL: /healthz did not answer %d of %d times" % (late, checks))
        bad = 1
    if longest > DEADLINE_S + SLACK_S:
        print("FAIL: a slow connection stayed %.1f s (deadline %.0f s)"
              % (longest, DEADLINE_S))
        bad = 1
    if not lifetimes:
        print("FAIL: the server closed no slow connection")
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
