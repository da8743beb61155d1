#!/usr/bin/env bash
# End-to-end tests: the real backtalkd against the fake gateway on 127.0.0.1.
#   e2e.sh BUILD_DIR SOURCE_DIR [CASE ...]
# Cases: twilio_basic optout admin restart kill9 faults reload infobip
# infobip_kill9 infobip_optout metrics paging_loop sender_ids metrics_slow second_daemon
# state_perms priority clock_back clock_ahead poison_twilio poison_infobip
# spool_infobip privacy conv_screening conv_redflag conv_stop conv_expired
# conv_checkin conv_checkin_stale conv_quiet conv_checkin_reload
# conv_outcomes conv_yes.
# Every wait is bounded; a case prints "ok CASE" or
# "FAIL CASE: why".
set -uo pipefail
BUILD=$1
SRC=$2
# The inline Python below shares tests/twilio_keywords.py.
export PYTHONPATH="$SRC/tests${PYTHONPATH:+:$PYTHONPATH}"
shift 2
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(twilio_basic optout admin restart kill9 faults reload infobip infobip_kill9 infobip_optout metrics
	paging_loop sender_ids metrics_slow second_daemon state_perms priority clock_back
	clock_ahead poison_twilio poison_infobip spool_infobip privacy)

BACKTALKD=$BUILD/daemon/backtalkd
BACKTALK=$BUILD/daemon/backtalk
FAKEGW=$BUILD/tests/fakegw
SID=AC0123456789abcdef0123456789abcdef
TOKEN=e2e-test-token-not-secret
IBKEY=e2e-infobip-key
OURS=+15550001000
WORK=$(mktemp -d /tmp/backtalk-e2e.XXXXXX)
export BACKTALK_CACHE_DIR=$WORK/cache
FGPID= DPID=
passed=0 failed=0

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$FGPID" ] && kill "$FGPID" 2>/dev/null
	wait 2>/dev/null
	if [ "$failed" -eq 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

fail() {
	echo "FAIL $CASE: $*"
	[ -f "$WORK/daemon.log" ] && tail -n 20 "$WORK/daemon.log" | sed 's/^/  log: /'
	failed=$((failed + 1))
	return 1
}

start_fakegw() {
	rm -f "$WORK/port"
	"$FAKEGW" --port 0 --port-file "$WORK/port" --twilio-sid $SID \
		--twilio-token $TOKEN --infobip-key $IBKEY \
		--log "$WORK/fakegw.log" 2>"$WORK/fakegw.err" &
	FGPID=$!
	for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
	PORT=$(cat "$WORK/port" 2>/dev/null) || return 1
	BASE=http://127.0.0.1:$PORT
}

stop_fakegw() {
	[ -n "$FGPID" ] && kill "$FGPID" 2>/dev/null && wait "$FGPID" 2>/dev/null
	FGPID=
}

ctl() { # ctl METHOD PATH [JSON]
	curl -sS -m 10 -X "$1" -H 'Content-Type: application/json' \
		${3:+--data-binary "$3"} "$BASE/_control$2"
}

write_config() { # write_config DRIVER [RULES]
	local rules=${2:-$SRC/rules}
	mkdir -p "$WORK"
	printf '%s' "$TOKEN" >"$WORK/token"
	printf '%s' "$IBKEY" >"$WORK/ibkey"
	chmod 600 "$WORK/token" "$WORK/ibkey"
	cat >"$WORK/backtalk.conf" <<CONF
gateway = { driver = "$1"; };
twilio = {
  base_url = "$BASE";
  account_sid = "$SID";
  auth_token_file = "$WORK/token";
  number = "$OURS";
  page_size = 50;
};
infobip = {
  base_url = "$BASE";
  api_key_file = "$WORK/ibkey";
  number = "$OURS";
  limit = 50;
};
http = { connect_timeout_ms = 1000; timeout_ms = 2000; };
rules = "$rules";
state = "$WORK/state.db";
poll_interval_ms = 200;
guard = { replies_per_sender = 100; send_rate = 0.0; max_attempts = 20; };
log = { level = "info"; };
CONF
}

# E2E_VALGRIND=1 runs the daemon under valgrind memcheck; a case fails when
# valgrind reports an invalid access or a definite leak (tests/e2e.cmake).
# Every wait is SLOW times longer under valgrind, which runs the daemon
# some 30 times slower (start-up takes seconds).
WRAPPER=()
SLOW=1
if [ -n "${E2E_VALGRIND:-}" ]; then
	SLOW=5
	WRAPPER=(valgrind --quiet --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --show-leak-kinds=definite
		--suppressions="$SRC/scripts/valgrind.supp"
		--log-file="$WORK/valgrind.%p.log")
fi

start_daemon() {
	"${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/backtalk.conf" >>"$WORK/daemon.out" 2>>"$WORK/daemon.log" &
	DPID=$!
}

# Fails the case when valgrind said anything (it is quiet otherwise).
check_valgrind() {
	local f
	for f in "$WORK"/valgrind.*.log; do
		[ -s "$f" ] || continue
		sed 's/^/  valgrind: /' "$f" | head -n 40
		fail "valgrind reported errors ($f)"
	done
	rm -f "$WORK"/valgrind.*.log
}

stop_daemon() { # stop_daemon [SIGNAL]
	[ -n "$DPID" ] || return 0
	kill -"${1:-TERM}" "$DPID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.05; done
	wait "$DPID" 2>/dev/null
	DPID=
}

sent_count() {
	ctl GET /sent | python3 -c 'import sys,json; d=json.load(sys.stdin); print(len(d if isinstance(d,list) else d.get("sent",d.get("messages",[]))))'
}

wait_sent() { # wait_sent N SECONDS
	local n
	for _ in $(seq $(($2 * 10 * SLOW))); do
		n=$(sent_count 2>/dev/null || echo 0)
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "sent $n of $1"
	return 1
}

wait_log() { # wait_log REGEX SECONDS [FILE, default daemon.log]
	for _ in $(seq $(($2 * 10 * SLOW))); do
		grep -q -- "$1" "${3:-$WORK/daemon.log}" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

add_inbound() { # add_inbound GATEWAY FROM BODY
	ctl POST /inbound "$(python3 -c 'import json,sys; print(json.dumps({"gateway":sys.argv[1],"from":sys.argv[2],"to":sys.argv[3],"body":sys.argv[4]}))' "$1" "$2" "$OURS" "$3")" >/dev/null
}

# How many of the messages in FILE_OF_"from<TAB>body" Twilio leaves the
# daemon to answer: all but a STOP, START or HELP keyword sent alone
# (decide.c, decide_bare_keyword).
twilio_due() { # twilio_due FILE_OF_"from<TAB>body"
	cut -f2 "$1" | "$BACKTALK" classify --rules "$SRC/rules" |
		python3 -c '
import json, sys
from twilio_keywords import twilio_answers
n = 0
for line in sys.stdin:
    e = json.loads(line)
    n += not twilio_answers(e["text"], e["category"])
print(n)'
}

# Each sender got exactly one reply, and it is the one `backtalk classify`
# gives for their message.
check_replies() { # check_replies FILE_OF_"from<TAB>body"
	ctl GET /sent >"$WORK/sent.json"
	cut -f2 "$1" | "$BACKTALK" classify --rules "$SRC/rules" >"$WORK/expect.json"
	python3 - "$1" "$WORK/sent.json" "$WORK/expect.json" <<'PY'
import json, sys
from twilio_keywords import twilio_answers
msgs = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1])]
sent = json.load(open(sys.argv[2]))
if isinstance(sent, dict):
    sent = sent.get("sent", sent.get("messages", []))
expect = [json.loads(l) for l in open(sys.argv[3])]
# Infobip is sent numbers without '+' (as it writes them).
by_to = {}
for s in sent:
    by_to.setdefault(s["to"].lstrip("+"), []).append(s)
bad = 0
for (frm, body), e in zip(msgs, expect):
    got = by_to.get(frm.lstrip("+"), [])
    # Twilio answers a keyword sent alone; the daemon answers the rest.
    want = None if twilio_answers(body, e["category"]) else e["reply"]
    if want is None:
        if got:
            print("unexpected reply to %s (%s)" % (frm, body)); bad += 1
    elif len(got) != 1:
        print("%d replies to %s (%s)" % (len(got), frm, body)); bad += 1
    elif got[0]["body"] != want:
        print("wrong reply to %s (%s): %r" % (frm, body, got[0]["body"][:60])); bad += 1
sys.exit(1 if bad else 0)
PY
}

outbox_rows() { # "state:message_id" of each outbox row, oldest first
	sqlite3 -readonly -cmd '.timeout 5000' "$WORK/state.db" \
		"SELECT group_concat(r, ' ') FROM (SELECT state || ':' ||
		 ifnull(message_id, '') AS r FROM outbox ORDER BY id)"
}

wait_rows() { # wait_rows REGEX SECONDS
	for _ in $(seq $(($2 * 20 * SLOW))); do
		[[ $(outbox_rows 2>/dev/null) =~ $1 ]] && return 0
		sleep 0.05
	done
	echo "outbox: $(outbox_rows 2>&1)"
	return 1
}

add_bulk() { # add_bulk GATEWAY FILE_OF_"from<TAB>body"
	python3 - "$1" "$OURS" "$2" >"$WORK/bulk.json" <<'PY'
import json, sys
msgs = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[3])]
print(json.dumps({"gateway": sys.argv[1], "to": sys.argv[2],
                  "messages": [{"from": f, "body": b} for f, b in msgs]}))
PY
	curl -sS -m 30 -X POST -H 'Content-Type: application/json' \
		--data-binary @"$WORK/bulk.json" "$BASE/_control/inbound/bulk" >/dev/null
}

corpus_messages() { # N -> file of "from<TAB>body", one sender each
	[ -s "$SRC/tests/data/dev.tsv" ] || { echo "no $SRC/tests/data/dev.tsv" >&2; return 1; }
	grep -v '^#' "$SRC/tests/data/dev.tsv" | cut -f3 |
		awk -v n="$1" 'BEGIN{i=0} {m[i++]=$0} END{for(k=0;k<n;k++) printf "+1555%07d\t%s\n", 2000000+k, m[k%i]}'
}

