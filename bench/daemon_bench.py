#!/usr/bin/env python3
"""daemon_bench.py: backtalkd end to end against tests/fakegw on 127.0.0.1.

Run by bench/daemon_bench.sh, which builds the programs and passes their
paths; see that script for the targets and the environment it reads.

Phases, each with a fresh state database (on disk, under the work
directory) and a fakegw emptied with POST /_control/reset:

  latency     an idle daemon (poll_interval_ms = 1000); messages added one
              at a time after a random pause; latency = the time fakegw
              recorded the reply (time_ms in /_control/sent) minus the time
              just before the message was added.
  throughput  N messages added with one POST /_control/inbound/bulk; the
              clock runs from just before that request until fakegw has
              received every expected reply AND the daemon's database
              records them as sent (outbox.state = 'sent').
  loaded      (informational) a few single messages more while the 100,000
              are still in the gateway's list, which the Twilio driver lists
              again on every poll.

Memory: VmRSS and VmHWM from /proc/PID/status of backtalkd.

With --convo SHARE (daemon_bench.sh's BENCH_CONVO), the daemon runs with
conversations.screening on, and in the throughput phase a share of the
messages is conversations: of each 1/SHARE messages, one is replaced by a
report that asks the screening question and a later one by "2" from the
same number, an answer to the question waiting.  The expected replies
are then read from the database once every message is recorded (the
corpus has reports of its own, which ask questions too), and the report
counts the answers that continued a conversation (their reply is the
screening's own "clear").

Exit status: 0 when every phase ran (targets met or not), 1 when something
crashed or could not start, 2 on a bad command line.
"""

import argparse
import http.client
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "bench-token-not-secret"
OURS = "+15550001000"
COMPLIANCE = ("stop", "start", "help")
CONVO_REPORT = "my back hurts after deadlifts"
CONVO_ANSWER = "2"
CONVO_CLEAR = "Good, none of those.%"  # the reply the answer ends with
STOP_WAIT_S = 15

children = []  # Popen objects we started, killed in cleanup()


def now_ms():
    return time.time() * 1000.0


def log(msg):
    print(msg, flush=True)


class Fail(Exception):
    pass


# --- processes ----------------------------------------------------------


def record_pid(work, p):
    children.append(p)
    with open(os.path.join(work, "pids"), "a") as f:
        f.write("%d\n" % p.pid)


def cleanup():
    for p in children:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in children:
        try:
            p.wait(timeout=5)
        except Exception:
            pass


class Interrupted(Exception):
    pass


def on_signal(sig, frame):
    raise Interrupted(sig)


def proc_status(pid):
    """VmRSS, VmHWM and VmRSS's parts (RssAnon: private memory; RssFile:
    mapped files, mostly shared libraries; RssShmem: SQLite's WAL index)
    in kB (None when the process is gone)."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile",
                         "RssShmem"):
                    out[k] = int(v.split()[0])
    except OSError:
        return None
    return out


def proc_cpu_s(pid):
    """utime + stime of pid in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- fakegw -------------------------------------------------------------


