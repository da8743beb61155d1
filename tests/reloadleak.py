#!/usr/bin/env python3
"""reloadleak: backtalkd's memory across many SIGHUP reloads.

The real backtalkd (Twilio driver) against tests/fakegw on 127.0.0.1, with
its own copy of the shipped rules.  It is sent SIGHUP RELOADS times (default
300: a reload of the shipped rules takes about 0.3 s), one at a time, each after the previous reload is logged; every
tenth reload finds a broken rule file (and must keep the running rules),
and a message arrives every fiftieth.  Resident memory is read after a
warm-up of WARMUP reloads and at the end: it must not grow by more than
GROWTH_KB.  At the end every message has exactly one reply and the daemon
exits 0 on SIGTERM (under ASan, LeakSanitizer runs at that exit and the
memory check is left to it: its quarantine holds freed memory).

  reloadleak.py BUILD_DIR SOURCE_DIR
  RELOADS, WARMUP, GROWTH_KB   override the numbers

Python 3 standard library only; see faultlab.py.
"""

import os
import shutil
import signal
import sys
import time

import faultlab as fl


def count_reloads(d):
    text = d.log_text()
    return (fl.log_count(text, "notice: reloaded:"),
            fl.log_count(text, "reload failed"))


def run(lab, failures):
    reloads = fl.env_int("RELOADS", 300)
    warmup = min(fl.env_int("WARMUP", 100), reloads // 2)
    growth_kb = fl.env_int("GROWTH_KB", 512)
    sanitizer = "ASAN_OPTIONS" in os.environ or \
        os.environ.get("FAULTLAB_WRAPPER")
    rules = lab.path("rules")
    shutil.copytree(lab.rules, rules)
    broken = os.path.join(rules, "zz-broken.conf")
    lab.rules = rules
    gw = fl.Fakegw(lab)
    conf = fl.write_config(lab, gw.base, poll_ms=200)
    corpus = fl.Corpus(lab)
    d = fl.Daemon(lab, conf, 1)
    r = fl.rng(fl.env_int("RELOADLEAK_SEED", 20261124))
    db = lab.path("state.db")
    added = []

    def add():
        frm = "+1555%07d" % (7000000 + len(added))
        body = r.choice(corpus.replying)
        added.append((gw.add(frm, body), frm, body))

    add()
    took, done = fl.wait_drained(gw, db, len(added), 60, d.alive)
    if not done:
        raise fl.Fail("the first message was not answered in 60 s")
    rss_warm = None
    t0 = time.time()
    good = bad = 0
    for i in range(1, reloads + 1):
        want_bad = i % 10 == 0
        if want_bad:
            with open(broken, "w") as f:
                f.write("rule = { id = \"broken\"; patterns = ( \"(\" ) ;\n")
        elif os.path.exists(broken):
            os.unlink(broken)
        if i % 50 == 0:
            add()
        before = good + bad
        d.p.send_signal(signal.SIGHUP)
        deadline = time.time() + 60
        while True:
            good, bad = count_reloads(d)
            if good + bad > before:
                break
            if not d.alive():
                raise fl.Fail("backtalkd died at reload %d" % i)
            if time.time() > deadline:
                raise fl.Fail("reload %d not logged within 60 s" % i)
            time.sleep(0.002)
        if i == warmup:
            rss_warm = d.rss_kb()
    el = time.time() - t0
    if os.path.exists(broken):
        os.unlink(broken)
    took, done = fl.wait_drained(gw, db, len(added), 60, d.alive)
    rss_end = d.rss_kb()
    fl.log("%d reloads in %.1f s (%.1f ms each): %d loaded, %d refused "
           "(broken rule file); VmRSS %d kB after %d, %d kB after %d "
           "(%+d kB)" % (reloads, el, 1000 * el / reloads, good, bad,
                         rss_warm, warmup, rss_end, reloads,
                         rss_end - rss_warm))
    if bad != reloads // 10 or good != reloads - reloads // 10:
        failures.append("expected %d reloads and %d refusals, saw %d and "
                        "%d" % (reloads - reloads // 10, reloads // 10,
                                good, bad))
    if not sanitizer and rss_end - rss_warm > growth_kb:
        failures.append("VmRSS grew by %d kB over %d reloads (limit %d kB)"
                        % (rss_end - rss_warm, reloads - warmup, growth_kb))
    if not done:
        failures.append("not every message answered")
    status = d.term(wait_s=120)
    if status != 0:
        failures.append("backtalkd exited with status %s after SIGTERM "
                        "(a sanitizer or valgrind error?)" % status)
    inbound, outbox = fl.db_read(db)
    f, problems = fl.verify(added, corpus, inbound, outbox, gw.sent())
    fl.log("messages %d, replies sent %d; duplicates %d, lost %d" %
           (f["messages"], f["replies_sent"], f["duplicates"], f["lost"]))
    fl.judge(f, problems, failures)


if __name__ == "__main__":
    sys.exit(fl.run_lab("reloadleak", sys.argv, run))
