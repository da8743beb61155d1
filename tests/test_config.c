/* Tests for config.c: a full valid file, the defaults, every kind of error
 * with its file and line, all errors reported in one run, relative paths,
 * each gateway's requirements, inline secrets refused, and the shipped
 * example configs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"

#define SID_AC "AC0123456789abcdef0123456789abcdef"
#define SID_MG "MG0123456789abcdef0123456789abcdef"
#define TWILIO_MIN                                      \
	"gateway = { driver = \"twilio\"; };\n"         \
	"twilio = { account_sid = \"" SID_AC "\";\n"    \
	"  auth_token_credential = \"twilio-token\";\n" \
	"  number = \"+15551234567\"; };\n"
#define CONSOLE "gateway = { driver = \"console\"; };\n"

struct fixture {
	char *dir;
	char *path;
	struct diag d;
	struct config *cfg;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = testutil_tmpdir();
	diag_init(&f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	config_free(f->cfg);
	diag_free(&f->d);
	free(f->path);
	testutil_rmdir(f->dir);
	free(f);
	return 0;
}

/* Loads text as dir/backtalk.conf, which must load; returns the config. */
static struct config *
load_ok(struct fixture *f, const char *text)
{
	f->path = testutil_write(f->dir, "backtalk.conf", text);
	if (config_load(f->path, &f->cfg, &f->d) != 0) {
		testutil_diag_dump(&f->d);
		fail_msg("config did not load");
	}
	assert_non_null(f->cfg);
	return f->cfg;
}

/* Loads text, which must fail, leaving the output untouched. */
static void
load_fail(struct fixture *f, const char *text)
{
	struct config *sentinel = (struct config *)(uintptr_t)0x1234;
	struct config *cfg = sentinel;

	f->path = testutil_write(f->dir, "backtalk.conf", text);
	assert_int_equal(config_load(f->path, &cfg, &f->d), -1);
	assert_ptr_equal(cfg, sentinel);
	assert_true(f->d.errors > 0);
}

static void
expect_clean(const struct diag *d)
{
	if (d->errors || d->warnings) {
		testutil_diag_dump(d);
		fail_msg("expected no problems");
	}
}

