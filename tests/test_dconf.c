/* Tests for dconf.c: one configuration of the daemon is built whole
 * (config, rules, classifier, guard, send rate, secret, both gateways) or
 * not at all.  A configuration that cannot be built (broken rules, a secret
 * that cannot be read, a gateway that refuses the settings) leaves nothing
 * allocated and a configuration built before it as it was; dconf_free
 * gives back all a built one holds, the sending thread's gateway too (until
 * the swap hands it to the thread, it is the configuration's).
 *
 * That nothing is left allocated is checked by running this under valgrind
 * (CTest dconf_valgrind, any leak an error) or AddressSanitizer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dconf.h"
#include "log.h"
#include "testutil.h"

#define RULES_OK                                                     \
	"replies = { fallback = \"Text FORM for lifting tips.\";\n"  \
	"  help = \"Backtalk help: text FORM.\"; };\n"               \
	"rules = (\n"                                                \
	"  { id = \"form\"; category = \"tip\"; topic = \"form\";\n" \
	"    keywords = [ \"FORM\" ];\n"                             \
	"    reply = \"Keep the bar close.\"; },\n"                  \
	"  { id = \"cauda\"; category = \"emergency\";\n"            \
	"    patterns = [ \"\\\\bbladder\\\\b\" ];\n"                \
	"    reply = \"Call 911 now.\"; }\n"                         \
	");\n"

struct fixture {
	char *dir;
	char *rules_ok, *rules_bad, *token, *missing;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = testutil_tmpdir();
	f->rules_ok = testutil_write(f->dir, "ok.rules", RULES_OK);
	f->rules_bad = testutil_write(f->dir, "bad.rules", "rules = ( {\n");
	f->token = testutil_write(f->dir, "token", "s3cret-token\n");
	chmod(f->token, 0600);
	if (asprintf(&f->missing, "%s/no-such-token", f->dir) < 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->rules_ok);
	free(f->rules_bad);
	free(f->token);
	free(f->missing);
	testutil_rmdir(f->dir);
	free(f);
	return 0;
}

/* A Twilio configuration (plain http to loopback: nothing connects). */
static struct config *
load(const struct fixture *f, const char *rules, const char *token)
{
	char *text = NULL, *path;
	struct config *cfg = NULL;
	struct diag d;

	if (asprintf(&text,
	             "gateway = { driver = \"twilio\"; };\n"
	             "twilio = { account_sid = "
	             "\"AC0123456789abcdef0123456789abcdef\";\n"
	             "  base_url = \"http://127.0.0.1:9\";\n"
	             "  auth_token_file = \"%s\";\n"
	             "  number = \"+15551234567\"; };\n"
	             "rules = \"%s\";\n"
	             "state = \"%s/state.db\";\n"
	             "guard = { send_rate = 2.5; };\n",
	             token, rules, f->dir) < 0)
		fail_msg("out of memory");
	path = testutil_write(f->dir, "backtalk.conf", text);
	diag_init(&d);
	if (config_load(path, &cfg, &d) != 0) {
		testutil_diag_dump(&d);
		fail_msg("config_load %s", path);
	}
	diag_free(&d);
	free(path);
	free(text);
	return cfg;
}

static void
test_builds_all(void **state)
{
	struct fixture *f = *state;
	struct config *cfg;
	struct dconf *c;

	cfg = load(f, f->rules_ok, f->token);
	c = dconf_new(cfg, NULL, NULL, 42);
	assert_non_null(c);
	assert_ptr_equal(c->cfg, cfg);
	assert_non_null(c->rs);
	assert_int_equal(c->rs->nrules, 2);
	assert_non_null(c->cls);
	assert_non_null(c->guard);
	assert_non_null(c->secret);
	assert_string_equal(c->secret, "s3cret-token");
	assert_non_null(c->gw_in);
	assert_non_null(c->gw_out);
	assert_non_null(c->gw_send);
	assert_ptr_not_equal(c->gw_out, c->gw_send);
	assert_string_equal(c->gw_in->ops->name, "twilio");
	assert_string_equal(c->gw_out->ops->name, "twilio");
	assert_true(c->rate.rate == 2.5);
	assert_true(c->rate.last == 42);
	dconf_free(c);
	dconf_free(NULL);
}

