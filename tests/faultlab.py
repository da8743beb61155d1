"""faultlab: what crash.py and gwdown.py share.

The real backtalkd (Twilio driver) against tests/fakegw on 127.0.0.1, found
as e2e.sh finds them (BUILD/daemon/backtalkd, BUILD/daemon/backtalk,
BUILD/tests/fakegw), in a fresh /tmp/backtalk-NAME.XXXXXX that is removed
when the test passes (unless FAULTLAB_KEEP is set) and kept when it
fails.  Every child is started with PR_SET_PDEATHSIG, so nothing outlives
the test, whatever kills it.

Python 3 standard library only.
"""

import ctypes
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import freeport
from twilio_keywords import COMPLIANCE, alone

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "faultlab-token-not-secret"
OURS = "+15550001000"
# Phrases that make the daemon's guard take a message for another
# auto-responder (daemon/engine/guard.c); such corpus lines are left out, so that
# every message's expected reply is `backtalk classify`'s.
AUTOREPLY_HINTS = ("office", "automat", "reply", "disturb", "undeliver",
                   "driving", "cannot receive", "does not accept")

_children = []


class Fail(Exception):
    pass


def log(msg=""):
    print(msg, flush=True)


def now_ms():
    return time.time() * 1000.0


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: the child gets SIGKILL when the test dies.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


def spawn(argv, **kw):
    p = subprocess.Popen(argv, preexec_fn=_die_with_parent,
                         stdin=subprocess.DEVNULL, **kw)
    _children.append(p)
    return p


def kill_children():
    for p in _children:
        if p.poll() is None:
            try:
                p.kill()
            except OSError:
                pass
    for p in _children:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _on_signal(sig, frame):
    raise Fail("interrupted by signal %d" % sig)


class Lab:
    """Paths, the work directory and the end of the run."""

    def __init__(self, name, argv):
        if len(argv) < 3:
            sys.stderr.write("usage: %s BUILD_DIR SOURCE_DIR\n" % argv[0])
            sys.exit(2)
        self.build, self.src = os.path.abspath(argv[1]), os.path.abspath(
            argv[2])
        self.backtalkd = os.path.join(self.build, "daemon", "backtalkd")
        self.backtalk = os.path.join(self.build, "daemon", "backtalk")
        self.fakegw = os.path.join(self.build, "tests", "fakegw")
        self.rules = os.path.join(self.src, "rules")
        for p in (self.backtalkd, self.backtalk, self.fakegw):
            if not os.access(p, os.X_OK):
                sys.stderr.write("%s: not built\n" % p)
                sys.exit(1)
        self.work = tempfile.mkdtemp(prefix="backtalk-%s." % name,
                                     dir="/tmp")
        self.cache = os.path.join(self.work, "cache")
        os.makedirs(self.cache)
        os.environ["BACKTALK_CACHE_DIR"] = self.cache
        self.t0 = time.time()
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def finish(self, failures):
        """Prints the verdict, cleans up and returns the exit status."""
        kill_children()
        took = time.time() - self.t0
        if failures:
            log("FAIL (%.1f s): %s" % (took, "; ".join(failures)))
            log("kept %s" % self.work)
            return 1
        log("ok (%.1f s)" % took)
        if os.environ.get("FAULTLAB_KEEP"):
            log("kept %s (FAULTLAB_KEEP)" % self.work)
        else:
            subprocess.run(["rm", "-rf", self.work])
        return 0


def run_lab(name, argv, run):
    """Runs run(lab, failures) in a new Lab; a Fail it raises is one more
    failure.  Returns the exit status."""
    lab = Lab(name, argv)
    failures = []
    try:
        run(lab, failures)
    except Fail as e:
        failures.append(str(e))
    return lab.finish(failures)


# --- fakegw ---------------------------------------------------------------


