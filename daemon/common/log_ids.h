/* The journal's MESSAGE_ID of each kind of event backtalkd logs, as
 * systemd's sd-messages.h has them for systemd's own: 128-bit ids made
 * once with `systemd-id128 new` and never changed, so that an operator's
 * `journalctl MESSAGE_ID=...` and alert rules keep working across
 * versions.  Each is listed with its fields in backtalkd(8), JOURNAL
 * FIELDS (scripts/doc-drift.sh checks that every id here is there). */
#ifndef BACKTALK_LOG_IDS_H
#define BACKTALK_LOG_IDS_H

/* The daemon: started (rules loaded, gateway set up), stopping, a reload
 * that took effect and one that failed (the previous rules still run). */
#define LOG_ID_START         "cc3f47b070b3463b94a710e214477ede"
#define LOG_ID_STOP          "f5b4d3eba3f844e084bd9629a1a2aeb3"
#define LOG_ID_RELOAD_OK     "69ec4ea6b97843cd92a1d69998fb4be9"
#define LOG_ID_RELOAD_FAILED "b6db811a994241abafb97457d7722670"

/* An inbound message decided, one record each, by the first that
 * applies: a red flag (emergency or urgent, answered or not), an opt-out
 * or opt-in recorded, not answered (REASON=), answered. */
#define LOG_ID_RED_FLAG   "aef0d66379d24a20a618d34bb635be82"
#define LOG_ID_OPTOUT     "c95b619a915d448fbbd2d7c045fc2689"
#define LOG_ID_OPTIN      "11908623b7d44a728abeeeaf21545e92"
#define LOG_ID_UNANSWERED "d70209cf69e2421fa9a624105c4382ec"
#define LOG_ID_REPLY      "6b02616e2c284741addbc0fc84a451c5"

/* A reply in the outbox: taken by the gateway, an attempt failed and will
 * be retried, failed for good, cancelled because the number opted out. */
#define LOG_ID_SENT           "64bb9abf53604175a6a310e9bb0ffacf"
#define LOG_ID_SEND_RETRY     "aca3edfca72d4bd4a7efd163b7cc4745"
#define LOG_ID_SEND_FAILED    "b58dd291b88346b287a8b8d19152a6c1"
#define LOG_ID_SEND_CANCELLED "576f2fd5e178423683277a1ca792787c"

/* The gateway: a poll failed, our credentials were refused. */
#define LOG_ID_POLL_FAILED  "8ac4d5d5c4cd47e6801defb1d901445d"
#define LOG_ID_AUTH_REFUSED "7242eda19963402ca6b9c300d602a0f8"

#endif
