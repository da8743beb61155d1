/* backtalkd configuration: one libconfig file, every key validated, errors
 * with file:line.  A loaded config is immutable; reload builds a new one. */
#ifndef BACKTALK_CONFIG_H
#define BACKTALK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "log.h"

enum config_gateway {
	CONFIG_GATEWAY_CONSOLE,
	CONFIG_GATEWAY_TWILIO,
	CONFIG_GATEWAY_INFOBIP
};

/* Where a secret comes from: a file, an environment variable, or a systemd
 * credential (a file in $CREDENTIALS_DIRECTORY); the first one set wins. */
struct config_secret {
	char *file;
	char *env;
	char *credential;
	/* The keys' common stem ("twilio.auth_token"), static: messages
	 * name the key, never the value given for it. */
	const char *key;
};

struct config {
	char *path; /* the file this was read from */

	enum config_gateway gateway;
	struct {
		char *base_url; /* default https://api.twilio.com */
		char *account_sid;
		struct config_secret auth_token;
		char *number; /* our number: To filter and From */
		char
		    *messaging_service_sid; /* send with this instead of From */
		unsigned page_size;         /* 1..1000, default 100 */
	} twilio;
	struct {
		char *base_url; /* the account's https://xxxx.api.infobip.com */
		struct config_secret api_key;
		char *number;   /* sender */
		unsigned limit; /* 1..1000, default 100 */
	} infobip;

	struct {
		char *ca_file;
		bool allow_insecure_http;
		unsigned connect_timeout_ms; /* default 5000 */
		unsigned timeout_ms;         /* default 15000 */
		size_t max_response_bytes;   /* default 4 MiB */
		unsigned max_pages_per_poll; /* default 5 */
		unsigned parallel_sends;     /* default 4 */
		unsigned lookup_trust_s;     /* a lookup says "not sent" only
		                                this long after the attempt;
		                                default 5 */
	} http;

	char *rules_path;
	char *state_path;          /* SQLite database */
	unsigned poll_interval_ms; /* default 5000 */
	unsigned max_age_s;        /* older inbound is recorded, not answered;
	                              default 86400 */
	unsigned retention_days;   /* bodies deleted after; 0 = keep */

	struct {
		bool gateway_handles_keywords; /* default true for twilio */
		char *help_text; /* override the rules' replies.help */
		char *stop_text;
		char *start_text;
	} compliance;

	struct {
		unsigned replies_per_sender; /* per window, default 5 */
		unsigned window_s;           /* default 3600 */
		double send_rate;            /* messages/second, default 1 */
		unsigned max_senders;        /* tracked, default 100000 */
		unsigned max_attempts;       /* send retries, default 8 */
	} guard;

	struct {
		char *listen;                  /* an IP address, default
		                                  127.0.0.1 */
		unsigned port;                 /* 0: no endpoint (default) */
		unsigned health_max_failing_s; /* default 300 */
	} metrics;

	enum log_level log_level;
	bool secret_mode_strict; /* refuse (not warn) group/world-readable
	                            secret files and state database */

	/* The rules' conversations (rules/README.md, "Conversations"). */
	struct {
		bool screening;       /* ask the screening questions after a
		                         report; default false */
		unsigned expiry_s;    /* a question waits this long for its
		                         answer; default 86400 */
		unsigned max_per_day; /* conversation messages a number a UTC
		                         day; default 4 */
		bool checkin;         /* send the check-ins; default false */
		unsigned checkin_delay_s; /* after the report; 0: the rules'
		                             delay_days */
		char *quiet_hours;        /* "21:00-09:00" (default), "none" */
		char *timezone;           /* for numbers of no known zone;
		                             default "UTC" */
		/* quiet_hours in minutes after midnight, local time; equal:
		   none. */
		int quiet_from, quiet_to;
	} conversations;

	struct {
		/* ISO 3166 code ("US") for numbers an operator types without
		 * "+" (phone.c); NULL: such numbers are refused. */
		char *default_country;
	} numbers;
};

/* Where backtalkd and backtalk look without -c / --config. */
#define CONFIG_DEFAULT_DIR  "/etc/backtalk"
#define CONFIG_DEFAULT_PATH CONFIG_DEFAULT_DIR "/backtalk.conf"

/* Loads path.  Every problem goes to d with file:line; returns 0 and sets
 * *ret, or -1 with *ret untouched. */
int config_load(const char *path, struct config **ret, struct diag *d);
void config_free(struct config *cfg);
/* Sets every number and flag of a zeroed cfg to its default, as a file
 * that leaves them out gets; strings stay NULL.  For `backtalk chat`
 * without --config. */
void config_defaults(struct config *cfg);
const char *config_gateway_name(enum config_gateway g);
/* Whether a and b configure the gateway alike: the same driver with the
 * same settings (its group and http), so that a reload can keep the
 * running one.  The secret's sources are not compared: the caller
 * compares the secret itself. */
bool config_gateway_equal(const struct config *a, const struct config *b);

#endif
