/* One configuration of the daemon (dconf.h): reading its files, and
 * building or freeing everything made from them in one go. */
#include <stdlib.h>
#include <string.h>

#include "convo.h"
#include "dconf.h"
#include "diag.h"
#include "guardkeep.h"
#include "gwdriver.h"
#include "log.h"
#include "rulecheck.h"
#include "secret.h"

/* Logs a file's problems, one line each, as file:line: message. */
static void
dconf_log_diag(const struct diag *d, const char *path)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct diag_item *it = &d->items[i];
		log_msg(it->severity == DIAG_ERROR ? LOG_LEVEL_ERR
		                                   : LOG_LEVEL_WARNING,
		        "%s:%d: %s", it->file ? it->file : path, it->line,
		        it->message);
	}
}

struct config *
dconf_load_config(const char *path)
{
	struct config *cfg = NULL;
	struct diag d;

	diag_init(&d);
	if (config_load(path, &cfg, &d) != 0)
		cfg = NULL;
	dconf_log_diag(&d, path);
	diag_free(&d);
	return cfg;
}

struct ruleset *
dconf_load_rules(const char *path)
{
	struct ruleset *rs = NULL;
	struct diag d;

	diag_init(&d);
	if (rules_load(path, &rs, &d) == 0 &&
	    rulecheck_run(rs, false, &d) > 0) {
		rules_free(rs);
		rs = NULL;
	}
	dconf_log_diag(&d, path);
	diag_free(&d);
	return rs;
}

char *
dconf_load_secret(const struct config *cfg, bool *ok)
{
	const struct config_secret *src = gwdriver_secret(cfg);
	char warn[512] = "", err[512] = "";
	char *s = NULL;

	*ok = true;
	if (src == NULL)
		return NULL;
	if (secret_load(src, cfg->secret_mode_strict, &s, warn, sizeof(warn),
	                err, sizeof(err)) != 0) {
		log_err("%s", err);
		*ok = false;
		return NULL;
	}
	if (warn[0])
		log_warning("%s", warn);
	return s;
}

/* The gateways: the inbound part (the loop polls it), an outbound part
 * for the loop's lookups and one for the sending thread (each with
 * connections of its own).  All three, or none: -1 with err set. */
static int
dconf_gateways_new(struct dconf *c, char *err, size_t errlen)
{
	c->gw_in = gateway_in_new(c->cfg, c->secret, err, errlen);
	if (c->gw_in != NULL)
		c->gw_out = gateway_out_new(c->cfg, c->secret, err, errlen);
	if (c->gw_out != NULL)
		c->gw_send = gateway_out_new(c->cfg, c->secret, err, errlen);
	return c->gw_send != NULL ? 0 : -1;
}

/* Whether c can keep old's gateways: the same driver, the same settings
 * (config_gateway_equal) and the same secret.  Then a driver's state (a
 * listing's place, connections, a socket it listens on) lives on. */
static bool
dconf_gateways_same(const struct dconf *old, const struct dconf *c)
{
	if (old == NULL || old->gw_in == NULL ||
	    !config_gateway_equal(old->cfg, c->cfg))
		return false;
	if (old->secret == NULL || c->secret == NULL)
		return old->secret == c->secret;
	return strcmp(old->secret, c->secret) == 0;
}

/* Moves old's gateways into c: c owns them from now on, and freeing old
 * frees none of them.  old's sending thread's part is NULL once a swap
 * handed it to the thread (dconf.h), and so is c's then. */
static void
dconf_gateways_take(struct dconf *c, struct dconf *old)
{
	c->gw_in = old->gw_in;
	c->gw_out = old->gw_out;
	c->gw_send = old->gw_send;
	old->gw_in = NULL;
	old->gw_out = NULL;
	old->gw_send = NULL;
}

struct dconf *
dconf_new(struct config *cfg, struct dconf *old, struct store *st, double now)
{
	struct dconf *c = calloc(1, sizeof(*c));
	char err[512] = "";
	bool ok;

	if (c == NULL) {
		log_err("out of memory");
		config_free(cfg);
		return NULL;
	}
	c->cfg = cfg;
	c->rs = dconf_load_rules(cfg->rules_path);
	if (c->rs == NULL)
		goto fail;
	/* The configuration bounds the rules' conversations. */
	if (c->rs->convos != NULL) {
		c->rs->convos->ttl_s = cfg->conversations.expiry_s;
		c->rs->convos->daily_max = cfg->conversations.max_per_day;
	}
	c->cls = classify_new(c->rs);
	/* The guard's memory is kept by the store (guardkeep.h); without
	 * one (tests of this object alone) by the guard itself. */
	c->guard =
	    st != NULL
	        ? guardkeep_new(st, cfg->guard.replies_per_sender,
	                        cfg->guard.window_s, cfg->guard.max_senders)
	        : guard_new(cfg->guard.replies_per_sender, cfg->guard.window_s,
	                    cfg->guard.max_senders);
	c->secret = dconf_load_secret(cfg, &ok);
	if (!ok)
		goto fail;
	if (c->cls == NULL || c->guard == NULL ||
	    (!dconf_gateways_same(old, c) &&
	     dconf_gateways_new(c, err, sizeof(err)) < 0)) {
		log_err("%s gateway: %s", config_gateway_name(cfg->gateway),
		        err[0] ? err : "out of memory");
		goto fail;
	}
	/* Nothing fails from here on: old gives up its gateways only now. */
	if (c->gw_in == NULL)
		dconf_gateways_take(c, old);
	guard_rate_init(&c->rate, cfg->guard.send_rate, now);
	return c;
fail:
	dconf_free(c);
	return NULL;
}

void
dconf_free(struct dconf *c)
{
	if (c == NULL)
		return;
	gateway_out_free(c->gw_send);
	gateway_out_free(c->gw_out);
	gateway_in_free(c->gw_in);
	secret_free(c->secret);
	guard_free(c->guard);
	classify_free(c->cls);
	rules_free(c->rs);
	config_free(c->cfg);
	free(c);
}
