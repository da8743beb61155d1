/* Tests for secret.c: which source wins, file permission warnings and strict
 * refusal, symbolic links, size and content limits, systemd credentials,
 * and that no message ever holds the secret. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "testutil.h"

#define SECRET "0123456789abcdef0123456789abcdef"

struct fixture {
	char *dir;
	char warn[256], err[256];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = testutil_tmpdir();
	unsetenv("BACKTALK_TEST_SECRET");
	unsetenv("CREDENTIALS_DIRECTORY");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	testutil_rmdir(f->dir);
	free(f);
	unsetenv("BACKTALK_TEST_SECRET");
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

/* Writes a secret file with the given mode; returns its path. */
static char *
write_secret(struct fixture *f, const char *name, const char *text, mode_t mode)
{
	char *path = testutil_write(f->dir, name, text);

	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Loads src, which must work; returns the secret. */
static char *
load_ok(struct fixture *f, const struct config_secret *src, bool strict)
{
	char *s = NULL;

	if (secret_load(src, strict, &s, f->warn, sizeof(f->warn), f->err,
	                sizeof(f->err)) != 0)
		fail_msg("secret_load failed: %s", f->err);
	assert_non_null(s);
	assert_null(strstr(f->warn, SECRET));
	return s;
}

/* Loads src, which must fail with an error holding want; checks the output
 * is untouched and the secret is not in the message. */
static void
load_fail(struct fixture *f, const struct config_secret *src, bool strict,
          const char *want)
{
	char *sentinel = (char *)(uintptr_t)0x1234;
	char *s = sentinel;

	assert_int_equal(secret_load(src, strict, &s, f->warn, sizeof(f->warn),
	                             f->err, sizeof(f->err)),
	                 -1);
	assert_ptr_equal(s, sentinel);
	if (strstr(f->err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", f->err, want);
	assert_null(strstr(f->err, SECRET));
	assert_null(strstr(f->err, "abcdef0123"));
}

static void
test_file(void **state)
{
	struct fixture *f = *state;
	char *path = write_secret(f, "token", SECRET "\n", 0600);
	struct config_secret src = { .file = path };

	char *s = load_ok(f, &src, true);
	assert_string_equal(s, SECRET);
	assert_string_equal(f->warn, "");
	secret_free(s);

	/* Trailing whitespace and CRLF are not part of the secret. */
	free(path);
	path = write_secret(f, "token2", SECRET " \t\r\n\n", 0400);
	src.file = path;
	s = load_ok(f, &src, false);
	assert_string_equal(s, SECRET);
	secret_free(s);
	free(path);
}

static void
test_precedence(void **state)
{
	struct fixture *f = *state;
	char *file = write_secret(f, "file-token", "from-file\n", 0600);
	char *cred = write_secret(f, "cred-token", "from-credential", 0600);
	struct config_secret src = { .file = file,
		                     .env = "BACKTALK_TEST_SECRET",
		                     .credential = "cred-token" };
	char *s;

	setenv("BACKTALK_TEST_SECRET", "from-env\n", 1);
	setenv("CREDENTIALS_DIRECTORY", f->dir, 1);

	s = load_ok(f, &src, true);
	assert_string_equal(s, "from-file");
	secret_free(s);

	src.file = NULL;
	s = load_ok(f, &src, true);
	assert_string_equal(s, "from-env");
	secret_free(s);

	src.env = NULL;
	s = load_ok(f, &src, true);
	assert_string_equal(s, "from-credential");
	secret_free(s);

	/* The first source set is used even when it fails: no silent
	 * fallback to another secret. */
	src.env = "BACKTALK_TEST_SECRET";
	unsetenv("BACKTALK_TEST_SECRET");
	load_fail(f, &src, true,
	          "the environment variable secret_env names is not set");

	src.env = NULL;
	src.credential = NULL;
	load_fail(f, &src, true, "no secret configured");
	load_fail(f, NULL, true, "no secret configured");
	free(file);
	free(cred);
}

static void
test_mode_warning(void **state)
{
	struct fixture *f = *state;
	char *path = write_secret(f, "token", SECRET, 0644);
	struct config_secret src = { .file = path };
	char want[512];

	char *s = load_ok(f, &src, false);
	assert_string_equal(s, SECRET);
	secret_free(s);
	snprintf(want, sizeof(want),
	         "the file secret_file names is readable by others (mode "
	         "0644); chmod 600 it");
	assert_string_equal(f->warn, want);

	/* Group-readable is a warning too, for a secret. */
	assert_int_equal(chmod(path, 0640), 0);
	s = load_ok(f, &src, false);
	secret_free(s);
	assert_non_null(strstr(f->warn, "readable by its group (mode 0640)"));

	/* Others that can write it choose the credentials: refused even
	 * without secrets.strict_permissions. */
	assert_int_equal(chmod(path, 0602), 0);
	load_fail(f, &src, false,
	          "writable by others (mode 0602); chmod 600 it");
	assert_int_equal(chmod(path, 0620), 0);
	load_fail(f, &src, false, "writable by its group");

	/* A later clean load clears the warning. */
	assert_int_equal(chmod(path, 0600), 0);
	s = load_ok(f, &src, false);
	secret_free(s);
	assert_string_equal(f->warn, "");
	free(path);
}

static void
test_mode_strict(void **state)
{
	struct fixture *f = *state;
	char *path = write_secret(f, "token", SECRET, 0644);
	struct config_secret src = { .file = path };

	load_fail(f, &src, true, "is readable by others (mode 0644)");
	assert_non_null(strstr(f->err, "chmod 600"));
	assert_int_equal(chmod(path, 0640), 0);
	load_fail(f, &src, true, "readable by its group");
	free(path);
}

static void
test_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char *target = write_secret(f, "token", SECRET, 0600);
	char *link;
	struct config_secret src;

	assert_true(asprintf(&link, "%s/link", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	src = (struct config_secret){ .file = link };
	load_fail(f, &src, false, "is a symbolic link");
	free(link);
	free(target);
}

static void
test_not_regular(void **state)
{
	struct fixture *f = *state;
	struct config_secret src = { .file = f->dir };
	char *fifo;

	load_fail(f, &src, false, "is not a regular file");

	/* A FIFO must not block start-up. */
	assert_true(asprintf(&fifo, "%s/fifo", f->dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	src.file = fifo;
	load_fail(f, &src, false, "is not a regular file");
	free(fifo);
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct config_secret src = { .file = "/nonexistent/backtalk.token" };

	load_fail(f, &src, false,
	          "cannot open the file secret_file names: No such file or "
	          "directory");
}

static void
test_too_large(void **state)
{
	struct fixture *f = *state;
	char big[5000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *path = write_secret(f, "big", big, 0600);
	struct config_secret src = { .file = path };
	load_fail(f, &src, false, "is larger than 4096 bytes");
	free(path);

	/* Exactly 4096 bytes is accepted. */
	big[4096] = '\0';
	path = write_secret(f, "edge", big, 0600);
	src.file = path;
	char *s = load_ok(f, &src, false);
	assert_int_equal(strlen(s), 4096);
	secret_free(s);
	free(path);
}

static void
test_empty(void **state)
{
	struct fixture *f = *state;
	char *path = write_secret(f, "empty", "", 0600);
	struct config_secret src = { .file = path };

	load_fail(f, &src, false, "is empty");
	free(path);
	path = write_secret(f, "newline", " \n\n", 0600);
	src.file = path;
	load_fail(f, &src, false, "is empty");
	free(path);

	setenv("BACKTALK_TEST_SECRET", "", 1);
	src = (struct config_secret){ .env = "BACKTALK_TEST_SECRET" };
	load_fail(f, &src, false,
	          "the environment variable secret_env names is empty");
}

static void
test_two_lines_refused(void **state)
{
	struct fixture *f = *state;
	char *path = write_secret(f, "token", SECRET "\n" SECRET "\n", 0600);
	struct config_secret src = { .file = path };

	load_fail(f, &src, false, "more than one line");
	free(path);
}

static void
test_credential(void **state)
{
	struct fixture *f = *state;
	struct config_secret src = { .credential = "twilio-token" };

	load_fail(f, &src, false,
	          "secret_credential needs $CREDENTIALS_DIRECTORY");
	assert_non_null(strstr(f->err, "LoadCredential="));

	setenv("CREDENTIALS_DIRECTORY", f->dir, 1);
	load_fail(f, &src, false,
	          "cannot open the credential file secret_credential names");

	char *path = write_secret(f, "twilio-token", SECRET "\n", 0400);
	char *s = load_ok(f, &src, true);
	assert_string_equal(s, SECRET);
	secret_free(s);
	free(path);

	src.credential = "../twilio-token";
	load_fail(f, &src, false, "without '/'");

	/* A directory of credentials (LoadCredential=backtalk:DIR) names
	 * each file backtalk_NAME: found under that name when the bare one
	 * is not there. */
	src.credential = "infobip-key";
	load_fail(f, &src, false,
	          "cannot open the credential file secret_credential names");
	path = write_secret(f, "backtalk_infobip-key", SECRET "x\n", 0400);
	s = load_ok(f, &src, true);
	assert_string_equal(s, SECRET "x");
	secret_free(s);
	free(path);
	/* the bare name wins when both are there */
	src.credential = "twilio-token";
	path = write_secret(f, "backtalk_twilio-token", "other\n", 0400);
	s = load_ok(f, &src, true);
	assert_string_equal(s, SECRET);
	secret_free(s);
	free(path);
}

static void
test_env(void **state)
{
	struct fixture *f = *state;
	struct config_secret src = { .env = "BACKTALK_TEST_SECRET" };

	setenv("BACKTALK_TEST_SECRET", SECRET, 1);
	char *s = load_ok(f, &src, true);
	assert_string_equal(s, SECRET);
	assert_string_equal(f->warn, "");
	secret_free(s);
	secret_free(NULL);
}

/* A token pasted where a file name, a variable name or a credential name
 * belongs is never printed: messages name the config key instead. */
static void
test_values_not_echoed(void **state)
{
	struct fixture *f = *state;
	static const char token[] = "0123456789abcdef0123456789abcdef";
	struct config_secret src = { .file = (char *)token,
		                     .key = "twilio.auth_token" };
	char *fifo;

	load_fail(f, &src, false,
	          "cannot open the file twilio.auth_token_file names");
	assert_null(strstr(f->err, token));

	src = (struct config_secret){ .env = (char *)token,
		                      .key = "twilio.auth_token" };
	unsetenv(token);
	load_fail(f, &src, false,
	          "the environment variable twilio.auth_token_env names is "
	          "not set");
	assert_null(strstr(f->err, token));

	src = (struct config_secret){ .credential = (char *)token,
		                      .key = "infobip.api_key" };
	unsetenv("CREDENTIALS_DIRECTORY");
	load_fail(f, &src, false, "infobip.api_key_credential needs");
	assert_null(strstr(f->err, token));
	setenv("CREDENTIALS_DIRECTORY", f->dir, 1);
	load_fail(f, &src, false,
	          "cannot open the credential file "
	          "infobip.api_key_credential names");
	assert_null(strstr(f->err, token));
	src.credential = (char *)"../"
	                         "0123456789abcdef0123456789abcdef";
	load_fail(f, &src, false, "must be a plain credential name");
	assert_null(strstr(f->err, token));

	/* A FIFO given as the file: refused at once, by key. */
	assert_true(asprintf(&fifo, "%s/%s", f->dir, token) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	src =
	    (struct config_secret){ .file = fifo, .key = "twilio.auth_token" };
	load_fail(f, &src, false,
	          "the file twilio.auth_token_file names is not a regular "
	          "file");
	assert_null(strstr(f->err, token));
	free(fifo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_mode_warning, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_mode_strict, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_lines_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_credential, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_not_echoed, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