static void
test_full_twilio(void **state)
{
	struct fixture *f = *state;
	struct config *c = load_ok(
	    f, "# every key\n"
	       "gateway = { driver = \"twilio\"; };\n"
	       "twilio = {\n"
	       "  base_url = \"https://api.twilio.example/\";\n"
	       "  account_sid = \"" SID_AC "\";\n"
	       "  auth_token_file = \"/etc/backtalk/twilio.token\";\n"
	       "  number = \"+15551234567\";\n"
	       "  messaging_service_sid = \"" SID_MG "\";\n"
	       "  page_size = 50;\n"
	       "};\n"
	       "infobip = { base_url = \"https://xyz.api.infobip.com\";\n"
	       "  api_key_env = \"INFOBIP_KEY\"; number = \"+447700900123\";\n"
	       "  limit = 20; };\n"
	       "http = { ca_file = \"/etc/ssl/ca.pem\";\n"
	       "  allow_insecure_http = false; connect_timeout_ms = 2000;\n"
	       "  timeout_ms = 20000; max_response_bytes = 1048576;\n"
	       "  max_pages_per_poll = 3; };\n"
	       "rules = \"/etc/backtalk/rules.d\";\n"
	       "state = \"/var/lib/backtalk/state.db\";\n"
	       "poll_interval_ms = 1000;\n"
	       "max_age_s = 3600;\n"
	       "retention_days = 0;\n"
	       "compliance = { gateway_handles_keywords = false;\n"
	       "  help_text = \"Help: reply STOP to opt out.\";\n"
	       "  stop_text = \"Bye.\"; start_text = \"Hi again.\"; };\n"
	       "guard = { replies_per_sender = 3; window_s = 600;\n"
	       "  send_rate = 2.5; max_senders = 500; max_attempts = 4; };\n"
	       "log = { level = \"notice\"; };\n"
	       "secrets = { strict_permissions = true; };\n");

	expect_clean(&f->d);
	assert_string_equal(c->path, f->path);
	assert_int_equal(c->gateway, CONFIG_GATEWAY_TWILIO);
	assert_string_equal(config_gateway_name(c->gateway), "twilio");
	assert_string_equal(c->twilio.base_url, "https://api.twilio.example");
	assert_string_equal(c->twilio.account_sid, SID_AC);
	assert_string_equal(c->twilio.auth_token.file,
	                    "/etc/backtalk/twilio.token");
	assert_null(c->twilio.auth_token.env);
	assert_null(c->twilio.auth_token.credential);
	assert_string_equal(c->twilio.number, "+15551234567");
	assert_string_equal(c->twilio.messaging_service_sid, SID_MG);
	assert_int_equal(c->twilio.page_size, 50);
	assert_string_equal(c->infobip.base_url, "https://xyz.api.infobip.com");
	assert_string_equal(c->infobip.api_key.env, "INFOBIP_KEY");
	assert_string_equal(c->infobip.number, "+447700900123");
	assert_int_equal(c->infobip.limit, 20);
	assert_string_equal(c->http.ca_file, "/etc/ssl/ca.pem");
	assert_false(c->http.allow_insecure_http);
	assert_int_equal(c->http.connect_timeout_ms, 2000);
	assert_int_equal(c->http.timeout_ms, 20000);
	assert_int_equal(c->http.max_response_bytes, 1048576);
	assert_int_equal(c->http.max_pages_per_poll, 3);
	assert_string_equal(c->rules_path, "/etc/backtalk/rules.d");
	assert_string_equal(c->state_path, "/var/lib/backtalk/state.db");
	assert_int_equal(c->poll_interval_ms, 1000);
	assert_int_equal(c->max_age_s, 3600);
	assert_int_equal(c->retention_days, 0);
	assert_false(c->compliance.gateway_handles_keywords);
	assert_string_equal(c->compliance.help_text,
	                    "Help: reply STOP to opt out.");
	assert_string_equal(c->compliance.stop_text, "Bye.");
	assert_string_equal(c->compliance.start_text, "Hi again.");
	assert_int_equal(c->guard.replies_per_sender, 3);
	assert_int_equal(c->guard.window_s, 600);
	assert_true(c->guard.send_rate == 2.5);
	assert_int_equal(c->guard.max_senders, 500);
	assert_int_equal(c->guard.max_attempts, 4);
	assert_int_equal(c->log_level, LOG_LEVEL_NOTICE);
	assert_true(c->secret_mode_strict);
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;
	struct config *c = load_ok(f, CONSOLE);

	expect_clean(&f->d);
	assert_int_equal(c->gateway, CONFIG_GATEWAY_CONSOLE);
	assert_string_equal(config_gateway_name(c->gateway), "console");
	assert_string_equal(c->twilio.base_url, "https://api.twilio.com");
	assert_null(c->twilio.account_sid);
	assert_int_equal(c->twilio.page_size, 100);
	assert_null(c->infobip.base_url);
	assert_int_equal(c->infobip.limit, 100);
	assert_null(c->http.ca_file);
	assert_false(c->http.allow_insecure_http);
	assert_int_equal(c->http.connect_timeout_ms, 5000);
	assert_int_equal(c->http.timeout_ms, 15000);
	assert_int_equal(c->http.max_response_bytes, 4 * 1024 * 1024);
	assert_int_equal(c->http.max_pages_per_poll, 10);
	assert_string_equal(c->rules_path, "/etc/backtalk/rules.d");
	assert_string_equal(c->state_path, "/var/lib/backtalk/state.db");
	assert_int_equal(c->poll_interval_ms, 5000);
	assert_int_equal(c->max_age_s, 86400);
	assert_int_equal(c->retention_days, 90);
	assert_false(c->compliance.gateway_handles_keywords);
	assert_null(c->compliance.help_text);
	assert_null(c->compliance.stop_text);
	assert_null(c->compliance.start_text);
	assert_int_equal(c->guard.replies_per_sender, 5);
	assert_int_equal(c->guard.window_s, 3600);
	assert_true(c->guard.send_rate == 1.0);
	assert_int_equal(c->guard.max_senders, 100000);
	assert_int_equal(c->guard.max_attempts, 8);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	assert_false(c->secret_mode_strict);
	assert_string_equal(c->metrics.listen, "127.0.0.1");
	assert_int_equal(c->metrics.port, 0);
	assert_int_equal(c->metrics.health_max_failing_s, 300);
}

static void
test_twilio_handles_keywords_by_default(void **state)
{
	struct fixture *f = *state;
	struct config *c = load_ok(f, TWILIO_MIN);

	expect_clean(&f->d);
	assert_true(c->compliance.gateway_handles_keywords);
	assert_string_equal(c->twilio.auth_token.credential, "twilio-token");
}

static void
test_unknown_keys(void **state)
{
	struct fixture *f = *state;

	load_fail(f, CONSOLE "polling = 5;\n"
	                     "http = { timeout = 5; };\n"
	                     "driver = \"twilio\";\n"
	                     "twilio = { timeout_ms = 5; };\n"
	                     "log = { level = \"info\"; file = \"/x\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "unknown setting \"polling\"",
	            "known: gateway, twilio, infobip, http, rules, state,");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "unknown setting \"http.timeout\"",
	            "did you mean http.timeout_ms?",
	            "known in http: ca_file, allow_insecure_http");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4, "unknown setting \"driver\"",
	            "did you mean gateway.driver?");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5,
	            "unknown setting \"twilio.timeout_ms\"",
	            "did you mean http.timeout_ms?");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6, "unknown setting \"log.file\"",
	            "(known in log: level)");
	assert_int_equal(f->d.errors, 5);
}

