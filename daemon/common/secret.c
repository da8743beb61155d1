/* Secrets (gateway credentials): read from a file, an environment variable
 * or a systemd credential, checked, and handed to the caller.  No message
 * written here ever holds the secret itself, nor the file name, variable
 * name or credential name that the config gives for it (a token pasted
 * into the wrong line would be printed): messages name the config key
 * instead.  Buffers that held the secret are wiped. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileperm.h"
#include "regfile.h"
#include "secret.h"

/* Largest secret file read: tokens are tens of bytes, so anything bigger
 * is the wrong file. */
#define SECRET_MAX 4096

static void secret_msg(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
secret_msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Checks text[0..len) after removing trailing whitespace and copies it to
 * a new string.  what names the source in messages. */
static int
secret_accept(const char *text, size_t len, const char *what, char **ret,
              char *err, size_t errlen)
{
	char *s;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
	                   text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0) {
		secret_msg(err, errlen, "%s is empty", what);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			/* It would end up in an HTTP header. */
			secret_msg(err, errlen,
			           "%s holds more than one line or a control "
			           "character; it should hold only the secret",
			           what);
			return -1;
		}
	}
	s = malloc(len + 1);
	if (s == NULL) {
		secret_msg(err, errlen, "%s: out of memory", what);
		return -1;
	}
	memcpy(s, text, len);
	s[len] = '\0';
	*ret = s;
	return 0;
}

/* Reads the file at path; what describes it in messages without naming
 * it ("the file twilio.auth_token_file names"). */
static int
secret_read_file(const char *path, const char *what, bool strict, char **ret,
                 char *warn, size_t warnlen, char *err, size_t errlen)
{
	char buf[SECRET_MAX + 1], why[256];
	struct stat st;
	size_t len = 0;
	int fd, rc = -1;

	/* Not blocking: a FIFO in place of the file must not hang start-up. */
	fd = regfile_open(path, O_NOFOLLOW, &st, why, sizeof(why));
	if (fd < 0) {
		if (errno == ELOOP)
			secret_msg(err, errlen,
			           "%s is a symbolic link; name the file "
			           "itself",
			           what);
		else if (errno == EISDIR || errno == ENXIO)
			secret_msg(err, errlen, "%s is not a regular file",
			           what);
		else
			secret_msg(err, errlen, "cannot open %s: %s", what,
			           why);
		return -1;
	}
	if (st.st_size > SECRET_MAX) {
		secret_msg(err, errlen,
		           "%s is larger than %d bytes; it should hold only "
		           "the secret",
		           what, SECRET_MAX);
		goto out;
	}
	/* No path in the message: what was given for a secret key is never
	 * echoed.  Others that can write it are refused; others that can
	 * read it, warned about (refused when strict). */
	switch (fileperm_check(&st, &fileperm_secret, strict, geteuid(), what,
	                       NULL, why, sizeof(why))) {
	case FILEPERM_REFUSE:
		secret_msg(err, errlen, "%s", why);
		goto out;
	case FILEPERM_WARN:
		secret_msg(warn, warnlen, "%s", why);
		break;
	case FILEPERM_OK:
		break;
	}
	/* Read to the end: the size may have changed since fstat. */
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			secret_msg(err, errlen, "cannot read %s: %s", what,
			           strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SECRET_MAX) {
			secret_msg(err, errlen,
			           "%s is larger than %d bytes; it should "
			           "hold only the secret",
			           what, SECRET_MAX);
			goto out;
		}
	}
	rc = secret_accept(buf, len, what, ret, err, errlen);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* The variable named in key_env (the config key, for messages). */
static int
secret_read_env(const char *name, const char *key_env, char **ret, char *err,
                size_t errlen)
{
	const char *v = getenv(name);
	char what[300];

	snprintf(what, sizeof(what), "the environment variable %s names",
	         key_env);
	if (v == NULL) {
		secret_msg(err, errlen, "%s is not set", what);
		return -1;
	}
	if (strlen(v) > SECRET_MAX) {
		secret_msg(err, errlen, "%s is longer than %d bytes", what,
		           SECRET_MAX);
		return -1;
	}
	return secret_accept(v, strlen(v), what, ret, err, errlen);
}

static int
secret_read_credential(const char *name, const char *key_cred, bool strict,
                       char **ret, char *warn, size_t warnlen, char *err,
                       size_t errlen)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char what[300];
	char *path;
	int rc;

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
		secret_msg(err, errlen,
		           "%s must be a plain credential name without '/'",
		           key_cred);
		return -1;
	}
	if (dir == NULL || dir[0] == '\0') {
		secret_msg(err, errlen,
		           "%s needs $CREDENTIALS_DIRECTORY, which systemd "
		           "sets for LoadCredential= with that name; it is "
		           "not set (run under systemd, or name a file or an "
		           "environment variable instead)",
		           key_cred);
		return -1;
	}
	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		secret_msg(err, errlen, "%s: out of memory", key_cred);
		return -1;
	}
	/* The unit loads a directory of credentials as
	 * LoadCredential=backtalk:/etc/backtalk/credentials, which names each
	 * file "backtalk_" and its name: "twilio-token" is found as
	 * "backtalk_twilio-token" when no credential has its bare name. */
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		char *dirform;
		if (asprintf(&dirform, "%s/" SECRET_CREDENTIAL_PREFIX "%s", dir,
		             name) < 0) {
			free(path);
			secret_msg(err, errlen, "%s: out of memory", key_cred);
			return -1;
		}
		if (access(dirform, F_OK) == 0) {
			free(path);
			path = dirform;
		} else {
			free(dirform);
		}
	}
	snprintf(what, sizeof(what), "the credential file %s names", key_cred);
	rc = secret_read_file(path, what, strict, ret, warn, warnlen, err,
	                      errlen);
	free(path);
	return rc;
}

int
secret_load(const struct config_secret *src, bool strict, char **ret,
            char *warn, size_t warnlen, char *err, size_t errlen)
{
	char key[200], what[300];

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (src == NULL) {
		secret_msg(err, errlen, "no secret configured");
		return -1;
	}
	if (src->file != NULL) {
		snprintf(what, sizeof(what), "the file %s_file names",
		         src->key ? src->key : "secret");
		return secret_read_file(src->file, what, strict, ret, warn,
		                        warnlen, err, errlen);
	}
	if (src->env != NULL) {
		snprintf(key, sizeof(key), "%s_env",
		         src->key ? src->key : "secret");
		return secret_read_env(src->env, key, ret, err, errlen);
	}
	if (src->credential != NULL) {
		snprintf(key, sizeof(key), "%s_credential",
		         src->key ? src->key : "secret");
		return secret_read_credential(src->credential, key, strict, ret,
		                              warn, warnlen, err, errlen);
	}
	secret_msg(err, errlen,
	           "no secret configured; name a file, an environment "
	           "variable or a systemd credential");
	return -1;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
