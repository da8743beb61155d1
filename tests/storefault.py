#!/usr/bin/env python3
"""storefault: backtalkd when its state database cannot be written.

The real backtalkd (Twilio driver) against tests/fakegw on 127.0.0.1, with
tests/faultfs (LD_PRELOAD) making writes to state.db and its WAL fail on
command, and with another process holding the database's write lock.  For
each fault, while it lasts:

  - the daemon stays up, logs what is wrong in words an operator can act
    on, and uses next to no CPU (it backs off);
  - it sends nothing: a reply goes out only once its message and the
    decision are on disk;
  - it does not drop what it fetched: once the fault clears, every message
    that arrived during it gets exactly one reply.

Faults: the disk full (ENOSPC), a read-only file system (EROFS), I/O errors
on write and sync (EIO), and the write lock held by another connection for
longer than the daemon's busy timeout.  Usage:

  storefault.py BUILD_DIR SOURCE_DIR

Python 3 standard library only; see faultlab.py.
"""

import os
import sqlite3
import sys
import threading
import time

import faultlab as fl

FAULT_S = 6
CPU_LIMIT = 0.05  # of one core, while the store is failing
# What the log must say for each fault (SQLite's words, and ours).
WORDS = {
    "enospc": "free space on the database's file system",
    "erofs": "check the file system holding the database",
    "eio": "check the file system holding the database",
    "locked": "another process holds the database's write lock",
}


def run(lab, failures):
    shim = os.path.join(lab.build, "tests", "libfaultfs.so")
    if not os.path.exists(shim):
        raise fl.Fail("%s: not built" % shim)
    ctl = lab.path("faultfs.ctl")
    open(ctl, "w").close()
    db = lab.path("state.db")
    env = {
        "LD_PRELOAD": shim,
        "FAULTFS_CONTROL": ctl,
        "FAULTFS_PREFIX": db,
        # Under ASan the runtime must come first; the shim only wraps
        # libc calls, which ASan does not intercept.
        "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                         ":verify_asan_link_order=0").lstrip(":"),
    }
    gw = fl.Fakegw(lab)
    conf = fl.write_config(lab, gw.base, poll_ms=200)
    corpus = fl.Corpus(lab)
    d = fl.Daemon(lab, conf, 1, env)
    r = fl.rng(fl.env_int("STOREFAULT_SEED", 20261124))
    added = []

    def add(n):
        for _ in range(n):
            frm = "+1555%07d" % (6000000 + len(added))
            body = r.choice(corpus.replying)
            added.append((gw.add(frm, body), frm, body))

    def drain(limit_s):
        return fl.wait_drained(gw, db, len(added), limit_s, d.alive)

    add(5)
    took, done = drain(20)
    if not done:
        raise fl.Fail("the first messages were not answered in 20 s")
    fl.log("baseline: %d messages answered in %.1f s" % (len(added), took))

    for fault in ("enospc", "erofs", "eio", "locked"):
        sent0 = gw.sent_total()
        log0 = len(d.log_text())
        holder = None
        if fault == "locked":
            holder = hold_lock(db, FAULT_S + 1)
        else:
            with open(ctl, "w") as f:
                f.write(fault)
        time.sleep(0.3)
        n0 = len(added)
        add(4)
        c0, t0 = d.cpu_s(), time.time()
        time.sleep(FAULT_S)
        if not d.alive():
            raise fl.Fail("%s: backtalkd died" % fault)
        cpu = (d.cpu_s() - c0) / (time.time() - t0)
        sent_during = gw.sent_total() - sent0
        if holder is not None:
            holder.join()
        else:
            open(ctl, "w").close()
        text = d.log_text()[log0:]
        said = [ln for ln in text.splitlines()
                if "store" in ln or "database" in ln]
        fl.log("%s: %d messages arrived; %d replies sent during the fault; "
               "CPU %.2f%% of a core; the daemon said: %s" %
               (fault, len(added) - n0, sent_during, 100 * cpu,
                said[0].strip() if said else "(nothing)"))
        if not any(WORDS[fault] in ln for ln in said):
            failures.append("%s: no log line about the store saying "
                            "\"%s\"" % (fault, WORDS[fault]))
        if sent_during:
            failures.append("%s: %d replies sent while nothing could be "
                            "recorded" % (fault, sent_during))
        if cpu > CPU_LIMIT:
            failures.append("%s: CPU %.1f%% of a core while the store was "
                            "failing (limit %.0f%%)" %
                            (fault, 100 * cpu, 100 * CPU_LIMIT))
        took, done = drain(60)
        if not done:
            failures.append("%s: not every message answered within 60 s "
                            "after the fault cleared" % fault)
        else:
            fl.log("%s: cleared; all answered %.1f s later" % (fault, took))
        if any("recovered" in ln for ln in d.log_text()[log0:].splitlines()):
            pass
        else:
            failures.append("%s: no \"recovered\" log line" % fault)

    status = d.term()
    if status != 0:
        failures.append("backtalkd exited with status %s after SIGTERM" %
                        status)
    if fl.db_staged(db):
        failures.append("messages still staged at the end")
    inbound, outbox = fl.db_read(db)
    f, problems = fl.verify(added, corpus, inbound, outbox, gw.sent())
    fl.log("messages %d, replies due %d, sent %d; duplicates %d, lost %d, "
           "unexpected %d, not final %d" %
           (f["messages"], f["replies_expected"], f["replies_sent"],
            f["duplicates"], f["lost"], f["unexpected"], f["not_final"]))
    fl.judge(f, problems, failures)


def hold_lock(db, seconds):
    """Another connection takes the write lock and keeps it for seconds
    (longer than the daemon's 5 s busy timeout)."""
    ready = threading.Event()

    def hold():
        con = sqlite3.connect(db, timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        con.execute("ROLLBACK")
        con.close()

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    if not ready.wait(30):
        raise fl.Fail("could not take the database's write lock")
    return t


if __name__ == "__main__":
    sys.exit(fl.run_lab("storefault", sys.argv, run))