static void
test_types(void **state)
{
	struct fixture *f = *state;

	load_fail(f, CONSOLE "poll_interval_ms = \"5000\";\n"
	                     "max_age_s = 1.5;\n"
	                     "http = { allow_insecure_http = \"yes\"; };\n"
	                     "guard = { send_rate = \"fast\"; };\n"
	                     "log = \"debug\";\n"
	                     "rules = [ \"a\", \"b\" ];\n"
	                     "compliance = { help_text = 5; };\n"
	                     "secrets = { strict_permissions = 1; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2,
	            "poll_interval_ms must be a whole number between 200 and "
	            "3600000 (got a string)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "max_age_s must be a whole number",
	            "(got a decimal number)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4,
	            "http.allow_insecure_http must be true or false",
	            "(got a string)");
	EXPECT_DIAG(
	    &f->d, "backtalk.conf", 5,
	    "guard.send_rate must be a number from 0 (no limit) to 100000");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6,
	            "log must be a group in braces: log = { ... }; (got a "
	            "string)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 7,
	            "rules must be a path in double quotes (got an array)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 8, "compliance.help_text must be",
	            "(got a whole number)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 9,
	            "secrets.strict_permissions must be true or false");
	assert_int_equal(f->d.errors, 8);
}

static void
test_ranges(void **state)
{
	struct fixture *f = *state;

	load_fail(f,
	          "gateway = { driver = \"twilio\"; };\n"
	          "twilio = { account_sid = \"" SID_AC "\";\n"
	          "  auth_token_env = \"TOKEN\"; number = \"+15551234567\";\n"
	          "  page_size = 5000; };\n"
	          "poll_interval_ms = 100;\n"
	          "max_age_s = -1;\n"
	          "retention_days = 100000;\n"
	          "http = { max_response_bytes = 100;\n"
	          "  connect_timeout_ms = 0; timeout_ms = 9999999;\n"
	          "  max_pages_per_poll = 0; };\n"
	          "guard = { send_rate = -1; replies_per_sender = 0;\n"
	          "  window_s = 0; max_senders = 0; max_attempts = 1000; };\n"
	          "infobip = { limit = 1001; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4,
	            "twilio.page_size must be between 1 and 1000 (got 5000)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5,
	            "poll_interval_ms must be between 200 and 3600000 (got "
	            "100)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6,
	            "max_age_s must be between 60 and 2592000 (got -1)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 7,
	            "retention_days must be between 0 and 36500 (got 100000)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 8,
	            "http.max_response_bytes must be between 1024 and 67108864 "
	            "(got 100)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 9, "http.connect_timeout_ms",
	            "(got 0)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 9, "http.timeout_ms",
	            "(got 9999999)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 10, "http.max_pages_per_poll",
	            "(got 0)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 11,
	            "guard.send_rate must be from 0 (no limit) to 100000 (got "
	            "-1)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 11, "guard.replies_per_sender");
	EXPECT_DIAG(&f->d, "backtalk.conf", 12, "guard.window_s");
	EXPECT_DIAG(&f->d, "backtalk.conf", 12, "guard.max_senders");
	EXPECT_DIAG(&f->d, "backtalk.conf", 12,
	            "guard.max_attempts must be between 1 and 100 (got 1000)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 13, "infobip.limit", "(got 1001)");
	assert_int_equal(f->d.errors, 14);
}

static void
test_range_edges(void **state)
{
	struct fixture *f = *state;
	struct config *c = load_ok(
	    f, CONSOLE "poll_interval_ms = 200;\n"
	               "http = { max_response_bytes = 67108864;\n"
	               "  connect_timeout_ms = 1000; timeout_ms = 1000; };\n"
	               "guard = { send_rate = 100; };\n"
	               "twilio = { page_size = 1000; };\n");

	expect_clean(&f->d);
	assert_int_equal(c->poll_interval_ms, 200);
	assert_int_equal(c->http.max_response_bytes, 64 * 1024 * 1024);
	assert_true(c->guard.send_rate == 100.0);
	assert_int_equal(c->twilio.page_size, 1000);
}

static void
test_bad_values(void **state)
{
	struct fixture *f = *state;

	load_fail(
	    f, "gateway = { driver = \"twillio\"; };\n"
	       "log = { level = \"verbose\"; };\n"
	       "twilio = { account_sid = \"AC123\";\n"
	       "  number = \"555-1234\";\n"
	       "  messaging_service_sid = "
	       "\"MG0123456789ABCDEF0123456789abcdef\";\n"
	       "  base_url = \"ftp://api.twilio.com\";\n"
	       "  auth_token_env = \"1TOKEN\";\n"
	       "  auth_token_credential = \"/etc/backtalk/twilio.token\"; };\n"
	       "infobip = { base_url = \"https://x.api.infobip.com?a=b\"; };\n"
	       "state = \"\";\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 1,
	            "gateway.driver must be one of console, twilio, infobip "
	            "(got \"twillio\")");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2,
	            "log.level must be one of err, warning, notice, info, "
	            "debug (got \"verbose\")");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "twilio.account_sid must be \"AC\" followed by 32 "
	            "lowercase hex digits");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4,
	            "twilio.number must be a phone number in E.164 form",
	            "(got \"555-1234\")");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5,
	            "twilio.messaging_service_sid must be \"MG\"");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6,
	            "twilio.base_url must start with https://");
	EXPECT_DIAG(&f->d, "backtalk.conf", 7,
	            "twilio.auth_token_env must name an environment variable");
	EXPECT_DIAG(&f->d, "backtalk.conf", 8,
	            "twilio.auth_token_credential must be a credential name",
	            "a path goes in a _file setting");
	EXPECT_DIAG(&f->d, "backtalk.conf", 9,
	            "infobip.base_url must be a plain URL");
	EXPECT_DIAG(&f->d, "backtalk.conf", 10, "state is empty");
	/* A bad driver skips the driver's requirements. */
	assert_int_equal(f->d.errors, 10);
	/* Two sources set is only a warning. */
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "auth_token_env and auth_token_credential are both set",
	            "only auth_token_env is used");
}

