#!/usr/bin/env python3
"""echopeer: peers that answer every reply, against the real backtalkd.

    echopeer.py BUILD_DIR SOURCE_DIR

backtalkd (Twilio driver, the shipped rules, the default guard: 5 replies a
sender an hour, one message a second over all senders, and
gateway_handles_keywords = false so that it answers STOP itself) runs
against tests/fakegw on 127.0.0.1.  For ECHOPEER_SECONDS (default 60) the
test plays these peers, each answering within about 0.1 s of a reply
reaching fakegw:

  echo_tip      texts "my back is sore after squats", then texts back every
                message it gets, word for word;
  echo_urgent   the same, starting with "my leg has gone numb";
  echo_shout    the same, starting with "hi", but texts back "RE: " and the
                message in capitals;
  stop          texts "hello", then answers STOP to every message it gets;
  help          texts "hi", then answers HELP to every message it gets;
  red_repeat    texts "I lost control of my bladder" every second;
  person        texts "my leg has gone numb"; when the reply comes it
                quotes its first sentence and adds "and now I peed myself"
                (a new red flag, which must be answered).

Each peer's count of messages received must equal the bound documented in
docs/reliability.md ("No reply loops"); the test prints the counts.  Python
3 standard library only (faultlab.py).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlab as fl  # noqa: E402

PEERS = {
    # name: (number, first message, expected messages received)
    "echo_tip": ("+15550002001", "my back is sore after squats", 1),
    "echo_urgent": ("+15550002002", "my leg has gone numb", 1),
    "echo_shout": ("+15550002003", "hi", 1),
    "stop": ("+15550002004", "hello", 2),
    "help": ("+15550002005", "hi", 2),
    "red_repeat": ("+15550002006", "I lost control of my bladder", 1),
    "person": ("+15550002007", "my leg has gone numb", 2),
}


def write_config(lab, base_url):
    """faultlab's configuration with the default guard, and backtalkd
    answering STOP, START and HELP itself."""
    conf = fl.write_config(lab, base_url)
    with open(conf) as f:
        text = f.read()
    guard = [line for line in text.splitlines() if line.startswith("guard")]
    if len(guard) != 1:
        raise fl.Fail("faultlab's configuration has no guard line")
    text = text.replace(guard[0], "guard = { replies_per_sender = 5; "
                        "window_s = 3600; send_rate = 1.0; };\n"
                        "compliance = { gateway_handles_keywords = false; };")
    with open(conf, "w") as f:
        f.write(text)
    return conf


def run(lab, failures):
    seconds = fl.env_int("ECHOPEER_SECONDS", 60)
    gw = fl.Fakegw(lab)
    d = fl.Daemon(lab, write_config(lab, gw.base), 1)
    by_number = {v[0]: k for k, v in PEERS.items()}
    got = {k: [] for k in PEERS}
    texted = {k: 0 for k in PEERS}

    def text(name, body):
        gw.add(PEERS[name][0], body)
        texted[name] += 1

    for name, (_, first, _) in PEERS.items():
        text(name, first)
    t0 = time.time()
    seen = 0
    next_repeat = t0 + 1
    while time.time() - t0 < seconds:
        if not d.alive():
            raise fl.Fail("backtalkd exited with status %s" % d.p.returncode)
        sent = gw.ctl("GET", "/sent?offset=%d" % seen)["sent"]
        for m in sent:
            seen = max(seen, m["index"] + 1)
            name = by_number.get(m["to"])
            if name is None:
                failures.append("a reply to %s, who texted nothing" %
                                m["to"])
                continue
            got[name].append(m["body"])
            if name in ("echo_tip", "echo_urgent"):
                text(name, m["body"])
            elif name == "echo_shout":
                text(name, "RE: " + m["body"].upper())
            elif name == "stop":
                text(name, "STOP")
            elif name == "help":
                text(name, "HELP")
            elif name == "person" and len(got[name]) == 1:
                first = m["body"].split(". ")[0]
                text(name, first + " and now I peed myself")
        if time.time() >= next_repeat:
            text("red_repeat", PEERS["red_repeat"][1])
            next_repeat += 1
        time.sleep(0.1)
    # Whatever is still in flight has time to land.
    time.sleep(3)
    for m in gw.ctl("GET", "/sent?offset=%d" % seen)["sent"]:
        name = by_number.get(m["to"])
        if name is not None:
            got[name].append(m["body"])

    fl.log("over %d s, messages each peer texted and received:" % seconds)
    for name, (number, _, want) in PEERS.items():
        n = len(got[name])
        fl.log("  %-12s texted %3d, received %d (bound %d)" %
               (name, texted[name], n, want))
        if n != want:
            failures.append("%s received %d messages, not %d" %
                            (name, n, want))
    # The person's second message, a quoted reply with a new red flag, is
    # answered with the emergency reply.
    if len(got["person"]) == 2 and not got["person"][1].startswith(
            "Call 911"):
        failures.append("the person's new red flag got %r" %
                        got["person"][1][:60])
    if not got["red_repeat"] or not got["red_repeat"][0].startswith(
            "Call 911"):
        failures.append("the first red flag was not answered")
    log = d.log_text()
    for needle, peer in (("echo of our reply", "echo_tip"),
                         ("already opted out", "stop"),
                         ("help already answered", "help"),
                         ("red flag already answered", "red_repeat")):
        fl.log("  log lines \"%s\": %d" % (needle, fl.log_count(log, needle)))
        if fl.log_count(log, needle) == 0:
            failures.append("no \"%s\" in the log (%s)" % (needle, peer))
    status = d.term()
    if status != 0:
        failures.append("backtalkd exited with status %s" % status)


if __name__ == "__main__":
    sys.exit(fl.run_lab("echopeer", sys.argv, run))
