#!/usr/bin/env python3
"""journal: backtalkd's records in the journal carry MESSAGE_ID and fields.

The real backtalkd (Twilio driver) against tests/fakegw on 127.0.0.1, run
as systemd runs it with StandardError=journal: JOURNAL_STREAM names its
stderr (the DEV:INO of the file it gets), and the journal's socket
/run/systemd/journal/socket is this test's.  No journald runs here (nor
in CI), so the test makes its own: it runs itself again inside
`unshare --mount` (with --map-root-user when not root), mounts a tmpfs
over /run there (the host's /run is not touched) and binds a datagram
socket at /run/systemd/journal/socket that reads the journal's native
protocol (KEY=VALUE lines, and KEY, a little-endian 64-bit size, the data
and a newline; a record too large for a datagram comes as a memfd passed
with SCM_RIGHTS, read up to 1 MiB).  libsystemd's sd_journal_sendv is
the real one.

Checked, in three runs:
  1. journal: a start record; a red-flag message gives a record with the
     red-flag MESSAGE_ID, CATEGORY=emergency or urgent and the RULE= that
     `backtalk classify` names; STOP an opt-out record; a message from the
     opted-out number an unanswered record with REASON=opted_out; a tip a
     reply record; each reply a sent record with REPLY_ID and the
     message's INBOUND_ID; a 500 on the list a poll-failed record, on a
     send a send-retry record; SIGHUP a reload record, SIGTERM a stop
     record.  No record holds a sender's whole number or a message's text;
     nothing is written to stderr as lines.
  2. the socket gone (sd_journal_sendv fails): "<N>" lines on stderr.
  3. JOURNAL_STREAM unset: timestamped lines on stderr as before, nothing
     sent to the socket.

When no mount namespace can be made (no unshare, or not allowed) the test
exits 77, which CTest reports as skipped (SKIP_RETURN_CODE).

  journal.py BUILD_DIR SOURCE_DIR

Python 3 standard library only; see faultlab.py.
"""

import array
import ctypes
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import faultlab as fl

SKIP = 77
SOCKET_DIR = "/run/systemd/journal"
SOCKET = SOCKET_DIR + "/socket"
MEMFD_MAX = 1 << 20

# daemon/common/log_ids.h, read by name so that the test follows the header.
IDS = ("START", "STOP", "RELOAD_OK", "RED_FLAG", "OPTOUT", "UNANSWERED",
       "REPLY", "SENT", "SEND_RETRY", "POLL_FAILED")


def skip(why):
    print("SKIP: %s" % why, flush=True)
    sys.exit(SKIP)