class Fakegw:
    def __init__(self, lab):
        self.lab = lab
        portfile = lab.path("fakegw.port")
        self.err = open(lab.path("fakegw.err"), "w")
        self.p = spawn([lab.fakegw, "--port", "0", "--port-file", portfile,
                        "--twilio-sid", SID, "--twilio-token", TOKEN,
                        "--log", lab.path("fakegw.log")],
                       stdout=subprocess.DEVNULL, stderr=self.err)
        for _ in range(200):
            if os.path.exists(portfile) and os.path.getsize(portfile) > 0:
                break
            if self.p.poll() is not None:
                raise Fail("fakegw exited with status %d" % self.p.returncode)
            time.sleep(0.025)
        else:
            raise Fail("fakegw did not write its port file")
        self.port = int(open(portfile).read().strip())
        self.base = "http://127.0.0.1:%d" % self.port
        self.conn = None
        self._tail, self._tail_buf, self._seen = 0, b"", []

    def ctl(self, method, path, doc=None, timeout=30):
        body = None if doc is None else json.dumps(doc).encode()
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=timeout)
            try:
                self.conn.request(method, "/_control" + path, body=body,
                                  headers={"Content-Type":
                                           "application/json"})
                r = self.conn.getresponse()
                data = r.read()
                if r.status != 200:
                    raise Fail("fakegw %s %s: HTTP %d %s" %
                               (method, path, r.status, data[:200]))
                return json.loads(data)
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt or self.p.poll() is not None:
                    raise
        return None

    def add(self, frm, body):
        """Adds one inbound Twilio message; returns its id."""
        return self.ctl("POST", "/inbound", {
            "gateway": "twilio", "from": frm, "to": OURS, "body": body})["id"]

    def sent(self):
        return self.ctl("GET", "/sent")["sent"]

    def sent_total(self):
        return self.ctl("GET", "/sent?offset=1000000000")["total"]

    def faults(self, doc):
        return self.ctl("POST", "/faults", doc)

    def config(self, doc):
        """POST /_control/config: how fakegw's Twilio behaves from now on
        (token, queue and list lag, random faults; see fakegw.h)."""
        return self.ctl("POST", "/config", doc)

    def pending_faults(self):
        return self.ctl("GET", "/requests?recent=0")["state"].get(
            "faults_pending", {})

    def wait_request(self, endpoint, since_ms, timeout_s):
        """The first request to endpoint that began at or after since_ms
        (fakegw logs a request when it has answered); None on timeout."""
        deadline = time.time() + timeout_s
        while True:
            for q in self._seen:
                if q.get("endpoint") == endpoint and \
                        q["time_ms"] - q["ms"] >= since_ms:
                    return q
            self._seen = []
            with open(self.lab.path("fakegw.log"), "rb") as f:
                f.seek(self._tail)
                data = self._tail_buf + f.read()
                self._tail = f.tell()
            lines = data.split(b"\n")
            self._tail_buf = lines.pop()
            for line in lines:
                try:
                    self._seen.append(json.loads(line))
                except ValueError:
                    pass
            if not self._seen:
                if time.time() > deadline:
                    return None
                time.sleep(0.001)

    def requests_log(self):
        """fakegw's --log, one dict a gateway request (control left out)."""
        out = []
        with open(self.lab.path("fakegw.log")) as f:
            for line in f:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get("endpoint") != "control":
                    out.append(j)
        return out


# --- backtalkd ------------------------------------------------------------


def write_config(lab, base_url, poll_ms=200, connect_ms=1000,
                 timeout_ms=2000, token_key=None, http_extra="", extra="",
                 name="backtalk.conf"):
    """The daemon's config.  token_key: the line that names the auth token
    (default: auth_token_file, a file holding TOKEN); http_extra goes into
    the http group, extra at the end."""
    token = lab.path("token")
    with open(token, "w") as f:
        f.write(TOKEN)
    os.chmod(token, 0o600)
    if token_key is None:
        token_key = 'auth_token_file = "%s";' % token
    conf = lab.path(name)
    with open(conf, "w") as f:
        f.write("""gateway = { driver = "twilio"; };
twilio = {
  base_url = "%(base)s";
  account_sid = "%(sid)s";
  %(token_key)s
  number = "%(ours)s";
  page_size = 100;
};
http = { connect_timeout_ms = %(connect)d; timeout_ms = %(timeout)d;
         max_pages_per_poll = 20; %(http_extra)s };
rules = "%(rules)s";
state = "%(db)s";
poll_interval_ms = %(poll)d;
guard = { replies_per_sender = 100; send_rate = 0.0; max_attempts = 20; };
log = { level = "info"; };
%(extra)s
""" % {"base": base_url, "sid": SID, "token_key": token_key, "ours": OURS,
       "rules": lab.rules, "db": lab.path("state.db"), "poll": poll_ms,
       "connect": connect_ms, "timeout": timeout_ms,
       "http_extra": http_extra, "extra": extra})
    return conf


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on just now, outside the
    kernel's ephemeral range (see freeport.py)."""
    return freeport.free_port()


