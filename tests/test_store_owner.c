/* Tests for who may use a state database (store_sqlite.c's open path):
 * the owner and mode of the database, its -wal, -shm and lock files and
 * its directory, with real files (the tests run as root, so "another
 * user" is uid 65534, given with chown), and the lock that keeps a second
 * daemon off a database while leaving it to the operator's tool. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileperm.h"
#include "store.h"
#include "testutil.h"

#define OTHER_UID 65534

/* A child holding the lock, killed in teardown if a test fails first. */
static pid_t kill_on_fail;

struct fixture {
	char *dir;
	char *path;
	char err[1024];
	char warn[2048];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct store *st = NULL;

	if (fx == NULL)
		return -1;
	fx->dir = testutil_tmpdir();
	if (asprintf(&fx->path, "%s/state.db", fx->dir) < 0)
		return -1;
	/* A database made and closed, as a stopped daemon leaves it. */
	if (store_open(fx->path, &st, fx->err, sizeof(fx->err)) != 0)
		fail_msg("store_open %s: %s", fx->path, fx->err);
	store_close(st);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	if (kill_on_fail > 0) {
		kill(kill_on_fail, SIGKILL);
		waitpid(kill_on_fail, NULL, 0);
		kill_on_fail = 0;
	}
	chmod(fx->dir, 0700);
	free(fx->path);
	testutil_rmdir(fx->dir);
	free(fx);
	return 0;
}

static char *
sibling(const struct fixture *fx, const char *suffix)
{
	char *p;

	if (asprintf(&p, "%s%s", fx->path, suffix) < 0)
		fail_msg("out of memory");
	return p;
}

/* Creates path (empty) with mode. */
static void
make_file(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* Opens as the daemon does; returns 0 or -1, leaving warn and err. */
static int
open_daemon(struct fixture *fx, bool strict)
{
	struct store *st = NULL;
	int rc;

	fx->err[0] = '\0';
	rc = store_open_daemon(fx->path, strict, &st, fx->warn,
	                       sizeof(fx->warn), fx->err, sizeof(fx->err));
	if (rc == 0)
		assert_non_null(st);
	else
		assert_null(st);
	store_close(st);
	return rc;
}

/* store_open (no warnings, not strict) refuses, with every substring. */
static void
refused(struct fixture *fx, ...)
{
	struct store *st = NULL;
	const char *want;
	va_list ap;

	fx->err[0] = '\0';
	if (store_open(fx->path, &st, fx->err, sizeof(fx->err)) == 0) {
		store_close(st);
		fail_msg("%s opened; it should have been refused", fx->path);
	}
	assert_null(st);
	va_start(ap, fx);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(fx->err, want) == NULL)
			fail_msg("\"%s\" not in: %s", want, fx->err);
	va_end(ap);
}

static void
opens(struct fixture *fx)
{
	struct store *st = NULL;

	if (store_open(fx->path, &st, fx->err, sizeof(fx->err)) != 0)
		fail_msg("store_open %s: %s", fx->path, fx->err);
	store_close(st);
}

/* Another user's database: whoever owns it can make the daemon text any
 * number anything. */
static void
test_other_owner_refused(void **state)
{
	struct fixture *fx = *state;
	char fix[512];

	snprintf(fix, sizeof(fix), "chown %u %s", (unsigned)geteuid(),
	         fx->path);
	assert_int_equal(chown(fx->path, OTHER_UID, (gid_t)-1), 0);
	refused(fx, fx->path, "owned by uid 65534", fix, NULL);
	assert_int_equal(chown(fx->path, geteuid(), (gid_t)-1), 0);
	opens(fx);
}

static void
test_writable_refused(void **state)
{
	struct fixture *fx = *state;
	char fix[512];

	snprintf(fix, sizeof(fix), "chmod 600 %s", fx->path);
	assert_int_equal(chmod(fx->path, 0620), 0);
	refused(fx, "writable by its group (mode 0620)", fix, NULL);
	assert_int_equal(chmod(fx->path, 0606), 0);
	refused(fx, "writable by others (mode 0606)", fix, NULL);
	/* Strict or not, a warning is not enough. */
	assert_int_equal(open_daemon(fx, false), -1);
	assert_int_equal(chmod(fx->path, 0600), 0);
	opens(fx);
}