case_twilio_basic() {
	write_config twilio
	corpus_messages 60 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	start_daemon
	local want
	want=$(twilio_due "$WORK/msgs.tsv")
	wait_sent "$want" 60 || { fail "not all replies sent"; return; }
	sleep 1 # a few more polls: nothing may be answered twice
	check_replies "$WORK/msgs.tsv" || { fail "replies do not match"; return; }
	grep -q '+1555\*\*\*' "$WORK/daemon.log" || grep -q '\*\*\*\*' "$WORK/daemon.log" ||
		{ fail "log lines do not redact numbers"; return; }
	if grep -q '+15552000001' "$WORK/daemon.log"; then fail "a full number is in the log"; return; fi
	stop_daemon
}

# A red flag in words no rule names, caught by the red-flag model
# (rules/06-model.conf): the daemon answers it with possible-red-flag's
# urgent care, as classify does, and logs the rule.
case_model_net() {
	write_config twilio
	local text="my back went and now my leg does this weird humming" want
	want=$(echo "$text" | "$BACKTALK" classify --rules "$SRC/rules" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["category"], d["rule"])')
	[ "$want" = "urgent possible-red-flag" ] || { fail "classify says: $want"; return; }
	add_inbound twilio +15553900001 "$text"
	start_daemon
	wait_sent 1 20 || { fail "no reply"; return; }
	wait_log 'rule=possible-red-flag' 10 || { fail "rule not logged"; return; }
	ctl GET /sent | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else d.get("sent", d.get("messages", []))
sys.exit(0 if len(d) == 1 and "see a doctor today" in d[0]["body"] else "sent %r" % d)' ||
		{ fail "the reply is not the urgent one"; return; }
	stop_daemon
}

case_optout() {
	write_config twilio
	local a=+15553000001
	add_inbound twilio $a "STOP"
	start_daemon
	wait_log ': stop rule=' 20 || { fail "STOP not recorded"; return; }
	add_inbound twilio $a "my back hurts after deadlifts"
	wait_log 'no reply: opted out' 20 || { fail "message after STOP not recorded as opted out"; return; }
	sleep 0.5
	[ "$(sent_count)" -eq 0 ] || { fail "replied to an opted-out number"; return; }
	add_inbound twilio $a "START"
	wait_log ': start rule=' 20 || { fail "START not recorded"; return; }
	add_inbound twilio $a "why does my back hurt"
	wait_sent 1 20 || { fail "no reply after START"; return; }
	# Twilio acts on a keyword alone, not on a STOP in other words: the
	# daemon confirms that one, with the red flag's advice it names.
	local b=+15553000002 want
	want=$(echo "please stop texting me, my left leg went numb" |
		"$BACKTALK" classify --rules "$SRC/rules" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["reply"])')
	case $want in *doctor*) ;; *) fail "classify shows no advice: $want"; return ;; esac
	add_inbound twilio $b "please stop texting me, my left leg went numb"
	wait_sent 2 20 || { fail "a STOP in words got no confirmation"; return; }
	ctl GET /sent | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else d.get("sent", d.get("messages", []))
got = [m["body"] for m in d if m["to"] == sys.argv[1]]
sys.exit(0 if got == [sys.argv[2]] else "sent %r" % got)' $b "$want" ||
		{ fail "the STOP in words got the wrong confirmation"; return; }
	add_inbound twilio $b "my back hurts after deadlifts"
	wait_log "from ${b:0:2}\*\{6\}${b: -4}: .*no reply: opted out" 20 ||
		{ fail "STOP in words did not opt out"; return; }
	stop_daemon
}

# Opt-outs through Infobip, which writes numbers without '+'.  A database
# of schema 5 kept an opt-out so (a STOP through Infobip) or with '+' (a
# STOP through Twilio, an operator's): after the migration to E.164 each
# still stops every reply, a STOP and an operator's opt-out made now do
# too, and what goes out is sent to Infobip without '+'.  (Schema 7's
# conversation tables are dropped first: version 5 had none.)
case_infobip_optout() {
	local a=+447700900001 b=+447700900002 c=+447700900003
	local d=+447700900004 e=+447700900005 conf=$WORK/backtalk.conf now n
	write_config infobip
	start_daemon
	wait_log 'started: ' 20 || { fail "the daemon did not start"; return; }
	stop_daemon
	now=$(date +%s)
	sqlite3 -cmd '.timeout 5000' "$WORK/state.db" \
		"INSERT INTO optouts VALUES ('${a#+}', 1, 'infobip:IB1', $now);
		 INSERT INTO optouts VALUES ('$b', 1, 'twilio:SM2', $now);
		 DROP TABLE convo_event; DROP INDEX convo_waiting; DROP TABLE scheduled; DROP TABLE convo;
		 PRAGMA user_version = 5;" || { fail "cannot write a version 5 database"; return; }
	start_daemon
	add_inbound infobip $a "my back hurts after deadlifts"
	add_inbound infobip $b "my back hurts after deadlifts"
	add_inbound infobip $c "STOP"
	wait_log ': stop rule=' 20 || { fail "STOP not recorded"; return; }
	add_inbound infobip $c "why does my back hurt"
	"$BACKTALK" optouts --config "$conf" add "$d" >/dev/null ||
		{ fail "optouts add failed"; return; }
	add_inbound infobip $d "why does my back hurt"
	add_inbound infobip $e "why does my back hurt"
	wait_sent 2 20 || { fail "no STOP confirmation or no reply"; return; }
	for _ in $(seq $((100 * SLOW))); do
		n=$(grep -c 'no reply: opted out' "$WORK/daemon.log")
		[ "$n" -ge 4 ] && break
		sleep 0.1
	done
	[ "$n" -eq 4 ] || { fail "$n messages from opted-out numbers recorded as such, not 4"; return; }
	sleep 0.5
	local to
	to=$(ctl GET /sent | python3 -c 'import sys,json; print(" ".join(sorted(s["to"] for s in json.load(sys.stdin)["sent"])))')
	[ "$to" = "${c#+} ${e#+}" ] || { fail "sent to '$to', not the STOP's confirmation and one reply"; return; }
	[ "$(sqlite3 -readonly -cmd '.timeout 5000' "$WORK/state.db" \
		"SELECT group_concat(number, ' ') FROM (SELECT number FROM optouts WHERE opted_out = 1 ORDER BY number)")" = "$a $b $c $d" ] ||
		{ fail "opt-outs not kept in E.164"; return; }
	"$BACKTALK" optouts --config "$conf" list | grep -q '^4 numbers opted out' ||
		{ fail "optouts list: $("$BACKTALK" optouts --config "$conf" list)"; return; }
	stop_daemon
}

# The admin commands beside the running daemon: status sees its last poll,
# an operator opt-out takes effect at once, history shows the rest.
case_admin() {
	write_config twilio
	local a=+15554000001 b=+15554000002 conf=$WORK/backtalk.conf
	add_inbound twilio $a "my back hurts after deadlifts"
	start_daemon
	wait_sent 1 20 || { fail "no reply"; return; }
	"$BACKTALK" status --config "$conf" >"$WORK/status.txt" 2>&1 ||
		{ fail "status failed: $(cat "$WORK/status.txt")"; return; }
	grep -q '^last poll: .* s ago' "$WORK/status.txt" ||
		{ fail "status shows no recent poll: $(cat "$WORK/status.txt")"; return; }
	grep -q '^inbound: *1 recorded' "$WORK/status.txt" ||
		{ fail "status miscounts: $(cat "$WORK/status.txt")"; return; }
	"$BACKTALK" optouts --config "$conf" add "$b" >/dev/null ||
		{ fail "optouts add failed"; return; }
	add_inbound twilio $b "why does my back hurt"
	wait_log 'no reply: opted out' 20 || { fail "operator opt-out not honoured"; return; }
	sleep 0.5
	[ "$(sent_count)" -eq 1 ] || { fail "replied to a number the operator opted out"; return; }
	"$BACKTALK" history --config "$conf" "$a" | grep -q ' out .* sent ' ||
		{ fail "history shows no sent reply"; return; }
	"$BACKTALK" optouts --config "$conf" list | grep -q '+1\*\*\*\*\*\*0002 .* operator' ||
		{ fail "optouts list lacks the operator's opt-out"; return; }
	"$BACKTALK" stats --config "$conf" | grep -A1 '^Not answered, by why' | grep -q '^  opted out  *1$' ||
		{ fail "stats does not count the message not answered: $("$BACKTALK" stats --config "$conf")"; return; }
	stop_daemon
}

# The operator's hand on the outbox while the daemon runs: a reply the
# gateway refused (400) is failed; `backtalk outbox retry` sends it again,
# once; a failed reply to a number that has opted out since is never
# retried.
case_outbox() {
	write_config twilio
	local a=+15554000011 b=+15554000012 conf=$WORK/backtalk.conf id
	ctl POST /faults '{"twilio_send":[{"status":400},{"status":400}]}' >/dev/null
	add_inbound twilio $a "my back hurts after deadlifts"
	add_inbound twilio $b "how do i brace for squats"
	start_daemon
	wait_rows '^failed:.* failed:$' 30 || { fail "sends not failed"; return; }
	[ "$(sent_count)" -eq 0 ] || { fail "a refused reply counted as sent"; return; }
	"$BACKTALK" outbox --config "$conf" list --state failed >"$WORK/list.txt" 2>&1 ||
		{ fail "outbox list failed: $(cat "$WORK/list.txt")"; return; }
	[ "$(grep -c ' failed ' "$WORK/list.txt")" -eq 2 ] ||
		{ fail "outbox list: $(cat "$WORK/list.txt")"; return; }
	"$BACKTALK" optouts --config "$conf" add "$b" >/dev/null ||
		{ fail "optouts add failed"; return; }
	if "$BACKTALK" outbox --config "$conf" retry --number "$b" >"$WORK/retry-b.txt" 2>&1; then
		fail "retry to an opted-out number succeeded: $(cat "$WORK/retry-b.txt")"; return
	fi
	id=$("$BACKTALK" outbox --config "$conf" --show-numbers list --number "$a" | awk '$3 == "failed" { print $1 }')
	[ -n "$id" ] || { fail "no failed reply to $a listed"; return; }
	"$BACKTALK" outbox --config "$conf" retry "$id" >"$WORK/retry-a.txt" 2>&1 ||
		{ fail "retry failed: $(cat "$WORK/retry-a.txt")"; return; }
	wait_sent 1 20 || { fail "retried reply not sent"; return; }
	sleep 1.5
	[ "$(sent_count)" -eq 1 ] || { fail "sent $(sent_count) replies, want 1"; return; }
	ctl GET /sent | grep -q "${a#+}" || { fail "the retried reply went elsewhere"; return; }
	"$BACKTALK" outbox --config "$conf" --show-numbers list --number "$b" | grep -q ' failed ' ||
		{ fail "the reply to the opted-out number changed state"; return; }
	stop_daemon
}