class Gw:
    def __init__(self, args, work):
        self.work = work
        portfile = os.path.join(work, "fakegw.port")
        self.err = open(os.path.join(work, "fakegw.err"), "w")
        self.p = subprocess.Popen(
            [args.fakegw, "--port", "0", "--port-file", portfile,
             "--twilio-sid", SID, "--twilio-token", TOKEN],
            stdout=subprocess.DEVNULL, stderr=self.err)
        record_pid(work, self.p)
        for _ in range(200):
            if os.path.exists(portfile) and os.path.getsize(portfile) > 0:
                break
            if self.p.poll() is not None:
                raise Fail("fakegw exited with status %d" % self.p.returncode)
            time.sleep(0.05)
        else:
            raise Fail("fakegw did not write its port file")
        self.port = int(open(portfile).read().strip())
        self.base = "http://127.0.0.1:%d" % self.port
        self.conn = None

    def req(self, method, path, body=None, timeout=60):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=timeout)
            try:
                self.conn.timeout = timeout
                headers = {"Content-Type": "application/json"} if body else {}
                self.conn.request(method, "/_control" + path, body=body,
                                  headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.status != 200:
                    raise Fail("fakegw %s %s: HTTP %d %s" %
                               (method, path, r.status, data[:200]))
                return json.loads(data)
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt or self.p.poll() is not None:
                    raise
        return None

    def sent_total(self):
        return self.req("GET", "/sent?offset=1000000000")["total"]

    def sent(self):
        return self.req("GET", "/sent", timeout=120)["sent"]

    def requests(self):
        return self.req("GET", "/requests?recent=0")

    def reset(self):
        self.req("POST", "/reset", b"{}")

    def add_one(self, frm, body):
        doc = json.dumps({"gateway": "twilio", "from": frm, "to": OURS,
                          "body": body}).encode()
        return self.req("POST", "/inbound", doc)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


# --- backtalkd ----------------------------------------------------------


class Daemon:
    def __init__(self, args, work, gw, name, poll_ms):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.db = os.path.join(self.dir, "state.db")
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.db + suffix)
            except FileNotFoundError:
                pass
        token = os.path.join(work, "token")
        with open(token, "w") as f:
            f.write(TOKEN)
        os.chmod(token, 0o600)
        self.conf = os.path.join(self.dir, "backtalk.conf")
        with open(self.conf, "w") as f:
            f.write("""gateway = { driver = "twilio"; };
twilio = {
  base_url = "%(base)s";
  account_sid = "%(sid)s";
  auth_token_file = "%(token)s";
  number = "%(ours)s";
  page_size = 1000;
};
http = { connect_timeout_ms = 2000; timeout_ms = 30000;
         max_response_bytes = 67108864; max_pages_per_poll = 1000;
         parallel_sends = %(par)d; };
rules = "%(rules)s";
state = "%(db)s";
poll_interval_ms = %(poll)d;
guard = { replies_per_sender = 1000; send_rate = 0.0; max_attempts = 20; };
log = { level = "%(loglevel)s"; };
%(convo)s""" % {"base": gw.base, "sid": SID, "token": token, "ours": OURS,
                "rules": args.rules, "db": self.db, "poll": poll_ms,
                "par": int(os.environ.get("BENCH_PARALLEL", "16")),
                "loglevel": os.environ.get("BENCH_LOG_LEVEL", "info"),
                "convo": "conversations = { screening = true; };\n"
                         if args.convo > 0 else ""})
        self.logpath = os.path.join(self.dir, "daemon.log")
        self.log = open(self.logpath, "w")
        env = dict(os.environ)
        env["CACHE_DIRECTORY"] = os.path.join(work, "cache")
        self.t_start = time.time()
        self.p = subprocess.Popen(
            [args.backtalkd, "-c", self.conf], stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log, env=env)
        record_pid(work, self.p)
        self.gw = gw
        self.dbc = None  # read-only connection, opened on first use

    def alive(self):
        return self.p.poll() is None

    def check_alive(self, what):
        if not self.alive():
            raise Fail("backtalkd exited (status %s) during %s; see %s" %
                       (self.p.returncode, what, self.logpath))

    def wait_ready(self):
        """Until the daemon has logged its start and polled once."""
        deadline = time.time() + 60
        while time.time() < deadline:
            self.check_alive("start-up")
            started = "started:" in open(self.logpath).read()
            eps = self.gw.requests().get("endpoints", {})
            if started and eps.get("twilio_list", {}).get("total", 0) > 0:
                return time.time() - self.t_start
            time.sleep(0.05)
        raise Fail("backtalkd did not start and poll within 60 s; see %s" %
                   self.logpath)

    def mem(self):
        return proc_status(self.p.pid)

    def db_counts(self):
        """inbound rows, outbox sent, outbox pending+sending, other.

        One read-only connection for the whole run (starting the sqlite3
        CLI for every check took CPU from the daemon being measured)."""
        q = ("SELECT (SELECT count(*) FROM inbound),"
             " (SELECT count(*) FROM outbox WHERE state = 'sent'),"
             " (SELECT count(*) FROM outbox"
             "   WHERE state IN ('pending', 'sending')),"
             " (SELECT count(*) FROM outbox"
             "   WHERE state IN ('failed', 'cancelled'))")
        try:
            if self.dbc is None:
                self.dbc = sqlite3.connect("file:%s?mode=ro" % self.db,
                                           uri=True, timeout=5)
            return list(self.dbc.execute(q).fetchone())
        except sqlite3.Error as e:
            raise Fail("sqlite3 %s: %s" % (self.db, e))

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.p.poll() is not None:
            return self.p.returncode
        self.p.terminate()
        try:
            return self.p.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


