/* Configuration: reads the one libconfig file into a struct config.  Every
 * setting is checked against the key tables below, and every problem goes to
 * the diagnostics list with the file and line to edit, so that one run of
 * --check-config shows them all.  No side effects: secrets are only named
 * here (secret.c reads them) and no file is opened but the config itself,
 * which must be a regular file (regfile.c: a FIFO never blocks us). */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "config.h"
#include "gwdriver.h"
#include "http_url.h"
#include "phone.h"
#include "gsm7.h"
#include "regfile.h"
#include "store.h"
#include "utf8.h"

#define CONFIG_DEFAULT_RULES  "/etc/backtalk/rules.d"
#define CONFIG_DEFAULT_STATE  "/var/lib/backtalk/state.db"
#define CONFIG_DEFAULT_TWILIO "https://api.twilio.com"
#define CONFIG_DEFAULT_LISTEN "127.0.0.1"
#define CONFIG_NAME_MAX       128 /* dotted setting names in messages */
#define CONFIG_ENV_NAME_MAX   255
#define CONFIG_CREDENTIAL_MAX 255
#define CONFIG_URL_MAX        1024
#define CONFIG_LEVELS         "err, warning, notice, info, debug"
#define CONFIG_DRIVERS        "console, twilio, infobip"
#define CONFIG_SID_HEX        32

/* How a setting's value is read and checked. */
enum config_kind {
	KIND_GROUP,      /* members: another key table */
	KIND_DRIVER,     /* "console", "twilio", "infobip" */
	KIND_LEVEL,      /* a log level name */
	KIND_PATH,       /* resolved against the config file's directory */
	KIND_URL,        /* https:// (or http:// when allowed) */
	KIND_STORE,      /* a store location: "scheme://...", or a path */
	KIND_PHONE,      /* E.164: +15551234567 */
	KIND_SID,        /* prefix then 32 lowercase hex digits */
	KIND_ENV,        /* an environment variable name */
	KIND_CREDENTIAL, /* a systemd credential name */
	KIND_TEXT,       /* an SMS text */
	KIND_ADDRESS,    /* an IPv4 or IPv6 address, no host name */
	KIND_COUNTRY,    /* an ISO 3166 code phone.c knows: "US" */
	KIND_BOOL,
	KIND_UINT, /* unsigned, min..max */
	KIND_SIZE, /* size_t, min..max */
	KIND_RATE, /* double from 0 (no limit) to max */
};

struct config_key {
	const char *name;
	enum config_kind kind;
	size_t off; /* of the field in struct config */
	long long min, max;
	/* KIND_SID: the prefix.  KIND_GROUP: the base name of the group's
	 * secret ("auth_token"), whose _file, _env and _credential keys
	 * name where it comes from. */
	const char *extra;
	const struct config_key *members; /* KIND_GROUP */
};

#define OFF(member) offsetof(struct config, member)

static const struct config_key config_gateway_keys[] = {
	{ .name = "driver", .kind = KIND_DRIVER },
	{ .name = NULL },
};

static const struct config_key config_twilio_keys[] = {
	{ "base_url", KIND_URL, OFF(twilio.base_url), 0, 0, NULL, NULL },
	{ "account_sid", KIND_SID, OFF(twilio.account_sid), 0, 0, "AC", NULL },
	{ "auth_token_file", KIND_PATH, OFF(twilio.auth_token.file), 0, 0, NULL,
	  NULL },
	{ "auth_token_env", KIND_ENV, OFF(twilio.auth_token.env), 0, 0, NULL,
	  NULL },
	{ "auth_token_credential", KIND_CREDENTIAL,
	  OFF(twilio.auth_token.credential), 0, 0, NULL, NULL },
	{ "number", KIND_PHONE, OFF(twilio.number), 0, 0, NULL, NULL },
	{ "messaging_service_sid", KIND_SID, OFF(twilio.messaging_service_sid),
	  0, 0, "MG", NULL },
	{ "page_size", KIND_UINT, OFF(twilio.page_size), 1, 1000, NULL, NULL },
	{ .name = NULL },
};

static const struct config_key config_infobip_keys[] = {
	{ "base_url", KIND_URL, OFF(infobip.base_url), 0, 0, NULL, NULL },
	{ "api_key_file", KIND_PATH, OFF(infobip.api_key.file), 0, 0, NULL,
	  NULL },
	{ "api_key_env", KIND_ENV, OFF(infobip.api_key.env), 0, 0, NULL, NULL },
	{ "api_key_credential", KIND_CREDENTIAL,
	  OFF(infobip.api_key.credential), 0, 0, NULL, NULL },
	{ "number", KIND_PHONE, OFF(infobip.number), 0, 0, NULL, NULL },
	{ "limit", KIND_UINT, OFF(infobip.limit), 1, 1000, NULL, NULL },
	{ .name = NULL },
};

static const struct config_key config_http_keys[] = {
	{ "ca_file", KIND_PATH, OFF(http.ca_file), 0, 0, NULL, NULL },
	{ "allow_insecure_http", KIND_BOOL, OFF(http.allow_insecure_http), 0, 0,
	  NULL, NULL },
	{ "connect_timeout_ms", KIND_UINT, OFF(http.connect_timeout_ms), 100,
	  120000, NULL, NULL },
	{ "timeout_ms", KIND_UINT, OFF(http.timeout_ms), 1000, 600000, NULL,
	  NULL },
	{ "max_response_bytes", KIND_SIZE, OFF(http.max_response_bytes), 1024,
	  64 * 1024 * 1024, NULL, NULL },
	{ "max_pages_per_poll", KIND_UINT, OFF(http.max_pages_per_poll), 1,
	  1000, NULL, NULL },
	{ "parallel_sends", KIND_UINT, OFF(http.parallel_sends), 1, 32, NULL,
	  NULL },
	{ "lookup_trust_s", KIND_UINT, OFF(http.lookup_trust_s), 0, 3600, NULL,
	  NULL },
	{ .name = NULL },
};