# Several numbers on one host (backtalkd@.service): two daemons, each with
# its own configuration, number and state, against one gateway.  Each reads
# only the messages to its number and answers from it.
case_two_numbers() {
	write_config twilio
	local other=+15550002000 a=+15554000021 b=+15554000022 dpid2
	sed -e "s|number = \"$OURS\"|number = \"$other\"|" \
		-e "s|$WORK/state.db|$WORK/state2.db|" \
		"$WORK/backtalk.conf" >"$WORK/backtalk2.conf"
	start_daemon
	"${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/backtalk2.conf" >>"$WORK/daemon2.out" 2>>"$WORK/daemon2.log" &
	dpid2=$!
	add_inbound twilio $a "my back hurts after deadlifts"
	ctl POST /inbound "{\"gateway\":\"twilio\",\"from\":\"$b\",\"to\":\"$other\",\"body\":\"how do i brace for squats\"}" >/dev/null
	wait_sent 2 30 || { fail "both numbers not answered"; kill $dpid2; return; }
	sleep 1.5
	ctl GET /sent >"$WORK/sent.json"
	python3 - "$WORK/sent.json" "$OURS" "$a" "$other" "$b" <<'PY' || { fail "a reply from the wrong number"; kill $dpid2; return; }
import json, sys
sent = json.load(open(sys.argv[1]))
if isinstance(sent, dict):
    sent = sent.get("sent", sent.get("messages", []))
pairs = sorted((s["from"], s["to"]) for s in sent)
want = sorted([(sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])])
if pairs != want:
    sys.exit("sent %s, want %s" % (pairs, want))
PY
	for db in state.db:$a state2.db:$b; do
		[ "$(sqlite3 -readonly -cmd '.timeout 5000' "$WORK/${db%%:*}" \
			'SELECT group_concat(from_number) FROM inbound')" = "${db#*:}" ] ||
			{ fail "${db%%:*} holds another number's messages"; kill $dpid2; return; }
	done
	kill $dpid2
	wait $dpid2 2>/dev/null
	stop_daemon
}

case_restart() {
	write_config twilio
	corpus_messages 20 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	start_daemon
	wait_sent 15 40 || { fail "first run did not answer"; return; }
	sleep 0.5
	local before
	before=$(sent_count)
	stop_daemon TERM
	start_daemon
	sleep 2
	[ "$(sent_count)" -eq "$before" ] || { fail "answered again after restart"; return; }
	check_replies "$WORK/msgs.tsv" || { fail "replies do not match"; return; }
	stop_daemon
}

case_kill9() {
	write_config twilio
	corpus_messages 200 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	local i want
	want=$(twilio_due "$WORK/msgs.tsv")
	for i in 1 2 3 4 5; do
		start_daemon
		sleep "0.$((RANDOM % 5 + 1))"
		stop_daemon KILL
	done
	start_daemon
	wait_sent "$want" 90 || { fail "replies lost after kill -9"; return; }
	sleep 1
	check_replies "$WORK/msgs.tsv" || { fail "after kill -9"; return; }
	stop_daemon
}

case_faults() {
	write_config twilio
	ctl POST /faults '{"twilio_list":[{"status":500},{"status":429,"retry_after":1},{"malformed":true},{"truncate":true},{"drop":true}],"twilio_send":[{"status":503},{"status":429},{"drop":true},{"delay_ms":3000}]}' >/dev/null
	corpus_messages 10 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	start_daemon
	local want
	want=$(twilio_due "$WORK/msgs.tsv")
	wait_sent "$want" 90 || { fail "did not recover from faults"; return; }
	sleep 1
	check_replies "$WORK/msgs.tsv" || { fail "after faults"; return; }
	grep -q 'poll failed' "$WORK/daemon.log" || { fail "no log line for a failed poll"; return; }
	stop_daemon
}

# Every page's next_page_uri is the page itself: the listing ends there
# (one note in the log), and polls keep their pace (it was a hot loop of
# 215 requests in 10 s).
twilio_list_requests() {
	ctl GET '/requests?recent=0' | python3 -c 'import sys,json; print(json.load(sys.stdin)["endpoints"].get("twilio_list",{}).get("total",0))'
}

case_paging_loop() {
	write_config twilio
	sed -i 's/^poll_interval_ms = .*/poll_interval_ms = 1000;/' "$WORK/backtalk.conf"
	ctl POST /faults '{"twilio_list":[{"loop":true,"count":100000}]}' >/dev/null
	corpus_messages 5 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	start_daemon
	local want before after
	want=$(twilio_due "$WORK/msgs.tsv")
	wait_sent "$want" 30 || { fail "not all replies sent"; return; }
	before=$(twilio_list_requests)
	sleep 5
	after=$(twilio_list_requests)
	echo "paging_loop: $((after - before)) list requests in 5 s (poll every 1 s)"
	[ $((after - before)) -le 15 ] || { fail "$((after - before)) list requests in 5 s"; return; }
	check_replies "$WORK/msgs.tsv" || { fail "replies do not match"; return; }
	local notes
	notes=$(grep -c 'next_page_uri came back to a page already read' "$WORK/daemon.log")
	[ "$notes" -eq 1 ] || { fail "the loop was logged $notes times, not once"; return; }
	stop_daemon
}

# A sender that is not a phone number or a short code (an alphanumeric
# sender id, a garbled From) is recorded but not answered.
case_sender_ids() {
	write_config twilio
	add_inbound twilio VERIFY "my back hurts after lifting"
	add_inbound twilio "+1" "my back hurts after lifting"
	add_inbound twilio "+1555abc0001" "my back hurts after lifting"
	add_inbound twilio 12345 "my back hurts after lifting"
	add_inbound twilio +15557000001 "my back hurts after lifting"
	start_daemon
	wait_sent 2 30 || { fail "the phone number and the short code were not answered"; return; }
	local n
	for _ in $(seq 50); do
		n=$(sqlite3 -readonly -cmd '.timeout 5000' "$WORK/state.db" "SELECT count(*) FROM inbound" 2>/dev/null)
		[ "${n:-0}" -ge 5 ] && break
		sleep 0.1
	done
	[ "${n:-0}" -eq 5 ] || { fail "$n of 5 messages recorded"; return; }
	sleep 1 # a few more polls
	local to
	to=$(ctl GET /sent | python3 -c 'import sys,json; print(" ".join(sorted(s["to"] for s in json.load(sys.stdin)["sent"])))')
	[ "$to" = "+15557000001 12345" ] || { fail "replies went to: $to"; return; }
	n=$(sqlite3 -readonly -cmd '.timeout 5000' "$WORK/state.db" \
		"SELECT count(*) FROM inbound WHERE note = 'sender is not a phone number or short code'")
	[ "$n" -eq 3 ] || { fail "$n messages noted as from no phone number, not 3"; return; }
	stop_daemon
}

# 50 slow clients on the metrics endpoint, each sending a header line
# every 2 s: /healthz still answers, and each slow connection is closed 5 s
# after it began (four used to lock the endpoint out for as long as they
# stayed).
case_metrics_slow() {
	write_config twilio
	MPORT=$(free_port)
	cat >>"$WORK/backtalk.conf" <<CONF
metrics = { listen = "127.0.0.1"; port = $MPORT; };
CONF
	start_daemon
	wait_scrape /healthz '^status 200$' 20 || { fail "/healthz never answered"; return; }
	python3 "$SRC/tests/slowclients.py" "$MPORT" 50 14 || { fail "slow clients"; return; }
	kill -0 "$DPID" || { fail "daemon died"; return; }
	stop_daemon
}