/* Each way a configuration can fail leaves nothing behind, and the one
 * built before it (given as the running one) whole, its gateways too. */
static void
test_fails_whole(void **state)
{
	struct fixture *f = *state;
	struct dconf *running;
	struct config *cfg;
	enum { BAD_RULES, NO_SECRET, BAD_GATEWAY, NCASES };

	running = dconf_new(load(f, f->rules_ok, f->token), NULL, NULL, 1);
	assert_non_null(running);
	struct dconf kept = *running;
	for (int i = 0; i < NCASES; i++) {
		cfg = load(f, i == BAD_RULES ? f->rules_bad : f->rules_ok,
		           i == NO_SECRET ? f->missing : f->token);
		if (i == BAD_GATEWAY)
			cfg->twilio.account_sid[0] = '\0';
		assert_null(dconf_new(cfg, running, NULL, 2));
		assert_memory_equal(running, &kept, sizeof(kept));
		assert_int_equal(running->rs->nrules, 2);
		assert_string_equal(running->secret, "s3cret-token");
	}
	dconf_free(running);
}

/* A reload keeps the running gateways when the driver, its settings and
 * the secret are the same: they move to the new configuration (the old
 * one frees none of them), and the sending thread's part, handed over
 * already, stays the thread's.  Any change builds new ones and leaves the
 * running ones to the old configuration. */
static void
test_reload_keeps_gateway(void **state)
{
	struct fixture *f = *state;
	struct dconf *old, *c;
	struct gateway_in *in;
	struct gateway_out *out, *send;
	struct config *cfg;

	old = dconf_new(load(f, f->rules_ok, f->token), NULL, NULL, 1);
	assert_non_null(old);
	in = old->gw_in;
	out = old->gw_out;
	/* The swap hands the sending thread its part (backtalkd_setup). */
	send = old->gw_send;
	old->gw_send = NULL;

	/* The same gateway, other rules and guard: kept. */
	cfg = load(f, f->rules_ok, f->token);
	cfg->guard.send_rate = 7;
	c = dconf_new(cfg, old, NULL, 2);
	assert_non_null(c);
	assert_ptr_equal(c->gw_in, in);
	assert_ptr_equal(c->gw_out, out);
	assert_null(c->gw_send);
	assert_null(old->gw_in);
	assert_null(old->gw_out);
	dconf_free(old);
	old = c;

	/* Another setting of the driver: new ones; the old keeps its own. */
	cfg = load(f, f->rules_ok, f->token);
	cfg->twilio.page_size = 7;
	c = dconf_new(cfg, old, NULL, 3);
	assert_non_null(c);
	assert_ptr_not_equal(c->gw_in, in);
	assert_ptr_not_equal(c->gw_out, out);
	assert_non_null(c->gw_send);
	assert_ptr_equal(old->gw_in, in);
	assert_ptr_equal(old->gw_out, out);
	dconf_free(old);
	old = c;
	in = old->gw_in;

	/* The same settings with another secret (a rotated token): new. */
	free(testutil_write(f->dir, "token", "rotated-token\n"));
	c = dconf_new(load(f, f->rules_ok, f->token), old, NULL, 4);
	assert_non_null(c);
	assert_ptr_not_equal(c->gw_in, in);
	assert_ptr_equal(old->gw_in, in);
	assert_string_equal(c->secret, "rotated-token");
	dconf_free(old);
	dconf_free(c);
	gateway_out_free(send);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builds_all, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_fails_whole, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_gateway,
		                                setup, teardown),
	};
	int rc;

	log_init("test_dconf", LOG_LEVEL_ERR, false);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