static const struct config_key config_compliance_keys[] = {
	{ "gateway_handles_keywords", KIND_BOOL,
	  OFF(compliance.gateway_handles_keywords), 0, 0, NULL, NULL },
	{ "help_text", KIND_TEXT, OFF(compliance.help_text), 0, 0, NULL, NULL },
	{ "stop_text", KIND_TEXT, OFF(compliance.stop_text), 0, 0, NULL, NULL },
	{ "start_text", KIND_TEXT, OFF(compliance.start_text), 0, 0, NULL,
	  NULL },
	{ .name = NULL },
};

static const struct config_key config_guard_keys[] = {
	{ "replies_per_sender", KIND_UINT, OFF(guard.replies_per_sender), 1,
	  1000, NULL, NULL },
	{ "window_s", KIND_UINT, OFF(guard.window_s), 1, 604800, NULL, NULL },
	{ "send_rate", KIND_RATE, OFF(guard.send_rate), 0, 100000, NULL, NULL },
	{ "max_senders", KIND_UINT, OFF(guard.max_senders), 1, 10000000, NULL,
	  NULL },
	{ "max_attempts", KIND_UINT, OFF(guard.max_attempts), 1, 100, NULL,
	  NULL },
	{ .name = NULL },
};

static const struct config_key config_metrics_keys[] = {
	{ "listen", KIND_ADDRESS, OFF(metrics.listen), 0, 0, NULL, NULL },
	{ "port", KIND_UINT, OFF(metrics.port), 0, 65535, NULL, NULL },
	{ "health_max_failing_s", KIND_UINT, OFF(metrics.health_max_failing_s),
	  1, 86400, NULL, NULL },
	{ .name = NULL },
};

static const struct config_key config_log_keys[] = {
	{ "level", KIND_LEVEL, OFF(log_level), 0, 0, NULL, NULL },
	{ .name = NULL },
};

static const struct config_key config_secrets_keys[] = {
	{ "strict_permissions", KIND_BOOL, OFF(secret_mode_strict), 0, 0, NULL,
	  NULL },
	{ .name = NULL },
};

static const struct config_key config_numbers_keys[] = {
	{ "default_country", KIND_COUNTRY, OFF(numbers.default_country), 0, 0,
	  NULL, NULL },
	{ .name = NULL },
};

static const struct config_key config_conversations_keys[] = {
	{ "screening", KIND_BOOL, OFF(conversations.screening), 0, 0, NULL,
	  NULL },
	{ "expiry_s", KIND_UINT, OFF(conversations.expiry_s), 10, 604800, NULL,
	  NULL },
	{ "max_per_day", KIND_UINT, OFF(conversations.max_per_day), 1, 50, NULL,
	  NULL },
	{ "checkin", KIND_BOOL, OFF(conversations.checkin), 0, 0, NULL, NULL },
	{ "checkin_delay_s", KIND_UINT, OFF(conversations.checkin_delay_s), 0,
	  31536000, NULL, NULL },
	{ "quiet_hours", KIND_TEXT, OFF(conversations.quiet_hours), 0, 0, NULL,
	  NULL },
	{ "timezone", KIND_TEXT, OFF(conversations.timezone), 0, 0, NULL,
	  NULL },
	{ .name = NULL },
};

static const struct config_key config_root_keys[] = {
	{ "gateway", KIND_GROUP, 0, 0, 0, NULL, config_gateway_keys },
	{ "twilio", KIND_GROUP, 0, 0, 0, "auth_token", config_twilio_keys },
	{ "infobip", KIND_GROUP, 0, 0, 0, "api_key", config_infobip_keys },
	{ "http", KIND_GROUP, 0, 0, 0, NULL, config_http_keys },
	{ "rules", KIND_PATH, OFF(rules_path), 0, 0, NULL, NULL },
	{ "state", KIND_STORE, OFF(state_path), 0, 0, NULL, NULL },
	{ "poll_interval_ms", KIND_UINT, OFF(poll_interval_ms), 200, 3600000,
	  NULL, NULL },
	{ "max_age_s", KIND_UINT, OFF(max_age_s), 60, 2592000, NULL, NULL },
	{ "retention_days", KIND_UINT, OFF(retention_days), 0, 36500, NULL,
	  NULL },
	{ "compliance", KIND_GROUP, 0, 0, 0, NULL, config_compliance_keys },
	{ "guard", KIND_GROUP, 0, 0, 0, NULL, config_guard_keys },
	{ "metrics", KIND_GROUP, 0, 0, 0, NULL, config_metrics_keys },
	{ "log", KIND_GROUP, 0, 0, 0, NULL, config_log_keys },
	{ "secrets", KIND_GROUP, 0, 0, 0, NULL, config_secrets_keys },
	{ "numbers", KIND_GROUP, 0, 0, 0, NULL, config_numbers_keys },
	{ "conversations", KIND_GROUP, 0, 0, 0, NULL,
	  config_conversations_keys },
	{ .name = NULL },
};

/* Names that look like a secret written inline. */
static const char *const config_secret_names[] = {
	"auth_token", "api_key",    "apikey",       "token", "password",
	"secret",     "api_secret", "access_token", NULL,
};

struct config_loader {
	struct config *cfg;
	struct diag *d;
	const char *path; /* as given: for problems with no setting */
	char *dir;        /* absolute directory of the file */
	config_t *cf;
};

