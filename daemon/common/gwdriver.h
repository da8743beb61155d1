/* The table of gateway drivers: one entry a driver, saying what it is
 * called (gateway.driver), which group of settings it reads, which secret
 * it needs and which settings it cannot do without.  The configuration
 * (config.c) checks a file by it, the daemon loads the driver's secret and
 * names it in its messages by it, and the gateway factory (gateway/gateway.c)
 * finds each driver's constructors by its id.  A new driver is a line here
 * and a line there.  Pure data: no I/O. */
#ifndef BACKTALK_GWDRIVER_H
#define BACKTALK_GWDRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* A setting a driver cannot do without, and what to say when it is
 * missing: "GROUP.NAME is missing; add NAME = EXAMPLE; (WHERE)". */
struct gwdriver_require {
	const char *name;
	const char *example;
	const char *where;
};

struct gwdriver {
	const char *name; /* gateway.driver = "twilio" */
	enum config_gateway id;
	/* Its settings' group ("twilio"), NULL when it has none; and what
	 * to add when the group is missing. */
	const char *group;
	const char *group_example;
	/* The stem of its secret's _file, _env and _credential keys
	 * ("auth_token"), NULL when it needs none; where in struct config
	 * the sources are read to. */
	const char *secret;
	size_t secret_offset;
	/* Settings it needs besides its secret, in the order they are
	 * checked; ends with a NULL name. */
	const struct gwdriver_require *required;
	/* The gateway answers HELP, STOP and START itself (the default of
	 * compliance.gateway_handles_keywords). */
	bool handles_keywords;
	/* What an operator checks when it refuses our credentials, besides
	 * the secret; NULL when it has no credentials. */
	const char *account_settings;
};

/* The drivers, in the order they are listed; gwdriver_count of them. */
extern const struct gwdriver gwdriver_table[];
extern const size_t gwdriver_count;

/* The driver called name, or NULL. */
const struct gwdriver *gwdriver_find(const char *name);
/* The driver with this id (never NULL for an id the table has; the
 * console's for any other). */
const struct gwdriver *gwdriver_of(enum config_gateway id);
/* Where cfg's driver reads its secret from; NULL when it needs none. */
const struct config_secret *gwdriver_secret(const struct config *cfg);

#endif