def healthz(port):
    """(status, body) of the daemon's GET /healthz; (0, why) when it does
    not answer."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/healthz")
        r = c.getresponse()
        body = r.read().decode(errors="replace")
        c.close()
        return r.status, body
    except (OSError, http.client.HTTPException) as e:
        return 0, str(e)


class Daemon:
    """One backtalkd process; its stderr is appended to daemon.log."""

    def __init__(self, lab, conf, run, extra_env=None):
        self.lab = lab
        self.logpath = lab.path("daemon.log")
        with open(self.logpath, "a") as f:
            f.write("=== faultlab: run %d ===\n" % run)
        self.log_offset = os.path.getsize(self.logpath)
        env = dict(os.environ, CACHE_DIRECTORY=lab.cache)
        env.update(extra_env or {})
        self.t_start = now_ms()
        # FAULTLAB_WRAPPER runs the daemon under a tool (valgrind ...).
        wrapper = os.environ.get("FAULTLAB_WRAPPER", "").split()
        with open(self.logpath, "a") as logf:
            self.p = spawn(wrapper + [lab.backtalkd, "-c", conf],
                           stdout=logf, stderr=logf, env=env)
        self.pid = self.p.pid

    def alive(self):
        return self.p.poll() is None

    def kill(self):
        """SIGKILL; returns when it is gone."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
        self.p.wait(timeout=30)

    def hup(self):
        self.p.send_signal(signal.SIGHUP)

    def term(self, wait_s=15):
        """SIGTERM; returns the exit status, None when it had to be
        killed."""
        if self.p.poll() is not None:
            return self.p.returncode
        self.p.terminate()
        try:
            return self.p.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def log_text(self):
        with open(self.logpath, errors="replace") as f:
            f.seek(self.log_offset)
            return f.read()

    def cpu_s(self):
        """utime + stime from /proc/PID/stat, in seconds."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")

    def _status_kb(self, key):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def rss_kb(self):
        return self._status_kb("VmRSS")

    def hwm_kb(self):
        """Peak resident size so far."""
        return self._status_kb("VmHWM")


# --- the state database ---------------------------------------------------


def db_read(path):
    """inbound rows {id: dict} and outbox rows [dict], read-only (the
    daemon may be running: WAL lets us read beside it)."""
    if not os.path.exists(path):
        return {}, []
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        inbound = {r["id"]: dict(r) for r in db.execute(
            "SELECT * FROM inbound WHERE gateway = 'twilio'")}
        outbox = [dict(r) for r in db.execute(
            "SELECT * FROM outbox ORDER BY id")]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):  # before the schema is made
            return {}, []
        raise
    finally:
        db.close()
    return inbound, outbox


# --- messages -------------------------------------------------------------


class Corpus:
    """Corpus texts with what `backtalk classify` says of each."""

    def __init__(self, lab):
        texts = []
        for path in (os.path.join(lab.src, "tests", "data", "dev.tsv"),
                     os.path.join(lab.src, "tests", "corpus", "extra.tsv")):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("#") or "\t" not in line:
                        continue
                    t = line.rstrip("\n").split("\t")[2]
                    if not any(h in t.lower() for h in AUTOREPLY_HINTS):
                        texts.append(t)
        texts = sorted(set(texts))
        if len(texts) < 50:
            raise Fail("too few corpus messages (%d)" % len(texts))
        self.info = self.classify(lab, texts)
        self.replying = [t for t in texts
                         if self.info[t]["category"] not in COMPLIANCE]
        # STOP, START and HELP sent alone, which Twilio answers itself (the
        # daemon answers the same asked for in other words: decide.c).
        def bare(t, cat):
            return self.info[t]["category"] == cat and alone(t)
        self.stops = [t for t in texts if bare(t, "stop")]
        self.starts = [t for t in texts if bare(t, "start")]
        self.helps = [t for t in texts if bare(t, "help")]
        if not self.stops or not self.starts:
            raise Fail("the corpus has no STOP or no START message")
        self.reports = set()  # checkins() fills these in
        self.plain = self.replying
        self.checkin_prompt = None

    def checkins(self, lab):
        """For a lab with conversations.checkin on: the replying texts
        that schedule a check-in (reports, the shipped rules' "checkin"
        conversation, as backtalk chat plays them), the others (plain),
        and the check-in's question."""
        self.reports = self.checkin_reports(lab, self.replying)
        self.plain = [t for t in self.replying if t not in self.reports]
        self.checkin_prompt = self.first_question(lab, "checkin")
        if not self.reports or len(self.plain) < 10:
            raise Fail("%d reports and %d other replying messages" %
                       (len(self.reports), len(self.plain)))

    @staticmethod
    def checkin_reports(lab, texts):
        """The texts after which backtalk chat --conversations schedules
        a check-in, each played from no conversation."""
        lines = []
        for t in texts:
            lines.append("/" + t if t.startswith("/") else t)
            lines.append("/reset")
        r = subprocess.run([lab.backtalk, "chat", "--rules", lab.rules,
                            "--conversations"],
                           input="\n".join(lines) + "\n", text=True,
                           capture_output=True, timeout=300)
        blocks = r.stdout.split("(forgot opt-out")
        if r.returncode != 0 or len(blocks) != len(texts) + 1:
            raise Fail("backtalk chat: status %d, %d of %d answers: %s" %
                       (r.returncode, len(blocks) - 1, len(texts),
                        r.stderr[:300]))
        return {t for t, b in zip(texts, blocks)
                if "(check-in checkin scheduled" in b}

    @staticmethod
    def first_question(lab, conv):
        """The first question of the rules' conversation `conv`."""
        with open(os.path.join(lab.rules, "60-conversations.conf"),
                  encoding="utf-8") as f:
            text = f.read()
        m = re.search(r'id = "%s";.*?prompt = "([^"]*)"' % conv, text, re.S)
        if m is None:
            raise Fail("no conversation %s in the rules" % conv)
        return m.group(1)

    @staticmethod
    def classify(lab, texts):
        r = subprocess.run([lab.backtalk, "classify", "--rules", lab.rules],
                           input="\n".join(texts) + "\n", text=True,
                           capture_output=True, timeout=120)
        out = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        if r.returncode != 0 or len(out) != len(texts):
            raise Fail("backtalk classify: status %d, %d of %d lines: %s" %
                       (r.returncode, len(out), len(texts), r.stderr[:300]))
        return dict(zip(texts, out))