void
config_defaults(struct config *cfg)
{
	cfg->gateway = CONFIG_GATEWAY_CONSOLE;
	cfg->twilio.auth_token.key = "twilio.auth_token";
	cfg->infobip.api_key.key = "infobip.api_key";
	cfg->twilio.page_size = 100;
	cfg->infobip.limit = 100;
	cfg->http.allow_insecure_http = false;
	cfg->http.connect_timeout_ms = 5000;
	cfg->http.timeout_ms = 15000;
	cfg->http.max_response_bytes = 4 * 1024 * 1024;
	cfg->http.max_pages_per_poll = 10;
	cfg->http.parallel_sends = 4;
	cfg->http.lookup_trust_s = 5;
	cfg->poll_interval_ms = 5000;
	cfg->max_age_s = 86400;
	cfg->retention_days = 90;
	cfg->guard.replies_per_sender = 5;
	cfg->guard.window_s = 3600;
	cfg->guard.send_rate = 1.0;
	cfg->guard.max_senders = 100000;
	cfg->guard.max_attempts = 8;
	cfg->metrics.port = 0;
	cfg->metrics.health_max_failing_s = 300;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->secret_mode_strict = false;
	cfg->conversations.screening = false;
	cfg->conversations.expiry_s = 86400;
	cfg->conversations.max_per_day = 4;
	cfg->conversations.quiet_from = 21 * 60;
	cfg->conversations.quiet_to = 9 * 60;
}

static const char *
config_file(const struct config_loader *ld, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	return f ? f : ld->path;
}

static int
config_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

/* An error or warning about setting s (NULL: the file as a whole). */
static void config_problem(struct config_loader *ld, enum diag_severity sev,
                           const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
config_problem(struct config_loader *ld, enum diag_severity sev,
               const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(ld->d, sev, config_file(ld, s), config_line(s), "%s", msg);
}

#define config_error(ld, s, ...) \
	config_problem((ld), DIAG_ERROR, (s), __VA_ARGS__)
#define config_warning(ld, s, ...) \
	config_problem((ld), DIAG_WARNING, (s), __VA_ARGS__)

static const char *
config_type_desc(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a whole number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "something else";
	}
}

/* Where a key's value goes in the struct. */
static void *
config_field(const struct config_loader *ld, const struct config_key *k)
{
	return (char *)ld->cfg + k->off;
}

static void
config_store(struct config_loader *ld, const struct config_key *k,
             const config_setting_t *s, char *v)
{
	char **field = config_field(ld, k);

	if (v == NULL) {
		config_error(ld, s, "out of memory");
		return;
	}
	free(*field);
	*field = v;
}

