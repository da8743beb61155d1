"""What Twilio answers itself, for the tests that predict the daemon's
replies: a STOP, START or HELP keyword (by the rules' category) sent
alone, one word with at most closing punctuation.  The daemon stays silent
on those with compliance.gateway_handles_keywords on and answers the same
requests in other words (daemon/common/decide.c, decide_bare_keyword).
One definition for e2e.sh and faultlab.py."""

import re

COMPLIANCE = ("stop", "start", "help")

_ALONE = re.compile(r"\s*[A-Za-z]+[.!?]*\s*")


def alone(text):
    """Whether text is one word, with at most closing punctuation."""
    return _ALONE.fullmatch(text) is not None


def twilio_answers(text, category):
    """Whether Twilio answers text (classified as category) itself."""
    return category in COMPLIANCE and alone(text)
