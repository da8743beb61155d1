/* fileperm.c: the owner and mode checks shared by secret files (secret.c)
 * and the state database (store_sqlite.c).  Pure: the caller opens or
 * stats the file (so that what is checked is what is used) and logs or
 * returns the message. */
#include <stdio.h>

#include "fileperm.h"

const struct fileperm_rule fileperm_secret = {
	.refuse = S_IWGRP | S_IWOTH,
	.warn = 077 & ~(S_IWGRP | S_IWOTH),
	.chmod = "600",
};

const struct fileperm_rule fileperm_private = {
	.refuse = S_IWGRP | S_IWOTH,
	.warn = S_IRGRP | S_IROTH,
	.owner = true,
	.chmod = "600",
};

const struct fileperm_rule fileperm_private_dir = {
	.refuse = S_IWGRP | S_IWOTH,
	.owner = true,
	.root_ok = true,
	.chmod = "go-w",
};

/* The worst of what bits let group and others do, in words. */
static const char *
fileperm_problem(mode_t bits)
{
	if (bits & S_IWOTH)
		return "writable by others";
	if (bits & S_IWGRP)
		return "writable by its group";
	if (bits & S_IROTH)
		return "readable by others";
	if (bits & S_IRGRP)
		return "readable by its group";
	return "open to its group or others";
}

enum fileperm_verdict
fileperm_check(const struct stat *sb, const struct fileperm_rule *rule,
               bool strict, uid_t euid, const char *what, const char *path,
               char *msg, size_t msglen)
{
	unsigned mode = (unsigned)(sb->st_mode & 07777);
	/* Without a path (a secret's, which is never echoed) the messages
	 * say "it". */
	const char *sep = path ? " " : "";
	const char *target = path ? path : "it";
	mode_t bits;

	if (path == NULL)
		path = "";

	if (msglen > 0)
		msg[0] = '\0';
	if (rule->owner && sb->st_uid != euid &&
	    !(rule->root_ok && sb->st_uid == 0)) {
		snprintf(msg, msglen,
		         "%s%s%s is owned by uid %u, not by uid %u that this "
		         "process runs as%s: whoever owns it can change it; "
		         "if it is this service's, chown %u %s",
		         what, sep, path, (unsigned)sb->st_uid, (unsigned)euid,
		         rule->root_ok ? " (nor by root)" : "", (unsigned)euid,
		         target);
		return FILEPERM_REFUSE;
	}
	bits = sb->st_mode & rule->refuse;
	if (bits != 0) {
		snprintf(msg, msglen, "%s%s%s is %s (mode %04o); chmod %s %s",
		         what, sep, path, fileperm_problem(bits), mode,
		         rule->chmod, target);
		return FILEPERM_REFUSE;
	}
	bits = sb->st_mode & rule->warn;
	if (bits == 0)
		return FILEPERM_OK;
	snprintf(msg, msglen, "%s%s%s is %s (mode %04o); chmod %s %s%s", what,
	         sep, path, fileperm_problem(bits), mode, rule->chmod, target,
	         strict ? " (secrets.strict_permissions refuses it until "
	                  "then)"
	                : "");
	return strict ? FILEPERM_REFUSE : FILEPERM_WARN;
}