def enter_namespace():
    """Runs this script again in a mount namespace of its own with a tmpfs
    on /run; returns only inside it."""
    if os.environ.get("BACKTALK_JOURNAL_NS") == "1":
        # mount(2) itself: mount(8) would write /run/mount/utab on the
        # host's /run before the tmpfs covers it.
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.mount(b"tmpfs", b"/run", b"tmpfs", 0, b"mode=0755") != 0:
            skip("cannot mount a tmpfs on /run in the namespace: %s" %
                 os.strerror(ctypes.get_errno()))
        os.makedirs(SOCKET_DIR)
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        skip("unshare(1) is not installed; the journal test needs a mount "
             "namespace for its own /run/systemd/journal/socket")
    argv = [unshare, "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        argv.insert(1, "--map-root-user")
    probe = subprocess.run(argv + ["true"], capture_output=True)
    if probe.returncode != 0:
        skip("cannot make a mount namespace (%s): %s" % (
            " ".join(argv), probe.stderr.decode(errors="replace").strip()))
    env = dict(os.environ, BACKTALK_JOURNAL_NS="1")
    os.execve(unshare, argv + [sys.executable, os.path.abspath(__file__)] +
              sys.argv[1:], env)


def parse_native(data):
    """The fields of one native-protocol record, as a list of (key, value)
    byte strings; raises ValueError when it is malformed."""
    fields, i = [], 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            raise ValueError("no newline after %r" % data[i:i + 40])
        eq = data.find(b"=", i, nl)
        if eq >= 0:
            fields.append((data[i:eq], data[eq + 1:nl]))
            i = nl + 1
            continue
        key = data[i:nl]
        if nl + 9 > len(data):
            raise ValueError("binary field %r cut short" % key)
        (size,) = struct.unpack("<Q", data[nl + 1:nl + 9])
        start, end = nl + 9, nl + 9 + size
        if end + 1 > len(data) or data[end:end + 1] != b"\n":
            raise ValueError("binary field %r: bad size %d" % (key, size))
        fields.append((key, data[start:end]))
        i = end + 1
    return fields


class Journal:
    """/run/systemd/journal/socket: every record, parsed."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(SOCKET)
        self.sock.settimeout(0.2)
        self.records, self.raw, self.errors = [], [], []
        self.lock = threading.Lock()
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        fdsize = array.array("i").itemsize
        while not self.stop:
            try:
                data, anc, _, _ = self.sock.recvmsg(
                    1 << 17, socket.CMSG_SPACE(4 * fdsize))
            except socket.timeout:
                continue
            except OSError:
                return
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds = array.array("i")
                    fds.frombytes(cdata[:len(cdata) - len(cdata) % fdsize])
                    for fd in fds:
                        try:
                            os.lseek(fd, 0, os.SEEK_SET)
                            data += os.read(fd, MEMFD_MAX)
                        finally:
                            os.close(fd)
            try:
                rec = parse_native(data)
            except ValueError as e:
                self.errors.append(str(e))
                continue
            with self.lock:
                self.raw.append(data)
                self.records.append(rec)

    def close(self):
        self.stop = True
        self.t.join(5)
        self.sock.close()
        os.unlink(SOCKET)

    def snapshot(self):
        """The records so far as dicts (str values; a repeated key keeps
        its last value) and their raw bytes."""
        with self.lock:
            recs = [{k.decode(errors="replace"): v.decode(errors="replace")
                     for k, v in r} for r in self.records]
            return recs, list(self.raw)

    def wait(self, pred, timeout_s, what):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            recs, _ = self.snapshot()
            found = [r for r in recs if pred(r)]
            if found:
                return found
            time.sleep(0.05)
        raise fl.Fail("no journal record %s within %d s" % (what, timeout_s))


def read_ids(lab):
    ids = {}
    with open(os.path.join(lab.src, "daemon", "common", "log_ids.h")) as f:
        for line in f:
            p = line.split()
            if len(p) == 3 and p[0] == "#define" and p[1].startswith(
                    "LOG_ID_"):
                ids[p[1][7:]] = p[2].strip('"')
    for name in IDS:
        if name not in ids:
            raise fl.Fail("LOG_ID_%s is not in daemon/common/log_ids.h" % name)
    return ids


def classify(lab, text):
    out = subprocess.run([lab.backtalk, "classify", "--rules", lab.rules],
                         input=text + "\n", capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.splitlines()[0])


class Run:
    """One daemon with its stderr in its own file."""

    def __init__(self, lab, conf, name, journal_stream):
        self.path = lab.path("stderr-%s.log" % name)
        self.f = open(self.path, "w")
        env = dict(os.environ, CACHE_DIRECTORY=lab.cache)
        env.pop("JOURNAL_STREAM", None)
        if journal_stream:
            st = os.fstat(self.f.fileno())
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
        self.p = fl.spawn([lab.backtalkd, "-c", conf], stdout=self.f,
                          stderr=self.f, env=env)

    def text(self):
        with open(self.path, errors="replace") as f:
            return f.read()

    def wait_text(self, needle, timeout_s):
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if needle in self.text():
                return True
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        return needle in self.text()

    def term(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def check(failures, ok, why):
    if not ok:
        failures.append(why)
    return ok


def run_journal(lab, failures, ids, gw, conf):
    red_from, stop_from, tip_from, tip2_from = ("+15557100001",
                                                "+15557100002",
                                                "+15557100003",
                                                "+15557100005")
    marker = "zqxjmarker"
    red_text = "numb groin and cannot control my bladder since deadlifts " \
        + marker
    tip_text = "how do i brace for squats " + marker
    later_text = "my back hurts after deadlifts " + marker
    red = classify(lab, red_text)
    if red["category"] not in ("emergency", "urgent"):
        raise fl.Fail("the red-flag text classifies as %s" % red["category"])

    j = Journal()
    d = Run(lab, conf, "journal", True)
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["START"], 60, "START")
    gw.add(stop_from, "STOP")
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["OPTOUT"], 30, "OPTOUT")
    gw.add(stop_from, later_text)
    gw.add(red_from, red_text)
    gw.add(tip_from, tip_text)
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["SENT"] and
           r.get("CATEGORY") == "tip", 30, "SENT for the tip")
    # A failed poll, then a failed send (retried).
    gw.faults({"twilio_list": [{"status": 500}]})
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["POLL_FAILED"], 30,
           "POLL_FAILED")
    gw.faults({"twilio_send": [{"status": 500}]})
    gw.add(tip2_from, "what should i eat before lifting " + marker)
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["SEND_RETRY"], 30,
           "SEND_RETRY")
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["SENT"] and
           r.get("ATTEMPT") == "2", 30, "SENT after the retry")
    d.p.send_signal(signal.SIGHUP)
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["RELOAD_OK"], 60,
           "RELOAD_OK")
    rc = d.term()
    check(failures, rc == 0, "journal run: exit status %s" % rc)
    j.wait(lambda r: r.get("MESSAGE_ID") == ids["STOP"], 5, "STOP")
    time.sleep(0.2)
    recs, raw = j.snapshot()
    j.close()
    check(failures, not j.errors, "malformed records: %s" % j.errors[:3])
    fl.log("journal run: %d records" % len(recs))
    for r in recs:
        fl.log("  %s %s" % (
            next((k for k, v in ids.items() if v == r.get("MESSAGE_ID")),
                 "-"),
            " ".join("%s=%s" % (k, v) for k, v in r.items()
                     if k not in ("MESSAGE_ID", "SYSLOG_IDENTIFIER"))))

    def find(name, **want):
        return [r for r in recs if r.get("MESSAGE_ID") == ids[name] and
                all(r.get(k) == v for k, v in want.items())]

    for r in recs:
        check(failures, r.get("SYSLOG_IDENTIFIER") == "backtalkd" and
              r.get("PRIORITY", "").isdigit() and "MESSAGE" in r,
              "record without PRIORITY, SYSLOG_IDENTIFIER or MESSAGE: %s" % r)
    reds = find("RED_FLAG", RULE=red["rule"])
    if check(failures, len(reds) == 1,
             "%d red-flag records with RULE=%s" % (len(reds), red["rule"])):
        r = reds[0]
        check(failures, r.get("CATEGORY") == red["category"] and
              r.get("CATEGORY") in ("emergency", "urgent"),
              "red-flag record: CATEGORY=%s" % r.get("CATEGORY"))
        check(failures, r.get("ACTION") == "reply" and "REASON" not in r,
              "red-flag record: ACTION=%s REASON=%s" % (
                  r.get("ACTION"), r.get("REASON")))
        check(failures, r.get("FROM") == "+1******0001",
              "red-flag record: FROM=%s" % r.get("FROM"))
        sent = find("SENT", INBOUND_ID=r.get("INBOUND_ID", "?"))
        check(failures, len(sent) == 1 and
              sent[0].get("CATEGORY") == red["category"] and
              sent[0].get("REPLY_ID", "").isdigit(),
              "no SENT record for the red flag's INBOUND_ID: %s" % sent)
    check(failures, len(find("OPTOUT", CATEGORY="stop", OPTOUT="out")) == 1,
          "no OPTOUT record with CATEGORY=stop, OPTOUT=out")
    un = find("UNANSWERED", REASON="opted_out")
    check(failures, len(un) == 1 and un[0].get("ACTION") == "none" and
          un[0].get("FROM") == "+1******0002" and
          un[0].get("REASON_TEXT") == "opted out",
          "no UNANSWERED record with REASON=opted_out: %s" % un)
    check(failures, len(find("REPLY", CATEGORY="tip", ACTION="reply")) == 2,
          "not two REPLY records for the tips")
    pf = find("POLL_FAILED", GATEWAY="twilio", HTTP_STATUS="500")
    check(failures, len(pf) >= 1 and "ERROR" in pf[0] and
          pf[0].get("PRIORITY") == "4", "POLL_FAILED record: %s" % pf)
    sr = find("SEND_RETRY", HTTP_STATUS="500", ATTEMPT="1")
    check(failures, len(sr) == 1 and sr[0].get("TO") == "+1******0005" and
          "RETRY_IN_S" in sr[0], "SEND_RETRY record: %s" % sr)
    check(failures, len(find("RELOAD_OK")) == 1 and
          len(find("START", GATEWAY="twilio")) == 1 and
          len(find("STOP")) == 1, "START, RELOAD_OK and STOP: one each")
    # Privacy: no whole number (with or without "+"), no message text.
    blob = b"\n".join(raw)
    numbers = (red_from, stop_from, tip_from, tip2_from)
    for secret in numbers + tuple(n[1:] for n in numbers) + (
            marker, red_text[:30], fl.TOKEN):
        check(failures, secret.encode() not in blob,
              "a record holds %r" % secret)
    check(failures, not any(k == "BODY" for r in recs for k in r),
          "a BODY field without -d")
    # Everything went to the journal, nothing to stderr as lines.
    text = d.text()
    check(failures, "inbound" not in text and "<6>" not in text,
          "journal run: lines on stderr: %r" % text[:300])


def run_fallback(lab, failures, conf):
    """JOURNAL_STREAM right, but no socket: "<N>" lines."""
    d = Run(lab, conf, "fallback", True)
    ok = d.wait_text("<5>started:", 60)
    check(failures, ok, "fallback run: no \"<5>started:\" line: %r" %
          d.text()[:300])
    d.term()
    check(failures, "<5>stopping" in d.text(),
          "fallback run: no \"<5>stopping\" line")


def run_lines(lab, failures, ids, gw, conf):
    """JOURNAL_STREAM unset: lines with times, nothing to the journal."""
    j = Journal()
    d = Run(lab, conf, "lines", False)
    gw.add("+15557100004", "how do i brace for squats")
    ok = d.wait_text("tip/form rule=", 60)
    rc = d.term()
    recs, _ = j.snapshot()
    j.close()
    text = d.text()
    check(failures, ok and " backtalkd[%d]: info: inbound " % d.p.pid in text
          and "+1******0004" in text,
          "lines run: no timestamped inbound line: %r" % text[:300])
    check(failures, not text.startswith("<"), "lines run: \"<N>\" prefixes")
    check(failures, rc == 0, "lines run: exit status %s" % rc)
    check(failures, not recs, "lines run: %d records sent to the journal "
          "with JOURNAL_STREAM unset" % len(recs))


def run(lab, failures):
    ids = read_ids(lab)
    gw = fl.Fakegw(lab)
    conf = fl.write_config(lab, gw.base, poll_ms=200)
    run_journal(lab, failures, ids, gw, conf)
    run_fallback(lab, failures, conf)
    run_lines(lab, failures, ids, gw, conf)


if __name__ == "__main__":
    enter_namespace()
    sys.exit(fl.run_lab("journal", sys.argv, run))
