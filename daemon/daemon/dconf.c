/* One configuration of the daemon (dconf.h): reading its files, and
 * building or freeing everything made from them in one go. */
#include <stdlib.h>

#include "convo.h"
#include "dconf.h"
#include "diag.h"
#include "guardkeep.h"
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

static const struct config_secret *
dconf_secret_source(const struct config *cfg)
{
	if (cfg->gateway == CONFIG_GATEWAY_TWILIO)
		return &cfg->twilio.auth_token;
	if (cfg->gateway == CONFIG_GATEWAY_INFOBIP)
		return &cfg->infobip.api_key;
	return NULL;
}

char *
dconf_load_secret(const struct config *cfg, bool *ok)
{
	const struct config_secret *src = dconf_secret_source(cfg);
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

/* The gateways: the loop's, and the sending thread's, a second one so that
 * it has connections of its own.  -1 with err set. */
static int
dconf_gateways(struct dconf *c, char *err, size_t errlen)
{
	c->gw = gateway_new(c->cfg, c->secret, err, errlen);
	if (c->gw == NULL)
		return -1;
	c->gw_send = gateway_new(c->cfg, c->secret, err, errlen);
	return c->gw_send != NULL ? 0 : -1;
}

struct dconf *
dconf_new(struct config *cfg, struct store *st, double now)
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
	    dconf_gateways(c, err, sizeof(err)) < 0) {
		log_err("%s gateway: %s", config_gateway_name(cfg->gateway),
		        err[0] ? err : "out of memory");
		goto fail;
	}
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
	gateway_free(c->gw_send);
	gateway_free(c->gw);
	secret_free(c->secret);
	guard_free(c->guard);
	classify_free(c->cls);
	rules_free(c->rs);
	config_free(c->cfg);
	free(c);
}
