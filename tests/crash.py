#!/usr/bin/env python3
"""crash.py: kill -9 backtalkd at random points, many times, and check that
nothing was lost or answered twice.

    crash.py BUILD_DIR SOURCE_DIR

The real backtalkd (Twilio driver) runs against tests/fakegw while inbound
messages keep arriving (many senders, some of them sending STOP and START
between messages, some HELP).  It is killed with SIGKILL CRASH_KILLS times
(default 60) and started again: one kill in five lands during start-up (3
ms up to its usual first poll, log-uniform), the others 1 to 400 ms
(log-uniform) after its first poll in that run: mid-poll, mid-record,
between marking replies "sending" and the gateway's answer, between the
answer and its record.  Slow gateway answers (fakegw delay faults on the
list and the send) widen those windows.  A last clean run drains
everything and is stopped with SIGTERM.  It prints where each kill landed
(from fakegw's request log and the database left behind).

Then every message fakegw holds must have one inbound row with the
decision `backtalk classify` gives; every reply due must have been sent,
once (a second POST with the same To and Body is a duplicate: the plans
never give one sender the same reply twice); every outbox row must be
sent, failed or cancelled.

Check-ins are on (conversations.checkin, checkin_delay_s CRASH_CHECKIN_S,
no quiet hours) and screening questions off: a report of back pain
(Corpus.checkins) schedules a check-in that falls due a few seconds later,
while the kills go on.  Every check-in due must have been sent once, or
cancelled by its sender's later STOP, and never sent after that STOP was
recorded (faultlab.verify_checkins).  The crash model does not play
conversations: a sender who sent a report sends nothing more but its
STOP, START and one message (the STOP/START senders), so no check-in
question is ever answered and every later message is predicted as before.

Environment:
  CRASH_SEED        the random seed (printed; default 20251124)
  CRASH_KILLS       kills (default 60)
  CRASH_LIMIT_S     hard limit for the whole run (default 150)
  CRASH_RESTART_MS  pause between a kill and the next start, in ms
                    (default 250: longer than the slowest answer the test
                    injects, as a supervisor's restart delay is; 0 restarts
                    at once: see tests/README.md, "crash_fast_restart")
  CRASH_MAX_SEND_DELAY_MS  the slowest send answer injected (default 200)
  CRASH_CHECKIN_S   a check-in's delay after its report, in seconds
                    (default 3; 0 turns check-ins off)

Exit status: 0 passed, 1 failed (the work directory is kept), 2 usage.
"""

import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlab as fl  # noqa: E402


