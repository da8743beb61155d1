#!/usr/bin/env bash
# Conformance: the real backtalkd against Prism (@stoplight/prism-cli, pinned
# in tests/prism/package.json) mocking Twilio's own OpenAPI description of
# the 2010-04-01 API, everything on 127.0.0.1.  Prism checks every request
# against the spec (path and AccountSid pattern, Basic auth, query parameter
# types and bounds, form body and its required fields) and answers a bad one
# with 4xx; this test fails on any such rejection.
#
#   conformance.sh BUILD_DIR SOURCE_DIR
#
# Exit 0 when every request passed, 1 when Prism rejected one (or none came)
# or is not installed (scripts/deps.sh installs it).
#
# Between backtalkd and Prism sits a small forwarding proxy (Python, below).
# It passes each request on unchanged (method, path and query, headers in
# their order, body), so Prism validates what backtalkd sent, and it records
# what went through.  It changes one thing in
# the answers: Prism's example Messages list (readFullPage1) holds one
# inbound message, but from 2019, so the daemon would call it too old and
# never reply; the proxy dates the inbound messages of a list "now", and the
# daemon answers one with Create Message, which Prism then validates too.
#
# Prism's examples use the account ACaaaa...; the daemon is configured with
# that SID so that it follows the example's next_page_uri (it only follows
# links under its own account's Messages list).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: conformance.sh BUILD_DIR SOURCE_DIR" >&2
	exit 2
fi
BUILD=$1
SRC=$2
BACKTALKD=$BUILD/daemon/backtalkd
PRISM=$SRC/tests/prism/node_modules/.bin/prism
# The whole spec, as the issue asks: Prism loads its 1.9 MB in 3 to 6 s.
SPEC=$SRC/tests/data/twilio_api_v2010.json
SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
OURS=+15005550006
RUN_SECONDS=${PRISM_RUN_SECONDS:-8}
START_SECONDS=40 # for Prism to load the spec and listen

if ! command -v node >/dev/null || [ ! -x "$PRISM" ]; then
	echo "FAIL: prism is not installed (scripts/deps.sh runs" \
		"npm ci --prefix tests/prism)"
	exit 1
fi
for f in "$BACKTALKD" "$SPEC"; do
	[ -e "$f" ] || {
		echo "FAIL: $f is missing"
		exit 1
	}
done

WORK=$(mktemp -d /tmp/backtalk-prism.XXXXXX)
export BACKTALK_CACHE_DIR=$WORK/cache
PRISM_PID='' PROXY_PID='' DAEMON_PID=''
failed=0

stop() { # stop PID: TERM, then KILL after 2 s
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 20); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	# Not waited for yet, so the id cannot have been reused.
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	stop "$DAEMON_PID"
	stop "$PROXY_PID"
	stop "$PRISM_PID"
	if [ "$failed" -eq 0 ]; then
		rm -rf "$WORK"
	else
		echo "kept $WORK"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
	echo "FAIL: $*"
	failed=1
}

# --- Prism and the proxy --------------------------------------------------

# Prism on port 0 says which port it took: "Prism is listening on URL".
"$PRISM" mock -h 127.0.0.1 -p 0 "$SPEC" >"$WORK/prism.log" 2>&1 &
PRISM_PID=$!
started=$(date +%s%3N)

cat >"$WORK/proxy.py" <<'PY'
# proxy.py PORT_FILE PRISM_PORT_FILE LOG_FILE: listens on a free port of
# 127.0.0.1, written to PORT_FILE, and forwards every request to Prism on
# 127.0.0.1:PRISM_PORT (read from PRISM_PORT_FILE at the first request).
import http.client, http.server, json, os, sys, time

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
       "date", "server"}
log = open(sys.argv[3], "a", buffering=1)
prism_port = None


def freshen(body):
    """Dates the inbound messages of a Messages list now; returns the new
    body and how many it changed."""
    try:
        doc = json.loads(body)
    except ValueError:
        return body, 0
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        return body, 0
    now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
    n = 0
    for m in doc["messages"]:
        if isinstance(m, dict) and m.get("direction") == "inbound":
            for k in ("date_created", "date_sent", "date_updated"):
                m[k] = now
            n += 1
    return json.dumps(doc).encode(), n


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        global prism_port
        if prism_port is None:
            with open(sys.argv[2]) as f:
                prism_port = int(f.read())
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_error(501, "chunked request bodies are not forwarded")
            return
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else None
        conn = http.client.HTTPConnection("127.0.0.1", prism_port, timeout=20)
        try:
            conn.putrequest(self.command, self.path, skip_host=True,
                            skip_accept_encoding=True)
            for k, v in self.headers.items():
                conn.putheader(k, v)
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        fresh = 0
        if self.command == "GET" and r.status == 200:
            data, fresh = freshen(data)
        log.write("%s\t%s\t%d\t%s\t%d\n" % (
            self.command, self.path, r.status,
            self.headers.get("Content-Type", "-"), fresh))
        if r.status >= 300:
            log.write("  answer: %s\n" % data[:600].decode("utf-8", "replace"))
        self.send_response_only(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = forward


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
srv.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
PY
: >"$WORK/requests.tsv"
python3 "$WORK/proxy.py" "$WORK/proxy.port" "$WORK/prism.port" \
	"$WORK/requests.tsv" 2>"$WORK/proxy.err" &
PROXY_PID=$!

# (Not `prism --version`: that loads all of Prism, 2 s.)
PRISM_VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
	"$SRC/tests/prism/node_modules/@stoplight/prism-cli/package.json")
echo "prism ${PRISM_VERSION:-?}, node $(node --version), spec ${SPEC##*/}"

