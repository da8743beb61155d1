/* gateway.c: making the inbound and the outbound part of the driver a
 * configuration names (gateway.h), by the table of drivers (gwdriver.h). */
#include <stdio.h>

#include "config.h"
#include "gateway.h"
#include "gwdriver.h"

/* Each driver's constructors, by the id the table of drivers gives it. */
struct gateway_ctor {
	enum config_gateway id;
	struct gateway_in *(*in_new)(const struct config *cfg,
	                             const char *secret, char *err,
	                             size_t errlen);
	struct gateway_out *(*out_new)(const struct config *cfg,
	                               const char *secret, char *err,
	                               size_t errlen);
};

static const struct gateway_ctor gateway_ctors[] = {
	{ CONFIG_GATEWAY_CONSOLE, gateway_console_in_new,
	  gateway_console_out_new },
	{ CONFIG_GATEWAY_TWILIO, gateway_twilio_in_new,
	  gateway_twilio_out_new },
	{ CONFIG_GATEWAY_INFOBIP, gateway_infobip_in_new,
	  gateway_infobip_out_new },
};

static const struct gateway_ctor *
gateway_ctor_of(const struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(gateway_ctors) / sizeof(gateway_ctors[0]);
	     i++)
		if (gateway_ctors[i].id == cfg->gateway)
			return &gateway_ctors[i];
	snprintf(err, errlen, "%s: no such driver is built in",
	         gwdriver_of(cfg->gateway)->name);
	return NULL;
}

struct gateway_in *
gateway_in_new(const struct config *cfg, const char *secret, char *err,
               size_t errlen)
{
	const struct gateway_ctor *c = gateway_ctor_of(cfg, err, errlen);

	return c != NULL ? c->in_new(cfg, secret, err, errlen) : NULL;
}

struct gateway_out *
gateway_out_new(const struct config *cfg, const char *secret, char *err,
                size_t errlen)
{
	const struct gateway_ctor *c = gateway_ctor_of(cfg, err, errlen);

	return c != NULL ? c->out_new(cfg, secret, err, errlen) : NULL;
}

void
gateway_in_free(struct gateway_in *gw)
{
	if (gw != NULL)
		gw->ops->free(gw);
}

void
gateway_out_free(struct gateway_out *gw)
{
	if (gw != NULL)
		gw->ops->free(gw);
}

void
gateway_in_events(struct gateway_in *gw, struct gateway_events *ev)
{
	ev->nfds = 0;
	ev->timeout_s = -1;
	if (gw->ops->events != NULL)
		gw->ops->events(gw, ev);
}

void
gateway_out_send_many(struct gateway_out *gw, struct gateway_send *items,
                      size_t n)
{
	if (gw->ops->send_many != NULL) {
		gw->ops->send_many(gw, items, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		gw->ops->send(gw, items[i].to, items[i].body, &items[i].res);
}