static void
test_sids_not_echoed(void **state)
{
	struct fixture *f = *state;

	/* An auth token pasted into the SID's line stays out of the log. */
	load_fail(
	    f,
	    "gateway = { driver = \"twilio\"; };\n"
	    "twilio = { account_sid = \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\";\n"
	    "  auth_token_env = \"T\"; number = \"+15551234567\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.account_sid");
	for (size_t i = 0; i < f->d.count; i++)
		assert_null(strstr(f->d.items[i].message, "9f8e7d6c5b4a"));
}

static void
test_twilio_requirements(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "gateway = { driver = \"twilio\"; };\n"
	             "twilio = {\n"
	             "  page_size = 10;\n"
	             "};\n");
	EXPECT_DIAG(
	    &f->d, "backtalk.conf", 2,
	    "twilio.account_sid is missing; add account_sid = \"AC...\"");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.number is missing",
	            "messaging_service_sid");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio: no auth_token",
	            "auth_token_credential", "auth_token_file",
	            "auth_token_env");
	assert_int_equal(f->d.errors, 3);
}

static void
test_twilio_group_missing(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "# no twilio group\n"
	             "gateway = { driver = \"twilio\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2,
	            "gateway.driver is \"twilio\" but there is no twilio "
	            "group");
	assert_int_equal(f->d.errors, 1);
}

static void
test_twilio_service_needs_number(void **state)
{
	struct fixture *f = *state;

	/* The number is needed with a Messaging Service too: the poll lists
	 * the messages sent to it. */
	load_fail(f, "gateway = { driver = \"twilio\"; };\n"
	             "twilio = { account_sid = \"" SID_AC "\";\n"
	             "  messaging_service_sid = \"" SID_MG "\";\n"
	             "  auth_token_env = \"TWILIO_AUTH_TOKEN\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.number is missing");
}

static void
test_twilio_messaging_service(void **state)
{
	struct fixture *f = *state;
	struct config *c =
	    load_ok(f, "gateway = { driver = \"twilio\"; };\n"
	               "twilio = { account_sid = \"" SID_AC "\";\n"
	               "  number = \"+15551234567\";\n"
	               "  messaging_service_sid = \"" SID_MG "\";\n"
	               "  auth_token_env = \"TWILIO_AUTH_TOKEN\"; };\n");
	expect_clean(&f->d);
	assert_string_equal(c->twilio.number, "+15551234567");
	assert_string_equal(c->twilio.messaging_service_sid, SID_MG);
	assert_string_equal(c->twilio.auth_token.env, "TWILIO_AUTH_TOKEN");
}

static void
test_infobip_requirements(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "gateway = { driver = \"infobip\"; };\n"
	             "infobip = { limit = 10; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "infobip.base_url is missing");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "infobip.number is missing");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "infobip: no api_key",
	            "api_key_credential");
	assert_int_equal(f->d.errors, 3);

	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	load_fail(f, "gateway = { driver = \"infobip\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 1, "no infobip group");
}

/* state takes a store location: "sqlite://" and a path, kept as it is;
 * a bare path, resolved as before; another scheme, refused by name. */