static const struct config_key *
config_key_find(const struct config_key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static void
config_qname(char *buf, size_t len, const char *group, const char *name)
{
	if (group)
		snprintf(buf, len, "%s.%s", group, name);
	else
		snprintf(buf, len, "%s", name);
}

/* "a, b, c" from a key table. */
static void
config_key_list(const struct config_key *keys, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; keys->name && n < len; keys++) {
		int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
		                 keys->name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* Edit distance between two short names, for "did you mean". */
static size_t
config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[CONFIG_NAME_MAX + 1];

	if (la > CONFIG_NAME_MAX || lb > CONFIG_NAME_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* A setting the operator probably meant: the same name in another group
 * ("driver" -> gateway.driver), or a near spelling in this group.  Returns
 * the key's name and sets *ret_group to its group (NULL: top level or this
 * group), or returns NULL. */
static const char *
config_hint(const struct config_key *here, const char *name,
            const char **ret_group)
{
	const struct config_key *k, *near = NULL;
	size_t best = 3;

	*ret_group = NULL;
	if (here != config_root_keys &&
	    (k = config_key_find(config_root_keys, name)) != NULL)
		return k->name;
	for (k = config_root_keys; k->name; k++) {
		const struct config_key *m;
		if (k->kind != KIND_GROUP || k->members == here)
			continue;
		if ((m = config_key_find(k->members, name)) != NULL) {
			*ret_group = k->name;
			return m->name;
		}
	}
	for (k = here; k->name; k++) {
		size_t dist = config_distance(name, k->name);
		/* "timeout" for "timeout_ms" */
		if (strlen(name) >= 4 &&
		    strncmp(k->name, name, strlen(name)) == 0)
			dist = 1;
		if (dist < best) {
			best = dist;
			near = k;
		}
	}
	return near ? near->name : NULL;
}

static bool
config_is_secret_name(const char *name)
{
	for (const char *const *p = config_secret_names; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static void
config_unknown(struct config_loader *ld, const config_setting_t *s,
               const struct config_key *keys, const char *group,
               const char *secret_base)
{
	const char *name = config_setting_name(s);
	char qname[CONFIG_NAME_MAX], known[512];
	const char *hint, *hint_group;

	config_qname(qname, sizeof(qname), group, name);
	if (config_is_secret_name(name) ||
	    (secret_base && strcmp(name, secret_base) == 0)) {
		/* Never echo the value: it is a secret. */
		if (secret_base)
			config_error(ld, s,
			             "%s: secrets are not written in the "
			             "config file; delete this line and name "
			             "a file (%s_file), an environment "
			             "variable (%s_env) or a systemd "
			             "credential (%s_credential) that holds it",
			             qname, secret_base, secret_base,
			             secret_base);
		else
			config_error(ld, s,
			             "%s: secrets are not written in the "
			             "config file; delete this line and name "
			             "a file, an environment variable or a "
			             "systemd credential in the gateway's "
			             "group (e.g. twilio.auth_token_file)",
			             qname);
		return;
	}
	config_key_list(keys, known, sizeof(known));
	hint = config_hint(keys, name, &hint_group);
	if (hint && hint_group == NULL && keys != config_root_keys &&
	    config_key_find(keys, hint) != NULL)
		hint_group = group; /* a near spelling in this group */
	if (hint)
		config_error(ld, s,
		             "unknown setting \"%s\"; did you mean %s%s%s? "
		             "(known%s%s: %s)",
		             qname, hint_group ? hint_group : "",
		             hint_group ? "." : "", hint, group ? " in " : "",
		             group ? group : "", known);
	else
		config_error(ld, s, "unknown setting \"%s\" (known%s%s: %s)",
		             qname, group ? " in " : "", group ? group : "",
		             known);
}

/* What a value of kind k looks like, for type errors. */
static void
config_expected(const struct config_key *k, char *buf, size_t len)
{
	switch (k->kind) {
	case KIND_GROUP:
		snprintf(buf, len, "a group: %s = { ... };", k->name);
		break;
	case KIND_DRIVER:
		snprintf(buf, len, "a string, one of %s", CONFIG_DRIVERS);
		break;
	case KIND_LEVEL:
		snprintf(buf, len, "a string, one of %s", CONFIG_LEVELS);
		break;
	case KIND_PATH:
		snprintf(buf, len, "a path in double quotes");
		break;
	case KIND_STORE:
		snprintf(buf, len,
		         "a path or \"sqlite:///path\" in double quotes");
		break;
	case KIND_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case KIND_UINT:
	case KIND_SIZE:
		snprintf(buf, len, "a whole number between %lld and %lld",
		         k->min, k->max);
		break;
	case KIND_RATE:
		snprintf(buf, len, "a number from 0 (no limit) to %lld",
		         k->max);
		break;
	default:
		snprintf(buf, len, "a string in double quotes");
		break;
	}
}

static bool
config_is_ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static char *
config_resolve(const struct config_loader *ld, const char *p)
{
	size_t dl = strlen(ld->dir);
	char *r;

	if (p[0] == '/')
		return strdup(p);
	if (asprintf(&r, "%s%s%s", ld->dir,
	             dl && ld->dir[dl - 1] == '/' ? "" : "/", p) < 0)
		return NULL;
	return r;
}

static void
config_parse_path(struct config_loader *ld, const struct config_key *k,
                  const config_setting_t *s, const char *qname, const char *v)
{
	if (v[0] == '\0') {
		config_error(ld, s, "%s is empty; give a path", qname);
		return;
	}
	if (strlen(v) >= PATH_MAX) {
		config_error(ld, s, "%s is longer than %d bytes", qname,
		             PATH_MAX - 1);
		return;
	}
	config_store(ld, k, s, config_resolve(ld, v));
}

/* A store location: one with a scheme ("sqlite:///var/lib/...") is
 * checked and kept as it is; a bare path is resolved like any other. */
static void
config_parse_store(struct config_loader *ld, const struct config_key *k,
                   const config_setting_t *s, const char *qname, const char *v)
{
	char err[256];

	if (v[0] == '\0' || store_location_file(v) == v)
		config_parse_path(ld, k, s, qname, v);
	else if (store_location_check(v, err, sizeof(err)) < 0)
		config_error(ld, s, "%s: %s", qname, err);
	else
		config_store(ld, k, s, strdup(v));
}

/* https://host[:port][/path], kept without a trailing slash so that
 * drivers can append "/2010-04-01/...".  Plain http is checked against
 * http.allow_insecure_http once every setting has been read.  The value is
 * never echoed: a URL may carry a user name and password, which is an
 * error of its own. */
static void
config_parse_url(struct config_loader *ld, const struct config_key *k,
                 const config_setting_t *s, const char *qname, const char *v)
{
	const char *rest;
	size_t len = strlen(v);

	if (strncmp(v, "https://", 8) == 0)
		rest = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		rest = v + 7;
	else {
		config_error(ld, s, "%s must start with https://", qname);
		return;
	}
	if (len > CONFIG_URL_MAX || !config_is_ascii_printable(v) ||
	    strpbrk(v, "?#\"\\") != NULL || rest[0] == '\0' || rest[0] == '/') {
		config_error(ld, s,
		             "%s must be a plain URL like "
		             "\"https://api.example.com\", without spaces, "
		             "query or fragment",
		             qname);
		return;
	}
	if (!http_url_allowed(v, true)) {
		config_error(ld, s, "%s is not a URL libcurl can read", qname);
		return;
	}
	if (http_url_has_userinfo(v)) {
		config_error(ld, s,
		             "%s holds a user name or password (\"user:"
		             "password@\"); remove it: the gateway's secret "
		             "is named by its _file, _env or _credential "
		             "setting",
		             qname);
		return;
	}
	while (len > 0 && v[len - 1] == '/')
		len--;
	config_store(ld, k, s, strndup(v, len));
}

static bool
config_phone_ok(const char *v)
{
	size_t n;

	if (v[0] != '+' || v[1] < '1' || v[1] > '9')
		return false;
	n = strspn(v + 1, "0123456789");
	return v[1 + n] == '\0' && n >= 7 && n <= 15;
}

static bool
config_sid_ok(const char *v, const char *prefix)
{
	size_t pl = strlen(prefix);

	return strncmp(v, prefix, pl) == 0 &&
	       strspn(v + pl, "0123456789abcdef") == CONFIG_SID_HEX &&
	       v[pl + CONFIG_SID_HEX] == '\0';
}

static bool
config_env_name_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > CONFIG_ENV_NAME_MAX || (v[0] >= '0' && v[0] <= '9'))
		return false;
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789_") == n;
}

static bool
config_credential_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n <= CONFIG_CREDENTIAL_MAX && strchr(v, '/') == NULL &&
	       strcmp(v, ".") != 0 && strcmp(v, "..") != 0 &&
	       config_is_ascii_printable(v);
}

/* An IPv4 or IPv6 address; *ret_loopback (when not NULL) says whether it
 * is a loopback one. */
static bool
config_address_ok(const char *v, bool *ret_loopback)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, v, &a4) == 1) {
		if (ret_loopback)
			*ret_loopback = (ntohl(a4.s_addr) >> 24) == 127;
		return true;
	}
	if (inet_pton(AF_INET6, v, &a6) == 1) {
		if (ret_loopback)
			*ret_loopback = IN6_IS_ADDR_LOOPBACK(&a6);
		return true;
	}
	return false;
}

