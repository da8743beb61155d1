#!/usr/bin/env python3
"""A TCP port on 127.0.0.1 that nobody listens on just now, for a test
daemon's metrics listener.

Asking the kernel for port 0 and closing the socket is not enough: the
port goes back to the ephemeral range, and the next listener that binds
port 0 (a fake gateway started a moment later, in this test or a
parallel one) may be given the same port before the daemon binds it.
So the port is drawn at random from below the ephemeral range, which the
kernel never hands out by itself, and checked by binding it once.
"""

import random
import socket
import sys


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    hi = min(ephemeral_low(), 32768) - 1
    lo = 20000 if hi > 21000 else 1024
    for _ in range(200):
        port = random.randint(lo, hi)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise OSError("no free port between %d and %d" % (lo, hi))


if __name__ == "__main__":
    print(free_port())
    sys.exit(0)