static void
test_state_location(void **state)
{
	struct fixture *f = *state;
	struct config *c =
	    load_ok(f, "gateway = { driver = \"console\"; };\n"
	               "state = \"sqlite:///var/lib/backtalk/other.db\";\n");

	expect_clean(&f->d);
	assert_string_equal(c->state_path,
	                    "sqlite:///var/lib/backtalk/other.db");
	config_free(f->cfg);
	f->cfg = NULL;
	free(f->path);
	c = load_ok(f, "gateway = { driver = \"console\"; };\n"
	               "state = \"rel.db\";\n");
	expect_clean(&f->d);
	assert_non_null(strstr(c->state_path, "/rel.db"));
	assert_true(c->state_path[0] == '/');
	config_free(f->cfg);
	f->cfg = NULL;
	free(f->path);
	load_fail(f, "gateway = { driver = \"console\"; };\n"
	             "state = \"postgres://db.example/backtalk\";\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2,
	            "unknown store scheme \"postgres\"");
}

static void
test_infobip_ok(void **state)
{
	struct fixture *f = *state;
	struct config *c = load_ok(
	    f, "gateway = { driver = \"infobip\"; };\n"
	       "infobip = { base_url = \"https://xxxx.api.infobip.com\";\n"
	       "  api_key_credential = \"infobip-key\";\n"
	       "  number = \"+447700900123\"; };\n");

	expect_clean(&f->d);
	assert_int_equal(c->gateway, CONFIG_GATEWAY_INFOBIP);
	assert_string_equal(config_gateway_name(c->gateway), "infobip");
	assert_false(c->compliance.gateway_handles_keywords);
	assert_string_equal(c->infobip.api_key.credential, "infobip-key");
	assert_int_equal(c->infobip.limit, 100);
}

static void
test_gateway_missing(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "poll_interval_ms = 1000;\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 0, "no gateway; add gateway = {");
	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	load_fail(f, "gateway = { };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 1, "gateway.driver is missing");
}

static void
test_inline_secret_refused(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "gateway = { driver = \"twilio\"; };\n"
	             "twilio = { account_sid = \"" SID_AC "\";\n"
	             "  auth_token = \"s3cr3t-t0ken-value\";\n"
	             "  number = \"+15551234567\"; };\n"
	             "infobip = { api_key = \"s3cr3t-t0ken-value\"; };\n"
	             "password = \"s3cr3t-t0ken-value\";\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "twilio.auth_token: secrets are not written in the config "
	            "file",
	            "a file (auth_token_file)",
	            "an environment variable (auth_token_env)",
	            "a systemd credential (auth_token_credential)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5, "infobip.api_key: secrets",
	            "api_key_file");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6, "password: secrets are not");
	/* The token source is still missing, and said so. */
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio: no auth_token");
	for (size_t i = 0; i < f->d.count; i++)
		assert_null(strstr(f->d.items[i].message, "s3cr3t"));
}

/* metrics.listen is an address, not a name; one off the host is taken
 * with a warning. */
static void
test_metrics(void **state)
{
	struct fixture *f = *state;
	struct config *c;

	load_fail(f, CONSOLE "metrics = {\n"
	                     "  listen = \"localhost\";\n"
	                     "  port = 70000; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "metrics.listen must be an IP address");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4,
	            "metrics.port must be between 0 and 65535");

	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	c = load_ok(f, CONSOLE "metrics = { listen = \"::1\"; port = 9187;\n"
	                       "  health_max_failing_s = 60; };\n");
	expect_clean(&f->d);
	assert_string_equal(c->metrics.listen, "::1");
	assert_int_equal(c->metrics.port, 9187);
	assert_int_equal(c->metrics.health_max_failing_s, 60);
	config_free(c);
	f->cfg = NULL;

	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	c = load_ok(f, CONSOLE "metrics = {\n"
	                       "  listen = \"0.0.0.0\"; port = 9187; };\n");
	assert_int_equal(f->d.errors, 0);
	assert_int_equal(f->d.warnings, 1);
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "metrics.listen is 0.0.0.0, not a loopback address");
}

static void
test_insecure_http(void **state)
{
	struct fixture *f = *state;

	/* Plain http leaves the host: refused unless allowed. */
	load_fail(f, CONSOLE "twilio = {\n"
	                     "  base_url = \"http://api.example.com\"; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3,
	            "twilio.base_url must use https://",
	            "http.allow_insecure_http = true");

	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	struct config *c =
	    load_ok(f, CONSOLE "twilio = {\n"
	                       "  base_url = \"http://api.example.com/\"; };\n"
	                       "http = { allow_insecure_http = true; };\n");
	assert_int_equal(f->d.errors, 0);
	assert_int_equal(f->d.warnings, 1);
	EXPECT_DIAG(&f->d, "backtalk.conf", 3, "twilio.base_url is plain http");
	assert_string_equal(c->twilio.base_url, "http://api.example.com");
	assert_true(c->http.allow_insecure_http);
	config_free(c);
	f->cfg = NULL;

	/* Loopback never leaves the host: allowed as it is. */
	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	c = load_ok(f, CONSOLE "twilio = {\n"
	                       "  base_url = \"http://127.0.0.1:8080\"; };\n");
	expect_clean(&f->d);
	assert_string_equal(c->twilio.base_url, "http://127.0.0.1:8080");
}