static void
config_parse_text(struct config_loader *ld, const struct config_key *k,
                  const config_setting_t *s, const char *qname, const char *v)
{
	size_t len = strlen(v);
	struct gsm7_info info;

	if (len == 0) {
		config_error(ld, s,
		             "%s is empty; remove the line to use the rules' "
		             "reply",
		             qname);
		return;
	}
	if (utf8_invalid_offset(v, len) != len) {
		config_error(ld, s, "%s is not valid UTF-8", qname);
		return;
	}
	if (len > BT_REPLY_MAX) {
		config_error(ld, s, "%s is %zu bytes long; the limit is %d",
		             qname, len, BT_REPLY_MAX);
		return;
	}
	if (gsm7_measure(v, len, &info) == 0 &&
	    info.segments > BT_REPLY_SEGMENTS_MAX)
		config_warning(ld, s,
		               "%s takes %zu SMS segments (%s); keep it to %d "
		               "so that it is not split or refused",
		               qname, info.segments,
		               gsm7_encoding_name(info.encoding),
		               BT_REPLY_SEGMENTS_MAX);
	config_store(ld, k, s, strdup(v));
}

static void
config_parse_string(struct config_loader *ld, const struct config_key *k,
                    const config_setting_t *s, const char *qname, const char *v)
{
	switch (k->kind) {
	case KIND_DRIVER:
		if (gwdriver_find(v) != NULL)
			ld->cfg->gateway = gwdriver_find(v)->id;
		else
			config_error(ld, s, "%s must be one of %s (got \"%s\")",
			             qname, CONFIG_DRIVERS, v);
		break;
	case KIND_LEVEL:
		if (!log_parse_level(v, &ld->cfg->log_level))
			config_error(ld, s, "%s must be one of %s (got \"%s\")",
			             qname, CONFIG_LEVELS, v);
		break;
	case KIND_PATH:
		config_parse_path(ld, k, s, qname, v);
		break;
	case KIND_STORE:
		config_parse_store(ld, k, s, qname, v);
		break;
	case KIND_URL:
		config_parse_url(ld, k, s, qname, v);
		break;
	case KIND_PHONE:
		if (!config_phone_ok(v))
			config_error(
			    ld, s,
			    "%s must be a phone number in E.164 form, "
			    "a \"+\" and 7 to 15 digits with no spaces, "
			    "like \"+15551234567\" (got \"%s\")",
			    qname, v);
		else
			config_store(ld, k, s, strdup(v));
		break;
	case KIND_SID:
		/* Not echoed: a token pasted into the wrong line must not
		 * end up in the log. */
		if (!config_sid_ok(v, k->extra))
			config_error(ld, s,
			             "%s must be \"%s\" followed by %d "
			             "lowercase hex digits, as the Twilio "
			             "console shows it",
			             qname, k->extra, CONFIG_SID_HEX);
		else
			config_store(ld, k, s, strdup(v));
		break;
	case KIND_ENV:
		if (!config_env_name_ok(v))
			config_error(ld, s,
			             "%s must name an environment variable: "
			             "letters, digits and '_', not starting "
			             "with a digit (the variable holds the "
			             "secret; the name goes here)",
			             qname);
		else
			config_store(ld, k, s, strdup(v));
		break;
	case KIND_CREDENTIAL:
		if (!config_credential_ok(v))
			config_error(ld, s,
			             "%s must be a credential name as given to "
			             "LoadCredential= in the systemd unit, "
			             "without '/' or spaces (a path goes in a "
			             "_file setting)",
			             qname);
		else
			config_store(ld, k, s, strdup(v));
		break;
	case KIND_TEXT:
		config_parse_text(ld, k, s, qname, v);
		break;
	case KIND_ADDRESS:
		if (!config_address_ok(v, NULL))
			config_error(
			    ld, s,
			    "%s must be an IP address like "
			    "\"127.0.0.1\" or \"::1\", not a host name "
			    "(got \"%s\")",
			    qname, v);
		else
			config_store(ld, k, s, strdup(v));
		break;
	case KIND_COUNTRY:
		if (phone_country_find(v) == NULL)
			config_error(
			    ld, s,
			    "%s must be the ISO 3166 code of a country "
			    "backtalk knows the numbers of: %s (got "
			    "\"%s\"); elsewhere leave it out and give "
			    "numbers with + and the country code",
			    qname, phone_country_list(), v);
		else
			config_store(ld, k, s,
			             strdup(phone_country_find(v)->iso));
		break;
	default:
		break;
	}
}

static void
config_parse_number(struct config_loader *ld, const struct config_key *k,
                    const config_setting_t *s, const char *qname)
{
	int type = config_setting_type(s);
	char expected[128];

	config_expected(k, expected, sizeof(expected));
	if (k->kind == KIND_RATE) {
		double v;
		if (type == CONFIG_TYPE_FLOAT)
			v = config_setting_get_float(s);
		else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
			v = (double)config_setting_get_int64(s);
		else {
			config_error(ld, s, "%s must be %s (got %s)", qname,
			             expected, config_type_desc(s));
			return;
		}
		if (!(v >= 0 && v <= (double)k->max))
			config_error(ld, s,
			             "%s must be from 0 (no limit) to %lld "
			             "(got %g)",
			             qname, k->max, v);
		else
			*(double *)config_field(ld, k) = v;
		return;
	}
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		config_error(ld, s, "%s must be %s (got %s)", qname, expected,
		             config_type_desc(s));
		return;
	}
	long long v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		config_error(ld, s,
		             "%s must be between %lld and %lld (got %lld)",
		             qname, k->min, k->max, v);
		return;
	}
	if (k->kind == KIND_SIZE)
		*(size_t *)config_field(ld, k) = (size_t)v;
	else
		*(unsigned *)config_field(ld, k) = (unsigned)v;
}

