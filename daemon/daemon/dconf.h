/* One configuration of the daemon: the configuration file and everything
 * built from it (the rules, the classifier, the flood guard, the send rate,
 * the gateway's secret and the gateways).
 *
 * backtalkd runs on one of these (struct daemon's conf).  A reload builds a
 * whole new one with dconf_new, swaps that one pointer when all of it is
 * ready, and frees the old one with dconf_free; a reload that fails leaves
 * the running one as it was (as OpenBSD bgpd's reconfigure does).  What
 * outlives a configuration (the store, the metrics and their endpoint, the
 * sending thread, the clocks, the pending batch, the spool) is in struct
 * daemon.
 *
 * Part of the daemon, not a library: what is wrong with the files is
 * logged here, one line each, as `backtalkd -n` shows it too. */
#ifndef BACKTALK_DCONF_H
#define BACKTALK_DCONF_H

#include <stdbool.h>

#include "classify.h"
#include "config.h"
#include "gateway.h"
#include "guard.h"
#include "rules.h"
#include "store.h"

struct dconf {
	struct config *cfg;
	struct ruleset *rs;
	struct classify *cls;
	struct guard *guard;
	struct guard_rate rate; /* cfg->guard.send_rate, from dconf_new */
	char *secret;           /* the gateway's credential; NULL (console) */
	/* The gateway (gateway.h): its inbound part, which the loop polls,
	 * and an outbound part for the loop's lookups. */
	struct gateway_in *gw_in;
	struct gateway_out *gw_out;
	/* The sending thread's outbound part (connections of its own).  The
	 * swap hands it to the thread (sendq_set_gateway), which frees it
	 * when it takes the next one: NULL from then on, so that freeing
	 * this configuration never frees a gateway the thread may still be
	 * sending with. */
	struct gateway_out *gw_send;
};

/* Builds all that cfg names, or nothing: takes cfg (freed on failure);
 * now (monotonic seconds) starts the send rate; st keeps the guard's
 * memory (guardkeep.h; NULL: the guard keeps its own).  NULL when a part
 * cannot be built, with the reason logged, nothing left allocated and old
 * untouched.
 *
 * old is the running configuration (NULL at start).  When cfg names the
 * same driver with the same settings and secret (config_gateway_equal),
 * the new one takes old's gateways instead of building its own: they move
 * (old's pointers become NULL, so that dconf_free(old) frees none of
 * them), and gw_send moves as it is: NULL when the thread has it already,
 * which then goes on sending with it.  Otherwise new gateways are built
 * beside old's. */
struct dconf *dconf_new(struct config *cfg, struct dconf *old, struct store *st,
                        double now);
/* Frees the configuration and all it holds (NULL is fine). */
void dconf_free(struct dconf *c);

/* Reads a configuration file or a rule file, logging each problem as
 * file:line: a warning, or an error and NULL. */
struct config *dconf_load_config(const char *path);
struct ruleset *dconf_load_rules(const char *path);
/* Reads the secret of the gateway cfg names (NULL for the console, which
 * has none); *ok is false, and the reason logged, when it cannot. */
char *dconf_load_secret(const struct config *cfg, bool *ok);

#endif