static void
test_cross_checks(void **state)
{
	struct fixture *f = *state;

	load_fail(f, CONSOLE "http = { connect_timeout_ms = 20000;\n"
	                     "  timeout_ms = 10000; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2,
	            "http.connect_timeout_ms (20000) must not be longer than "
	            "http.timeout_ms (10000)");
}

static void
test_compliance_texts(void **state)
{
	struct fixture *f = *state;
	char text[4000];

	memset(text, 'a', 1700);
	text[1700] = '\0';
	char *conf;
	assert_true(asprintf(&conf,
	                     CONSOLE "compliance = {\n"
	                             "  help_text = \"\";\n"
	                             "  stop_text = \"\\xff\\xfe\";\n"
	                             "  start_text = \"%s\"; };\n",
	                     text) > 0);
	load_fail(f, conf);
	free(conf);
	EXPECT_DIAG(&f->d, "backtalk.conf", 3, "compliance.help_text is empty");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4,
	            "compliance.stop_text is not valid UTF-8");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5,
	            "compliance.start_text is 1700 bytes long; the limit is "
	            "1600");

	/* Long texts warn (with gateway_handles_keywords too: requests in
	 * other words are ours to answer). */
	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	memset(text, 'a', 400);
	text[400] = '\0';
	assert_true(asprintf(&conf,
	                     TWILIO_MIN "compliance = {\n"
	                                "  help_text = \"%s\"; };\n",
	                     text) > 0);
	load_ok(f, conf);
	free(conf);
	EXPECT_DIAG(&f->d, "backtalk.conf", 6,
	            "compliance.help_text takes 3 SMS segments");
}

static void
test_all_errors_reported(void **state)
{
	struct fixture *f = *state;

	load_fail(f, "gateway = { driver = \"twilio\"; };\n"
	             "twilio = { account_sid = \"bad\"; page_size = 0;\n"
	             "  auth_token = \"x\"; };\n"
	             "poll_interval_ms = 1;\n"
	             "unknown_thing = 1;\n"
	             "log = { level = \"loud\"; };\n"
	             "guard = { send_rate = 1000000.0; };\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.account_sid");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.page_size");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3, "twilio.auth_token: secrets");
	EXPECT_DIAG(&f->d, "backtalk.conf", 4, "poll_interval_ms");
	EXPECT_DIAG(&f->d, "backtalk.conf", 5, "unknown_thing");
	EXPECT_DIAG(&f->d, "backtalk.conf", 6, "log.level");
	EXPECT_DIAG(&f->d, "backtalk.conf", 7, "guard.send_rate",
	            "(got 1e+06)");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio.number is missing");
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "twilio: no auth_token");
	assert_int_equal(f->d.errors, 9);
}

static void
test_syntax_error(void **state)
{
	struct fixture *f = *state;

	load_fail(f, CONSOLE "\n"
	                     "poll_interval_ms = = 5000;\n"
	                     "max_age_s = 60;\n");
	EXPECT_DIAG(&f->d, "backtalk.conf", 3, "syntax error");
	assert_int_equal(f->d.errors, 1);
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = NULL;
	char *path;

	assert_true(asprintf(&path, "%s/none.conf", f->dir) > 0);
	assert_int_equal(config_load(path, &cfg, &f->d), -1);
	assert_null(cfg);
	EXPECT_DIAG(&f->d, "none.conf", 0,
	            "cannot read: No such file or directory");
	free(path);

	/* A NULL diagnostics list is allowed. */
	assert_int_equal(config_load("/nonexistent.conf", &cfg, NULL), -1);
	config_free(NULL);
}

static void
test_relative_paths(void **state)
{
	struct fixture *f = *state;
	char want[PATH_MAX + 64];
	struct config *c =
	    load_ok(f, "gateway = { driver = \"twilio\"; };\n"
	               "twilio = { account_sid = \"" SID_AC "\";\n"
	               "  auth_token_file = \"secrets/twilio.token\";\n"
	               "  number = \"+15551234567\"; };\n"
	               "infobip = { api_key_file = \"/abs/key\"; };\n"
	               "http = { ca_file = \"./ca.pem\"; };\n"
	               "rules = \"rules.d\";\n"
	               "state = \"../state.db\";\n");

	expect_clean(&f->d);
	snprintf(want, sizeof(want), "%s/secrets/twilio.token", f->dir);
	assert_string_equal(c->twilio.auth_token.file, want);
	assert_string_equal(c->infobip.api_key.file, "/abs/key");
	snprintf(want, sizeof(want), "%s/./ca.pem", f->dir);
	assert_string_equal(c->http.ca_file, want);
	snprintf(want, sizeof(want), "%s/rules.d", f->dir);
	assert_string_equal(c->rules_path, want);
	snprintf(want, sizeof(want), "%s/../state.db", f->dir);
	assert_string_equal(c->state_path, want);
}