case_reload() {
	mkdir -p "$WORK/rules"
	cp "$SRC"/rules/*.conf "$SRC"/rules/*.model "$WORK/rules/"
	write_config twilio "$WORK/rules"
	start_daemon
	wait_log 'started:' 30 || { fail "daemon did not start"; return; }
	echo 'rules = ( { id = "broken" ' >"$WORK/rules/99-broken.conf"
	kill -HUP "$DPID"
	wait_log 'reload failed' 30 || { fail "no reload failure logged"; return; }
	add_inbound twilio +15554000001 "my leg is numb"
	wait_sent 1 20 || { fail "stopped answering after a bad reload"; return; }
	kill -0 "$DPID" || { fail "daemon died on reload"; return; }
	# A new state path takes effect at the next start: each reload says
	# the database still in use, the first and the second.
	rm -f "$WORK/rules/99-broken.conf"
	sed -i "s|^state = .*|state = \"$WORK/other.db\";|" "$WORK/backtalk.conf"
	kill -HUP "$DPID"
	wait_log 'reloaded:' 30 || { fail "no reload after a state change"; return; }
	kill -HUP "$DPID"
	for _ in $(seq $((300 * SLOW))); do
		[ "$(grep -c 'still using' "$WORK/daemon.log")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c "still using $WORK/state.db\$" "$WORK/daemon.log")" -eq 2 ] ||
		{ fail "reloads name another database: $(grep 'still using' "$WORK/daemon.log")"; return; }
	[ ! -e "$WORK/other.db" ] || { fail "a reload opened the new state path"; return; }
	stop_daemon
}

case_infobip() {
	write_config infobip
	corpus_messages 30 >"$WORK/msgs.tsv"
	add_bulk infobip "$WORK/msgs.tsv"
	start_daemon
	local want
	# Not Twilio: the daemon itself answers STOP/START/HELP.
	want=$(wc -l <"$WORK/msgs.tsv")
	wait_sent "$want" 60 || { fail "not all infobip replies sent"; return; }
	stop_daemon
}

# kill -9 while a reply is being sent through Infobip, which then takes
# it: after the restart the daemon finds it in the sent SMS logs and does
# not send it again.  Then the same with a send Infobip never took: not in
# the logs, so it goes out.  Each send is held 1.5 s (less than the 2 s
# timeout) so that the daemon is killed while it waits.
case_infobip_kill9() {
	local a=+15555000001 b=+15555000002 rows
	local send='"endpoint":"infobip_send"'
	write_config infobip
	ctl POST /faults '{"infobip_send":[{"delay_ms":1500}]}' >/dev/null
	ctl POST /inbound '{"gateway":"infobip","from":"'$a'","to":"'$OURS'","body":"my back hurts after deadlifts"}' >/dev/null
	start_daemon
	wait_rows '^sending:$' 20 || { fail "the reply was never being sent"; return; }
	stop_daemon KILL
	wait_log "$send.*\"status\":200" 5 "$WORK/fakegw.log" || { fail "fakegw did not take the send"; return; }
	[ "$(outbox_rows)" = sending: ] || { fail "the reply was not left sending"; return; }
	start_daemon
	wait_rows '^sent:[^ ]+$' 20 || { fail "the reply was not settled after the restart"; return; }
	[ "$(grep -c "$send.*\"status\":200" "$WORK/fakegw.log")" -eq 1 ] ||
		{ fail "sent again after kill -9"; return; }
	grep -q '"endpoint":"infobip_logs".*"status":200' "$WORK/fakegw.log" ||
		{ fail "the Infobip logs were not asked"; return; }

	ctl POST /faults '{"infobip_send":[{"delay_ms":1500,"status":503}]}' >/dev/null
	ctl POST /inbound '{"gateway":"infobip","from":"'$b'","to":"'$OURS'","body":"why does my back hurt"}' >/dev/null
	wait_rows '^sent:[^ ]+ sending:$' 20 || { fail "the second reply was never being sent"; return; }
	stop_daemon KILL
	wait_log "$send.*\"status\":503" 5 "$WORK/fakegw.log" || { fail "the held send did not fail"; return; }
	start_daemon
	wait_rows '^sent:[^ ]+ sent:[^ ]+$' 20 || { fail "a reply Infobip never took was not sent"; return; }
	sleep 0.3 # nothing more may go out
	rows=$(outbox_rows)
	# One send each, and the outbox holds the ids Infobip gave them: the
	# first one's could only have come from the logs.
	ctl GET /sent | python3 -c '
import sys, json
sent = json.load(sys.stdin)["sent"]
got = ["%s=sent:%s" % (s["to"], s["id"]) for s in sent]
# Infobip is sent numbers without '+', as it writes them.
want = ["%s=%s" % (n.lstrip("+"), r)
        for n, r in zip(sys.argv[1:3], sys.argv[3].split())]
sys.exit(0 if got == want else "sent %s, outbox %s" % (got, want))' $a $b "$rows" ||
		{ fail "not one reply each, as recorded"; return; }
	stop_daemon
}

free_port() { # a port nobody listens on now, on 127.0.0.1, outside the ephemeral range
	python3 "$SRC/tests/freeport.py"
}

scrape() { # scrape PATH: the body, and "status NNN" on the last line
	curl -sS -m 5 -w '\nstatus %{http_code}\n' "http://127.0.0.1:$MPORT$1"
}

wait_scrape() { # wait_scrape PATH REGEX SECONDS
	for _ in $(seq $(($3 * 10 * SLOW))); do
		scrape "$1" >"$WORK/scrape" 2>&1 && grep -q -- "$2" "$WORK/scrape" && return 0
		sleep 0.1
	done
	echo "last $1:"
	sed 's/^/  /' "$WORK/scrape" | tail -n 5
	return 1
}

# The metrics endpoint: counters that match what happened, /healthz 200,
# a reload that moves it to another port and keeps the counters, then 503 once every poll has failed for longer than
# metrics.health_max_failing_s.
case_metrics() {
	write_config twilio
	MPORT=$(free_port)
	cat >>"$WORK/backtalk.conf" <<CONF
metrics = { listen = "127.0.0.1"; port = $MPORT; health_max_failing_s = 2; };
CONF
	corpus_messages 12 >"$WORK/msgs.tsv"
	add_bulk twilio "$WORK/msgs.tsv"
	cut -f2 "$WORK/msgs.tsv" | "$BACKTALK" classify --rules "$SRC/rules" >"$WORK/expect.json"
	local want
	want=$(twilio_due "$WORK/msgs.tsv")
	start_daemon
	wait_sent "$want" 60 || { fail "not all replies sent"; return; }
	wait_scrape /metrics '^backtalk_inbound_messages_total 12$' 20 ||
		{ fail "inbound counter is not 12"; return; }
	wait_scrape /metrics "^backtalk_replies_sent_total $want\$" 20 ||
		{ fail "replies sent counter is not $want"; return; }
	python3 - "$WORK/scrape" "$WORK/expect.json" <<'PY' || { fail "metrics do not match"; return; }
import collections, json, re, sys
from twilio_keywords import twilio_answers
text = open(sys.argv[1]).read()
want = collections.Counter()
for line in open(sys.argv[2]):
    e = json.loads(line)
    if not twilio_answers(e["text"], e["category"]):
        want[e["category"]] += 1
got = collections.Counter()
for m in re.finditer(r'^backtalk_replies_total\{category="([^"]*)",rule="[^"]*"\} (\d+)$', text, re.M):
    got[m.group(1)] += int(m.group(2))
bad = 0
if got != want:
    print("replies by category: got %s, want %s" % (dict(got), dict(want))); bad = 1
# Every reply sent is in the latency histogram, under its category, and
# went out within the 10 s bucket.
lat = collections.Counter()
for m in re.finditer(r'^backtalk_reply_latency_seconds_count\{category="([^"]*)"\} (\d+)$', text, re.M):
    lat[m.group(1)] += int(m.group(2))
if lat != want:
    print("reply latency by category: got %s, want %s" % (dict(lat), dict(want))); bad = 1
for c in want:
    m = re.search(r'^backtalk_reply_latency_seconds_bucket\{category="%s",le="10"\} (\d+)$' % c, text, re.M)
    if not m or int(m.group(1)) != want[c]:
        print("%s replies not all within 10 s" % c); bad = 1
for name in ("backtalk_build_info", "backtalk_poll_duration_seconds",
             "backtalk_reply_latency_seconds",
             "backtalk_outbox_depth", "backtalk_rules_loaded"):
    if "# TYPE %s " % name not in text:
        print("no # TYPE line for", name); bad = 1
if not re.search(r'^backtalk_outbox_depth 0$', text, re.M):
    print("outbox not empty"); bad = 1
if re.search(r'^backtalk_poll_duration_seconds_count 0$', text, re.M):
    print("no poll counted"); bad = 1
sys.exit(bad)
PY
	scrape /healthz >"$WORK/scrape"
	[ "$(cat "$WORK/scrape")" = $'ok\n\nstatus 200' ] || { fail "/healthz is not 200 ok: $(cat "$WORK/scrape")"; return; }
	scrape /nothing-here | grep -q '^status 404$' || { fail "/nothing-here is not 404"; return; }

	# A reload moves the endpoint to another port; the counters stay.
	local old=$MPORT
	MPORT=$(free_port)
	sed -i "s/port = $old;/port = $MPORT;/" "$WORK/backtalk.conf"
	kill -HUP "$DPID"
	wait_scrape /metrics '^backtalk_reloads_total 1$' 20 || { fail "no endpoint on the new port"; return; }
	grep -q '^backtalk_inbound_messages_total 12$' "$WORK/scrape" ||
		{ fail "counters lost on reload"; return; }
	if curl -s -m 2 "http://127.0.0.1:$old/metrics" >/dev/null; then
		fail "the old port still answers"; return
	fi

	# Every poll fails from now on: unhealthy after 2 s.
	ctl POST /faults '{"twilio_list":[{"status":500,"count":1000}]}' >/dev/null
	wait_scrape /healthz '^status 503$' 20 || { fail "/healthz did not turn 503"; return; }
	grep -q '^every poll of the gateway has failed for [0-9]* s$' "$WORK/scrape" ||
		{ fail "no reason given: $(cat "$WORK/scrape")"; return; }
	scrape /metrics | grep -q '^backtalk_poll_failures_total [1-9]' ||
		{ fail "poll failures not counted"; return; }
	kill -0 "$DPID" || { fail "daemon died"; return; }
	stop_daemon
}

# One state database has one daemon: a second backtalkd on it (a copy of
# the unit for a second number) exits at start, naming the first one's
# pid; the first goes on answering, and once it stops another can start.
case_second_daemon() {
	write_config twilio
	sed "s/number = \"$OURS\"/number = \"+15550002000\"/" \
		"$WORK/backtalk.conf" >"$WORK/second.conf"
	add_inbound twilio +15555000001 "my back hurts after deadlifts"
	start_daemon
	wait_sent 1 20 || { fail "no reply"; return; }
	local rc=0
	timeout $((10 * SLOW)) "${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/second.conf" \
		>"$WORK/second.out" 2>"$WORK/second.log" || rc=$?
	[ "$rc" -eq 1 ] || { fail "second daemon exited $rc, not 1: $(cat "$WORK/second.log")"; return; }
	grep -q "state database $WORK/state.db: .* is in use by another backtalkd, process $DPID " \
		"$WORK/second.log" || { fail "second daemon did not name the first: $(cat "$WORK/second.log")"; return; }
	kill -0 "$DPID" || { fail "the first daemon died"; return; }
	add_inbound twilio +15555000002 "why does my back hurt"
	wait_sent 2 20 || { fail "the first daemon stopped answering"; return; }
	stop_daemon
	cp "$WORK/second.conf" "$WORK/backtalk.conf"
	start_daemon
	add_inbound twilio +15555000003 "my back hurts when I squat"
	sleep 1
	kill -0 "$DPID" || { fail "a daemon could not start after the first stopped"; return; }
	grep -q 'in use by another' "$WORK/daemon.log" && { fail "lock left behind"; return; }
	stop_daemon
}

# The state database belongs to the daemon: a copy readable by others is a
# warning (refused with secrets.strict_permissions), one another user owns
# is refused, each saying what to run.
case_state_perms() {
	write_config twilio
	start_daemon
	wait_log 'notice: started' 20 || { fail "daemon did not start"; return; }
	stop_daemon
	chmod 644 "$WORK/state.db"
	start_daemon
	wait_log "warning: state database $WORK/state.db: database file $WORK/state.db is readable by others (mode 0644); chmod 600 $WORK/state.db" 20 ||
		{ fail "no warning about a database others can read"; return; }
	kill -0 "$DPID" || { fail "the daemon stopped over a warning"; return; }
	stop_daemon
	echo 'secrets = { strict_permissions = true; };' >>"$WORK/backtalk.conf"
	local rc=0
	timeout $((10 * SLOW)) "${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/backtalk.conf" \
		>/dev/null 2>"$WORK/strict.log" || rc=$?
	[ "$rc" -eq 1 ] && grep -q 'secrets.strict_permissions refuses it' "$WORK/strict.log" ||
		{ fail "strict: exit $rc: $(cat "$WORK/strict.log")"; return; }
	chmod 600 "$WORK/state.db"
	chown 65534 "$WORK/state.db"
	rc=0
	timeout $((10 * SLOW)) "${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/backtalk.conf" \
		>/dev/null 2>"$WORK/owner.log" || rc=$?
	[ "$rc" -eq 1 ] && grep -q "is owned by uid 65534, .* chown $(id -u) $WORK/state.db" "$WORK/owner.log" ||
		{ fail "another owner: exit $rc: $(cat "$WORK/owner.log")"; return; }
	chown "$(id -u)" "$WORK/state.db"
}

# The daemon with its wall clock set apart from the host's (and fakegw's)
# by the seconds in $WORK/faketime, which a case may change while it runs
# (tests/faketime.c).
start_daemon_skewed() {
	FAKETIME_CONTROL=$WORK/faketime LD_PRELOAD=$BUILD/tests/libfaketime.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"${WRAPPER[@]}" "$BACKTALKD" -c "$WORK/backtalk.conf" >>"$WORK/daemon.out" 2>>"$WORK/daemon.log" &
	DPID=$!
}

dev_messages() { # CATEGORY N -> N texts of that category from dev.tsv
	grep -v '^#' "$SRC/tests/data/dev.tsv" | awk -F'\t' -v c="$1" '$1 == c {print $3}' | head -n "$2"
}

sent_json() { ctl GET /sent >"$WORK/sent.json"; }

# When (fakegw's time_ms) the reply to FROM went out, or nothing.
sent_at_ms() { # sent_at_ms FROM
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
s=[x["time_ms"] for x in d["sent"] if x["to"]==sys.argv[2]]
print(s[0] if s else "")' "$WORK/sent.json" "$1"
}

wait_sent_to() { # wait_sent_to FROM SECONDS
	local end=$((SECONDS + $2 * SLOW))
	while [ $SECONDS -le $end ]; do
		sent_json
		[ -n "$(sent_at_ms "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# Replies go out by urgency: 20 tips queued at one reply a second, then an
# emergency, which goes out next, not after the tips.
case_priority() {
	write_config twilio
	sed -i 's/send_rate = 0.0;/send_rate = 1.0;/' "$WORK/backtalk.conf"
	{ dev_messages tip 20; dev_messages tip 20; } | head -n 20 | awk '{printf "+1555400%04d\t%s\n", NR, $0}' >"$WORK/tips.tsv"
	[ "$(wc -l <"$WORK/tips.tsv")" -eq 20 ] || { fail "not 20 tips in dev.tsv"; return; }
	add_bulk twilio "$WORK/tips.tsv"
	local em=+15554009999 msg
	msg=$(python3 -c 'import json,sys; print(json.dumps({"gateway":"twilio","from":sys.argv[1],"to":sys.argv[2],"body":sys.argv[3]}))' $em "$OURS" "$(dev_messages emergency 1)")
	start_daemon
	# The emergency arrives once the first tip has gone out: the other 19
	# wait in the outbox (a cheap check, so that a busy machine does not
	# let the queue drain first).
	wait_rows '^sent:SM' 30 || { fail "tips not sent"; return; }
	ctl POST /inbound "$msg" >/dev/null
	wait_sent_to $em 40 || { fail "emergency not answered within 40 s"; return; }
	# From when fakegw took the emergency (the test's own steps may be
	# slow on a busy machine) to when its reply reached fakegw.
	python3 - "$WORK/sent.json" "$WORK/fakegw.log" $em <<'PY' || { fail "the emergency waited behind the tips"; return; }
import json, sys
sent = json.load(open(sys.argv[1]))["sent"]
reqs = [json.loads(l) for l in open(sys.argv[2])]
em = sys.argv[3]
t0 = [r["time_ms"] for r in reqs if r["path"] == "/_control/inbound"][-1]
t1 = [s["time_ms"] for s in sent if s["to"] == em][0]
between = [s for s in sent if t0 < s["time_ms"] < t1]
queued = 20 - len([s for s in sent if s["time_ms"] <= t0 and s["to"] != em])
print("emergency answered %.1f s after it arrived behind %d queued tips, "
      "%d of them sent meanwhile" % ((t1 - t0) / 1000, queued, len(between)))
if queued < 5:
    sys.exit("inconclusive: fewer than 5 tips were queued when the emergency arrived")
sys.exit(0 if t1 - t0 <= 3000 and len(between) <= 2 else 1)
PY
	wait_sent 21 40 || { fail "not every reply sent"; return; }
	stop_daemon
}

# The wall clock steps back an hour (fast at boot, then corrected), while a
# retry waits and while a row is left "sending" by a crash: neither holds
# back replies for the hour, an emergency goes out at once, and nothing
# goes out twice.
# Dates in a message are read against the day the gateway says it was
# sent: "since <8 days ago>" is over a week when sent today, not when sent
# yesterday; `backtalk replay` reads them the same (docs/reliability.md).
case_message_date() {
	write_config twilio
	echo 'max_age_s = 172800;' >>"$WORK/backtalk.conf"
	local a=+15554200001 b=+15554200002 body now
	now=$(date -u +%s)
	body="my lower back has hurt since $(date -u -d @$((now - 8 * 86400)) +%b\ %-d | tr A-Z a-z)"
	ctl POST /inbound "$(python3 -c 'import json,sys; print(json.dumps({"gateway":"twilio","from":sys.argv[1],"to":sys.argv[2],"body":sys.argv[3],"date_sent":int(sys.argv[4])}))' $a "$OURS" "$body" $((now - 86400 + 60)))" >/dev/null
	add_inbound twilio $b "$body"
	start_daemon
	wait_sent_to $a 20 || { fail "no reply to the message sent yesterday"; return; }
	wait_sent_to $b 20 || { fail "no reply to the message sent today"; return; }
	python3 -c 'import json,sys
d={x["to"]:x["body"] for x in json.load(open(sys.argv[1]))["sent"]}
lasting="Pain that hangs on"
if lasting in d[sys.argv[2]]: sys.exit("sent yesterday, read as over a week: %s" % d[sys.argv[2]])
if lasting not in d[sys.argv[3]]: sys.exit("sent today, not read as over a week: %s" % d[sys.argv[3]])' \
		"$WORK/sent.json" $a $b || { fail "dates not read against the day sent (${body})"; return; }
	stop_daemon
	# replay reads each stored message against its own day too: nothing
	# changes (exit 0)
	"$BACKTALK" replay --db "$WORK/state.db" --rules "$SRC/rules" >"$WORK/replay.out" 2>&1 ||
		{ cat "$WORK/replay.out"; fail "replay read the dates against another day"; return; }
}

case_clock_back() {
	write_config twilio
	sed -i 's/send_rate = 0.0;/send_rate = 1.0;/' "$WORK/backtalk.conf"
	echo 3600 >"$WORK/faketime"
	start_daemon_skewed
	# A retry scheduled by the fast clock, then the step.
	ctl POST /faults '{"twilio_send":[{"status":500}]}' >/dev/null
	local a=+15554100001 b=+15554100002 em=+15554100003 t0 t1
	add_inbound twilio $a "$(dev_messages tip 1)"
	wait_log "reply [0-9]* to .*retry 1 in" 20 || { fail "no retry"; return; }
	echo 0 >"$WORK/faketime"
	wait_sent_to $a 15 || { fail "the retry waited for the step"; return; }
	wait_log "wall clock stepped back by 36[0-9][0-9] s" 10 ||
		{ fail "no warning about the step"; return; }

	# A row left "sending" by a crash with the clock an hour fast.
	echo 3600 >"$WORK/faketime"
	sleep 0.5
	ctl POST /faults '{"twilio_send":[{"delay_ms":3000,"apply":true}]}' >/dev/null
	add_inbound twilio $b "$(dev_messages tip 2 | tail -n 1)"
	wait_rows 'sending:' 20 || { fail "no send in flight"; return; }
	stop_daemon KILL
	echo 0 >"$WORK/faketime"
	start_daemon_skewed
	t0=$(now_ms)
	add_inbound twilio $em "$(dev_messages emergency 1)"
	wait_sent_to $em 10 || { fail "the emergency waited behind the row left sending"; return; }
	t1=$(sent_at_ms $em)
	echo "emergency answered $(( (t1 - t0) / 100 ))00 ms after it arrived"
	# The row is looked up once its attempt could have landed, and found.
	wait_log "recorded [0-9]* s from now" 30 || { fail "no warning about the row ahead"; return; }
	wait_rows '^sent:SM[^ ]* sent:SM[^ ]* sent:SM[^ ]*$' 30 || { fail "not every row sent"; return; }
	sent_json
	python3 -c 'import json,sys,collections
c=collections.Counter(s["to"] for s in json.load(open(sys.argv[1]))["sent"])
sys.exit(0 if sorted(c.values())==[1,1,1] else "sent %s" % dict(c))' "$WORK/sent.json" ||
		{ fail "a reply went out twice"; return; }
	stop_daemon
}

# The daemon's clock two hours ahead of the gateway's, with max_age_s an
# hour: a red flag is still answered (its age is judged on the gateway's
# clock), a message really older than max_age_s is not, a warning is
# logged and the skew is in /metrics.
case_clock_ahead() {
	write_config twilio
	MPORT=$(free_port)
	cat >>"$WORK/backtalk.conf" <<CONF
max_age_s = 3600;
metrics = { listen = "127.0.0.1"; port = $MPORT; };
CONF
	echo 7200 >"$WORK/faketime"
	local em=+15554200001 old=+15554200002
	add_inbound twilio $em "$(dev_messages emergency 1)"
	ctl POST /inbound "$(python3 -c 'import json,sys,time; print(json.dumps({"gateway":"twilio","from":sys.argv[1],"to":sys.argv[2],"body":sys.argv[3],"date_sent":int(time.time())-7300}))' $old "$OURS" "$(dev_messages tip 1)")" >/dev/null
	start_daemon_skewed
	wait_sent_to $em 20 || { fail "the red flag was not answered"; return; }
	wait_log "inbound .* -> no reply: too old" 10 || { fail "the old message was not judged too old"; return; }
	[ -z "$(sent_at_ms $old)" ] || { fail "the old message was answered"; return; }
	grep -q "warning.*clock: this host's clock is 72[0-9][0-9] s ahead of the gateway's" "$WORK/daemon.log" ||
		grep -q "clock: this host's clock is 72[0-9][0-9] s ahead of the gateway's" "$WORK/daemon.log" ||
		{ fail "no warning about the clock"; return; }
	wait_scrape /metrics '^backtalk_clock_skew_seconds -7[12][0-9][0-9]$' 10 ||
		{ fail "the skew is not in /metrics"; return; }
	stop_daemon
}

# A marker word in every body of the cases below: it must never reach the
# log at the default level, whatever goes wrong.
MARKER=zebrafinch

no_marker_in_log() {
	if grep -a -q "$MARKER" "$WORK/daemon.log"; then
		grep -a "$MARKER" "$WORK/daemon.log" | head -n 5 | sed 's/^/  leaked: /'
		fail "a message body reached the log"
		return 1
	fi
}

# poison_answer GATEWAY: writes $WORK/poison.json, the raw answer (a Twilio
# page or an Infobip inbox) holding an emergency next to each poisoned
# message, and $WORK/poison.tsv, "from<TAB>body" of each message that can
# be read, with the body as the daemon must see it.
poison_answer() {
	python3 - "$1" "$OURS" "$MARKER" "$WORK/poison.json" "$WORK/poison.tsv" <<'PY2'
import json, sys, time
gw, ours, marker, out_json, out_tsv = sys.argv[1:]
emergencies = [
    "since deadlifting I can't tell when I need to pee and my back aches",
    "numbness around my anus and groin after squats",
    "bowel accident and bad lower back pain",
    "numb groin and I cannot control my bladder since lifting",
] * 2
R = "\ufffd"
# (the body member(s) as raw JSON, the body the daemon must read; None:
# unreadable).  %s is the marker.
poisons = [
    (r'"body":"my back hurts \u0000 5 %s"', "my back hurts " + R + " 5 %s"),
    (r'"body":"sore back \ud800 %s"', "sore back " + R + " %s"),
    (r'"body":"\udc00 why does my back hurt %s"', R + " why does my back hurt %s"),
    (r'"body":"first %s","body":"my back is stiff %s"', "my back is stiff %s"),
    ('"body":"my back \x01 hurts %s"', "my back \x01 hurts %s"),
    (r'"body":{"text":"%s"}', None),
    (None, None),  # no id at all: left out
]
stamp = time.time() - 60
date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(stamp))
recv = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(stamp))
items, tsv = [], []

def item(mid, frm, member):
    if gw == "twilio":
        head = '{"sid":%s,"direction":"inbound","from":"%s","to":"%s","date_sent":"%s",' % (
            json.dumps(mid), frm, ours, date)
    else:
        head = '{"messageId":%s,"from":"%s","to":"%s","receivedAt":"%s",' % (
            json.dumps(mid), frm, ours, recv)
        member = member.replace('"body":', '"text":')
    return head + member + "}"

for i, (raw, seen) in enumerate(poisons):
    frm = "+1555600%04d" % (2 * i)
    body = "%s %s" % (emergencies[i], marker)
    items.append(item("EM%02d" % i, frm, '"body":' + json.dumps(body)))
    tsv.append((frm, body))
    frm = "+1555600%04d" % (2 * i + 1)
    member = (raw or '"body":"%s"').replace("%s", marker)
    items.append(item("PO%02d" % i if raw else None, frm, member))
    if seen is not None:
        tsv.append((frm, seen.replace("%s", marker)))
if gw == "twilio":  # newest first
    doc = '{"messages":[%s],"next_page_uri":null}' % ",".join(reversed(items))
else:
    doc = '{"results":[%s],"messageCount":%d,"pendingMessageCount":0}' % (
        ",".join(items), len(items))
open(out_json, "w").write(doc)
with open(out_tsv, "w") as f:
    for frm, body in tsv:
        f.write("%s\t%s\n" % (frm, body))
PY2
}

raw_fault() { # raw_fault ENDPOINT FILE [EXTRA_FIELDS]: FILE's text as a raw answer
	python3 -c 'import json,sys; print(json.dumps({sys.argv[1]: [dict({"raw": open(sys.argv[2]).read()}, **json.loads(sys.argv[3]))]}))' \
		"$1" "$2" "${3:-{\}}" >"$WORK/fault.json"
	curl -sS -m 10 -X POST -H 'Content-Type: application/json' \
		--data-binary @"$WORK/fault.json" "$BASE/_control/faults" >/dev/null
}

unreadable_rows() { # the ids recorded as unreadable, space separated
	sqlite3 -readonly -cmd '.timeout 5000' "$WORK/state.db" \
		"SELECT group_concat(id, ' ') FROM (SELECT id FROM inbound
		 WHERE category = 'unreadable' ORDER BY id)"
}

# One bad message never stops the others.  Twilio lists the whole day on
# every poll: a page with an emergency next to a body holding \u0000, lone
# surrogates, a duplicate key, a control character, a body that is no
# string and a message with no sid, listed on five polls in a row.  Every
# message that can be read is answered exactly once (the emergencies with
# the emergency reply), the one with no body is recorded once as
# unreadable and counted, and no body reaches the log.
case_poison_twilio() {
	poison_case twilio twilio_list 5
}

# The same through Infobip, which hands each message out once only.
case_poison_infobip() {
	poison_case infobip infobip_inbox 1
}

poison_case() { # poison_case GATEWAY ENDPOINT POLLS_WITH_THE_ANSWER
	write_config $1
	MPORT=$(free_port)
	cat >>"$WORK/backtalk.conf" <<CONF
metrics = { listen = "127.0.0.1"; port = $MPORT; };
CONF
	poison_answer $1 || { fail "no poisoned answer"; return; }
	raw_fault $2 "$WORK/poison.json" "{\"count\":$3}"
	start_daemon
	poison_check $1 $3
}

poison_check() { # poison_check GATEWAY POLLS_WITH_THE_ANSWER
	local want rows
	want=$(wc -l <"$WORK/poison.tsv")
	cut -f2 "$WORK/poison.tsv" | "$BACKTALK" classify --rules "$SRC/rules" >"$WORK/expect.json"
	[ "$(grep -c '"category":"emergency"' "$WORK/expect.json")" -eq 7 ] ||
		{ fail "the test's emergencies are not emergencies"; return; }
	wait_sent "$want" 60 || { fail "not every readable message was answered"; return; }
	wait_scrape /metrics "^backtalk_inbound_unreadable_total{id=\"none\"} $2\$" 20 ||
		{ fail "the message with no id was not counted"; return; }
	sleep 1 # more polls: nothing may be answered twice
	check_replies "$WORK/poison.tsv" || { fail "not one right reply each"; return; }
	scrape /metrics >"$WORK/scrape"
	grep -q '^backtalk_inbound_unreadable_total{id="recorded"} 1$' "$WORK/scrape" ||
		{ fail "unreadable not counted once: $(grep unreadable "$WORK/scrape")"; return; }
	rows=$(unreadable_rows)
	[ "$rows" = PO05 ] || { fail "unreadable rows: '$rows', not PO05"; return; }
	grep -q "$1 message PO05 could not be read" "$WORK/daemon.log" ||
		{ fail "no log line for the unreadable message"; return; }
	no_marker_in_log || return
	if [ "$1" = infobip ]; then
		local left
		left=$(spool_left "$WORK/state.db.spool" .) ||
			{ fail "the spool is not empty: $left"; return; }
	fi
	stop_daemon
}

# spool_left DIR REGEX: succeeds once no name in DIR matches REGEX, within
# five seconds; else prints what is left and fails.  The daemon goes on
# polling, and an answer being fetched is on disk for a moment, so the spool
# must be seen clear once within a bound, not at one chosen instant.
spool_left() {
	local i left=
	for i in $(seq 50); do
		left=$(ls -A "$1" 2>/dev/null | grep -e "$2")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	printf '%s\n' "$left"
	return 1
}

# inbox_answer FILE FROM BODY: an Infobip inbox answer with one message.
inbox_answer() {
	python3 -c 'import json,sys; print(json.dumps({"results":[{"messageId":"kept-1","from":sys.argv[2],"to":sys.argv[3],"text":sys.argv[4],"receivedAt":"2030-01-01T00:00:00.000+0000"}],"messageCount":1,"pendingMessageCount":0}))' \
		"$1" "$2" "$OURS" "$3" >"$1"
}

# Infobip's answers are on disk before they are parsed.  One kept by a run
# that stopped before staging it is read at start and answered once; one
# that cannot be parsed (cut short) is set aside, whole, for the operator,
# at start and when a poll brings it; one that a run died reading again
# (.reading) is set aside rather than read in a loop.
case_spool_infobip() {
	local spool=$WORK/state.db.spool a=+15557000001 b=+15557000002
	write_config infobip
	mkdir -m 700 "$spool"
	inbox_answer "$spool/infobip-000000000001000000000-00.json" $a "numbness around my anus and groin after squats $MARKER"
	printf '{"results":[{"messageId":"cut-1","from":"%s","text":"my back %s' $b "$MARKER" \
		>"$spool/infobip-000000000002000000000-00.json"
	cp "$spool/infobip-000000000002000000000-00.json" "$WORK/cut.json"
	# One that a run died reading again: set aside, not read in a loop.
	inbox_answer "$spool/infobip-000000000000500000000-00.json.reading" $b "my back $MARKER"
	cp "$spool/infobip-000000000000500000000-00.json.reading" "$WORK/died.json"
	start_daemon
	wait_sent 1 30 || { fail "the kept answer was not read at start"; return; }
	printf '%s\tnumbness around my anus and groin after squats %s\n' $a "$MARKER" >"$WORK/kept.tsv"
	check_replies "$WORK/kept.tsv" || { fail "the kept message was not answered right"; return; }
	[ ! -e "$spool/infobip-000000000001000000000-00.json" ] || { fail "a staged answer stayed in the spool"; return; }
	cmp -s "$WORK/cut.json" "$spool/infobip-000000000002000000000-00.json.unreadable" ||
		{ fail "the answer that cannot be parsed was not set aside whole"; return; }
	grep -q 'infobip-000000000002000000000-00.json.unreadable' "$WORK/daemon.log" ||
		{ fail "no log line naming the answer set aside"; return; }
	cmp -s "$WORK/died.json" "$spool/infobip-000000000000500000000-00.json.unreadable" ||
		{ fail "the answer a run died reading was not set aside"; return; }
	grep -q 'stopped while reading an answer again.*000500000000-00.json.unreadable' "$WORK/daemon.log" ||
		{ fail "no log line for the answer a run died reading"; return; }

	# A poll brings an answer cut short: kept, whole, and said so.
	python3 -c 'import sys; t = open(sys.argv[1]).read(); open(sys.argv[2], "w").write(t)' \
		"$WORK/cut.json" "$WORK/cut2.json"
	raw_fault infobip_inbox "$WORK/cut2.json"
	wait_log 'poll failed.*unreadable inbox reports' 20 || { fail "no poll failure for the cut answer"; return; }
	wait_log 'json.unreadable: the messages' 20 || { fail "the cut answer was not kept"; return; }
	local kept
	kept=$(ls "$spool" | grep -v '^infobip-0000000000' | grep '\.unreadable$')
	[ -n "$kept" ] && cmp -s "$WORK/cut.json" "$spool/$kept" ||
		{ fail "the cut answer on disk is not what was fetched: $(ls "$spool")"; return; }
	add_inbound infobip +15557000003 "my back hurts after deadlifts"
	wait_sent 2 20 || { fail "stopped answering after a bad answer"; return; }
	local left
	left=$(spool_left "$spool" '\.json$') || { fail "answers left in the spool: $left"; return; }
	no_marker_in_log || return
	stop_daemon
}

# No message body reaches the log at the default level, whatever goes
# wrong: pages cut short (by fakegw and by hand), invalid tokens, control
# characters, HTTP errors whose bodies quote the message, poisoned pages,
# through Twilio and then Infobip, each with the marker in every body.
case_privacy() {
	local gw list i
	for gw in twilio infobip; do
		list=${gw}_list
		[ $gw = infobip ] && list=infobip_inbox
		stop_daemon
		rm -rf "$WORK/state.db"*
		ctl POST /reset >/dev/null
		write_config $gw
		for i in 1 2 3; do
			add_inbound $gw +1555800000$i "my back hurts $MARKER after lifting $i"
		done
		poison_answer $gw
		# Each bad answer, then a good one (so that the backoff stays
		# short): fakegw's own cuts, then answers cut by hand, invalid
		# tokens and error pages, with 200, 500 and 400.
		python3 - "$list" "$MARKER" "$WORK/poison.json" >"$WORK/fault.json" <<'PY2'
import json, sys
ep, m, poison = sys.argv[1:]
bad = [
    '{"messages":[{"sid":"SM1","direction":"inbound","from":"+1","body":"my back %s' % m,
    '{"results":[{"messageId":"m1","from":"1","text":"my back %s' % m,
    '{"messages":[{"sid":"SM1","body":%s}],"results":[]}' % m,
    '{"messages":[],"results":[]} %s' % m,
    '<html>%s</html>' % m,
]
faults = [{"truncate": True}, {"malformed": True}, {"truncate": "close"}]
faults += [{"raw": b} for b in bad]
faults += [{"raw": b, "status": st} for b in bad[2:] for st in (500, 400)]
faults += [{"raw": open(poison).read()}]
print(json.dumps({ep: [x for f in faults for x in (f, {})]}))
PY2
		curl -sS -m 10 -X POST -H 'Content-Type: application/json' \
			--data-binary @"$WORK/fault.json" "$BASE/_control/faults" >/dev/null
		start_daemon
		wait_sent 15 90 || { fail "$gw: not answered after the faults"; return; }
		wait_log "$gw: poll failed" 5 || { fail "$gw: no poll failed"; return; }
	done
	no_marker_in_log || return
	stop_daemon
}

# Conversations (issue 15): the rules' screening question after a report,
# played by the daemon with conversations.screening on.

conv_config() { # conv_config [EXPIRY_S]
	write_config twilio
	printf 'conversations = { screening = true; expiry_s = %s; };\n' \
		"${1:-86400}" >>"$WORK/backtalk.conf"
}

bodies_to() { # bodies_to NUMBER: what was sent to it, one a line, in order
	ctl GET /sent | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else d.get("sent", d.get("messages", []))
for m in d:
    if m["to"] == sys.argv[1]:
        print(m["body"].replace("\n", " "))' "$1"
}

wait_bodies() { # wait_bodies NUMBER N SECONDS: N messages sent to NUMBER
	local n
	for _ in $(seq $(($3 * 10 * SLOW))); do
		n=$(bodies_to "$1" 2>/dev/null | wc -l)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "sent $n of $2 to $1"
	return 1
}

reply_of() { # reply_of TEXT: the ordinary reply, as backtalk classify says
	echo "$1" | "$BACKTALK" classify --rules "$SRC/rules" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["reply"])'
}

answer_is() { # answer_is NUMBER TEXT N PREFIX: TEXT's answer, the Nth message, starts so
	add_inbound twilio "$1" "$2"
	wait_bodies "$1" "$3" 20 || { fail "no answer to $2"; return 1; }
	bodies_to "$1" | sed -n "$3p" | grep -q "^$4" ||
		{ fail "$2 got: $(bodies_to "$1" | sed -n "$3p")"; return 1; }
}

REPORT="my back hurts after deadlifts"
QUESTION="One question to be safe"

# A report, its reply, then the question, in that order.
conv_start() { # conv_start NUMBER
	add_inbound twilio "$1" "$REPORT"
	wait_bodies "$1" 2 20 || { fail "no reply and question"; return 1; }
	bodies_to "$1" >"$WORK/bodies"
	[ "$(sed -n 1p "$WORK/bodies")" = "$(reply_of "$REPORT")" ] ||
		{ fail "the reply is not first: $(cat "$WORK/bodies")"; return 1; }
	sed -n 2p "$WORK/bodies" | grep -q "^$QUESTION" ||
		{ fail "no question second: $(cat "$WORK/bodies")"; return 1; }
}

# Both ways: A answers 2 and gets the reassuring reply; B answers 1, gets
# the next question, and 1 to that gets the emergency reply.
screening_both_ways() { # screening_both_ways A B
	conv_start $1 || return
	answer_is $1 "2" 3 "Good, none of those" || return
	conv_start $2 || return
	answer_is $2 "1" 3 "If bladder or bowel habits changed" || return
	answer_is $2 "1" 4 "Call 911" || return
}

case_conv_screening() {
	conv_config
	local a=+15559100001 b=+15559100002
	start_daemon
	screening_both_ways $a $b || return
	wait_log "inbound .* from .*: emergency rule=cauda-equina" 5 ||
		{ fail "the answer is not recorded as the emergency"; return; }
	sleep 0.5
	[ "$(bodies_to $a | wc -l)" -eq 3 ] && [ "$(bodies_to $b | wc -l)" -eq 4 ] ||
		{ fail "more was sent than the conversation says"; return; }
	stop_daemon
}

# A red flag in the middle gets its own reply and ends the conversation:
# a 2 after it is a new message, not the answer.
case_conv_redflag() {
	conv_config
	local a=+15559200001 flag="my left leg went numb"
	start_daemon
	conv_start $a || return
	add_inbound twilio $a "$flag"
	wait_bodies $a 3 20 || { fail "no answer to the red flag"; return; }
	[ "$(bodies_to $a | sed -n 3p)" = "$(reply_of "$flag")" ] ||
		{ fail "the red flag got: $(bodies_to $a | sed -n 3p)"; return; }
	add_inbound twilio $a "2"
	wait_bodies $a 4 20 || { fail "no answer to 2"; return; }
	[ "$(bodies_to $a | sed -n 4p)" = "$(reply_of 2)" ] ||
		{ fail "2 after the red flag got: $(bodies_to $a | sed -n 4p)"; return; }
	stop_daemon
}

# STOP in the middle: the number is opted out at once and the answer
# after it gets nothing.
case_conv_stop() {
	conv_config
	local a=+15559300001
	start_daemon
	conv_start $a || return
	add_inbound twilio $a "STOP"
	wait_log ': stop rule=' 20 || { fail "STOP not recorded"; return; }
	add_inbound twilio $a "2"
	wait_log 'no reply: opted out' 20 || { fail "the answer after STOP not recorded as opted out"; return; }
	sleep 0.5
	[ "$(bodies_to $a | wc -l)" -eq 2 ] ||
		{ fail "sent after STOP: $(bodies_to $a)"; return; }
	stop_daemon
}

expired_count() { # the screening conversations stats counts as expired
	"$BACKTALK" stats --config "$WORK/backtalk.conf" --json | python3 -c '
import json, sys
print(json.load(sys.stdin)["conversations"].get("screening", {}).get("expired", 0))'
}

# A question not answered within expiry_s is forgotten: the daemon's sweep
# records it as expired without waiting for the number to write, once,
# and the answer after it is a new message.
case_conv_expired() {
	conv_config 10
	local a=+15559400001 n=0
	start_daemon
	conv_start $a || return
	for _ in $(seq $((25 * 10 * SLOW))); do
		n=$(expired_count) && [ "$n" = 1 ] && break
		sleep 0.1
	done
	[ "$n" = 1 ] || { fail "the sweep did not record the expiry: $n"; return; }
	add_inbound twilio $a "2"
	wait_bodies $a 3 20 || { fail "no answer to 2"; return; }
	[ "$(bodies_to $a | sed -n 3p)" = "$(reply_of 2)" ] ||
		{ fail "2 after expiry got: $(bodies_to $a | sed -n 3p)"; return; }
	[ "$(expired_count)" = 1 ] || { fail "expired counted twice: $(expired_count)"; return; }
	stop_daemon
}

# Check-ins, with the delay in seconds.
CHECKIN="Backtalk here, checking in"

checkin_config() { # checkin_config QUIET_HOURS
	write_config twilio
	printf 'conversations = { screening = true; checkin = true; checkin_delay_s = 6; quiet_hours = "%s"; timezone = "UTC"; };\n' \
		"$1" >>"$WORK/backtalk.conf"
}

checkins_to() { bodies_to "$1" | grep -c "^$CHECKIN"; }

wait_checkin() { # wait_checkin NUMBER SECONDS
	for _ in $(seq $(($2 * 10 * SLOW))); do
		[ "$(checkins_to "$1" 2>/dev/null)" -ge 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# A check-in fires once its delay has passed (the screening question
# answered first: a check-in waits while another question does), once,
# also after a restart and after a SIGKILL around the moment it is due;
# its answer is answered.
case_conv_checkin() {
	checkin_config none
	local a=+15559500001 b=+15559500002
	start_daemon
	conv_start $a || return
	add_inbound twilio $a "2"
	wait_bodies $a 3 20 || { fail "no answer to 2"; return; }
	wait_checkin $a 20 || { fail "no check-in: $(bodies_to $a)"; return; }
	stop_daemon
	start_daemon
	sleep 4
	[ "$(checkins_to $a)" -eq 1 ] || { fail "check-ins after a restart: $(checkins_to $a)"; return; }
	answer_is $a "1" 5 "Glad it is better" || return
	# SIGKILL around the moment b's check-in is due, twice.
	conv_start $b || return
	add_inbound twilio $b "2"
	wait_bodies $b 3 20 || { fail "no answer to b's 2"; return; }
	sleep 3.5
	stop_daemon KILL
	start_daemon
	sleep 0.4
	stop_daemon KILL
	start_daemon
	wait_checkin $b 20 || { fail "no check-in after SIGKILL: $(bodies_to $b)"; return; }
	sleep 4
	[ "$(checkins_to $b)" -eq 1 ] || { fail "check-ins after SIGKILL: $(checkins_to $b)"; return; }
	stop_daemon
}

# A newer report's check-in replaces the older one; STOP cancels it.
case_conv_checkin_stale() {
	checkin_config none
	local a=+15559600001 b=+15559600002
	start_daemon
	conv_start $a || return
	add_inbound twilio $a "2"
	wait_bodies $a 3 20 || { fail "no answer to 2"; return; }
	add_inbound twilio $a "my back still hurts after deadlifts"
	wait_bodies $a 5 20 || { fail "no answer to the second report"; return; }
	add_inbound twilio $a "2"
	wait_bodies $a 6 20 || { fail "no answer to the second 2"; return; }
	conv_start $b || return
	add_inbound twilio $b "STOP"
	wait_log ': stop rule=' 20 || { fail "STOP not recorded"; return; }
	wait_checkin $a 20 || { fail "no check-in: $(bodies_to $a)"; return; }
	sleep 4
	[ "$(checkins_to $a)" -eq 1 ] || { fail "check-ins to a: $(checkins_to $a)"; return; }
	[ "$(checkins_to $b)" -eq 0 ] || { fail "a check-in after STOP"; return; }
	stop_daemon
}

# A check-in due in quiet hours (here: the hour around now, in UTC, the
# zone of a +1555 number) waits for their end.
case_conv_quiet() {
	local from to
	from=$(date -u -d '-1 hour' +%H:00)
	to=$(date -u -d '+2 hour' +%H:00)
	checkin_config "$from-$to"
	local a=+15559700001
	start_daemon
	conv_start $a || return
	wait_log "check-in .*: put off: quiet hours" 20 || { fail "the check-in was not put off"; return; }
	sleep 1
	[ "$(checkins_to $a)" -eq 0 ] || { fail "a check-in in quiet hours"; return; }
	stop_daemon
}

wait_reloads() { # wait_reloads N SECONDS: N reloads logged
	for _ in $(seq $(($2 * 10 * SLOW))); do
		[ "$(grep -c 'reloaded:' "$WORK/daemon.log" 2>/dev/null)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# A reload (SIGHUP) neither loses a pending check-in nor sends one twice:
# reloaded before it is due, around the moment it is due, and after it
# went, with a changed configuration each time (a new guard and
# gateways' object: struct dconf).
case_conv_checkin_reload() {
	checkin_config none
	# Due 20 s after the report, so that the screening has ended by then
	# on a slow host (one due while a question waits is put off an hour).
	sed -i 's/checkin_delay_s = 6;/checkin_delay_s = 20;/' "$WORK/backtalk.conf"
	local a=+15559800001 t0 n=0
	start_daemon
	t0=$(date +%s.%N)
	conv_start $a || return
	add_inbound twilio $a "2"
	wait_bodies $a 3 20 || { fail "no answer to 2"; return; }
	# Reloads at these seconds after the report: before the check-in is
	# due, just before and just after it is.
	for at in 10 19.6 20.2 21; do
		sleep "$(awk -v t0="$t0" -v at="$at" -v now="$(date +%s.%N)" \
			'BEGIN { d = t0 + at - now; print (d > 0 ? d : 0) }')"
		n=$((n + 1))
		printf '# reload %s\n' $n >>"$WORK/backtalk.conf"
		kill -HUP "$DPID"
		wait_reloads $n 20 || { fail "reload $n not done"; return; }
	done
	wait_checkin $a 20 || { fail "no check-in after reloads: $(bodies_to $a)"; return; }
	printf '# reload after\n' >>"$WORK/backtalk.conf"
	kill -HUP "$DPID"
	wait_reloads 5 20 || { fail "the last reload not done"; return; }
	sleep 3
	[ "$(checkins_to $a)" -eq 1 ] || { fail "check-ins after reloads: $(checkins_to $a)"; return; }
	kill -0 "$DPID" || { fail "daemon died on a reload"; return; }
	stop_daemon
}

# The outcome figures: a screening answered no and one answered yes then
# 1 (both finished), a check-in answered 3 (worse) and one left waiting,
# as /metrics counts them when their messages are recorded and as
# `backtalk stats` and `backtalk history` read them from the store.
case_conv_outcomes() {
	checkin_config none
	# Time for both screenings to end before the check-ins are due (one
	# due while a question waits is put off an hour), on a loaded host.
	sed -i 's/checkin_delay_s = 6;/checkin_delay_s = 20;/' "$WORK/backtalk.conf"
	MPORT=$(free_port)
	printf 'metrics = { listen = "127.0.0.1"; port = %s; };\n' "$MPORT" >>"$WORK/backtalk.conf"
	local a=+15559800001 b=+15559800002 conf="$WORK/backtalk.conf"
	start_daemon
	screening_both_ways $a $b || return
	wait_checkin $a 40 || { fail "no check-in to a: $(bodies_to $a)"; return; }
	wait_checkin $b 40 || { fail "no check-in to b: $(bodies_to $b)"; return; }
	add_inbound twilio $a "3"
	wait_bodies $a 5 20 || { fail "no answer to the check-in's 3"; return; }
	wait_log "inbound .* from .*: .* rule=pain-worsening -> reply" 5 ||
		{ fail "the check-in's 3 is not answered as worse"; return; }
	local m='backtalk_conversation_events_total{conversation='
	for want in "${m}\"screening\",event=\"started\"} 2" \
		"${m}\"screening\",event=\"answered\"} 1" \
		"${m}\"screening\",event=\"finished\"} 2" \
		"${m}\"checkin\",event=\"started\"} 2" \
		"${m}\"checkin\",event=\"finished\"} 1" \
		'backtalk_checkin_answers_total{answer="worse"} 1'; do
		wait_scrape /metrics "^$want\$" 10 || { fail "/metrics lacks: $want"; return; }
	done
	grep -q '^# TYPE backtalk_checkin_answers_total counter$' "$WORK/scrape" ||
		{ fail "no TYPE line for the check-in answers"; return; }
	! grep -q 'event="\(expired\|gave_up\|interrupted\)"' "$WORK/scrape" ||
		{ fail "/metrics counts what did not happen: $(grep conversation_events "$WORK/scrape")"; return; }
	"$BACKTALK" stats --config "$conf" >"$WORK/stats.txt" 2>&1 ||
		{ fail "backtalk stats failed: $(cat "$WORK/stats.txt")"; return; }
	grep -q '^  screening  *2  *2  *0  *0  *0$' "$WORK/stats.txt" &&
		grep -q '^  checkin  *2  *1  *0  *0  *0$' "$WORK/stats.txt" &&
		grep -q '^  worse  *1$' "$WORK/stats.txt" &&
		grep -q '^  better  *0$' "$WORK/stats.txt" ||
		{ fail "stats: $(sed -n '/^Conversations/,$p' "$WORK/stats.txt")"; return; }
	"$BACKTALK" stats --config "$conf" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
c, a = d["conversations"], d["checkin_answers"]
assert c["screening"] == {"started": 2, "finished": 2, "expired": 0, "gave_up": 0, "interrupted": 0}, c
assert c["checkin"]["started"] == 2 and c["checkin"]["finished"] == 1, c
assert a == {"better": 0, "same": 0, "worse": 1, "red_flag": 0, "no_answer": 0}, a' ||
		{ fail "stats --json does not count them"; return; }
	"$BACKTALK" history --config "$conf" --show-numbers $b >"$WORK/history.txt" 2>&1 &&
		grep -q 'cnv  screening/ask  *answered yes ' "$WORK/history.txt" &&
		grep -q 'cnv  screening/bladder  *finished cauda-equina-bladder-bowel ' "$WORK/history.txt" ||
		{ fail "history of b: $(cat "$WORK/history.txt")"; return; }
	"$BACKTALK" history --config "$conf" --show-numbers $a >"$WORK/history.txt" 2>&1 &&
		grep -q 'cnv  checkin/how  *finished worse ' "$WORK/history.txt" ||
		{ fail "history of a: $(cat "$WORK/history.txt")"; return; }
	stop_daemon
}

# A bare YES while the question waits (Twilio: gateway_handles_keywords
# on, and the number never opted out, so Twilio passes it on): not an
# opt-in and not an answer; the question is asked again, and its answer
# still counts.  With none waiting it is left to the gateway, silently.
case_conv_yes() {
	conv_config
	local a=+15559900001 b=+15559900002
	start_daemon
	conv_start $a || return
	answer_is $a "YES" 3 "Sorry, we did not get that" || return
	answer_is $a "2" 4 "Good, none of those" || return
	add_inbound twilio $b "YES"
	wait_log "inbound .* from .*: start .*gateway answers compliance keywords" 20 ||
		{ fail "YES with no question waiting is not left to the gateway"; return; }
	sleep 0.5
	[ "$(bodies_to $b | wc -l)" -eq 0 ] || { fail "sent to b: $(bodies_to $b)"; return; }
	stop_daemon
}

for CASE in "${CASES[@]}"; do
	rm -rf "$WORK/state.db"* "$WORK/daemon.log" "$WORK/daemon.out" "$WORK/fakegw.log" "$WORK/faketime"
	start_fakegw || { fail "fakegw did not start"; continue; }
	before=$failed
	"case_$CASE"
	stop_daemon KILL
	stop_fakegw
	[ ${#WRAPPER[@]} -eq 0 ] || check_valgrind
	[ "$failed" -eq "$before" ] && { echo "ok $CASE"; passed=$((passed + 1)); }
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
