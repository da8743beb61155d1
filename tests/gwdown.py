#!/usr/bin/env python3
"""gwdown.py: backtalkd while the gateway fails and while it is down.

    gwdown.py BUILD_DIR SOURCE_DIR [CASE]

Cases (default: down):

  down   The real backtalkd (Twilio driver, poll_interval_ms 200, HTTP
         timeout 1 s) against tests/fakegw through a loopback relay.
         1. baseline: messages answered with the gateway up; idle CPU.
         2. flaky: fakegw answers polls and sends with 500/502/503 bursts,
            429 with and without Retry-After, truncated and malformed JSON,
            answers slower than the timeout, and a 500 or a cut-off answer
            after the send was taken.
         3. down: replies already waiting, then the relay refuses every
            connection (GWDOWN_REFUSE_S, default 10) and then accepts and
            never answers (GWDOWN_HANG_S, default 6) while messages keep
            arriving.  backtalkd's CPU time (utime + stime from
            /proc/PID/stat) over each window must stay under 2% of one core
            and its RSS within 8 MiB (or 15%) of where it was when the
            gateway went away.
         4. back: with nothing done to it, backtalkd must record every
            message and send every reply, once, within 60 s.
         A SIGTERM must then stop it with status 0.

  drop_after_accept   (shows a bug) fakegw takes a send and drops the
         connection without answering, on a connection libcurl had used
         before.  libcurl sends the POST again on a new connection by
         itself, so the reply goes out twice and the daemon never knows.

  same_reply_retry    (shows a bug) one sender gets the same reply text for
         two messages; the second send fails once with a 503.  Before the
         retry the daemon asks the gateway whether it went out, finds the
         first reply (same To, same Body, within two minutes) and records
         the second as sent with the first one's id: it is never sent.

  lookup_fails        (shows a bug) the gateway takes a send but answers
         500; before the retry the daemon asks whether it went out, the
         list answers 503, and the daemon sends again anyway ("it may
         arrive twice"): it does.

GWDOWN_SEED (default 20251124) picks the messages; GWDOWN_REFUSE_S and
GWDOWN_HANG_S size the down window.

Exit status: 0 passed, 1 failed (the work directory is kept), 2 usage.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlab as fl  # noqa: E402

CPU_LIMIT = 0.02  # of one core, while the gateway is down
RSS_GROWTH_KB = 8192
HUGE_BYTES = 50 * 1000 * 1000  # a gateway answer far over the cap
HUGE_GROWTH_KB = 16384
HUGE_GROWTH_ASAN_KB = 49152
BACK_LIMIT_S = 60


class Bench:
    """fakegw behind a relay, a daemon, and the messages added so far."""

    def __init__(self, lab):
        self.lab = lab
        self.gw = fl.Fakegw(lab)
        self.relay = fl.Relay(self.gw.port)
        self.conf = fl.write_config(
            lab, "http://127.0.0.1:%d" % self.relay.port, poll_ms=200,
            connect_ms=500, timeout_ms=1000)
        self.db = lab.path("state.db")
        self.corpus = fl.Corpus(lab)
        self.added = []
        self.n = 0
        self.d = fl.Daemon(lab, self.conf, 1)

    def add(self, body, frm=None):
        if frm is None:
            self.n += 1
            frm = "+1555%07d" % (5000000 + self.n)
        self.added.append((self.gw.add(frm, body), frm, body))
        return frm

    def add_some(self, r, n):
        for _ in range(n):
            self.add(r.choice(self.corpus.replying))

    def two_messages(self, first, faults, second, same_sender=False):
        """Adds first and waits for its reply, queues faults, adds second
        (from the same sender or a new one) and waits again; returns the
        second sender and the daemon's log so far."""
        frm = self.add(first)
        self.drain(20)
        self.gw.faults(faults)
        frm = self.add(second, frm if same_sender else None)
        self.drain(40)
        return frm, self.d.log_text()

    def drain(self, limit_s):
        return fl.wait_drained(self.gw, self.db, len(self.added), limit_s,
                               self.d.alive)

    def recorded(self):
        inbound, _ = fl.db_read(self.db)
        return len(inbound)

    def check(self, failures):
        status = self.d.term()
        staged = fl.db_staged(self.db)
        if staged:
            failures.append("%d messages still staged, never decided" %
                            staged)
        if status != 0:
            failures.append("backtalkd exited with status %s after SIGTERM"
                            % status)
        inbound, outbox = fl.db_read(self.db)
        sent = self.gw.sent()
        f, problems = fl.verify(self.added, self.corpus, inbound, outbox,
                                sent)
        fl.log("messages %d, replies due %d, sent %d; fakegw got %d POSTs; "
               "duplicates %d, lost %d, unexpected %d, not final %d" %
               (f["messages"], f["replies_expected"], f["replies_sent"],
                len(sent), f["duplicates"], f["lost"], f["unexpected"],
                f["not_final"]))
        fl.judge(f, problems, failures)
        return f