/* A config named relative to the current directory still yields absolute
 * paths, so they survive the daemon changing directory. */
static void
test_relative_config_path(void **state)
{
	struct fixture *f = *state;
	char cwd[PATH_MAX], want[PATH_MAX + 64];
	struct config *c = NULL;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	f->path = testutil_write(f->dir, "backtalk.conf",
	                         CONSOLE "rules = \"rules\";\n");
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(config_load("backtalk.conf", &c, &f->d), 0);
	snprintf(want, sizeof(want), "%s/rules", f->dir);
	assert_string_equal(c->rules_path, want);
	assert_string_equal(c->path, "backtalk.conf");
	config_free(c);

	/* dir/backtalk.conf, named from dir's parent */
	assert_int_equal(chdir(".."), 0);
	const char *base = strrchr(f->dir, '/') + 1;
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/backtalk.conf", base);
	assert_int_equal(config_load(rel, &c, &f->d), 0);
	assert_string_equal(c->rules_path, want);
	config_free(c);
	assert_int_equal(chdir(cwd), 0);
	expect_clean(&f->d);
}

static void
test_include(void **state)
{
	struct fixture *f = *state;
	char *inc = testutil_write(f->dir, "extra.inc",
	                           "guard = { max_attempts = 3; };\n"
	                           "bogus = 1;\n");

	load_fail(f, CONSOLE "@include \"extra.inc\"\n");
	EXPECT_DIAG(&f->d, "extra.inc", 2, "unknown setting \"bogus\"");
	free(inc);
}

static void
test_debug_level_warns(void **state)
{
	struct fixture *f = *state;
	struct config *c =
	    load_ok(f, CONSOLE "log = { level = \"debug\"; };\n");

	assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(f->d.warnings, 1);
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, "log.level is debug",
	            "message bodies and full phone numbers");
}

static void
load_example(const char *name, enum config_gateway gw)
{
	struct diag d;
	struct config *c = NULL;
	char *path;

	assert_true(asprintf(&path, "%s/%s", EXAMPLE_CONFIG_DIR, name) > 0);
	diag_init(&d);
	if (config_load(path, &c, &d) != 0) {
		testutil_diag_dump(&d);
		fail_msg("%s does not load", path);
	}
	expect_clean(&d);
	assert_int_equal(c->gateway, gw);
	config_free(c);
	diag_free(&d);
	free(path);
}

static void
test_examples(void **state)
{
	(void)state;
	load_example("backtalk.conf", CONFIG_GATEWAY_TWILIO);
	load_example("demo.conf", CONFIG_GATEWAY_CONSOLE);
}

/* The shipped Twilio example reads its token from a systemd credential. */
static void
test_example_values(void **state)
{
	struct diag d;
	struct config *c = NULL;
	char *path;

	(void)state;
	assert_true(asprintf(&path, "%s/backtalk.conf", EXAMPLE_CONFIG_DIR) >
	            0);
	diag_init(&d);
	assert_int_equal(config_load(path, &c, &d), 0);
	assert_string_equal(c->twilio.auth_token.credential, "twilio-token");
	assert_null(c->twilio.auth_token.file);
	assert_null(c->twilio.auth_token.env);
	assert_true(c->compliance.gateway_handles_keywords);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	config_free(c);
	free(path);

	assert_true(asprintf(&path, "%s/demo.conf", EXAMPLE_CONFIG_DIR) > 0);
	assert_int_equal(config_load(path, &c, &d), 0);
	char *rules = strstr(c->rules_path, "/config/../rules");
	assert_non_null(rules);
	assert_int_equal(c->log_level, LOG_LEVEL_INFO);
	config_free(c);
	free(path);
	diag_free(&d);
}

/* No diagnostic holds needle. */
static void
expect_not_echoed(const struct diag *d, const char *needle)
{
	for (size_t i = 0; i < d->count; i++)
		if (strstr(d->items[i].message, needle) != NULL) {
			testutil_diag_dump(d);
			fail_msg("a diagnostic prints \"%s\"", needle);
		}
}

/* Loads the two base URLs, which must fail with the two errors and
 * without printing secret anywhere. */