static void config_parse_group(struct config_loader *ld,
                               const config_setting_t *g,
                               const struct config_key *keys, const char *group,
                               const char *secret_base);

static void
config_parse_value(struct config_loader *ld, const struct config_key *k,
                   const config_setting_t *s, const char *qname)
{
	char expected[128];
	const char *v;

	switch (k->kind) {
	case KIND_GROUP:
		if (!config_setting_is_group(s)) {
			config_error(ld, s,
			             "%s must be a group in braces: %s = { ... "
			             "}; (got %s)",
			             qname, qname, config_type_desc(s));
			return;
		}
		config_parse_group(ld, s, k->members, qname, k->extra);
		return;
	case KIND_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			config_error(ld, s,
			             "%s must be true or false, without quotes "
			             "(got %s)",
			             qname, config_type_desc(s));
			return;
		}
		*(bool *)config_field(ld, k) = config_setting_get_bool(s);
		return;
	case KIND_UINT:
	case KIND_SIZE:
	case KIND_RATE:
		config_parse_number(ld, k, s, qname);
		return;
	default:
		break;
	}
	v = config_setting_get_string(s);
	if (v == NULL) {
		config_expected(k, expected, sizeof(expected));
		config_error(ld, s, "%s must be %s (got %s)", qname, expected,
		             config_type_desc(s));
		return;
	}
	config_parse_string(ld, k, s, qname, v);
}

static void
config_parse_group(struct config_loader *ld, const config_setting_t *g,
                   const struct config_key *keys, const char *group,
                   const char *secret_base)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		const struct config_key *k;
		char qname[CONFIG_NAME_MAX];

		if (name == NULL)
			continue;
		k = config_key_find(keys, name);
		if (k == NULL) {
			config_unknown(ld, s, keys, group, secret_base);
			continue;
		}
		config_qname(qname, sizeof(qname), group, name);
		config_parse_value(ld, k, s, qname);
	}
}

static const config_setting_t *
config_member(const config_setting_t *g, const char *name)
{
	if (g == NULL || !config_setting_is_group(g))
		return NULL;
	return config_setting_get_member(g, name);
}

/* The group's secret must come from somewhere; only the first of the
 * sources set is used, so say so when there are more. */
static void
config_check_secret(struct config_loader *ld, const config_setting_t *g,
                    const char *group, const char *base, bool required)
{
	static const char *const suffixes[] = { "file", "env", "credential" };
	const char *set[3];
	size_t nset = 0;
	char name[CONFIG_NAME_MAX];

	for (size_t i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s_%s", base, suffixes[i]);
		if (config_member(g, name))
			set[nset++] = suffixes[i];
	}
	if (nset == 0 && required)
		config_error(ld, g,
		             "%s: no %s; set %s_credential (with "
		             "LoadCredential= in the systemd unit), %s_file "
		             "or %s_env",
		             group, base, base, base, base);
	if (nset > 1)
		config_warning(
		    ld, g,
		    "%s: %s_%s and %s_%s are both set; only %s_%s "
		    "is used (the first of _file, _env, _credential)",
		    group, base, set[0], base, set[1], base, set[0]);
}

/* A required member of a group; reported at the group's line. */
static void
config_require(struct config_loader *ld, const config_setting_t *g,
               const char *group, const char *name, const char *example,
               const char *where)
{
	if (config_member(g, name) == NULL)
		config_error(ld, g, "%s.%s is missing; add %s = %s; (%s)",
		             group, name, name, example, where);
}

/* The driver in use has its group, the settings it needs and its secret
 * (gwdriver.h). */
static void
config_check_driver(struct config_loader *ld, const struct gwdriver *drv,
                    const config_setting_t *driver)
{
	const config_setting_t *g;

	if (drv->group == NULL)
		return;
	g = config_lookup(ld->cf, drv->group);
	if (g == NULL) {
		config_error(ld, driver,
		             "gateway.driver is \"%s\" but there is no %s "
		             "group; add %s",
		             drv->name, drv->group, drv->group_example);
		return;
	}
	if (!config_setting_is_group(g))
		return; /* reported already */
	for (const struct gwdriver_require *r = drv->required; r->name; r++)
		config_require(ld, g, drv->group, r->name, r->example,
		               r->where);
	if (drv->secret != NULL)
		config_check_secret(ld, g, drv->group, drv->secret, true);
}

/* "HH:MM" at p into minutes after midnight; the end in *end.  -1 when
 * malformed. */
static int
config_clock(const char *p, const char **end)
{
	if (p[0] < '0' || p[0] > '2' || p[1] < '0' || p[1] > '9' ||
	    p[2] != ':' || p[3] < '0' || p[3] > '5' || p[4] < '0' || p[4] > '9')
		return -1;
	int h = (p[0] - '0') * 10 + (p[1] - '0');
	int m = (p[3] - '0') * 10 + (p[4] - '0');
	if (h > 23)
		return -1;
	*end = p + 5;
	return h * 60 + m;
}

/* conversations.quiet_hours ("21:00-09:00" or "none") and
 * conversations.timezone (a zone of the system's time zone database). */
