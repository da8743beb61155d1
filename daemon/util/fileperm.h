/* Whether a file or directory holding something private (a secret, the
 * state database) is safe from other users: who owns it, and what its
 * mode lets its group and others do.  Judges a struct stat the caller
 * took and words the problem with the command that fixes it; opens
 * nothing itself. */
#ifndef BACKTALK_FILEPERM_H
#define BACKTALK_FILEPERM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct fileperm_rule {
	mode_t refuse;     /* mode bits refused always (S_IWGRP | S_IWOTH) */
	mode_t warn;       /* bits warned about, refused when strict */
	bool owner;        /* must be owned by the process's effective uid */
	bool root_ok;      /* owned by root is accepted too (a directory) */
	const char *chmod; /* what to chmod it to: "600", "go-w" */
};

/* A secret: write access for group or others refused (whoever can write
 * it chooses the credentials), any other access warned about. */
extern const struct fileperm_rule fileperm_secret;
/* The state database and the files beside it: another owner or write
 * access for group or others refused, read access warned about. */
extern const struct fileperm_rule fileperm_private;
/* The directory the state database is in: another owner than this user
 * or root, or write access for group or others, refused. */
extern const struct fileperm_rule fileperm_private_dir;

enum fileperm_verdict {
	FILEPERM_OK = 0,
	FILEPERM_WARN = 1,    /* msg says what to fix */
	FILEPERM_REFUSE = -1, /* msg says why and what to run */
};

/* Judges sb (of what, at path; a NULL path is not named) for a process
 * running as euid.  With strict, what the rule warns about is refused,
 * naming secrets.strict_permissions.  msg is filled for WARN and REFUSE. */
enum fileperm_verdict fileperm_check(const struct stat *sb,
                                     const struct fileperm_rule *rule,
                                     bool strict, uid_t euid, const char *what,
                                     const char *path, char *msg,
                                     size_t msglen);

#endif