# --- checking the outcome -------------------------------------------------


def db_scheduled(path):
    """The check-ins table (schema 7), [dict] by id; [] before it."""
    if not os.path.exists(path):
        return []
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(
            "SELECT * FROM scheduled ORDER BY id")]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise
    finally:
        db.close()


def verify(added, corpus, inbound, outbox, sent, checkin_rows=()):
    """Checks the end state against what was added.

    added: [(id, from, body)] in the order fakegw got them.  Every message
    must have one inbound row with classify's category; STOP/START/HELP
    (sent alone: Corpus) get no reply (Twilio answers them); a message from an opted-out sender
    gets none; every other message gets one outbox row with classify's
    reply, sent (or cancelled because its sender sent STOP before it went
    out), and each sent row is one POST at fakegw.  The plans give no
    sender the same reply twice, so (To, Body) names one inbound message.
    checkin_rows: the ids of outbox rows that are check-ins' questions
    (verify_checkins counts them), left out here with their POSTs.

    Returns (figures, problems)."""
    problems = []
    by_inbound = {}
    checkin_rows = set(checkin_rows)
    outbox = [o for o in outbox if o["id"] not in checkin_rows]
    for row in outbox:
        by_inbound.setdefault(row["inbound_id"], []).append(row)
    posts = {}
    for s in sent:
        if corpus.checkin_prompt is not None and \
                s["body"] == corpus.checkin_prompt:
            continue
        posts.setdefault((s["to"], s["body"]), []).append(s)
    sids = {s["id"]: s for s in sent}
    opted = {}
    later_stop = {}
    for i, (mid, frm, body) in enumerate(added):
        if corpus.info[body]["category"] == "stop":
            for mid2, frm2, _ in added[:i]:
                if frm2 == frm:
                    later_stop[mid2] = True
    f = {"messages": len(added), "replies_expected": 0, "replies_sent": 0,
         "cancelled_by_stop": 0, "opted_out": 0, "compliance": 0,
         "duplicates": 0, "lost": 0, "unexpected": 0, "not_final": 0}
    expected_keys = set()

    def bad(msg):
        if len(problems) < 30:
            problems.append(msg)

    for mid, frm, body in added:
        c = corpus.info[body]
        cat = c["category"]
        row = inbound.get(mid)
        rows = by_inbound.get(mid, [])
        if row is None:
            bad("message %s (%s) was never recorded" % (mid, cat))
            f["lost"] += 1
            continue
        if row["category"] != cat or (row["rule"] or None) != c["rule"]:
            bad("message %s: recorded as %s/%s, classify says %s/%s" %
                (mid, row["category"], row["rule"], cat, c["rule"]))
        is_opted = opted.get(frm, False)
        if cat == "stop":
            opted[frm] = True
        elif cat == "start":
            opted[frm] = False
        if cat in COMPLIANCE or is_opted:
            f["compliance" if cat in COMPLIANCE else "opted_out"] += 1
            if rows:
                bad("message %s (%s%s) has %d outbox rows, wants none" %
                    (mid, cat, ", opted out" if is_opted else "", len(rows)))
            if is_opted and cat not in COMPLIANCE and \
                    row["note"] != "opted out":
                bad("message %s from an opted-out sender: note %r" %
                    (mid, row["note"]))
            continue
        f["replies_expected"] += 1
        if len(rows) != 1:
            bad("message %s (%s) has %d outbox rows, wants 1 (note %r)" %
                (mid, cat, len(rows), row["note"]))
            f["lost"] += 1
            continue
        o = rows[0]
        if o["to_number"] != frm or o["body"] != c["reply"]:
            bad("message %s: outbox row %d is not classify's reply to its "
                "sender" % (mid, o["id"]))
        key = (frm, c["reply"])
        if o["state"] == "sent":
            f["replies_sent"] += 1
            expected_keys.add(key)
            n = len(posts.get(key, []))
            if n == 0:
                f["lost"] += 1
                bad("message %s: outbox row %d is 'sent' (as %s) but "
                    "fakegw never got it" % (mid, o["id"], o["message_id"]))
            elif n > 1:
                f["duplicates"] += n - 1
                bad("message %s: reply sent %d times (outbox row %d, "
                    "attempts %d; fakegw ids %s)" %
                    (mid, n, o["id"], o["attempts"],
                     ", ".join(s["id"] for s in posts[key])))
            if o["message_id"] and o["message_id"] not in sids:
                bad("outbox row %d: message_id %s is not one fakegw gave" %
                    (o["id"], o["message_id"]))
        elif o["state"] == "cancelled" and later_stop.get(mid) and \
                o["error"] == "opted out":
            f["cancelled_by_stop"] += 1
            if posts.get(key):
                f["unexpected"] += len(posts[key])
                bad("message %s: reply cancelled but fakegw got it" % mid)
        elif o["state"] in ("pending", "sending"):
            f["not_final"] += 1
            bad("message %s: outbox row %d still %s (attempts %d, error %r)"
                % (mid, o["id"], o["state"], o["attempts"], o["error"]))
        else:
            f["lost"] += 1
            bad("message %s: outbox row %d is %s (%r)" %
                (mid, o["id"], o["state"], o["error"]))
    for key, ss in posts.items():
        if key not in expected_keys:
            f["unexpected"] += len(ss)
            bad("fakegw got %d POST(s) nobody expected (%s)" %
                (len(ss), ss[0]["id"]))
    for row in outbox:
        if row["state"] not in ("sent", "failed", "cancelled"):
            if not any(row["inbound_id"] == m for m, _, _ in added):
                f["not_final"] += 1
    known = {m for m, _, _ in added}
    extra = [i for i in inbound if i not in known]
    if extra:
        bad("%d inbound rows for messages never added (%s)" %
            (len(extra), extra[0]))
    msg_ids = [o["message_id"] for o in outbox
               if o["state"] == "sent" and o["message_id"]]
    if len(msg_ids) != len(set(msg_ids)):
        bad("two outbox rows recorded as sent with the same message id")
    return f, problems