static void
config_check_conversations(struct config_loader *ld, struct config *cfg)
{
	const char *q = cfg->conversations.quiet_hours, *e;
	const char *tz = cfg->conversations.timezone;
	char path[512];

	if (q != NULL && strcmp(q, "none") == 0) {
		cfg->conversations.quiet_from = cfg->conversations.quiet_to = 0;
	} else if (q != NULL) {
		int from = config_clock(q, &e), to = -1;
		if (from >= 0 && *e == '-')
			to = config_clock(e + 1, &e);
		if (from < 0 || to < 0 || *e != '\0' || from == to)
			config_error(
			    ld,
			    config_lookup(ld->cf, "conversations.quiet_hours"),
			    "conversations.quiet_hours must be like "
			    "\"21:00-09:00\" (local time, from-to) or "
			    "\"none\" (got \"%s\")",
			    q);
		else {
			cfg->conversations.quiet_from = from;
			cfg->conversations.quiet_to = to;
		}
	}
	if (tz != NULL &&
	    (strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                "0123456789_+-/") != strlen(tz) ||
	     strstr(tz, "..") != NULL || tz[0] == '/' ||
	     (size_t)snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s",
	                      tz) >= sizeof(path) ||
	     access(path, R_OK) != 0))
		config_error(ld,
		             config_lookup(ld->cf, "conversations.timezone"),
		             "conversations.timezone \"%s\" is not a time zone "
		             "of this system (like \"America/New_York\"; see "
		             "/usr/share/zoneinfo)",
		             tz);
}

static void
config_check_url(struct config_loader *ld, const char *url, const char *path)
{
	const config_setting_t *s = config_lookup(ld->cf, path);

	if (url == NULL || strncmp(url, "http://", 7) != 0)
		return;
	/* Loopback (a local fake gateway or proxy) never leaves the host. */
	if (http_url_allowed(url, false))
		return;
	if (ld->cfg->http.allow_insecure_http)
		config_warning(ld, s,
		               "%s is plain http: the credentials and messages "
		               "travel unencrypted (allowed by "
		               "http.allow_insecure_http; for tests only)",
		               path);
	else
		config_error(ld, s,
		             "%s must use https:// (plain http is allowed to "
		             "127.0.0.1, ::1 and localhost; set "
		             "http.allow_insecure_http = true to allow it "
		             "elsewhere, for tests only)",
		             path);
}

/* Sets a string that the file leaves out to its default.  (One that is
 * present but wrong has been reported and stays NULL.) */
static void
config_default(struct config_loader *ld, char **field, const char *path,
               const char *value)
{
	if (*field != NULL || config_lookup(ld->cf, path) != NULL)
		return;
	*field = strdup(value);
	if (*field == NULL)
		config_error(ld, NULL, "out of memory");
}

/* Checks that need more than one setting, once all have been read. */
static void
config_check(struct config_loader *ld)
{
	struct config *cfg = ld->cfg;
	const config_setting_t *driver =
	    config_lookup(ld->cf, "gateway.driver");
	const config_setting_t *s;

	if (driver == NULL) {
		const config_setting_t *g = config_lookup(ld->cf, "gateway");
		if (g == NULL)
			config_error(ld, NULL,
			             "no gateway; add gateway = { driver = "
			             "\"twilio\"; }; (one of " CONFIG_DRIVERS
			             ")");
		else if (config_setting_is_group(g))
			config_error(ld, g,
			             "gateway.driver is missing; add driver = "
			             "\"twilio\"; (one of " CONFIG_DRIVERS ")");
	} else if (config_setting_get_string(driver) != NULL) {
		const struct gwdriver *drv =
		    gwdriver_find(config_setting_get_string(driver));
		if (drv != NULL)
			config_check_driver(ld, drv, driver);
	}

	/* Sources given for a gateway not in use are still checked. */
	for (size_t i = 0; i < gwdriver_count; i++) {
		const struct gwdriver *drv = &gwdriver_table[i];
		if (drv->group == NULL || drv->secret == NULL ||
		    drv->id == cfg->gateway)
			continue;
		s = config_lookup(ld->cf, drv->group);
		if (s)
			config_check_secret(ld, s, drv->group, drv->secret,
			                    false);
	}

	config_check_url(ld, cfg->twilio.base_url, "twilio.base_url");
	config_check_url(ld, cfg->infobip.base_url, "infobip.base_url");

	if (cfg->http.connect_timeout_ms > cfg->http.timeout_ms)
		config_error(
		    ld, config_lookup(ld->cf, "http.connect_timeout_ms"),
		    "http.connect_timeout_ms (%u) must not be longer "
		    "than http.timeout_ms (%u), which includes it",
		    cfg->http.connect_timeout_ms, cfg->http.timeout_ms);

	config_check_conversations(ld, cfg);

	if (config_lookup(ld->cf, "compliance.gateway_handles_keywords") ==
	    NULL)
		cfg->compliance.gateway_handles_keywords =
		    gwdriver_of(cfg->gateway)->handles_keywords;

	if (cfg->log_level == LOG_LEVEL_DEBUG)
		config_warning(ld, config_lookup(ld->cf, "log.level"),
		               "log.level is debug: message bodies and full "
		               "phone numbers will be written to the log; use "
		               "it only while investigating a problem");

	bool loopback = true;
	if (cfg->metrics.listen != NULL &&
	    config_address_ok(cfg->metrics.listen, &loopback) && !loopback)
		config_warning(
		    ld, config_lookup(ld->cf, "metrics.listen"),
		    "metrics.listen is %s, not a loopback address: "
		    "anyone who can reach it reads the metrics (there "
		    "is no authentication); let a firewall through "
		    "only the scraper",
		    cfg->metrics.listen);

	config_default(ld, &cfg->twilio.base_url, "twilio.base_url",
	               CONFIG_DEFAULT_TWILIO);
	config_default(ld, &cfg->metrics.listen, "metrics.listen",
	               CONFIG_DEFAULT_LISTEN);
	config_default(ld, &cfg->rules_path, "rules", CONFIG_DEFAULT_RULES);
	config_default(ld, &cfg->state_path, "state", CONFIG_DEFAULT_STATE);
}