def plan_messages(r, corpus, kills):
    """Messages to add, by cycle: {cycle: [(from, body)]}, in the order
    they must reach fakegw.  Cycle `kills` is the clean run at the end."""
    per = {k: [] for k in range(kills + 1)}
    n = 0

    def number():
        nonlocal n
        n += 1
        return "+1555%07d" % (2000000 + n)

    def two_replies():
        while True:
            a, c = r.sample(corpus.replying, 2)
            if corpus.info[a]["reply"] != corpus.info[c]["reply"]:
                return a, c

    # Plain senders: a few messages a cycle, each from a new number; one in
    # eight writes again later with a message that has another reply,
    # unless the first was a report (a check-in's question then waits:
    # nothing follows it).
    for k in range(kills):
        for _ in range(r.randint(2, 5)):
            frm = number()
            if r.random() < 0.04 and corpus.helps:
                per[k].append((frm, r.choice(corpus.helps)))
                continue
            a, c = two_replies()
            per[k].append((frm, a))
            if r.random() < 0.125 and a not in corpus.reports:
                per[min(kills, k + r.randint(1, 6))].append((frm, c))
    # STOP/START senders: a message, STOP, a message (no reply: opted
    # out), START, a message, each a few cycles after the one before.  With
    # check-ins, half of them start with a report, whose check-in is due
    # before or after the STOP.
    for i in range(max(4, kills // 6)):
        frm = number()
        a, c = two_replies()
        if corpus.reports and i % 2 == 0:
            a = r.choice(sorted(corpus.reports))
            while corpus.info[c]["reply"] == corpus.info[a]["reply"]:
                c = r.choice(corpus.replying)
        script = [a, r.choice(corpus.stops), r.choice(corpus.replying),
                  r.choice(corpus.starts), c]
        k = r.randint(0, max(0, kills - 16))
        for body in script:
            per[min(kills, k)].append((frm, body))
            k += r.randint(1, 4)
    # No sender has two messages in one cycle, so shuffling keeps each
    # sender's order.
    for k in per:
        r.shuffle(per[k])
    return per


def kill_phase(run, reqs):
    """Where a kill landed, from fakegw's record of requests and the state
    the database was left in."""
    t0, tk, after = run["start"], run["kill"], run["after"]
    mine = [q for q in reqs if t0 <= q["time_ms"] - q["ms"] < tk]
    inflight = [q for q in mine if q["time_ms"] > tk]
    answered = [q for q in mine if q["endpoint"] == "twilio_send" and
                q["time_ms"] <= tk]
    if any(q["endpoint"] == "twilio_send" for q in inflight):
        return "send in flight (marked 'sending', no answer yet)"
    if after["new_sending"]:
        if answered:
            return "send answered, outcome not yet recorded"
        return "marked 'sending', request not yet sent"
    if any(q["endpoint"] == "twilio_list" for q in inflight):
        return "poll in flight"
    lists = [q for q in mine if q["endpoint"] == "twilio_list"]
    if not lists:
        return "start-up (before the first poll)"
    last = max(q["time_ms"] - q["ms"] for q in lists)
    listed = [m for m, t in run["known"] if t < last - 1]
    if any(m not in after["inbound"] for m in listed):
        return "recording a poll (fetched, not all decided)"
    if after["pending"]:
        return "replies recorded, not all sent"
    return "between polls"


def main():
    lab = fl.Lab("crash", sys.argv)
    seed = fl.env_int("CRASH_SEED", 20251124)
    kills = fl.env_int("CRASH_KILLS", 60)
    limit = fl.env_int("CRASH_LIMIT_S", 150)
    gap_ms = fl.env_int("CRASH_RESTART_MS", 250)
    max_send_delay = fl.env_int("CRASH_MAX_SEND_DELAY_MS", 200)
    checkin_s = fl.env_int("CRASH_CHECKIN_S", 3)
    fl.log("crash: seed %d (CRASH_SEED=%d to repeat), %d kills, restart "
           "after %d ms, send answers up to %d ms late, check-ins %s, "
           "work %s" %
           (seed, seed, kills, gap_ms, max_send_delay,
            "%d s after a report" % checkin_s if checkin_s else "off",
            lab.work))
    failures = []
    try:
        failures = run(lab, seed, kills, limit, gap_ms, max_send_delay,
                       checkin_s)
    except fl.Fail as e:
        failures = [str(e)]
    return lab.finish(failures)


def run(lab, seed, kills, limit, gap_ms, max_send_delay, checkin_s):
    r = fl.rng(seed)
    corpus = fl.Corpus(lab)
    extra = ""
    if checkin_s:
        corpus.checkins(lab)
        extra = ('conversations = { screening = false; checkin = true; '
                 'checkin_delay_s = %d; quiet_hours = "none"; };' %
                 checkin_s)
    plan = plan_messages(r, corpus, kills)
    gw = fl.Fakegw(lab)
    conf = fl.write_config(lab, gw.base, poll_ms=200, timeout_ms=2000,
                           extra=extra)
    db = lab.path("state.db")
    stop_seen = {}  # STOP id: when the harness first saw it recorded
    added = []  # (id, from, body), in fakegw's order
    known = []  # (id, time added in ms)

    def add(batch):
        for frm, body in batch:
            mid = gw.add(frm, body)
            added.append((mid, frm, body))
            known.append((mid, fl.now_ms()))

    # The first start compiles the prefilter database into the cache;
    # then a few starts with the cache are timed to their first poll.
    warm = []
    for i in range(4):
        d = fl.Daemon(lab, conf, 0)
        q = gw.wait_request("twilio_list", d.t_start, 60 if i == 0 else 20)
        if q is None:
            raise fl.Fail("backtalkd did not poll after its start: %s" %
                          d.log_text()[-500:])
        warm.append(q["time_ms"] - q["ms"] - d.t_start)
        d.kill()
    startup_ms = max(5.0, sorted(warm[1:])[1])
    fl.log("first poll %.0f ms (median of 3) after a start with a warm "
           "cache; one kill in five lands 3 to %.0f ms after the start, "
           "the rest 1 to 400 ms (log-uniform) after the first poll" %
           (startup_ms, startup_ms))

    runs = []
    sending_before = set()
    t_begin = time.time()
    for k in range(kills):
        if time.time() - lab.t0 > limit * 0.7:
            raise fl.Fail("time limit: only %d of %d kills in %.0f s" %
                          (k, kills, time.time() - lab.t0))
        batch = plan[k]
        split = r.randint(0, len(batch))
        # Slow answers: a kill is then more likely to land while a request
        # is in flight.
        pending = gw.pending_faults()
        faults = {}
        if r.random() < 0.35 and not pending.get("twilio_send"):
            faults["twilio_send"] = [
                {"delay_ms": r.randint(30, max_send_delay)}
                for _ in range(r.randint(1, 3))]
        if r.random() < 0.2 and not pending.get("twilio_list"):
            faults["twilio_list"] = [{"delay_ms": r.randint(20, 200)}]
        if faults:
            gw.faults(faults)
        add(batch[:split])  # arrived while it was down
        d = fl.Daemon(lab, conf, k + 1)
        run_ = {"start": d.t_start, "known": list(known)}
        if r.random() < 0.2:
            # During start-up, or just as it first polls.
            delay = math.exp(r.uniform(math.log(3), math.log(startup_ms)))
            time.sleep(r.uniform(0, delay) / 1000)
            add(batch[split:])  # arrives while it runs
            rest = delay - (fl.now_ms() - d.t_start)
            if rest > 0:
                time.sleep(rest / 1000)
        else:
            # After its first poll: recording, sending, polling again.
            late = r.random() < 0.5
            if not late:
                add(batch[split:])
            if gw.wait_request("twilio_list", d.t_start, 20) is None:
                raise fl.Fail("backtalkd did not poll in run %d: %s" %
                              (k + 1, d.log_text()[-500:]))
            if late:
                add(batch[split:])
            time.sleep(math.exp(r.uniform(0, math.log(400))) / 1000)
        run_["kill"] = fl.now_ms()
        run_["delay"] = run_["kill"] - run_["start"]
        run_["pid"] = d.pid
        if not d.alive():
            raise fl.Fail("backtalkd exited by itself in run %d: %s" %
                          (k + 1, d.log_text()[-500:]))
        d.kill()
        inbound, outbox = fl.db_read(db)
        seen = fl.now_ms()
        for mid, row in inbound.items():
            if row["category"] == "stop" and mid not in stop_seen:
                stop_seen[mid] = seen
        sending = {o["id"] for o in outbox if o["state"] == "sending"}
        run_["after"] = {
            "inbound": set(inbound),
            "new_sending": sending - sending_before,
            "pending": [o["id"] for o in outbox if o["state"] == "pending"],
        }
        sending_before = sending
        runs.append(run_)
        if gap_ms:
            time.sleep(r.uniform(gap_ms, 1.5 * gap_ms) / 1000)
    cycles_s = time.time() - t_begin

    # The clean run: whatever is left arrives, everything drains.
    add(plan[kills])
    d = fl.Daemon(lab, conf, kills + 1)
    # Check-ins fall due up to checkin_s after the last report.
    def checkins_live():
        return sum(1 for sc in fl.db_scheduled(db)
                   if sc["state"] in ("pending", "claimed"))

    drain_s, done = fl.wait_drained(gw, db, len(added), 40 + checkin_s,
                                    d.alive, checkins_live)
    status = d.term()
    failures = []
    if not done:
        failures.append("the clean run did not drain within 40 s")
    if status != 0:
        failures.append("backtalkd exited with status %s after SIGTERM" %
                        status)

    inbound, outbox = fl.db_read(db)
    sent = gw.sent()
    with open(lab.path("runs.json"), "w") as rf:
        json.dump([{k: v for k, v in x.items() if k in
                    ("pid", "start", "delay", "kill")} for x in runs], rf,
                  indent=0)
    scheduled = fl.db_scheduled(db)
    checkin_rows = {sc["outbox_id"] for sc in scheduled if sc["outbox_id"]}
    f, problems = fl.verify(added, corpus, inbound, outbox, sent,
                            checkin_rows)
    fc, cproblems = fl.verify_checkins(added, corpus, outbox, sent,
                                       scheduled, stop_seen)
    if checkin_s:
        problems += cproblems
    staged = fl.db_staged(db)
    if staged:
        problems.append("%d messages still staged, never decided" % staged)
    with open(lab.path("daemon.log"), errors="replace") as lf:
        text = lf.read()
    found = fl.log_count(text, "found at the gateway as")
    unsure = fl.log_count(text, "the gateway cannot tell whether")
    reqs = gw.requests_log()
    phases = {}
    for run_ in runs:
        p = kill_phase(run_, reqs)
        phases[p] = phases.get(p, 0) + 1
    first_poll = []
    for run_ in runs:
        starts = [q["time_ms"] - q["ms"] for q in reqs
                  if q["endpoint"] == "twilio_list" and
                  run_["start"] <= q["time_ms"] - q["ms"] < run_["kill"]]
        if starts:
            first_poll.append(min(starts) - run_["start"])
    first_poll.sort()
    left_sending = sum(len(x["after"]["new_sending"]) for x in runs)
    lookups = sum(1 for q in reqs if q["endpoint"] == "twilio_list" and
                  (q.get("query") or {}).get("To") != fl.OURS)
    delays = sorted(x["delay"] for x in runs)

    fl.log("")
    fl.log("kills: %d in %.1f s (delays %.0f to %.0f ms, median %.0f ms)" %
           (len(runs), cycles_s, delays[0], delays[-1],
            delays[len(delays) // 2]))
    if first_poll:
        fl.log("first poll %.0f to %.0f ms after the start (median %.0f ms)"
               % (first_poll[0], first_poll[-1],
                  first_poll[len(first_poll) // 2]))
    for p, n in sorted(phases.items(), key=lambda x: -x[1]):
        fl.log("  %3d  %s" % (n, p))
    fl.log("messages: %d from %d senders (%d STOP/START/HELP, %d from "
           "opted-out senders)" %
           (f["messages"], len({frm for _, frm, _ in added}),
            f["compliance"], f["opted_out"]))
    fl.log("replies: %d due, %d sent, %d cancelled by a later STOP; "
           "fakegw got %d POSTs" %
           (f["replies_expected"], f["replies_sent"], f["cancelled_by_stop"],
            len(sent)))
    fl.log("rows left 'sending' by a kill: %d; reconciliation: %d lookups "
           "at the gateway; in the log %d found (not sent again), %d the "
           "gateway could not tell" % (left_sending, lookups, found, unsure))
    fl.log("duplicates: %d   lost: %d   unexpected sends: %d   not final: "
           "%d" % (f["duplicates"], f["lost"], f["unexpected"],
                   f["not_final"]))
    if checkin_s:
        fl.log("check-ins: %d due, %d sent, %d cancelled; duplicates %d, "
               "lost %d" % (fc["due"], fc["sent"], fc["cancelled"],
                            fc["duplicates"], fc["lost"]))
        marked, started = fl.db_checkin_events(db)
        fl.log("check-in events: %d marked sent, %d recorded as started" %
               (marked, started))
        if marked != started:
            failures.append("check-in events: %d sent but %d started "
                            "recorded" % (marked, started))
        if fc["after_stop"] or fc["unexpected"]:
            fl.log("check-ins sent after STOP: %d; scheduled unexpectedly: "
                   "%d" % (fc["after_stop"], fc["unexpected"]))
        if fc["duplicates"] or fc["lost"] or fc["after_stop"] or \
                fc["unexpected"] or not fc["due"]:
            failures.append("check-ins: %d duplicates, %d lost, %d after "
                            "STOP, %d unexpected, %d due" %
                            (fc["duplicates"], fc["lost"], fc["after_stop"],
                             fc["unexpected"], fc["due"]))
    fl.log("clean run drained in %.1f s" % drain_s)
    fl.judge(f, problems, failures)
    return failures


if __name__ == "__main__":
    sys.exit(main())
