#!/usr/bin/env python3
"""soak: backtalkd's resident memory over a long run.

The real backtalkd (Twilio driver, release build) against tests/fakegw on
127.0.0.1 takes WAVES waves of WAVE_SIZE messages (default 8 x 25,000 =
200,000, each from a new sender), added in one bulk request each; after
each wave is answered and the daemon has been idle IDLE_S seconds, its
VmRSS is read.  Memory is "flat after warm-up" when the readings after the
first WARMUP_WAVES waves stay within FLAT_KB of each other.  Also reports
every wave's rate and checks that every message got a decision and every
reply was sent once.

  bench/soak.py BUILD_DIR SOURCE_DIR
  (bench/soak.sh builds a release tree and runs this)

Settings as bench/daemon_bench.sh: page_size 1000, max_pages_per_poll 1000,
parallel_sends 16, send_rate 0, replies_per_sender 1000, log level info.
Python 3 standard library only; uses tests/faultlab.py.
"""

import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "..", "tests"))
import faultlab as fl  # noqa: E402


def counts(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        inbound = con.execute("SELECT count(*) FROM inbound").fetchone()[0]
        rows = dict(con.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
        staged = con.execute("SELECT count(*) FROM incoming").fetchone()[0]
    finally:
        con.close()
    return inbound, rows, staged


def main():
    lab = fl.Lab("soak", sys.argv)
    waves = fl.env_int("WAVES", 8)
    size = fl.env_int("WAVE_SIZE", 25000)
    warm = fl.env_int("WARMUP_WAVES", 2)
    idle_s = fl.env_int("IDLE_S", 3)
    flat_kb = fl.env_int("FLAT_KB", 2048)
    failures = []
    gw = fl.Fakegw(lab)
    conf = fl.write_config(lab, gw.base, poll_ms=1000)
    with open(conf) as f:
        text = f.read()
    text = text.replace("page_size = 100;", "page_size = 1000;")
    text = text.replace("max_pages_per_poll = 20;",
                        "max_pages_per_poll = 1000; parallel_sends = 16;")
    text = text.replace("replies_per_sender = 100;",
                        "replies_per_sender = 1000;")
    with open(conf, "w") as f:
        f.write(text)
    corpus = fl.Corpus(lab)
    d = fl.Daemon(lab, conf, 1)
    db = lab.path("state.db")
    time.sleep(2)
    rss = [("start", d.rss_kb())]
    fl.log("soak: %d waves of %d messages; VmRSS at rest %d kB" %
           (waves, size, rss[0][1]))
    pool = corpus.replying
    total = 0
    for w in range(waves):
        msgs = [{"from": "+1555%07d" % (total + i),
                 "body": pool[(total + i) % len(pool)]} for i in range(size)]
        t0 = time.time()
        r = gw.ctl("POST", "/inbound/bulk",
                   {"gateway": "twilio", "to": fl.OURS, "messages": msgs},
                   timeout=300)
        if r.get("added") != size:
            failures.append("wave %d: bulk add said %r" % (w + 1, r))
            break
        total += size
        while True:
            if not d.alive():
                failures.append("backtalkd died in wave %d" % (w + 1))
                break
            inbound, rows, staged = counts(db)
            if inbound >= total and staged == 0 and \
                    rows.get("pending", 0) == 0 and \
                    rows.get("sending", 0) == 0:
                break
            if time.time() - t0 > 600:
                failures.append("wave %d not done in 600 s" % (w + 1))
                break
            time.sleep(0.5)
        if failures:
            break
        el = time.time() - t0
        time.sleep(idle_s)
        rss.append(("wave %d" % (w + 1), d.rss_kb()))
        fl.log("wave %d: %d messages in %.1f s (%.0f/s); %d in all; VmRSS "
               "%d kB, VmHWM %d kB" % (w + 1, size, el, size / el, total,
                                       rss[-1][1], d.hwm_kb()))
    after = [kb for name, kb in rss[1 + warm:]]
    if after:
        spread = max(after) - min(after)
        fl.log("VmRSS after the %d warm-up waves: %d to %d kB (spread %d "
               "kB, limit %d): %s" %
               (warm, min(after), max(after), spread, flat_kb,
                "flat" if spread <= flat_kb else "NOT flat"))
        if spread > flat_kb:
            failures.append("VmRSS not flat after warm-up: spread %d kB" %
                            spread)
    inbound, rows, staged = counts(db)
    sent = gw.sent_total()
    fl.log("inbound %d, outbox %s, fakegw received %d sends" %
           (inbound, rows, sent))
    if inbound != total:
        failures.append("%d messages added, %d recorded" % (total, inbound))
    if sent != rows.get("sent", 0):
        failures.append("fakegw got %d sends, the database has %d sent" %
                        (sent, rows.get("sent", 0)))
    if d.term(wait_s=60) != 0:
        failures.append("backtalkd did not exit 0 on SIGTERM")
    return lab.finish(failures)


if __name__ == "__main__":
    sys.exit(main())