/* The file's directory as an absolute path, so that relative paths in it
 * still work after the daemon changes directory. */
static char *
config_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *cwd, *abs;

	if (slash == path)
		return strdup("/");
	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL || dir[0] == '/')
		return dir;
	cwd = getcwd(NULL, 0);
	if (cwd == NULL) {
		free(dir);
		return NULL;
	}
	if (strcmp(dir, ".") == 0) {
		free(dir);
		return cwd;
	}
	if (asprintf(&abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", dir) < 0)
		abs = NULL;
	free(cwd);
	free(dir);
	return abs;
}

int
config_load(const char *path, struct config **ret, struct diag *d)
{
	struct config_loader ld = { 0 };
	struct diag local;
	config_t cf;
	FILE *fp;
	char why[256];
	bool read_ok;
	size_t errors;
	int rc = -1;

	if (d == NULL) {
		diag_init(&local);
		d = &local;
	}
	errors = d->errors;
	ld.d = d;
	ld.path = path;
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	ld.dir = config_dir_of(path);
	if (ld.cfg == NULL || ld.dir == NULL ||
	    (ld.cfg->path = strdup(path)) == NULL) {
		diag_add(d, DIAG_ERROR, path, 0,
		         "cannot load: out of memory or no current directory");
		goto out;
	}
	config_defaults(ld.cfg);

	config_init(&cf);
	ld.cf = &cf;
	config_set_include_dir(&cf, ld.dir);
	/* Opened here, not by libconfig: a FIFO in its place must not hang
	 * start-up, a reload or a check (a symbolic link is followed). */
	fp = regfile_fopen(path, why, sizeof(why));
	if (fp == NULL) {
		if (errno == EISDIR)
			diag_add(d, DIAG_ERROR, path, 0,
			         "cannot read: it is a directory; name the "
			         "config file");
		else
			diag_add(d, DIAG_ERROR, path, 0, "cannot read: %s",
			         why);
		config_destroy(&cf);
		goto out;
	}
	read_ok = config_read(&cf, fp) == CONFIG_TRUE;
	fclose(fp);
	if (!read_ok) {
		const char *ef = config_error_file(&cf);
		if (config_error_type(&cf) != CONFIG_ERR_FILE_IO)
			diag_add(d, DIAG_ERROR, ef ? ef : path,
			         config_error_line(&cf), "%s",
			         config_error_text(&cf));
		else
			diag_add(d, DIAG_ERROR, ef ? ef : path, 0,
			         "cannot read: %s", config_error_text(&cf));
		config_destroy(&cf);
		goto out;
	}
	config_parse_group(&ld, config_root_setting(&cf), config_root_keys,
	                   NULL, NULL);
	config_check(&ld);
	config_destroy(&cf);
	if (d->errors == errors) {
		*ret = ld.cfg;
		ld.cfg = NULL;
		rc = 0;
	}
out:
	config_free(ld.cfg);
	free(ld.dir);
	if (d == &local)
		diag_free(&local);
	return rc;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->twilio.base_url);
	free(cfg->twilio.account_sid);
	free(cfg->twilio.auth_token.file);
	free(cfg->twilio.auth_token.env);
	free(cfg->twilio.auth_token.credential);
	free(cfg->twilio.number);
	free(cfg->twilio.messaging_service_sid);
	free(cfg->infobip.base_url);
	free(cfg->infobip.api_key.file);
	free(cfg->infobip.api_key.env);
	free(cfg->infobip.api_key.credential);
	free(cfg->infobip.number);
	free(cfg->http.ca_file);
	free(cfg->rules_path);
	free(cfg->state_path);
	free(cfg->conversations.quiet_hours);
	free(cfg->conversations.timezone);
	free(cfg->compliance.help_text);
	free(cfg->compliance.stop_text);
	free(cfg->compliance.start_text);
	free(cfg->metrics.listen);
	free(cfg->numbers.default_country);
	free(cfg);
}

const char *
config_gateway_name(enum config_gateway g)
{
	return gwdriver_of(g)->name;
}

/* Both NULL, or the same string. */
static bool
config_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
config_gateway_equal(const struct config *a, const struct config *b)
{
	return a->gateway == b->gateway &&
	       config_same(a->twilio.base_url, b->twilio.base_url) &&
	       config_same(a->twilio.account_sid, b->twilio.account_sid) &&
	       config_same(a->twilio.number, b->twilio.number) &&
	       config_same(a->twilio.messaging_service_sid,
	                   b->twilio.messaging_service_sid) &&
	       a->twilio.page_size == b->twilio.page_size &&
	       config_same(a->infobip.base_url, b->infobip.base_url) &&
	       config_same(a->infobip.number, b->infobip.number) &&
	       a->infobip.limit == b->infobip.limit &&
	       config_same(a->http.ca_file, b->http.ca_file) &&
	       a->http.allow_insecure_http == b->http.allow_insecure_http &&
	       a->http.connect_timeout_ms == b->http.connect_timeout_ms &&
	       a->http.timeout_ms == b->http.timeout_ms &&
	       a->http.max_response_bytes == b->http.max_response_bytes &&
	       a->http.max_pages_per_poll == b->http.max_pages_per_poll &&
	       a->http.parallel_sends == b->http.parallel_sends &&
	       a->http.lookup_trust_s == b->http.lookup_trust_s;
}