def verify_checkins(added, corpus, outbox, sent, scheduled, stop_seen):
    """Checks the check-ins against what was added (conversations.checkin
    on, screening off, no quiet hours).  Each report (Corpus.checkins)
    that got a reply has one scheduled row; it was sent once (its outbox
    row 'sent', one POST of the question to its sender) or, when its
    sender sent STOP after it, cancelled (the scheduled row, or its
    question's outbox row, by the opt-out).  Nothing else is scheduled.
    No question is POSTed after its sender's STOP: stop_seen {STOP id: ms}
    is when the harness first saw that STOP recorded (the daemon killed);
    a POST of the question it cancels later than that is one after STOP.
    The plans send nothing after a report but that sender's STOP, START
    and one later message, so no question is ever answered.

    Returns (figures, problems)."""
    problems = []
    prompt = corpus.checkin_prompt
    rows = {o["id"]: o for o in outbox}
    by_inbound = {}
    for sc in scheduled:
        by_inbound.setdefault(sc["inbound_id"], []).append(sc)
    posts = {}
    for s in sent:
        if s["body"] == prompt:
            posts.setdefault(s["to"], []).append(s)
    f = {"due": 0, "sent": 0, "cancelled": 0, "duplicates": 0, "lost": 0,
         "after_stop": 0, "unexpected": 0}
    sent_to = {}

    def bad(msg):
        if len(problems) < 30:
            problems.append(msg)

    opted = {}
    for i, (mid, frm, body) in enumerate(added):
        cat = corpus.info[body]["category"]
        was_opted = opted.get(frm, False)
        if cat == "stop":
            opted[frm] = True
        elif cat == "start":
            opted[frm] = False
        mine = by_inbound.get(mid, [])
        if was_opted or cat in COMPLIANCE or body not in corpus.reports:
            if mine:
                f["unexpected"] += len(mine)
                bad("message %s (%s%s) scheduled %d check-ins, wants none"
                    % (mid, cat, ", opted out" if was_opted else "",
                       len(mine)))
            continue
        f["due"] += 1
        if len(mine) != 1:
            f["lost"] += 1
            bad("report %s scheduled %d check-ins, wants 1" %
                (mid, len(mine)))
            continue
        sc = mine[0]
        stop = next((m for m, frm2, b2 in added[i + 1:] if frm2 == frm and
                     corpus.info[b2]["category"] == "stop"), None)
        o = rows.get(sc["outbox_id"]) if sc["outbox_id"] else None
        if sc["state"] == "sent" and o is not None and o["state"] == "sent":
            f["sent"] += 1
            sent_to[frm] = sent_to.get(frm, 0) + 1
            got = [s for s in posts.get(frm, [])
                   if s["id"] == o["message_id"]]
            if not got:
                f["lost"] += 1
                bad("check-in %d to %s is 'sent' (outbox row %d, as %s) "
                    "but fakegw never got it" %
                    (sc["id"], frm, o["id"], o["message_id"]))
            elif stop is not None and stop in stop_seen and \
                    got[0]["time_ms"] > stop_seen[stop]:
                f["after_stop"] += 1
                bad("check-in %d to %s sent %.0f ms after its STOP %s was "
                    "recorded" % (sc["id"], frm,
                                  got[0]["time_ms"] - stop_seen[stop], stop))
        elif stop is not None and (
                sc["state"] == "cancelled" or
                (o is not None and o["state"] == "cancelled" and
                 o["error"] == "opted out")):
            f["cancelled"] += 1
        else:
            f["lost"] += 1
            bad("check-in %d to %s (report %s): %s, outbox row %s%s" %
                (sc["id"], frm, mid, sc["state"],
                 o["id"] if o else None,
                 " " + o["state"] if o else ""))
    for to, ss in posts.items():
        extra = len(ss) - sent_to.get(to, 0)
        if extra > 0:
            f["duplicates"] += extra
            bad("fakegw got the check-in question %d times for %d sent to "
                "%s (%s)" % (len(ss), sent_to.get(to, 0), to,
                             ", ".join(s["id"] for s in ss)))
    return f, problems


