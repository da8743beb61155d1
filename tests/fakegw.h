/* fakegw: the fake SMS gateway the end-to-end tests and benchmarks run
 * backtalkd against.  This header is its manual and the defaults a C test
 * needs; fakegw.c is the server, fakegw_selftest.c its test.
 *
 * Running it
 *
 *   fakegw --port 0 --port-file PATH [--log PATH] [--verbose]
 *          [--twilio-sid AC...] [--twilio-token T] [--infobip-key K]
 *
 * It listens on 127.0.0.1 only.  With --port 0 it takes an ephemeral port
 * and writes it, with a newline, to PATH once it is listening (through a
 * rename, so a reader never sees half a file); wait for the file to appear.
 * SIGTERM or SIGINT stops it with exit status 0 and removes the port file.
 * --log appends one JSON line per request: ts, time_ms, method, path,
 * query, endpoint, auth ("ok", "bad" or "none": never the secret),
 * content_type, user_agent, body (the form or JSON, when under 64 KiB),
 * body_bytes, status (0 for a dropped connection), fault, ms.
 *
 * Twilio (HTTP Basic auth: account SID and auth token)
 *
 *   GET  /2010-04-01/Accounts/{sid}/Messages.json
 *        To, From, DateSent>=YYYY-MM-DD, DateSent<=, DateSent=, PageSize
 *        (default 50, at most 1000), Page, PageToken.  Inbound and
 *        outbound messages, newest first by date_created; next_page_uri
 *        carries an opaque PageToken, so following it is stable while new
 *        messages arrive.  A DateSent filter leaves out an outbound
 *        message still queued (no date_sent yet), as Twilio may.
 *   POST /2010-04-01/Accounts/{sid}/Messages.json
 *        form: To, Body, From or MessagingServiceSid.  201 with the new
 *        message (status queued, date_sent null); lists show it as sent,
 *        with date_sent, once twilio_queue_ms have passed; 400 21604,
 *        21603, 21602 or 21617 for a missing To, From, Body or an over-long
 *        Body; 400 21610 for an opted-out To.
 *   Bad auth: 401 {"code":20003,"message":"Authenticate",...}.
 *
 * Infobip (header Authorization: App {key})
 *
 *   GET  /sms/1/inbox/reports?limit=N (default 50, at most 1000): each
 *        inbound message once only, with messageCount and
 *        pendingMessageCount (still waiting after this answer); its
 *        from and to without a leading '+', as Infobip writes them.
 *   POST /sms/2/text/advanced: {"messages":[{"destinations":[{"to"}],
 *        "from","text"}]}; every destination is recorded as sent and
 *        answered PENDING_ACCEPTED.
 *   GET  /sms/1/logs?to=&sentSince=&sentUntil=&limit=N (default 50, at
 *        most 1000): the messages sent through Infobip, newest first,
 *        each with bulkId, messageId, to, from, text, sentAt (when it was
 *        recorded), doneAt, smsCount, price, status DELIVERED and error
 *        NO_ERROR.  Numbers are written, and to is matched, without a
 *        leading '+', as Infobip does; dates as receivedAt is, and
 *        sentSince/sentUntil take Z, +hhmm or +hh:mm.  400 BAD_REQUEST for
 *        a bad limit or date.
 *   Bad auth: 401 {"requestError":{"serviceException":{"messageId":
 *        "UNAUTHORIZED","text":"Invalid login details"}}}.
 *
 * Control API (JSON in and out, same port)
 *
 *   POST /_control/inbound       {"gateway":"twilio"|"infobip","from","to",
 *                                 "body","date_sent":unix seconds?}
 *                                -> {"id"}
 *   POST /_control/inbound/bulk  {"gateway","to","from"?,"messages":
 *                                 [{"from","body","to"?,"date_sent"?}]}
 *                                -> {"added","first_id","last_id"}
 *   GET  /_control/sent[?offset=N&gateway=G]
 *                                -> {"total","sent":[{"index","gateway",
 *                                 "id","from","to","body","time",
 *                                 "time_ms"}]} in the order received
 *   GET  /_control/requests[?recent=N]
 *                                -> {"total","endpoints":{NAME:{"total",
 *                                 "200":n,"drop":n,...}},"recent":[last N
 *                                 gateway requests (default 100) with
 *                                 time_ms, endpoint, method, path, status,
 *                                 auth, fault],"state":{...}}
 *   POST /_control/faults        {"twilio_list":[F...],"twilio_send":[...],
 *                                 "infobip_inbox":[...],"infobip_send":[...],
 *                                 "infobip_logs":[...]} -> {"pending"}
 *   POST /_control/optout        {"number","remove":false}
 *   POST /_control/config        how Twilio behaves from now on, any of:
 *                                 "twilio_token": the token it takes (a
 *                                 rotation: the old one gets 401);
 *                                 "twilio_queue_ms": a sent message stays
 *                                 queued, without date_sent, so long
 *                                 (default 0); "twilio_list_lag_ms": it is
 *                                 listed only so long after it was created
 *                                 (default 0); "random": {"twilio_send":
 *                                 [{"p":0.05,"status":500},...],...}:
 *                                 a request with no fault queued draws
 *                                 one with probability p (replaces that
 *                                 endpoint's list; [] for none); "seed":
 *                                 for those draws; "clear_faults": true
 *                                 empties the fault queues.  -> {"ok"}
 *   POST /_control/reset         clears messages, sends, opt-outs, faults
 *                                (random ones too) and counters (ids never
 *                                repeat); the config stays
 *   GET  /_control/ping          {"ok":true}
 *
 * Faults
 *
 * Each endpoint has a queue; each request to it takes the next fault, so a
 * fault fires once and normal service resumes.  A fault F is an object of:
 *   "status":500             that status, with the gateway's error JSON
 *   "status":429,"retry_after":2   ... and a Retry-After header
 *   "delay_ms":3000          wait, then answer (with the other fields)
 *   "drop":true              close the connection without an answer
 *   "truncate":true|"body"   200 with the first half of the JSON (a
 *                            consistent Content-Length)
 *   "truncate":"close"       promise the whole JSON, send half, close
 *   "malformed":true         200 with {"messages": [ {"sid": and no more
 *   "huge_bytes":N           200 with an N-byte JSON body, streamed
 *   "raw":"TEXT"             200 with exactly TEXT as the body (a page
 *                            with a poisoned message, say)
 *   "duplicate":true         Twilio list: next_page_uri repeats this page;
 *                            Infobip inbox: the messages stay in the inbox
 *   "loop":true              Twilio list: next_page_uri is this request's
 *                            own URI (Page and PageToken as asked)
 *   "apply":true             the request takes effect (a send is recorded,
 *                            the inbox emptied) before the fault answers;
 *                            without it a fault changes no state
 *   "count":N                queue N copies
 * {} answers normally: it skips one request.
 *
 * libcurl retries once, on a fresh connection, a request whose reused
 * connection closed with nothing received: to make a drop visible to a
 * client that keeps connections alive, queue two. */
#ifndef BACKTALK_FAKEGW_H
#define BACKTALK_FAKEGW_H

/* The credentials fakegw uses when given none. */
#define FAKEGW_DEFAULT_SID   "AC0123456789abcdef0123456789abcdef"
#define FAKEGW_DEFAULT_TOKEN "fakegw-token"
#define FAKEGW_DEFAULT_KEY   "fakegw-key"

#endif