/* A backup restored as 0644: read by anyone.  A warning that says what
 * to run, or refused with secrets.strict_permissions. */
static void
test_readable_warned_or_strict(void **state)
{
	struct fixture *fx = *state;
	char want[1024];

	assert_int_equal(chmod(fx->path, 0644), 0);
	assert_int_equal(open_daemon(fx, false), 0);
	snprintf(want, sizeof(want),
	         "database file %s is readable by others (mode 0644); chmod "
	         "600 %s",
	         fx->path, fx->path);
	assert_string_equal(fx->warn, want);

	assert_int_equal(open_daemon(fx, true), -1);
	assert_non_null(strstr(fx->err, "readable by others (mode 0644)"));
	assert_non_null(strstr(fx->err, "secrets.strict_permissions"));

	assert_int_equal(chmod(fx->path, 0640), 0);
	assert_int_equal(open_daemon(fx, false), 0);
	assert_non_null(strstr(fx->warn, "readable by its group (mode 0640)"));

	assert_int_equal(chmod(fx->path, 0600), 0);
	assert_int_equal(open_daemon(fx, true), 0);
	assert_string_equal(fx->warn, "");
}

/* The -wal and -shm files hold the same data as the database. */
static void
test_wal_and_shm_checked(void **state)
{
	struct fixture *fx = *state;
	char *wal = sibling(fx, "-wal"), *shm = sibling(fx, "-shm");

	make_file(wal, 0600);
	assert_int_equal(chown(wal, OTHER_UID, (gid_t)-1), 0);
	refused(fx, wal, "owned by uid 65534", NULL);
	assert_int_equal(unlink(wal), 0);

	make_file(shm, 0666);
	refused(fx, shm, "writable by others (mode 0666)", NULL);
	assert_int_equal(chmod(shm, 0644), 0);
	if (open_daemon(fx, false) != 0)
		fail_msg("%s", fx->err);
	assert_non_null(strstr(fx->warn, shm));
	/* The last connection to close removed it. */
	make_file(shm, 0644);
	assert_int_equal(open_daemon(fx, true), -1);
	assert_non_null(strstr(fx->err, shm));

	assert_int_equal(symlink(fx->path, wal), 0);
	refused(fx, wal, "symbolic link", NULL);
	free(wal);
	free(shm);
}

/* Whoever can write the directory can put a database, a -wal or a lock of
 * their own in it. */
static void
test_directory_checked(void **state)
{
	struct fixture *fx = *state;
	char fix[512];

	snprintf(fix, sizeof(fix), "chmod go-w %s", fx->dir);
	assert_int_equal(chmod(fx->dir, 01777), 0);
	refused(fx, "state directory", fx->dir, "writable by others", fix,
	        NULL);
	assert_int_equal(chmod(fx->dir, 0770), 0);
	refused(fx, "writable by its group", NULL);
	/* Readable is fine for a directory: the files have their own
	 * modes.  StateDirectory= makes it 0755 by default. */
	assert_int_equal(chmod(fx->dir, 0755), 0);
	assert_int_equal(open_daemon(fx, true), 0);
	assert_string_equal(fx->warn, "");

	assert_int_equal(chown(fx->dir, OTHER_UID, (gid_t)-1), 0);
	refused(fx, "state directory", "owned by uid 65534", NULL);
}

/* The lock file is checked like the database. */
static void
test_lock_file_checked(void **state)
{
	struct fixture *fx = *state;
	char *lock = sibling(fx, ".lock");

	assert_int_equal(chown(lock, OTHER_UID, (gid_t)-1), 0);
	refused(fx, lock, "owned by uid 65534", NULL);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(mkfifo(lock, 0600), 0);
	refused(fx, lock, "not a regular file", NULL);
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(symlink(fx->path, lock), 0);
	refused(fx, lock, "symbolic link", NULL);
	assert_int_equal(unlink(lock), 0);
	opens(fx);
	free(lock);
}

/* One state database has one daemon: a second open fails and names the
 * process that holds it, until that one closes. */