static void
url_fails(struct fixture *f, const char *twilio, const char *infobip,
          const char *want_twilio, const char *want_infobip, const char *secret)
{
	char text[512];

	snprintf(text, sizeof(text),
	         CONSOLE "twilio = { base_url = \"%s\"; };\n"
	                 "infobip = { base_url = \"%s\"; };\n",
	         twilio, infobip);
	diag_free(&f->d);
	diag_init(&f->d);
	free(f->path);
	load_fail(f, text);
	EXPECT_DIAG(&f->d, "backtalk.conf", 2, want_twilio);
	EXPECT_DIAG(&f->d, "backtalk.conf", 3, want_infobip);
	expect_not_echoed(&f->d, secret);
}

/* Takes the loaded config from the fixture, to load another. */
static struct config *
take(struct fixture *f, const char *text)
{
	struct config *c = load_ok(f, text);

	f->cfg = NULL;
	free(f->path);
	f->path = NULL;
	return c;
}

/* A reload keeps the running gateway only when the driver and every
 * setting it reads are the same (config_gateway_equal). */
static void
test_gateway_equal(void **state)
{
	struct fixture *f = *state;
	struct config *a = take(f, TWILIO_MIN);
	struct config *same =
	    take(f, TWILIO_MIN "poll_interval_ms = 1000;\n"
	                       "guard = { send_rate = 3; };\n");
	struct config *page =
	    take(f, "gateway = { driver = \"twilio\"; };\n"
	            "twilio = { account_sid = \"" SID_AC "\";\n"
	            "  auth_token_credential = \"twilio-token\";\n"
	            "  number = \"+15551234567\"; page_size = 7; };\n");
	struct config *http =
	    take(f, TWILIO_MIN "http = { timeout_ms = 20000; };\n");
	struct config *console = take(f, CONSOLE);

	assert_true(config_gateway_equal(a, a));
	assert_true(config_gateway_equal(a, same));
	assert_false(config_gateway_equal(a, page));
	assert_false(config_gateway_equal(a, http));
	assert_false(config_gateway_equal(a, console));
	assert_true(config_gateway_equal(console, console));
	config_free(a);
	config_free(same);
	config_free(page);
	config_free(http);
	config_free(console);
}

/* A URL with a user name or password is an error, and no error about a
 * URL prints it. */
static void
test_url_credentials(void **state)
{
	struct fixture *f = *state;

	url_fails(f, "https://AC01:s3cr3t-t0ken@api.twilio.com",
	          "https://s3cr3t-t0ken@x.api.infobip.com",
	          "twilio.base_url holds a user name or password",
	          "infobip.base_url holds a user name or password",
	          "s3cr3t-t0ken");
	url_fails(f, "ftp://AC01:s3cr3t-t0ken@api.twilio.com",
	          "https://u:s3cr3t-t0ken@x.com/?a=b",
	          "twilio.base_url must start with https://",
	          "infobip.base_url must be a plain URL", "s3cr3t-t0ken");
}

/* A FIFO named as the config is refused at once (it used to block until
 * a writer came, forever); a symbolic link to a regular file still
 * loads. */
static void
test_not_regular_file(void **state)
{
	struct fixture *f = *state;
	struct config *cfg = NULL;
	char *fifo, *link;

	assert_true(asprintf(&fifo, "%s/fifo.conf", f->dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10); /* a hang fails the test */
	assert_int_equal(config_load(fifo, &cfg, &f->d), -1);
	alarm(0);
	assert_null(cfg);
	EXPECT_DIAG(&f->d, "fifo.conf", 0, "cannot read", "not a regular file");

	f->path = testutil_write(f->dir, "real.conf", CONSOLE);
	assert_true(asprintf(&link, "%s/link.conf", f->dir) > 0);
	assert_int_equal(symlink(f->path, link), 0);
	diag_free(&f->d);
	diag_init(&f->d);
	if (config_load(link, &f->cfg, &f->d) != 0) {
		testutil_diag_dump(&f->d);
		fail_msg("a symbolic link to a config did not load");
	}
	expect_clean(&f->d);
	free(fifo);
	free(link);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_full_twilio),
		T(test_defaults),
		T(test_twilio_handles_keywords_by_default),
		T(test_unknown_keys),
		T(test_types),
		T(test_ranges),
		T(test_range_edges),
		T(test_bad_values),
		T(test_sids_not_echoed),
		T(test_twilio_requirements),
		T(test_twilio_group_missing),
		T(test_twilio_service_needs_number),
		T(test_twilio_messaging_service),
		T(test_infobip_requirements),
		T(test_infobip_ok),
		T(test_gateway_missing),
		T(test_inline_secret_refused),
		T(test_metrics),
		T(test_insecure_http),
		T(test_gateway_equal),
		T(test_cross_checks),
		T(test_compliance_texts),
		T(test_all_errors_reported),
		T(test_syntax_error),
		T(test_missing_file),
		T(test_relative_paths),
		T(test_relative_config_path),
		T(test_include),
		T(test_debug_level_warns),
		T(test_examples),
		T(test_example_values),
		T(test_url_credentials),
		T(test_not_regular_file),
		T(test_state_location),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