def watch(d, seconds, samples):
    """CPU seconds d used over the next `seconds`; RSS sampled into
    samples."""
    c0, t0 = d.cpu_s(), time.time()
    while time.time() - t0 < seconds:
        if not d.alive():
            raise fl.Fail("backtalkd died while the gateway was down")
        samples.append(d.rss_kb())
        time.sleep(0.25)
    return d.cpu_s() - c0, time.time() - t0


def case_down(lab, r):
    failures = []
    b = Bench(lab)
    refuse_s = fl.env_int("GWDOWN_REFUSE_S", 10)
    hang_s = fl.env_int("GWDOWN_HANG_S", 6)

    # 1. baseline
    b.add_some(r, 8)
    b.add(r.choice(b.corpus.helps or b.corpus.replying))
    took, done = b.drain(20)
    if not done:
        raise fl.Fail("the baseline messages were not answered in 20 s")
    cpu, el = watch(b.d, 3, [])
    rss0 = b.d.rss_kb()
    fl.log("1. baseline: %d messages answered in %.1f s; idle CPU %.2f%% "
           "of a core, VmRSS %d kB" %
           (len(b.added), took, 100 * cpu / el, rss0))

    # 2. flaky.  First the polls and the sends fail outright; then, with
    # the list healthy again (see lookup_fails), sends are taken by the
    # gateway and still fail: the daemon must find them before retrying.
    b.gw.faults({
        "twilio_list": [
            {"status": 500}, {"status": 503}, {}, {}, {"status": 502},
            {"status": 429, "retry_after": 1}, {}, {}, {"status": 429}, {},
            {"truncate": True}, {}, {"truncate": "close"}, {},
            {"malformed": True}, {}, {"delay_ms": 1500}, {},
            {"huge_bytes": HUGE_BYTES}],
        "twilio_send": [
            {"status": 500}, {"status": 502}, {}, {"status": 503},
            {"status": 429, "retry_after": 1}, {"status": 429},
            {"status": 503, "count": 2}, {"huge_bytes": HUGE_BYTES}],
    })
    hwm0 = b.d.hwm_kb()
    t0 = time.time()
    n_base = len(b.added)
    for _ in range(4):
        b.add_some(r, 3)
        time.sleep(0.5)
    took, done = b.drain(45)
    if not done:
        failures.append("flaky: not every reply went out within 45 s")
    t = time.time()
    while b.gw.pending_faults().get("twilio_list", 0) and \
            time.time() - t < 30:
        time.sleep(0.2)
    b.gw.faults({"twilio_send": [
        {"delay_ms": 1500}, {"truncate": True, "apply": True},
        {"status": 500, "apply": True}, {"status": 503, "apply": True}]})
    b.add_some(r, 6)
    took, done = b.drain(45)
    if not done:
        failures.append("flaky: not every reply went out within 45 s")
    faults_seen = sum(1 for q in b.gw.requests_log() if q.get("fault"))
    text = b.d.log_text()
    # The 50 MB answers are cut off at http.max_response_bytes (4 MiB by
    # default): the peak resident size must not grow by anything near it.
    hwm = b.d.hwm_kb()
    huge_seen = fl.log_count(text, "larger than")
    fl.log("2. flaky: %d oversized answers (%d MB) cut off; peak VmHWM %d "
           "kB before, %d kB after" % (huge_seen, HUGE_BYTES // 1000000,
                                      hwm0, hwm))
    if huge_seen < 2:
        failures.append("flaky: the daemon did not log both oversized "
                        "answers as too large")
    # Under ASan the quarantine keeps each block the growing buffer left
    # behind (1 + 2 + 4 MiB ... up to the cap, twice): a looser limit that
    # still fails if a whole answer were held.
    limit = HUGE_GROWTH_ASAN_KB if "ASAN_OPTIONS" in os.environ else \
        HUGE_GROWTH_KB
    if hwm - hwm0 > limit:
        failures.append("flaky: peak VmHWM grew by %d kB with %d MB "
                        "answers (limit %d kB)" %
                        (hwm - hwm0, HUGE_BYTES // 1000000, limit))
    fl.log("2. flaky: %d messages answered %.1f s after the first arrived; "
           "fakegw answered %d requests with a fault; %d poll failures and "
           "%d send retries logged; %d replies found at the gateway before "
           "a retry" %
           (len(b.added) - n_base, time.time() - t0, faults_seen,
            fl.log_count(text, "poll failed"),
            fl.log_count(text, "; retry "),
            fl.log_count(text, "found at the gateway")))

    # 3. down, with replies waiting
    b.gw.faults({"twilio_send": [{"status": 503, "count": 3}]})
    for _ in range(3):
        b.add(r.choice(b.corpus.replying))
    t = time.time()
    while b.recorded() < len(b.added) and time.time() - t < 10:
        time.sleep(0.05)
    time.sleep(0.3)  # let the sends fail once
    _, outbox = fl.db_read(b.db)
    waiting = sum(1 for o in outbox if o["state"] == "pending")
    log_before = b.d.log_text()
    b.relay.set("refuse")
    t_down = time.time()
    rss = []
    n_before = len(b.added)
    time.sleep(1)  # the requests in hand fail
    for _ in range(4):
        b.add_some(r, 2)
    cpu_ref, el_ref = watch(b.d, refuse_s - 1, rss)
    b.relay.set("blackhole")
    hung_before = b.relay.accepted
    for _ in range(2):
        b.add_some(r, 2)
    cpu_hang, el_hang = watch(b.d, hang_s, rss)
    hung = b.relay.accepted - hung_before
    down_s = time.time() - t_down
    arrived = len(b.added) - n_before
    log_down = b.d.log_text()[len(log_before):]
    polls = fl.log_count(log_down, "poll failed")
    send_fail = fl.log_count(log_down, "; retry ")
    rss_max = max(rss)
    fl.log("3. down %.0f s (%d replies waiting, %d messages arrived): "
           "refused %.1f s: CPU %.3f s = %.2f%% of a core; no answer %.1f "
           "s: CPU %.3f s = %.2f%%, %d connections; %d polls and %d sends "
           "tried; VmRSS %d kB at the start, at most %d kB" %
           (down_s, waiting, arrived, el_ref, cpu_ref, 100 * cpu_ref / el_ref,
            el_hang, cpu_hang, 100 * cpu_hang / el_hang, hung, polls,
            send_fail, rss0 if not rss else rss[0], rss_max))
    if cpu_ref / el_ref > CPU_LIMIT or cpu_hang / el_hang > CPU_LIMIT:
        failures.append("CPU while the gateway was down is over %.0f%% of "
                        "a core" % (100 * CPU_LIMIT))
    # 8 MiB, or 15% under a sanitizer whose quarantine holds freed memory.
    limit_kb = max(RSS_GROWTH_KB, rss[0] * 15 // 100) if rss else 0
    if rss and rss_max - rss[0] > limit_kb:
        failures.append("VmRSS grew by %d kB while the gateway was down "
                        "(limit %d kB)" % (rss_max - rss[0], limit_kb))

    # 4. back
    b.relay.set("up")
    t_up = fl.now_ms()
    took, done = b.drain(BACK_LIMIT_S)
    first = [q["time_ms"] - t_up for q in b.gw.requests_log()
             if q["endpoint"] == "twilio_list" and q["status"] == 200 and
             q["time_ms"] >= t_up and
             (q.get("query") or {}).get("To") == fl.OURS]
    first_poll = min(first) / 1000 if first else float("nan")
    fl.log("4. back: first good poll after %.1f s; every message answered "
           "%.1f s after the gateway came back" % (first_poll, took))
    if not done:
        failures.append("not recovered %d s after the gateway came back" %
                        BACK_LIMIT_S)
    b.check(failures)
    return failures


def case_drop_after_accept(lab, r):
    failures = []
    b = Bench(lab)
    # libcurl keeps the connection of the first reply alive.
    _, log_text = b.two_messages(
        b.corpus.replying[0],
        {"twilio_send": [{"drop": True, "apply": True}]},
        b.corpus.replying[1])
    f = b.check(failures)
    if f["duplicates"]:
        fl.log("BUG: fakegw took the send and closed the connection; "
               "libcurl sent the POST again on its own; the daemon logged "
               "%d send retries and %d lookups" %
               (fl.log_count(log_text, "; retry "),
                fl.log_count(log_text, "found at the gateway") +
                fl.log_count(log_text, "the gateway cannot tell")))
    return failures


def case_same_reply_retry(lab, r):
    failures = []
    b = Bench(lab)
    info = b.corpus.info
    by_reply = {}
    for t in b.corpus.replying:
        by_reply.setdefault(info[t]["reply"], []).append(t)
    pair = next(ts for ts in by_reply.values() if len(ts) >= 2)
    frm, log_text = b.two_messages(
        pair[0], {"twilio_send": [{"status": 503}]}, pair[1],
        same_sender=True)
    _, outbox = fl.db_read(b.db)
    sent_posts = [s for s in b.gw.sent() if s["to"] == frm]
    fl.log("one sender, two messages with the same reply (%s); the second "
           "send got a 503: fakegw got %d POST(s) for that number; outbox %s"
           % (info[pair[0]]["category"], len(sent_posts),
              ", ".join("row %d %s as %s" % (o["id"], o["state"],
                                             o["message_id"])
                        for o in outbox if o["to_number"] == frm)))
    if len(sent_posts) != 2:
        failures.append("the second reply was never sent: %d POSTs for 2 "
                        "replies (log: %s)" %
                        (len(sent_posts),
                         "found at the gateway" if "found at the gateway"
                         in log_text else "?"))
    b.d.term()
    return failures


def case_lookup_fails(lab, r):
    failures = []
    b = Bench(lab)
    # The gateway takes the send and answers 500; when the daemon asks
    # before retrying, the list answers 503 for a while.
    _, log_text = b.two_messages(
        b.corpus.replying[0],
        {"twilio_send": [{"status": 500, "apply": True}],
         "twilio_list": [{}, {"status": 503, "count": 8}]},
        b.corpus.replying[1])
    f = b.check(failures)
    if f["duplicates"]:
        fl.log("BUG: the lookup before the retry failed (503), and the "
               "daemon sent again anyway (log: %d 'cannot tell')" %
               fl.log_count(log_text, "the gateway cannot tell whether"))
    return failures


CASES = {"down": case_down, "drop_after_accept": case_drop_after_accept,
         "same_reply_retry": case_same_reply_retry,
         "lookup_fails": case_lookup_fails}


def main():
    case = sys.argv[3] if len(sys.argv) > 3 else "down"
    if case not in CASES:
        sys.stderr.write("gwdown.py: no case %s (%s)\n" %
                         (case, " ".join(CASES)))
        return 2
    lab = fl.Lab("gwdown", sys.argv)
    seed = fl.env_int("GWDOWN_SEED", 20251124)
    fl.log("gwdown %s: seed %d (GWDOWN_SEED=%d to repeat), work %s" %
           (case, seed, seed, lab.work))
    try:
        failures = CASES[case](lab, fl.rng(seed))
    except fl.Fail as e:
        failures = [str(e)]
    return lab.finish(failures)


if __name__ == "__main__":
    sys.exit(main())