LISTENING='.*Prism is listening on http://127\.0\.0\.1:\([0-9]*\).*'
PRISM_PORT=
for _ in $(seq $((START_SECONDS * 10))); do
	PRISM_PORT=$(sed -n "s|$LISTENING|\\1|p" "$WORK/prism.log" | head -n 1)
	[ -n "$PRISM_PORT" ] && break
	kill -0 "$PRISM_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$PRISM_PORT" ]; then
	fail "Prism did not listen on 127.0.0.1 within ${START_SECONDS} s"
	tail -n 20 "$WORK/prism.log" | sed 's/^/  prism: /'
	exit 1
fi
echo "$PRISM_PORT" >"$WORK/prism.port"
echo "prism listening on 127.0.0.1:$PRISM_PORT after" \
	"$(($(date +%s%3N) - started)) ms"
# From here on Prism's log holds only what the daemon's requests caused.
LOG_FROM=$(($(wc -l <"$WORK/prism.log") + 1))

for _ in $(seq 100); do
	[ -s "$WORK/proxy.port" ] && break
	kill -0 "$PROXY_PID" 2>/dev/null || break
	sleep 0.1
done
if [ ! -s "$WORK/proxy.port" ]; then
	fail "the forwarding proxy did not start"
	sed 's/^/  proxy: /' "$WORK/proxy.err"
	exit 1
fi
PROXY_PORT=$(cat "$WORK/proxy.port")

# --- backtalkd ------------------------------------------------------------

printf '%s' 'prism-conformance-token-not-secret' >"$WORK/token"
chmod 600 "$WORK/token"
cat >"$WORK/backtalk.conf" <<CONF
gateway = { driver = "twilio"; };
twilio = {
  base_url = "http://127.0.0.1:$PROXY_PORT";
  account_sid = "$SID";
  auth_token_file = "$WORK/token";
  number = "$OURS";
};
# Three pages of Prism's endless example list per poll are enough.
http = {
  connect_timeout_ms = 1000;
  timeout_ms = 5000;
  max_pages_per_poll = 3;
};
rules = "$SRC/rules";
state = "$WORK/state.db";
poll_interval_ms = 500;
log = { level = "info"; };
CONF

"$BACKTALKD" -c "$WORK/backtalk.conf" >"$WORK/daemon.out" 2>"$WORK/daemon.log" &
DAEMON_PID=$!
sleep "$RUN_SECONDS"
if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
	fail "backtalkd exited early"
fi
stop "$DAEMON_PID"
DAEMON_PID=

# --- verdict --------------------------------------------------------------

tail -n +"$LOG_FROM" "$WORK/prism.log" | sed 's/\x1b\[[0-9;]*m//g' \
	>"$WORK/prism-requests.log"
total=$(grep -c $'^[A-Z]*\t' "$WORK/requests.tsv" || true)
lists=$(grep -c $'^GET\t/2010-04-01/Accounts/[^/]*/Messages\\.json[?\t]' \
	"$WORK/requests.tsv" || true)
pages=$(grep -c $'^GET\t[^\t]*[?&]PageToken=' "$WORK/requests.tsv" || true)
creates=$(grep -c $'^POST\t/2010-04-01/Accounts/[^/]*/Messages\\.json\t' \
	"$WORK/requests.tsv" || true)
received=$(grep -c 'Request received' "$WORK/prism-requests.log" || true)
echo "requests: $total through the proxy, $received received by Prism:" \
	"$lists GET list ($pages of them next pages), $creates POST create"

if [ "$total" -eq 0 ] || [ "$received" -eq 0 ]; then
	fail "no request reached Prism"
fi
# Prism's request validation: "Request did not pass the validation rules"
# followed by the violations, then "Request terminated with error" when it
# answers 4xx.  Its "Violation: response..." lines are about its own example
# answers (e.g. relative next_page_uri against format "uri"): not ours.
REJECTED='did not pass the validation|Request terminated with error'
REJECTED+='|\[VALIDATOR\].*(error|warning)'
if grep -E "$REJECTED" "$WORK/prism-requests.log" |
	grep -v 'Violation: response\.' >"$WORK/violations"; then
	fail "Prism rejected requests:"
	sed 's/^\[[^]]*\] › *//' "$WORK/violations" | sort | uniq -c |
		sort -rn | head -n 20 | sed 's/^/  /'
fi
if awk -F'\t' 'NF >= 3 && $3 !~ /^2/ { bad = 1 } END { exit !bad }' \
	"$WORK/requests.tsv"; then
	fail "Prism answered non-2xx:"
	# Each such line is followed by the start of Prism's answer.
	awk -F'\t' 'NF >= 3 && $3 !~ /^2/ {
		print "  " $1 " " $2 " -> " $3
		if ((getline line) > 0) print "  " line
	}' "$WORK/requests.tsv" | head -n 20
fi
if grep -E 'HTTP 4[0-9][0-9]' "$WORK/daemon.log" >"$WORK/daemon-4xx"; then
	fail "backtalkd logged 4xx answers:"
	head -n 10 "$WORK/daemon-4xx" | sed 's/^/  log: /'
fi
if [ "$creates" -eq 0 ] && [ "$failed" -eq 0 ]; then
	fail "backtalkd sent no reply to the example's inbound message," \
		"so Create Message was not checked"
	tail -n 10 "$WORK/daemon.log" | sed 's/^/  log: /'
fi
if [ "$failed" -ne 0 ]; then
	echo "prism_conformance: FAILED"
	exit 1
fi
echo "prism_conformance: passed (Prism accepted all $total requests)"