static void
test_second_open_refused(void **state)
{
	struct fixture *fx = *state;
	struct store *first = NULL;
	char want[256];

	assert_int_equal(store_open(fx->path, &first, fx->err, sizeof(fx->err)),
	                 0);
	snprintf(want, sizeof(want), "in use by another backtalkd, process %ld",
	         (long)getpid());
	refused(fx, fx->path, want, ".lock", NULL);
	store_close(first);
	opens(fx);
}

/* The same with the holder in another process, and the lock goes with
 * that process when it is killed. */
static void
test_lock_held_by_other_process(void **state)
{
	struct fixture *fx = *state;
	char want[256], c;
	int ready[2], hold[2], status;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *st = NULL;
		close(ready[0]);
		close(hold[1]);
		if (store_open(fx->path, &st, fx->err, sizeof(fx->err)) != 0)
			_exit(1);
		if (write(ready[1], "k", 1) != 1)
			_exit(1);
		/* Until killed, or until the test is gone. */
		(void)read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	snprintf(want, sizeof(want), "process %ld", (long)pid);
	kill_on_fail = pid;
	refused(fx, want, NULL);
	kill(pid, SIGKILL);
	kill_on_fail = 0;
	close(hold[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	opens(fx);
}

/* The lock keeps daemons apart, not the operator's tool: it reads and
 * writes (optouts add) beside the running daemon. */
static void
test_lock_leaves_admin_tool(void **state)
{
	struct fixture *fx = *state;
	struct store *daemon = NULL, *ro = NULL, *rw = NULL;

	assert_int_equal(
	    store_open(fx->path, &daemon, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(store_open_existing(fx->path, false, &ro, NULL,
	                                     fx->err, sizeof(fx->err)),
	                 0);
	assert_int_equal(store_open_existing(fx->path, true, &rw, NULL, fx->err,
	                                     sizeof(fx->err)),
	                 0);
	assert_int_equal(
	    store_optout_set(rw, "+15550007778", true, "operator", 100), 0);
	assert_int_equal(store_is_opted_out(daemon, "+15550007778"), 1);
	assert_int_equal(store_is_opted_out(ro, "+15550007778"), 1);
	store_close(rw);
	store_close(ro);
	/* Closing the tool's connections leaves the daemon's lock. */
	refused(fx, "in use by another backtalkd", NULL);
	store_close(daemon);
}

/* Under DynamicUser= the daemon is not root: a directory of root's is
 * accepted (root can write anything anyway), a database of root's is not
 * (a backup restored by root: the message says whom to chown it to). */
static void
test_root_owner_when_not_root(void **state)
{
	struct stat sb = { .st_uid = 0, .st_mode = S_IFDIR | 0755 };
	char msg[512];

	(void)state;
	assert_int_equal(fileperm_check(&sb, &fileperm_private_dir, true, 61234,
	                                "state directory", "/var/lib/b", msg,
	                                sizeof(msg)),
	                 FILEPERM_OK);
	sb.st_uid = 61235;
	assert_int_equal(fileperm_check(&sb, &fileperm_private_dir, true, 61234,
	                                "state directory", "/var/lib/b", msg,
	                                sizeof(msg)),
	                 FILEPERM_REFUSE);
	sb.st_uid = 0;
	sb.st_mode = S_IFREG | 0600;
	assert_int_equal(fileperm_check(&sb, &fileperm_private, false, 61234,
	                                "database file", "/var/lib/b/state.db",
	                                msg, sizeof(msg)),
	                 FILEPERM_REFUSE);
	assert_string_equal(msg, "database file /var/lib/b/state.db is owned "
	                         "by uid 0, not by uid 61234 that this "
	                         "process runs as: whoever owns it can change "
	                         "it; if it is this service's, chown 61234 "
	                         "/var/lib/b/state.db");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_other_owner_refused),
		T(test_writable_refused),
		T(test_readable_warned_or_strict),
		T(test_wal_and_shm_checked),
		T(test_directory_checked),
		T(test_lock_file_checked),
		T(test_second_open_refused),
		T(test_lock_held_by_other_process),
		T(test_lock_leaves_admin_tool),
#undef T
		cmocka_unit_test(test_root_owner_when_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