def judge(f, problems, failures):
    """Lists the problems verify() found; adds to failures."""
    for p in problems:
        log("  problem: " + p)
    if f["duplicates"]:
        failures.append("%d duplicate sends" % f["duplicates"])
    if problems:
        failures.append("%d problems (listed above)" % len(problems))


def db_staged(path):
    """Messages fetched but not yet decided (the incoming table of schema
    2; 0 when the schema has none)."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM incoming").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def db_checkin_events(path):
    """(check-ins marked sent, their "started" conversation events): the
    event is written in the transaction that queues the prompt, so the
    two are equal however the daemon was killed."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    try:
        return db.execute(
            "SELECT (SELECT count(*) FROM scheduled WHERE state = 'sent'),"
            " (SELECT count(*) FROM convo_event WHERE checkin = 1"
            "  AND event = 'started')").fetchone()
    finally:
        db.close()


def wait_drained(gw, db_path, n_added, limit_s, alive=None, busy=None):
    """Until every added message is recorded, no reply is pending or
    sending, busy() (when given: other work still to come, such as
    check-ins not yet due) is 0, and fakegw's count of sends has not moved
    for a second.  Returns (seconds taken, done)."""
    t0 = time.time()
    last_total, since = -1, time.time()
    while time.time() - t0 < limit_s:
        if alive is not None and not alive():
            return time.time() - t0, False
        inbound, outbox = db_read(db_path)
        live = [o for o in outbox if o["state"] in ("pending", "sending")]
        total = gw.sent_total()
        if total != last_total:
            last_total, since = total, time.time()
        if len(inbound) >= n_added and not live and \
                time.time() - since >= 1.0 and (busy is None or not busy()):
            return since - t0, True
        time.sleep(0.1)
    return time.time() - t0, False