# --- helpers ------------------------------------------------------------


def save_smaps(d, work, when):
    """With BENCH_SMAPS set, copies the daemon's /proc/PID/smaps, for
    finding where its memory is."""
    if not os.environ.get("BENCH_SMAPS"):
        return
    dst = os.path.join(work, "smaps_%s.txt" % when)
    with open("/proc/%d/smaps" % d.p.pid) as f, open(dst, "w") as o:
        o.write(f.read())
    log("smaps copied to %s" % dst)


def pct(xs, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def fmt_kb(kb):
    return "%d kB (%.1f MiB)" % (kb, kb / 1024.0)


def rss_parts(m):
    """VmRSS split into private memory and mapped files."""
    return ("of which private (RssAnon) %.1f MiB, mapped files (RssFile, "
            "mostly shared libraries) %.1f MiB, shared memory (RssShmem, "
            "the WAL index) %.1f MiB" %
            (m.get("RssAnon", 0) / 1024.0, m.get("RssFile", 0) / 1024.0,
             m.get("RssShmem", 0) / 1024.0))


def load_messages(args):
    with open(args.messages, encoding="utf-8", errors="surrogateescape") as f:
        msgs = [l.rstrip("\n") for l in f]
    with open(args.classified) as f:
        cats = [json.loads(l).get("category") for l in f]
    if len(msgs) != len(cats):
        raise Fail("%d messages but %d classify results" %
                   (len(msgs), len(cats)))
    return msgs, cats


def add_spaced(gw, d, bodies, first_number, pause_max, label):
    """Adds bodies one at a time after a random pause each; returns
    [(from, t_add_ms)]."""
    added = []
    for i, body in enumerate(bodies):
        time.sleep(random.uniform(0, pause_max))
        d.check_alive(label)
        frm = "+1555%07d" % (first_number + i)
        t = now_ms()
        gw.add_one(frm, body)
        added.append((frm, t))
    return added


def latencies(gw, d, added, wait_s, label):
    """Waits for a reply to each added message; returns (latencies in ms,
    missing count)."""
    want = {frm: t for frm, t in added}
    deadline = time.time() + wait_s
    got = {}
    while time.time() < deadline:
        for s in gw.sent():
            if s["to"] in want and s["to"] not in got:
                got[s["to"]] = s["time_ms"] - want[s["to"]]
        if len(got) == len(want):
            break
        d.check_alive(label)
        time.sleep(0.25)
    return [got[f] for f, _ in added if f in got], len(want) - len(got)


# --- phases -------------------------------------------------------------


def phase_latency(args, work, gw, msgs, cats, R):
    log("\n== latency: %d messages one at a time, idle daemon, "
        "poll_interval_ms = %d ==" % (args.latency_count, args.poll_ms))
    gw.reset()
    d = Daemon(args, work, gw, "latency", args.poll_ms)
    R["start_s"] = d.wait_ready()
    time.sleep(2)
    R["lat_rest"] = d.mem()
    log("backtalkd up and polled in %.2f s; at rest: VmRSS %s, VmHWM %s" %
        (R["start_s"], fmt_kb(R["lat_rest"]["VmRSS"]),
         fmt_kb(R["lat_rest"]["VmHWM"])))
    # Bodies that get a reply (not STOP/START/HELP), from the same corpus.
    rng = random.Random(args.seed)
    pool = [m for m, c in zip(msgs, cats) if c not in COMPLIANCE]
    bodies = [rng.choice(pool) for _ in range(args.latency_count)]
    t0 = time.time()
    added = add_spaced(gw, d, bodies, 3000000, args.latency_pause, "latency")
    lat, missing = latencies(gw, d, added, 10 + 3 * args.poll_ms / 1000,
                             "latency")
    R["lat"], R["lat_missing"] = lat, missing
    R["lat_mem"] = d.mem()
    log("added %d in %.1f s; %d replies, %d missing" %
        (len(added), time.time() - t0, len(lat), missing))
    if lat:
        log("reply latency ms: min %.0f  median %.0f  mean %.0f  p90 %.0f  "
            "p99 %.0f  max %.0f" % (min(lat), statistics.median(lat),
                                    statistics.mean(lat), pct(lat, 90),
                                    pct(lat, 99), max(lat)))
    stop_daemon(d, "latency", R)


def convo_messages(args, msgs, cats):
    """With --convo SHARE: (senders, bodies, cats) with, of each block of
    round(1/SHARE) messages, the first a report and the middle one the
    answer "2" from the same sender."""
    senders = ["+1555%07d" % (2000000 + i) for i in range(len(msgs))]
    if args.convo <= 0:
        return senders, msgs, cats
    msgs, cats = list(msgs), list(cats)
    k = max(2, int(round(1 / args.convo)))
    for i in range(0, len(msgs) - k // 2, k):
        j = i + k // 2
        msgs[i], cats[i] = CONVO_REPORT, "tip"
        msgs[j], cats[j] = CONVO_ANSWER, "tip"
        senders[j] = senders[i]
    return senders, msgs, cats


def phase_throughput(args, work, gw, msgs, cats, R):
    n = len(msgs)
    senders, msgs, cats = convo_messages(args, msgs, cats)
    convo = args.convo > 0
    expected = sum(1 for c in cats if c not in COMPLIANCE)
    if convo:
        R["convo_pairs"] = sum(1 for m in msgs if m == CONVO_ANSWER)
        log("conversations on: %d reports each followed by the answer "
            "\"%s\" from the same number" % (R["convo_pairs"], CONVO_ANSWER))
    R["n"], R["expected"] = n, expected
    log("\n== throughput: %d messages in one bulk add, %d replies expected "
        "(%d STOP/START/HELP get none: gateway_handles_keywords) ==" %
        (n, expected, n - expected))
    gw.reset()
    d = Daemon(args, work, gw, "throughput", args.poll_ms)
    d.wait_ready()
    time.sleep(2)
    R["tp_rest"] = d.mem()
    save_smaps(d, work, "rest")
    log("at rest after start: VmRSS %s, VmHWM %s" %
        (fmt_kb(R["tp_rest"]["VmRSS"]), fmt_kb(R["tp_rest"]["VmHWM"])))

    doc = json.dumps({"gateway": "twilio", "to": OURS, "messages": [
        {"from": senders[i], "body": b}
        for i, b in enumerate(msgs)]}, ensure_ascii=False)
    payload = doc.encode("utf-8", errors="surrogateescape")
    cpu0 = proc_cpu_s(d.p.pid)
    t0 = time.time()
    r = gw.req("POST", "/inbound/bulk", payload, timeout=300)
    t_added = time.time()
    if r.get("added") != n:
        raise Fail("bulk add: %r" % r)
    log("bulk add of %d (%.1f MB of JSON) took %.2f s" %
        (n, len(payload) / 1e6, t_added - t0))

    deadline = t0 + args.max_seconds
    fg = 0
    db = [0, 0, 0, 0]
    t_gw = t_db = None
    first_reply = None
    stopped_early = None
    last_report = t0
    samples = []  # (t, inbound, sent)
    t_dbq = 0.0
    peak_rss = 0
    while True:
        time.sleep(args.check_every)
        d.check_alive("throughput")
        t = time.time()
        fg = gw.sent_total()
        # With conversations, the count is known once all are decided.
        if fg >= expected and t_gw is None and (not convo or db[0] >= n):
            t_gw = t
        if first_reply is None and fg > 0:
            first_reply = t
        # The database is read once a second, and at every check once
        # fakegw has every reply: reading it takes CPU from the daemon.
        if t_gw is not None or t - t_dbq >= 1.0 or (convo and db[0] >= n):
            db = d.db_counts()
            t_dbq = t
        if convo and db[0] >= n:
            # Every message decided: the outbox holds every reply.
            expected = db[1] + db[2] + db[3]
        m = d.mem()
        if m:
            peak_rss = max(peak_rss, m["VmRSS"])
        samples.append((t, db[0], db[1]))
        if db[1] >= expected and t_gw is not None:
            t_db = t
            break
        # Done in some other way than expected (every message recorded and
        # nothing pending): stop, and report the difference.
        if db[0] >= n and db[2] == 0 and fg == db[1] and t - t0 > 5:
            t_db = t
            break
        if t - last_report >= 10:
            last_report = t
            log("  %5.1f s: inbound recorded %d/%d, replies at fakegw %d, "
                "sent in db %d, pending %d, VmRSS %s" %
                (t - t0, db[0], n, fg, db[1], db[2],
                 fmt_kb(m["VmRSS"]) if m else "?"))
        if t >= deadline:
            stopped_early = "time limit of %d s reached" % args.max_seconds
            break
        # Project the finish from the work done so far (recording an inbound
        # message and sending a reply count as one unit each); give up early
        # only when the run is clearly hopeless.
        el = t - t0
        done = db[0] + db[1]
        if el >= args.min_project and done > 0:
            projected = el * (n + expected) / done
            if projected > args.max_seconds * args.hopeless:
                stopped_early = ("at %.0f s, projected %.0f s for the "
                                 "whole run (limit %d s)" %
                                 (el, projected, args.max_seconds))
                break
    t_end = t_db if t_db else time.time()
    el = t_end - t0
    R["tp_elapsed"] = el
    R["tp_db"], R["tp_fg"] = db, fg
    R["tp_stopped_early"] = stopped_early
    R["tp_cpu"] = proc_cpu_s(d.p.pid) - cpu0
    R["tp_after"] = d.mem()
    R["tp_peak_sampled"] = peak_rss
    R["tp_samples"] = [(round(t - t0, 2), i, s_) for t, i, s_ in samples]
    # A whole run: messages handled (every one recorded, every reply sent
    # and recorded) per second.  A partial run: the rate over what was
    # done, replies sent and recorded per second, each one a message
    # handled end to end.
    if stopped_early:
        R["tp_rate"] = db[1] / el if el > 0 else 0
    else:
        R["tp_rate"] = n / el if el > 0 else 0
    R["tp_reply_rate"] = db[1] / el if el > 0 else 0
    # Stage rates: recording inbound messages, and sending replies (from
    # the first reply to the last, by fakegw's clock).
    t_in = next((t for t, i, _ in samples if i >= n), None)
    R["tp_inbound_done_s"] = (t_in - t0) if t_in else None
    R["tp_record_rate"] = db[0] / ((t_in or t_end) - t0)
    sent = gw.sent()
    if sent:
        R["tp_first_reply_s"] = (sent[0]["time_ms"] / 1000.0) - t0
        R["tp_last_reply_s"] = (sent[-1]["time_ms"] / 1000.0) - t0
        span = R["tp_last_reply_s"] - R["tp_first_reply_s"]
        R["tp_send_rate"] = (len(sent) - 1) / span if span > 0 else None
    if stopped_early:
        R["tp_projected_s"] = project(samples, t0, el, n, expected, db)
    R["tp_requests"] = gw.requests().get("endpoints", {})
    if convo:
        R["expected"] = expected
        R["convo_continued"] = d.dbc.execute(
            "SELECT count(*) FROM outbox WHERE body LIKE ?",
            (CONVO_CLEAR,)).fetchone()[0]
        log("answers that continued a conversation (answered \"clear\"): "
            "%d of %d" % (R["convo_continued"], R["convo_pairs"]))
    log("backtalkd CPU per message: %.1f us" %
        (1e6 * R["tp_cpu"] / n if n else 0))
    log("%s after %.2f s: inbound recorded %d/%d, replies at fakegw %d, "
        "sent in db %d (expected %d), pending %d, failed/cancelled %d" %
        ("STOPPED EARLY (%s)" % stopped_early if stopped_early else "done",
         el, db[0], n, fg, db[1], expected, db[2], db[3]))
    log("recording inbound: %.0f messages/s (all recorded by %s); sending: "
        "%s replies/s (first reply at +%s s, last at +%s s; sampled every "
        "%.2f s)" %
        (R["tp_record_rate"],
         "+%.1f s" % R["tp_inbound_done_s"] if t_in else "-",
         "%.0f" % R["tp_send_rate"] if R.get("tp_send_rate") else "-",
         "%.2f" % R["tp_first_reply_s"] if sent else "-",
         "%.2f" % R["tp_last_reply_s"] if sent else "-", args.check_every))
    if R.get("tp_projected_s"):
        log("projected whole run at the pace of the last minute: %.0f s, "
            "%.0f messages/s" % (R["tp_projected_s"],
                                 n / R["tp_projected_s"]))
    log("backtalkd CPU during the run: %.2f s (%.0f%% of one core)" %
        (R["tp_cpu"], 100 * R["tp_cpu"] / el if el else 0))
    for ep in ("twilio_list", "twilio_send"):
        e = R["tp_requests"].get(ep, {})
        log("fakegw %s requests: %d" % (ep, e.get("total", 0)))
    log("after the run: VmRSS %s, VmHWM %s" %
        (fmt_kb(R["tp_after"]["VmRSS"]), fmt_kb(R["tp_after"]["VmHWM"])))

    if not stopped_early:
        # Idle, with the messages still in the gateway's list.
        c0 = proc_cpu_s(d.p.pid)
        time.sleep(args.idle_s)
        R["tp_idle_cpu"] = (proc_cpu_s(d.p.pid) - c0) / args.idle_s
        R["tp_idle"] = d.mem()
        r0 = R["tp_requests"].get("twilio_list", {}).get("total", 0)
        r1 = gw.requests().get("endpoints", {}).get(
            "twilio_list", {}).get("total", 0)
        save_smaps(d, work, "idle")
        log("after %d s idle, the %d messages still listed: VmRSS %s, "
            "VmHWM %s, CPU %.0f%% of one core, %d list requests" %
            (args.idle_s, n, fmt_kb(R["tp_idle"]["VmRSS"]),
             fmt_kb(R["tp_idle"]["VmHWM"]), 100 * R["tp_idle_cpu"],
             r1 - r0))

    if args.loaded_count > 0 and not stopped_early:
        log("\n== loaded latency (informational): %d single messages with "
            "the %d still listed by the gateway ==" % (args.loaded_count, n))
        rng = random.Random(args.seed + 1)
        pool = [m for m, c in zip(msgs, cats) if c not in COMPLIANCE]
        bodies = [rng.choice(pool) for _ in range(args.loaded_count)]
        added = add_spaced(gw, d, bodies, 4000000, args.latency_pause,
                           "loaded latency")
        lat, missing = latencies(gw, d, added, 60, "loaded latency")
        R["loaded_lat"], R["loaded_missing"] = lat, missing
        if lat:
            log("reply latency ms: median %.0f  p99 %.0f  max %.0f "
                "(%d missing)" % (statistics.median(lat), pct(lat, 99),
                                  max(lat), missing))
        R["tp_final"] = d.mem()
        if R["tp_final"]:
            log("VmRSS %s, VmHWM %s" % (fmt_kb(R["tp_final"]["VmRSS"]),
                                        fmt_kb(R["tp_final"]["VmHWM"])))
    elif args.loaded_count > 0:
        log("(loaded latency skipped: the daemon is still busy with the "
            "unfinished run)")
    stop_daemon(d, "throughput", R)


def project(samples, t0, el, n, expected, db):
    """Seconds the whole run would take at the pace of the last minute
    (each stage at its own pace); None when it cannot tell."""
    if len(samples) < 2:
        return None
    t_last, in_last, sent_last = samples[-1]
    since = t_last - min(60.0, (t_last - t0) / 2)
    t_a, in_a, sent_a = next(x for x in samples if x[0] >= since)
    span = t_last - t_a
    if span <= 0:
        return None
    rec_rate = (in_last - in_a) / span
    send_rate = (sent_last - sent_a) / span
    left = 0.0
    if db[0] < n:
        if rec_rate <= 0:
            return None
        left += (n - db[0]) / rec_rate
    if db[1] < expected:
        if send_rate <= 0:
            # Still recording: no pace for the replies yet; count each
            # reply as costly as recording a message.
            if rec_rate <= 0:
                return None
            send_rate = rec_rate
        left += (expected - db[1]) / send_rate
    return el + left


def stop_daemon(d, what, R):
    """SIGTERM; a daemon that takes too long is killed and noted (not a
    crash); one that exits with an error is a failure."""
    t = time.time()
    st = d.stop()
    took = time.time() - t
    if st is None:
        note = ("backtalkd (%s) did not exit within %d s of SIGTERM; "
                "killed (it sees signals only when it waits, never while "
                "it has a backlog)" % (what, STOP_WAIT_S))
        R.setdefault("notes", []).append(note)
        log("NOTE: " + note)
    elif st != 0:
        raise Fail("backtalkd (%s) exited with status %s after SIGTERM; "
                   "see %s" % (what, st, d.logpath))
    else:
        log("backtalkd (%s) stopped %.2f s after SIGTERM" % (what, took))


def report(args, R):
    lim_kb = args.rss_limit_mb * 1024
    lines = []

    def row(ok, text):
        lines.append("%-4s %s" % ("PASS" if ok else "MISS", text))

    rate = R.get("tp_rate")
    if rate is not None:
        if R["tp_stopped_early"]:
            how = ("STOPPED EARLY, %s: the rate over what was done, %d of "
                   "%d replies sent and recorded in %.0f s; %d of %d "
                   "messages recorded" %
                   (R["tp_stopped_early"], R["tp_db"][1], R["expected"],
                    R["tp_elapsed"], R["tp_db"][0], R["n"]))
            if R.get("tp_projected_s"):
                how += ("; the whole run would take about %.0f s, %.0f "
                        "messages/s" % (R["tp_projected_s"],
                                        R["n"] / R["tp_projected_s"]))
        else:
            how = ("%d messages, %d replies, %.2f s from the bulk add to "
                   "the last reply recorded" %
                   (R["n"], R["tp_db"][1], R["tp_elapsed"]))
        row(rate >= args.target_rate,
            "throughput %.0f messages/s (target >= %d; %s)" %
            (rate, args.target_rate, how))
    if rate is not None:
        lines.append("info stages: recording inbound %.0f messages/s, "
                     "sending %s replies/s" %
                     (R["tp_record_rate"],
                      "%.0f" % R["tp_send_rate"]
                      if R.get("tp_send_rate") else "-"))
    lat = R.get("lat")
    if lat is not None:
        lim = args.poll_ms + 50
        ok = bool(lat) and R["lat_missing"] == 0 and pct(lat, 99) <= lim
        row(ok, "reply latency median %.0f ms, p99 %.0f ms (target p99 <= "
            "%d ms = poll interval + 50; %d messages, %d missing)" %
            (statistics.median(lat) if lat else -1,
             pct(lat, 99) if lat else -1, lim, len(lat), R["lat_missing"]))
    for key, what in (("lat_rest", "first start, vectorscan database "
                       "compiled (no cache yet)"),
                      ("tp_rest", "start with the prefilter cache")):
        rest = R.get(key)
        if rest:
            row(rest["VmRSS"] < lim_kb,
                "memory at rest, %s: VmRSS %s (target < %d MiB)" %
                (what, fmt_kb(rest["VmRSS"]), args.rss_limit_mb))
            lines.append("     " + rss_parts(rest))
    after = R.get("tp_idle") or R.get("tp_after")
    if after:
        done = (R["n"] if not R["tp_stopped_early"] else R["tp_db"][0])
        row(after["VmRSS"] < lim_kb,
            "memory after %d messages: VmRSS %s, peak VmHWM %s (target < "
            "%d MiB)" % (done, fmt_kb(after["VmRSS"]),
                         fmt_kb(after["VmHWM"]), args.rss_limit_mb))
        lines.append("     " + rss_parts(after))
        if after["VmHWM"] >= lim_kb and after["VmRSS"] < lim_kb:
            lines.append("     (the peak, VmHWM, was over the target)")
    loaded = R.get("loaded_lat")
    if loaded:
        lines.append("info reply latency with the %d messages still listed by "
                     "the gateway: median %.0f ms, p99 %.0f ms (%d messages, "
                     "%d missing)" % (R["n"], statistics.median(loaded),
                                      pct(loaded, 99), len(loaded),
                                      R["loaded_missing"]))
    for note in R.get("notes", []):
        lines.append("note " + note)
    log("\n== report ==")
    log("machine: %d cores, load average %s" %
        (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    for l in lines:
        log(l)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: v for k, v in R.items()}, f, indent=1, default=str)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backtalkd", required=True)
    ap.add_argument("--fakegw", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--messages", required=True)
    ap.add_argument("--classified", required=True,
                    help="backtalk classify output for --messages")
    ap.add_argument("--work", required=True)
    ap.add_argument("--poll-ms", type=int, default=1000)
    ap.add_argument("--latency-count", type=int, default=200)
    ap.add_argument("--latency-pause", type=float, default=1.5)
    ap.add_argument("--loaded-count", type=int, default=20)
    ap.add_argument("--max-seconds", type=int, default=300)
    ap.add_argument("--min-project", type=float, default=60)
    ap.add_argument("--hopeless", type=float, default=3)
    ap.add_argument("--check-every", type=float, default=0.25)
    ap.add_argument("--idle-s", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target-rate", type=int, default=5000)
    ap.add_argument("--rss-limit-mb", type=int, default=24)
    ap.add_argument("--phases", default="latency,throughput")
    ap.add_argument("--convo", type=float, default=0,
                    help="share of the messages in conversations")
    ap.add_argument("--json")
    args = ap.parse_args()
    random.seed(args.seed)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    R = {}
    rc = 0
    gw = None
    try:
        msgs, cats = load_messages(args)
        gw = Gw(args, args.work)
        phases = args.phases.split(",")
        if "latency" in phases:
            phase_latency(args, args.work, gw, msgs, cats, R)
        if "throughput" in phases:
            phase_throughput(args, args.work, gw, msgs, cats, R)
    except Interrupted as e:
        log("daemon_bench: interrupted by signal %s" % e.args[0])
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        rc = 128 + e.args[0]
    except Fail as e:
        log("daemon_bench: FAILED: %s" % e)
        rc = 1
    except (OSError, http.client.HTTPException, subprocess.SubprocessError,
            ValueError, KeyError) as e:
        log("daemon_bench: FAILED: %s: %s" % (type(e).__name__, e))
        rc = 1
    finally:
        if gw is not None and gw.p.poll() is not None and rc == 0:
            log("daemon_bench: FAILED: fakegw exited with status %s" %
                gw.p.returncode)
            rc = 1
        if gw is not None:
            gw.stop()
        cleanup()
    report(args, R)
    return rc


if __name__ == "__main__":
    sys.exit(main())
