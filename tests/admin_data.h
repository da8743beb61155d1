/* A small state database with real records, for the tests of the
 * operator's admin commands (test_store_admin and tests/admin/): three
 * people, replies in every outbox state, an opt-out, a staged message and
 * a body cleared by retention.  Test code only. */
#ifndef BACKTALK_ADMIN_DATA_H
#define BACKTALK_ADMIN_DATA_H

#include <stdint.h>

#include "store.h"

#define ADMIN_DATA_A "+15551230001" /* FORM, a red flag, a pending reply */
#define ADMIN_DATA_B "+15551230002" /* retention, a failure, STOP */
#define ADMIN_DATA_C "447700900123" /* Infobip: written without '+' */
#define ADMIN_DATA_D "+15551230004" /* screening answered yes, then 2 */
#define ADMIN_DATA_E "+15551230005" /* screening expired, check-in worse */

/* A fixed "now" for golden output: 2026-11-20 12:00:00 UTC. */
#define ADMIN_DATA_NOW 1795176000

/* Fills st with the records, every time relative to now.  0, or -1 with
 * the reason in store_error(st). */
int admin_data_fill(struct store *st, int64_t now);
/* Adds two conversations (admin_mkstate PATH [NOW] convo), as the daemon
 * records them with rules/60-conversations.conf: D answers the screening
 * yes, then 2 (an emergency); E leaves it unanswered, gets the check-in a
 * week later and answers 3 (worse).  0 or -1. */
int admin_data_fill_convo(struct store *st, int64_t now);

#endif