def log_count(text, needle):
    return sum(1 for line in text.splitlines() if needle in line)


# --- a loopback relay, to take the gateway away without losing its state --


class Relay:
    """TCP relay 127.0.0.1:port -> fakegw.  Modes: "up" forwards; "refuse"
    closes the listener and every open connection (connection refused);
    "blackhole" accepts and never answers (every request times out).
    fakegw has no fault that refuses connections, and stopping it would
    lose its messages and its record of what was sent."""

    def __init__(self, target_port):
        self.target = target_port
        self.mode = "up"
        self.lock = threading.Lock()
        self.conns = []
        self.accepted = 0
        self.port = 0
        self.lsock = None
        self._listen()

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(100):
            try:
                s.bind(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise Fail("relay: cannot listen on port %d again" % self.port)
        s.listen(64)
        self.port = s.getsockname()[1]
        self.lsock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, ls):
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                mode = self.mode
                self.conns.append(c)
            if mode == "refuse":
                self._close(c, reset=True)
                continue
            if mode == "blackhole":
                threading.Thread(target=self._drain, args=(c,),
                                 daemon=True).start()
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.target),
                                             timeout=5)
                u.settimeout(None)
            except OSError:
                self._close(c)
                continue
            with self.lock:
                self.conns.append(u)
            threading.Thread(target=self._pump, args=(c, u),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c),
                             daemon=True).start()

    @staticmethod
    def _close(s, reset=False):
        try:
            if reset:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        except OSError:
            pass

    def _drain(self, c):
        try:
            while c.recv(65536):
                pass
        except OSError:
            pass

    def _pump(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _drop_all(self):
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            self._close(c, reset=True)

    def set(self, mode):
        with self.lock:
            old, self.mode = self.mode, mode
        if mode == old:
            return
        self._drop_all()
        if mode == "refuse":
            # shutdown wakes the thread blocked in accept(); close alone
            # would leave the socket listening until accept returned.
            try:
                self.lsock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._close(self.lsock)
            self.lsock = None
        elif self.lsock is None:
            self._listen()

    def close(self):
        self.set("refuse")


def env_int(name, default):
    v = os.environ.get(name)
    if v is None or v == "":
        return default
    try:
        return int(v)
    except ValueError:
        sys.stderr.write("%s must be an integer\n" % name)
        sys.exit(2)


def rng(seed):
    return random.Random(seed)
